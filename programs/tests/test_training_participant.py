"""Training from the participant's side, and the progress selectors matching relies on."""

import pytest
from django.urls import reverse

from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule
from programs.services.training import (
    TrainingError,
    enrollment_training_complete,
    enrollments_annotate_training,
    training_module_complete,
)
from programs.tests.factories import EnrollmentFactory, ProgramFactory, TrainingModuleFactory

pytestmark = pytest.mark.django_db

Audience = TrainingModule.Audience


@pytest.fixture
def program():
    program = ProgramFactory(name="Leadership Circle", status=Program.Status.ENROLLING)
    TrainingModuleFactory(program=program, title="How mentoring works", audience=Audience.BOTH, order=1)
    TrainingModuleFactory(program=program, title="Being a great mentee", audience=Audience.MENTEES, order=2)
    TrainingModuleFactory(program=program, title="Coaching skills for mentors", audience=Audience.MENTORS, order=3)
    TrainingModuleFactory(program=program, title="Further reading", audience=Audience.BOTH, required=False, order=4)
    return program


@pytest.fixture
def mentee(program, alice):
    return EnrollmentFactory(program=program, person=alice.person, role=Role.MENTEE, status=Enrollment.Status.APPLIED)


def module(program, title):
    return program.training_modules.get(title=title)


def training_url(enrollment):
    return reverse("programs:enrollment_training", args=[enrollment.pk])


def module_url(enrollment, module, action=""):
    name = "programs:enrollment_training_module_complete" if action else "programs:enrollment_training_module"
    return reverse(name, args=[enrollment.pk, module.pk])


def test_participant_sees_only_modules_for_their_role(client, alice, mentee, program):
    client.force_login(alice)
    page = client.get(training_url(mentee)).content.decode()
    assert "How mentoring works" in page and "Being a great mentee" in page and "Further reading" in page
    assert "Coaching skills for mentors" not in page
    assert "0 of 2 required modules done" in page
    other = module(program, "Coaching skills for mentors")
    assert client.get(module_url(mentee, other)).status_code == 404
    assert client.post(module_url(mentee, other, "complete")).status_code == 404


def test_reading_and_completing_a_module(client, alice, mentee, program):
    client.force_login(alice)
    first = module(program, "How mentoring works")
    page = client.get(module_url(mentee, first)).content.decode()
    assert "Read <strong>this</strong> first." in page
    assert 'data-testid="mark-complete"' in page
    response = client.post(module_url(mentee, first, "complete"), follow=True)
    page = response.content.decode()
    assert "marked as done" in page and "1 of 2 required modules done" in page
    client.post(module_url(mentee, first, "complete"))
    assert TrainingCompletion.objects.filter(enrollment=mentee, module=first).count() == 1
    assert 'data-testid="module-completed"' in client.get(module_url(mentee, first)).content.decode()


def test_module_markdown_is_rendered_safely(client, alice, mentee, program):
    unsafe = TrainingModuleFactory(
        program=program, title="Unsafe", body="# Title\n\n<script>alert('x')</script>[link](javascript:alert(1))"
    )
    client.force_login(alice)
    page = client.get(module_url(mentee, unsafe)).content.decode()
    assert "<h1>Title</h1>" in page
    assert "alert('x')" not in page and "javascript:" not in page


def test_another_persons_training_is_404(client, bob, mentee, program):
    client.force_login(bob)
    first = module(program, "How mentoring works")
    assert client.get(training_url(mentee)).status_code == 404
    assert client.get(module_url(mentee, first)).status_code == 404
    assert client.post(module_url(mentee, first, "complete")).status_code == 404
    assert not TrainingCompletion.objects.exists()


def test_withdrawn_participant_cannot_complete_modules(client, alice, mentee, program):
    Enrollment.objects.filter(pk=mentee.pk).update(status=Enrollment.Status.WITHDRAWN)
    mentee.refresh_from_db()
    with pytest.raises(TrainingError):
        training_module_complete(enrollment=mentee, module=module(program, "How mentoring works"))
    client.force_login(alice)
    response = client.post(module_url(mentee, module(program, "How mentoring works"), "complete"), follow=True)
    assert "Training is open to people who have applied" in response.content.decode()
    assert not TrainingCompletion.objects.exists()


def test_training_complete_when_all_required_modules_for_the_role_are_done(mentee, program):
    assert enrollment_training_complete(enrollment=mentee) is False
    training_module_complete(enrollment=mentee, module=module(program, "How mentoring works"))
    training_module_complete(enrollment=mentee, module=module(program, "Further reading"))
    assert enrollment_training_complete(enrollment=mentee) is False
    training_module_complete(enrollment=mentee, module=module(program, "Being a great mentee"))
    assert enrollment_training_complete(enrollment=mentee) is True


def test_program_without_required_training_counts_as_complete(alice):
    enrollment = EnrollmentFactory(person=alice.person, role=Role.MENTOR)
    assert enrollment_training_complete(enrollment=enrollment) is True


def test_annotation_counts_per_role_in_one_query(program, django_assert_num_queries):
    mentees = EnrollmentFactory.create_batch(3, program=program, role=Role.MENTEE)
    mentor = EnrollmentFactory(program=program, role=Role.MENTOR)
    training_module_complete(enrollment=mentees[0], module=module(program, "How mentoring works"))
    training_module_complete(enrollment=mentees[0], module=module(program, "Being a great mentee"))
    training_module_complete(enrollment=mentees[1], module=module(program, "Further reading"))
    training_module_complete(enrollment=mentor, module=module(program, "Coaching skills for mentors"))
    # A completion of a module that no longer applies to the role must not count.
    TrainingCompletion.objects.create(enrollment=mentees[2], module=module(program, "Coaching skills for mentors"))
    with django_assert_num_queries(1):
        rows = {
            e.pk: (e.training_required, e.training_done, e.training_complete)
            for e in enrollments_annotate_training(queryset=program.enrollments.all())
        }
    assert rows[mentees[0].pk] == (2, 2, True)
    assert rows[mentees[1].pk] == (2, 0, False)
    assert rows[mentees[2].pk] == (2, 0, False)
    assert rows[mentor.pk] == (2, 1, False)


def test_detail_page_shows_training_progress(client, alice, mentee, program):
    training_module_complete(enrollment=mentee, module=module(program, "How mentoring works"))
    client.force_login(alice)
    page = client.get(reverse("programs:enrollment_detail", args=[mentee.pk])).content.decode()
    assert "1 of 2 required modules done" in page
    assert "Finish 1 required training module." in page


def test_empty_training_page(client, alice):
    enrollment = EnrollmentFactory(person=alice.person, role=Role.MENTOR)
    client.force_login(alice)
    page = client.get(training_url(enrollment)).content.decode()
    assert 'data-testid="training-empty"' in page
