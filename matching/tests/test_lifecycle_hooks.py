"""Pairings follow the program's lifecycle, and ending one early asks for exit feedback."""

import pytest
from django.utils import timezone

from matching import services
from matching.models import Pairing
from matching.tests.factories import PairingFactory, matching_program
from programs.models import Program
from programs.services.setup import program_transition
from surveys.models import SurveyInvitation
from surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_starting_the_program_activates_confirmed_pairings(hr_admin):
    program = matching_program()
    accepted = PairingFactory(program=program, status=Pairing.Status.ACCEPTED)
    proposed = PairingFactory(program=program, status=Pairing.Status.PROPOSED)
    program_transition(program=program, to_status=Program.Status.RUNNING, user=hr_admin)
    accepted.refresh_from_db()
    proposed.refresh_from_db()
    assert accepted.status == Pairing.Status.ACTIVE and accepted.started_at is not None
    assert proposed.status == Pairing.Status.PROPOSED


def test_closing_the_program_completes_live_pairings(hr_admin):
    program = matching_program(status=Program.Status.RUNNING)
    active = PairingFactory(program=program, status=Pairing.Status.ACTIVE)
    program_transition(program=program, to_status=Program.Status.CLOSED, user=hr_admin)
    active.refresh_from_db()
    assert active.status == Pairing.Status.COMPLETED


def test_ending_a_pairing_early_sends_the_exit_survey_to_both(hr_admin, django_capture_on_commit_callbacks):
    program = matching_program(status=Program.Status.RUNNING)
    SurveyFactory(program=program, trigger="pairing_ended", title="Why did it end?")
    pairing = PairingFactory(program=program, status=Pairing.Status.ACTIVE, started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_end(pairing=pairing, user=hr_admin, reason="Mentor moved teams")
    invited = set(SurveyInvitation.objects.values_list("enrollment_id", flat=True))
    assert invited == {pairing.mentor_id, pairing.mentee_id}


def test_a_mentee_who_withdraws_ends_their_pairing_and_the_mentor_is_told(django_capture_on_commit_callbacks):
    from core.models import Notification
    from programs.services.enrollment import enrollment_withdraw

    program = matching_program(status=Program.Status.RUNNING)
    pairing = PairingFactory(program=program, status=Pairing.Status.ACTIVE, started_at=timezone.now())
    enrollment_withdraw(enrollment=pairing.mentee)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED
    assert "left the program" in pairing.end_reason
    mentor_user = pairing.mentor.person.user
    assert Notification.objects.filter(recipient=mentor_user, kind="pairing_ended").exists()


def test_hr_declining_an_approved_mentor_ends_their_pairings(hr_admin):
    from programs.services.approval import enrollment_decline

    program = matching_program(status=Program.Status.RUNNING)
    pairing = PairingFactory(program=program, status=Pairing.Status.ACCEPTED)
    enrollment_decline(enrollment=pairing.mentor, decided_by=hr_admin)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED
    assert pairing.ended_by == hr_admin
