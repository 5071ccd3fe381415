"""The HR participants page and the participant home: content, filters, empty states, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.tests.factories import PersonFactory, SkillFactory
from programs.models import Enrollment, EnrollmentSkill, Program, ProgramQuestion, Role, TrainingCompletion
from programs.tests.factories import (
    EnrollmentFactory,
    ProgramFactory,
    ProgramQuestionFactory,
    TrainingModuleFactory,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


# --- HR participants page ------------------------------------------------------------------


@pytest.fixture
def program():
    program = ProgramFactory(name="Leadership Circle", status=Program.Status.ENROLLING)
    TrainingModuleFactory(program=program, title="Basics")
    TrainingModuleFactory(program=program, title="For mentees", audience="mentees")
    return program


def add_participants(program, count, offset=0):
    skill = SkillFactory(name="Coaching")
    for i in range(offset, offset + count):
        person = PersonFactory(email=f"p{i}@example.com", first_name=f"Pat{i}", last_name=f"Lee{i}")
        enrollment = EnrollmentFactory(
            program=program,
            person=person,
            role=Role.MENTOR if i % 3 == 0 else Role.MENTEE,
            status=[Enrollment.Status.APPLIED, Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED][i % 3],
        )
        EnrollmentSkill.objects.create(enrollment=enrollment, skill=skill, direction="has", level=3)
        TrainingCompletion.objects.create(enrollment=enrollment, module=program.training_modules.first())


def test_participants_page_query_count_does_not_grow(hr_client, program):
    add_participants(program, 3)
    small = count_queries(hr_client, reverse("programs:participant_list", args=[program.slug]))
    add_participants(program, 30, offset=3)
    large = count_queries(hr_client, reverse("programs:participant_list", args=[program.slug]))
    assert small == large
    assert (
        count_queries(
            hr_client,
            reverse("programs:participant_list", args=[program.slug]),
            role="mentee",
            status="approved",
            q="Pat",
        )
        == large
    )


def test_participants_page_shows_status_role_and_training(hr_client, program):
    add_participants(program, 3)
    page = hr_client.get(reverse("programs:participant_list", args=[program.slug])).content.decode()
    assert page.count('data-testid="participant-row"') == 3
    assert "Training 1/2" in page  # a mentee: one of two required modules
    assert "Training done" in page  # the mentor: the one module for mentors
    assert 'data-testid="count-approved"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "mentor"}, {"Pat0", "Pat3"}),
        ({"status": "approved"}, {"Pat1", "Pat4"}),
        ({"q": "Lee2"}, {"Pat2"}),
        ({"role": "mentee", "status": "waitlisted"}, {"Pat2", "Pat5"}),
        ({"role": "astronaut", "status": "??"}, {f"Pat{i}" for i in range(6)}),
    ],
)
def test_participants_page_filters(hr_client, program, params, expected):
    add_participants(program, 6)
    page = hr_client.get(reverse("programs:participant_list", args=[program.slug]), params).content.decode()
    shown = {f"Pat{i}" for i in range(6) if f">Pat{i} Lee{i}<" in page}
    assert shown == expected


def test_participants_page_empty_states(hr_client, program):
    page = hr_client.get(reverse("programs:participant_list", args=[program.slug])).content.decode()
    assert 'data-testid="participants-empty"' in page and "Nobody has joined Leadership Circle yet." in page
    add_participants(program, 1)
    page = hr_client.get(
        reverse("programs:participant_list", args=[program.slug]), {"q": "nobody-matches"}
    ).content.decode()
    assert "No participants match these filters." in page


def test_participants_page_shows_open_sign_up_link(hr_client, program):
    Program.objects.filter(pk=program.pk).update(open_signup=True)
    page = hr_client.get(reverse("programs:participant_list", args=[program.slug])).content.decode()
    assert f"/programs/join/{program.signup_token}/" in page


def test_participants_page_for_unknown_program_is_404(hr_client):
    assert hr_client.get(reverse("programs:participant_list", args=["no-such-program"])).status_code == 404


def test_bad_page_number_does_not_fail(hr_client, program):
    add_participants(program, 2)
    for page_number in ("abc", "999", "-1"):
        response = hr_client.get(reverse("programs:participant_list", args=[program.slug]), {"page": page_number})
        assert response.status_code == 200
        # Django's get_page: the first page for junk, the last one for a number past the end.
        assert response.content.decode().count('data-testid="participant-row"') == 2, page_number


def test_hr_sees_an_application_in_full(hr_client, program, alice):
    question = ProgramQuestionFactory(
        program=program, audience=Role.MENTEE, text="Which team?", kind=ProgramQuestion.Kind.SINGLE, choices=["A"]
    )
    enrollment = EnrollmentFactory(
        program=program,
        person=alice.person,
        status=Enrollment.Status.APPLIED,
        goals_text="Become a tech lead",
        answers={str(question.pk): "A"},
        working_style={"feedback": 2},
    )
    page = hr_client.get(reverse("programs:participant_detail", args=[program.slug, enrollment.pk])).content.decode()
    assert "Become a tech lead" in page and "Which team?" in page
    assert "Direct and candid" in page
    assert 'data-testid="approve"' in page and 'data-testid="decline"' in page


# --- Participant home -----------------------------------------------------------------------


def home(client):
    return client.get(reverse("home")).content.decode()


def test_home_shows_next_steps_for_each_program(client, alice):
    applied = ProgramFactory(name="Leadership Circle")
    TrainingModuleFactory(program=applied, title="Basics")
    TrainingModuleFactory(program=applied, title="More")
    EnrollmentFactory(program=applied, person=alice.person, status=Enrollment.Status.APPLIED)
    waiting = ProgramFactory(name="Sales Academy")
    EnrollmentFactory(program=waiting, person=alice.person, status=Enrollment.Status.WAITLISTED)
    approved = ProgramFactory(name="Onboarding Buddies", mentor_expectations="Be kind.")
    EnrollmentFactory(program=approved, person=alice.person, role=Role.MENTOR, status=Enrollment.Status.APPROVED)
    client.force_login(alice)
    page = home(client)
    assert "Finish 2 required training modules." in page
    assert "0 of 2 required modules done" in page
    assert "Wait for HR to approve your application." in page
    assert "You&#x27;re on the waitlist." in page
    assert "Read and agree to the charter." in page
    assert "You&#x27;re in. You&#x27;ll be matched when matching starts." in page
    assert page.count('data-testid="my-enrollment"') == 3


def test_home_lists_pending_invitations_and_open_programs(client, alice):
    invited_to = ProgramFactory(name="Women in Tech")
    invitation = EnrollmentFactory(program=invited_to, person=alice.person, role="", status=Enrollment.Status.INVITED)
    ProgramFactory(name="Open Circle", open_signup=True)
    ProgramFactory(name="Closed Circle", open_signup=True, status=Program.Status.RUNNING)
    ProgramFactory(name="Invite Only")
    client.force_login(alice)
    page = home(client)
    assert 'data-testid="invitations"' in page
    assert reverse("programs:enrollment_detail", args=[invitation.pk]) in page
    assert "Accept / choose role" in page
    assert 'data-testid="open-programs"' in page and "Open Circle" in page
    assert "Closed Circle" not in page and "Invite Only" not in page
    assert 'data-testid="participant-empty"' in page


def test_home_keeps_hr_and_owner_sections(client, hr_admin, owner):
    ProgramFactory(name="Leadership Circle").owners.add(owner)
    client.force_login(hr_admin)
    assert 'data-testid="hr-home"' in home(client)
    client.force_login(owner)
    page = home(client)
    assert 'data-testid="owner-home"' in page and "Leadership Circle" in page


def test_home_query_count_does_not_grow(client, alice):
    def add_programs(count, offset):
        for i in range(offset, offset + count):
            program = ProgramFactory(name=f"Program {i}", open_signup=i % 2 == 0)
            TrainingModuleFactory(program=program)
            EnrollmentFactory(program=program, person=alice.person, role=Role.MENTEE, status=Enrollment.Status.APPLIED)
            invited = ProgramFactory(name=f"Invited {i}")
            EnrollmentFactory(program=invited, person=alice.person, role="", status=Enrollment.Status.INVITED)
            ProgramFactory(name=f"Open {i}", open_signup=True)

    client.force_login(alice)
    add_programs(1, 0)
    small = count_queries(client, reverse("home"))
    add_programs(8, 1)
    assert count_queries(client, reverse("home")) == small
