"""Cloning a program starts its next cohort with the same setup."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Enrollment, Program, ProgramQuestion, Role, TrainingModule
from programs.services.setup import program_clone
from programs.tests.factories import (
    EnrollmentFactory,
    GoalTemplateFactory,
    ProgramFactory,
    ProgramQuestionFactory,
    TrainingModuleFactory,
)

pytestmark = pytest.mark.django_db

START, END = datetime.date(2030, 1, 15), datetime.date(2030, 7, 15)


@pytest.fixture
def original(owner):
    program = ProgramFactory(
        name="Leadership Circle",
        slug="leadership-circle",
        status=Program.Status.RUNNING,
        objectives=["leadership", "custom"],
        custom_objective="Sales excellence",
        cadence_days=21,
        default_mentor_capacity=3,
        matching_mode=Program.MatchingMode.HYBRID,
        allow_mentors=False,
        max_mentees=12,
        open_signup=True,
    )
    program.owners.add(owner)
    teach = ProgramQuestionFactory(
        program=program, audience=Role.MENTOR, kind=ProgramQuestion.Kind.MULTIPLE, choices=["Sales", "Finance"]
    )
    ProgramQuestionFactory(
        program=program,
        audience=Role.MENTEE,
        kind=ProgramQuestion.Kind.SINGLE,
        choices=["Sales", "Finance"],
        maps_to=teach,
    )
    TrainingModuleFactory(program=program, title="Be a great mentor", audience=TrainingModule.Audience.MENTORS)
    GoalTemplateFactory(program=program, title="Close a big deal", suggested_milestones=["Find it", "Win it"])
    EnrollmentFactory(program=program)
    return program


def test_clone_copies_settings_questions_training_goal_templates_and_owners(original, hr_admin, owner):
    clone = program_clone(
        program=original, name="Leadership Circle 2030", start_date=START, end_date=END, user=hr_admin
    )

    assert clone.pk != original.pk
    assert (clone.name, clone.slug, clone.start_date, clone.end_date) == (
        "Leadership Circle 2030",
        "leadership-circle-2030",
        START,
        END,
    )
    assert clone.status == Program.Status.DRAFT
    assert clone.cloned_from == original
    assert clone.signup_token != original.signup_token
    for field in ("objectives", "custom_objective", "cadence_days", "default_mentor_capacity", "matching_mode"):
        assert getattr(clone, field) == getattr(original, field), field
    assert (clone.allow_mentors, clone.max_mentees, clone.open_signup) == (False, 12, True)
    assert (clone.mentor_expectations, clone.mentee_expectations) == (
        original.mentor_expectations,
        original.mentee_expectations,
    )
    assert list(clone.owners.all()) == [owner]
    assert [m.title for m in clone.training_modules.all()] == ["Be a great mentor"]
    assert clone.training_modules.get().audience == TrainingModule.Audience.MENTORS
    assert [(t.title, t.suggested_milestones) for t in clone.goal_templates.all()] == [
        ("Close a big deal", ["Find it", "Win it"])
    ]
    assert not clone.enrollments.exists()
    assert Enrollment.objects.filter(program=original).count() == 1


def test_cloned_mentee_question_maps_to_the_cloned_mentor_question(original, hr_admin):
    clone = program_clone(program=original, name="Next", start_date=START, end_date=END, user=hr_admin)
    mentor_q = clone.questions.get(audience=Role.MENTOR)
    mentee_q = clone.questions.get(audience=Role.MENTEE)
    assert mentee_q.maps_to == mentor_q
    assert mentor_q.choices == ["Sales", "Finance"]
    # The original's mapping is untouched.
    assert original.questions.get(audience=Role.MENTEE).maps_to == original.questions.get(audience=Role.MENTOR)


def test_clone_refuses_dates_in_the_wrong_order(original, hr_admin):
    with pytest.raises(ValidationError, match="The end date must be after the start date."):
        program_clone(program=original, name="Next", start_date=END, end_date=START, user=hr_admin)
    assert Program.objects.count() == 1


def test_clone_page_suggests_the_next_cohort(hr_client, original):
    response = hr_client.get(reverse("programs:program_clone", kwargs={"slug": original.slug}))
    form = response.context["form"]
    assert form["name"].value() == "Leadership Circle (next cohort)"
    assert form["start_date"].value() == original.end_date + datetime.timedelta(days=1)
    assert "1 training module" in response.content.decode()


def test_hr_clones_on_the_page(hr_client, original):
    response = hr_client.post(
        reverse("programs:program_clone", kwargs={"slug": original.slug}),
        {"name": "Leadership Circle 2030", "start_date": "2030-01-15", "end_date": "2030-07-15"},
    )
    clone = Program.objects.get(cloned_from=original)
    assert response["Location"] == reverse("programs:program_detail", kwargs={"slug": clone.slug})
    assert clone.questions.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Next", "start_date": "2030-07-15", "end_date": "2030-01-15"}, "The end date must be after"),
        ({"name": "", "start_date": "2030-01-15", "end_date": "2030-07-15"}, "This field is required."),
        ({"name": "Next", "start_date": "soon", "end_date": "2030-07-15"}, "Enter a valid date."),
    ],
)
def test_clone_page_bad_input_shows_an_error_and_creates_nothing(hr_client, original, data, message):
    response = hr_client.post(reverse("programs:program_clone", kwargs={"slug": original.slug}), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Program.objects.count() == 1


def test_owner_cannot_clone(client, owner, original):
    client.force_login(owner)
    response = client.post(
        reverse("programs:program_clone", kwargs={"slug": original.slug}),
        {"name": "Mine", "start_date": "2030-01-15", "end_date": "2030-07-15"},
    )
    assert response.status_code == 403
    assert Program.objects.count() == 1
