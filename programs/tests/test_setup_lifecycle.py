"""A program moves draft -> enrolling -> matching -> running -> closed, and only when ready."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Notification
from programs.models import Program, Role
from programs.services.setup import program_transition
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db
Status = Program.Status


def future_program(**fields):
    """A program whose dates stay ahead of the day the tests run."""
    today = datetime.date.today()
    fields.setdefault("start_date", today + datetime.timedelta(days=30))
    fields.setdefault("end_date", today + datetime.timedelta(days=210))
    return ProgramFactory(**fields)


def status_url(program):
    return reverse("programs:program_status", kwargs={"slug": program.slug})


def with_approved_pair(program):
    EnrollmentFactory(program=program, role=Role.MENTOR)
    EnrollmentFactory(program=program, role=Role.MENTEE)
    return program


def test_a_ready_program_walks_through_its_whole_lifecycle(hr_admin):
    program = with_approved_pair(future_program(status=Status.DRAFT))
    for to_status in (Status.ENROLLING, Status.MATCHING, Status.RUNNING, Status.CLOSED):
        program_transition(program=program, to_status=to_status, user=hr_admin)
        program.refresh_from_db()
        assert program.status == to_status


def test_matching_can_reopen_enrollment(hr_admin):
    program = ProgramFactory(status=Status.MATCHING)
    program_transition(program=program, to_status=Status.ENROLLING, user=hr_admin)
    assert Program.objects.get().status == Status.ENROLLING


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (Status.DRAFT, Status.RUNNING),
        (Status.DRAFT, Status.CLOSED),
        (Status.ENROLLING, Status.DRAFT),
        (Status.RUNNING, Status.MATCHING),
        (Status.CLOSED, Status.ENROLLING),
        (Status.DRAFT, "archived"),
    ],
)
def test_invalid_transitions_are_refused_with_a_clear_message(hr_admin, from_status, to_status):
    program = with_approved_pair(ProgramFactory(status=from_status))
    with pytest.raises(ValidationError, match="can't move to"):
        program_transition(program=program, to_status=to_status, user=hr_admin)
    assert Program.objects.get().status == from_status


def test_opening_enrollment_needs_charters_roles_and_an_end_date_ahead(hr_admin):
    program = ProgramFactory(
        status=Status.DRAFT,
        mentor_expectations=" ",
        mentee_expectations="",
        allow_mentors=False,
        allow_mentees=False,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 6, 1),
    )
    with pytest.raises(ValidationError) as refused:
        program_transition(program=program, to_status=Status.ENROLLING, user=hr_admin)
    assert refused.value.messages == [
        "The program ended on 01 Jun 2020: move the end date into the future first.",
        "Choose who may enrol: allow mentors, mentees or both.",
        "Write the mentor charter: mentors agree to it when they enrol.",
        "Write the mentee charter: mentees agree to it when they enrol.",
    ]
    assert Program.objects.get().status == Status.DRAFT


def test_a_program_already_started_may_still_open_enrollment_until_it_ends(hr_admin):
    today = datetime.date.today()
    program = ProgramFactory(
        status=Status.DRAFT, start_date=today - datetime.timedelta(days=30), end_date=today + datetime.timedelta(1)
    )
    program_transition(program=program, to_status=Status.ENROLLING, user=hr_admin)
    assert Program.objects.get().status == Status.ENROLLING


def test_matching_needs_an_approved_mentor_and_mentee(hr_admin):
    program = ProgramFactory(status=Status.ENROLLING)
    EnrollmentFactory(program=program, role=Role.MENTEE)
    with pytest.raises(ValidationError, match="Approve at least one mentor before matching."):
        program_transition(program=program, to_status=Status.MATCHING, user=hr_admin)


def test_two_people_pressing_the_same_button_move_the_program_once(hr_admin):
    program = future_program(status=Status.DRAFT)
    stale = Program.objects.get(pk=program.pk)
    program_transition(program=program, to_status=Status.ENROLLING, user=hr_admin)
    with pytest.raises(ValidationError, match="Someone else changed"):
        program_transition(program=stale, to_status=Status.ENROLLING, user=hr_admin)


def test_owners_are_told_about_a_status_change(hr_admin, owner):
    program = future_program(status=Status.DRAFT, name="Leadership Circle")
    program.owners.add(owner, hr_admin)
    program_transition(program=program, to_status=Status.ENROLLING, user=hr_admin)
    notification = Notification.objects.get()
    assert notification.recipient == owner  # not the admin who pressed the button
    assert notification.title == "Leadership Circle is now enrolling"
    assert notification.url == reverse("programs:owned_program_detail", kwargs={"slug": program.slug})


def test_lifecycle_page_offers_the_next_actions_as_buttons(hr_client):
    program = ProgramFactory(status=Status.MATCHING)
    page = hr_client.get(status_url(program)).content.decode()
    assert 'data-testid="action-running"' in page and "Start the program" in page
    assert 'data-testid="action-enrolling"' in page and "Reopen enrollment" in page
    assert 'data-testid="action-closed"' not in page


def test_lifecycle_page_disables_a_blocked_action_and_says_why(hr_client):
    program = ProgramFactory(status=Status.DRAFT, mentee_expectations="")
    page = hr_client.get(status_url(program)).content.decode()
    assert "disabled" in page
    assert "Write the mentee charter" in page


def test_posting_a_transition_moves_the_program(hr_client):
    program = future_program(status=Status.DRAFT)
    response = hr_client.post(status_url(program), {"to_status": "enrolling"}, follow=True)
    assert "“Program" in response.content.decode() and "is now enrolling." in response.content.decode()
    assert Program.objects.get().status == Status.ENROLLING


def test_a_refused_transition_is_shown_on_the_page(hr_client):
    program = ProgramFactory(status=Status.DRAFT, mentor_expectations="")
    response = hr_client.post(status_url(program), {"to_status": "enrolling"})
    page = response.content.decode()
    assert 'data-testid="transition-errors"' in page
    assert "Write the mentor charter" in page
    assert Program.objects.get().status == Status.DRAFT


def test_a_garbage_status_is_refused_not_a_500(hr_client):
    program = ProgramFactory(status=Status.DRAFT)
    response = hr_client.post(status_url(program), {"to_status": "<script>"})
    assert response.status_code == 200
    assert "can&#x27;t move to" in response.content.decode()


def test_closed_program_has_no_actions_and_suggests_a_clone(hr_client):
    program = ProgramFactory(status=Status.CLOSED)
    page = hr_client.get(status_url(program)).content.decode()
    assert 'data-testid="no-actions"' in page
    assert reverse("programs:program_clone", kwargs={"slug": program.slug}) in page


def test_owner_cannot_change_the_status(client, owner):
    program = ProgramFactory(status=Status.DRAFT)
    program.owners.add(owner)
    client.force_login(owner)
    assert client.post(status_url(program), {"to_status": "enrolling"}).status_code == 403
    assert Program.objects.get().status == Status.DRAFT
