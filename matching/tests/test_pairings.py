"""Pairing states: confirm, decline, activate, end, complete; capacity under concurrency."""

import os
import threading

import pytest
from django.db import connection, connections

from core.models import Notification
from matching import services
from matching.features import cohort_load
from matching.models import MentorshipRequest, Pairing
from matching.services import MatchingError
from matching.tests.factories import MentorshipRequestFactory, PairingFactory, matching_program, mentee, mentor
from programs.models import Program

pytestmark = pytest.mark.django_db


def _users(pairing):
    return pairing.mentor.person.user, pairing.mentee.person.user


def test_both_confirm_then_the_pairing_is_accepted():
    program = matching_program()
    pairing = PairingFactory(program=program)
    mentor_user, mentee_user = _users(pairing)

    pairing = services.pairing_confirm(pairing=pairing, user=mentee_user)
    assert pairing.status == Pairing.Status.PROPOSED
    assert pairing.mentee_confirmed_at and not pairing.mentor_confirmed_at
    assert Notification.objects.filter(recipient=mentor_user, kind="pairing_confirmed").count() == 1

    pairing = services.pairing_confirm(pairing=pairing, user=mentor_user)
    assert pairing.status == Pairing.Status.ACCEPTED
    assert pairing.started_at is None
    assert Notification.objects.filter(kind="pairing_accepted").count() == 2

    with pytest.raises(MatchingError, match="no longer waiting"):
        services.pairing_confirm(pairing=pairing, user=mentor_user)


def test_confirming_in_a_running_program_activates_the_pairing():
    program = matching_program(status=Program.Status.RUNNING)
    pairing = PairingFactory(program=program)
    mentor_user, mentee_user = _users(pairing)
    services.pairing_confirm(pairing=pairing, user=mentor_user)
    pairing = services.pairing_confirm(pairing=pairing, user=mentee_user)
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.started_at is not None


def test_someone_else_cannot_confirm_or_decline(alice):
    pairing = PairingFactory(program=matching_program())
    with pytest.raises(MatchingError, match="isn't yours"):
        services.pairing_confirm(pairing=pairing, user=alice)
    with pytest.raises(MatchingError, match="isn't yours"):
        services.pairing_decline(pairing=pairing, user=alice)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED


def test_a_declined_pairing_frees_the_mentee_but_never_with_that_mentor_again():
    program = matching_program()
    guide = mentor(program, person_seniority=6)
    other_guide = mentor(program, person_seniority=6)
    pairing = PairingFactory(program=program, mentor=guide)
    mentor_user, _ = _users(pairing)

    services.pairing_decline(pairing=pairing, user=mentor_user, reason="I'm away for three months.")

    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.DECLINED
    assert pairing.end_reason == "I'm away for three months."
    assert pairing.ended_by == mentor_user
    notice = Notification.objects.get(kind="pairing_declined")
    assert notice.recipient == pairing.mentee.person.user
    cohort = cohort_load(program=program)
    i = cohort.mentee_index()[pairing.mentee_id]
    cols = cohort.mentor_index()
    assert cohort.blocked["paired_before"][i, cols[guide.pk]]
    assert not cohort.blocked["paired_before"][i, cols[other_guide.pk]]
    with pytest.raises(MatchingError):
        services.pairing_decline(pairing=pairing, user=mentor_user)


def test_program_start_activates_and_program_close_completes_pairings():
    program = matching_program()
    accepted = PairingFactory(program=program, status=Pairing.Status.ACCEPTED)
    proposed = PairingFactory(program=program, status=Pairing.Status.PROPOSED)
    assert services.program_pairings_activate(program=program) == 0  # still matching

    Program.objects.filter(pk=program.pk).update(status=Program.Status.RUNNING)
    program.refresh_from_db()
    assert services.program_pairings_activate(program=program) == 1
    accepted.refresh_from_db()
    assert accepted.status == Pairing.Status.ACTIVE

    assert services.program_pairings_complete(program=program) == {"completed": 1, "ended": 1}
    accepted.refresh_from_db()
    proposed.refresh_from_db()
    assert accepted.status == Pairing.Status.COMPLETED
    assert proposed.status == Pairing.Status.ENDED
    assert services.program_pairings_complete(program=program) == {"completed": 0, "ended": 0}


def test_hr_ends_a_pairing_with_a_reason_both_people_see(hr_admin):
    pairing = PairingFactory(program=matching_program(), status=Pairing.Status.ACTIVE)
    with pytest.raises(MatchingError, match="Say why"):
        services.pairing_end(pairing=pairing, user=hr_admin, reason="   ")
    services.pairing_end(pairing=pairing, user=hr_admin, reason="The mentee left the company.")
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason, pairing.ended_by) == (
        Pairing.Status.ENDED,
        "The mentee left the company.",
        hr_admin,
    )
    assert Notification.objects.filter(kind="pairing_ended").count() == 2
    with pytest.raises(MatchingError, match="already ended"):
        services.pairing_end(pairing=pairing, user=hr_admin, reason="again")


def test_hr_completes_an_active_pairing_but_not_a_proposal(hr_admin):
    active = PairingFactory(program=matching_program(), status=Pairing.Status.ACTIVE)
    proposal = PairingFactory(program=matching_program())
    assert services.pairing_complete(pairing=active, user=hr_admin).status == Pairing.Status.COMPLETED
    with pytest.raises(MatchingError):
        services.pairing_complete(pairing=proposal, user=hr_admin)


def test_a_second_accept_after_the_first_commits_is_refused_when_the_mentor_is_full():
    """SQLite can't run two writers at once: the second accept comes after the first
    committed, sees the mentor full and changes nothing."""
    program = matching_program()
    guide = mentor(program, capacity=1)
    first = MentorshipRequestFactory(program=program, mentor=guide)
    second = MentorshipRequestFactory(program=program, mentor=guide)
    user = guide.person.user

    services.mentorship_request_accept(request=first, user=user)
    with pytest.raises(MatchingError):
        services.mentorship_request_accept(request=second, user=user)

    assert Pairing.objects.live().filter(mentor=guide).count() == 1
    second.refresh_from_db()
    # Filling the last place already told the other waiting mentee.
    assert second.status == MentorshipRequest.Status.DECLINED


def test_accept_refuses_when_full_even_without_the_auto_decline():
    program = matching_program()
    guide = mentor(program, capacity=1)
    PairingFactory(program=program, mentor=guide, status=Pairing.Status.ACTIVE)
    waiting = MentorshipRequestFactory(program=program, mentor=guide)

    with pytest.raises(MatchingError, match="your limit"):
        services.mentorship_request_accept(request=waiting, user=guide.person.user)
    waiting.refresh_from_db()
    assert waiting.status == MentorshipRequest.Status.PENDING  # the claim was rolled back
    assert Pairing.objects.live().filter(mentor=guide).count() == 1


def _require_postgresql():
    if connection.vendor != "postgresql":
        message = f"database is {connection.vendor}, not PostgreSQL (set DATABASE_URL)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
        pytest.skip(message)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_the_same_moment_never_overfill_a_mentor():
    _require_postgresql()
    program = matching_program()
    guide = mentor(program, capacity=1)
    requests = [MentorshipRequestFactory(program=program, mentor=guide) for _ in range(2)]
    user = guide.person.user
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(request):
        try:
            barrier.wait(timeout=10)
            services.mentorship_request_accept(request=request, user=user)
            outcomes.append("accepted")
        except MatchingError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "refused"]
    assert Pairing.objects.live().filter(mentor=guide).count() == 1


def test_a_mentee_with_a_live_pairing_cannot_be_accepted_twice():
    program = matching_program()
    learner = mentee(program)
    PairingFactory(program=program, mentee=learner, status=Pairing.Status.ACTIVE)
    guide = mentor(program, capacity=2)
    waiting = MentorshipRequestFactory(program=program, mentor=guide, mentee=learner)
    with pytest.raises(MatchingError, match="matched with someone else"):
        services.mentorship_request_accept(request=waiting, user=guide.person.user)


def test_the_hourly_job_brings_pairings_in_line_with_their_programs_stage():
    from matching.tasks import pairings_follow_program_status

    running = matching_program(status=Program.Status.RUNNING)
    closed = matching_program(status=Program.Status.CLOSED)
    accepted = PairingFactory(program=running, status=Pairing.Status.ACCEPTED)
    active = PairingFactory(program=closed, status=Pairing.Status.ACTIVE)
    proposed = PairingFactory(program=closed, status=Pairing.Status.PROPOSED)
    still_matching = PairingFactory(program=matching_program(), status=Pairing.Status.ACCEPTED)

    assert pairings_follow_program_status() == {"activated": 1, "completed": 1, "ended": 1}
    assert pairings_follow_program_status() == {"activated": 0, "completed": 0, "ended": 0}

    for pairing, status in (
        (accepted, Pairing.Status.ACTIVE),
        (active, Pairing.Status.COMPLETED),
        (proposed, Pairing.Status.ENDED),
        (still_matching, Pairing.Status.ACCEPTED),
    ):
        pairing.refresh_from_db()
        assert pairing.status == status
