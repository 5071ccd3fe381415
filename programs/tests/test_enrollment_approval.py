"""HR approves and declines applications, one by one and in bulk; the waitlist."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from people.tests.factories import MemberFactory
from programs.models import Enrollment, Program, Role
from programs.services.approval import enrollment_approve, enrollment_waitlist_promote
from programs.services.enrollment import EnrollmentError
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(name="Leadership Circle", status=Program.Status.ENROLLING)


def applicant(program, email, *, role=Role.MENTEE, minutes_ago=0, status=Enrollment.Status.APPLIED):
    user = MemberFactory(email=email, first_name=email.split("@")[0].capitalize(), last_name="Doe")
    return EnrollmentFactory(
        program=program,
        person=user.person,
        role=role,
        status=status,
        applied_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def decide_url(enrollment):
    return reverse("programs:participant_decide_one", args=[enrollment.program.slug, enrollment.pk])


def bulk_url(program):
    return reverse("programs:participant_decide", args=[program.slug])


def promote_url(program):
    return reverse("programs:participant_promote", args=[program.slug])


def statuses(*enrollments):
    return [Enrollment.objects.get(pk=e.pk).status for e in enrollments]


def test_approving_notifies_the_person_once(hr_client, program):
    enrollment = applicant(program, "ana@example.com")
    response = hr_client.post(decide_url(enrollment), {"decision": "approve"}, follow=True)
    assert "Ana" in response.content.decode() and "is approved" in response.content.decode()
    hr_client.post(decide_url(enrollment), {"decision": "approve"})
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED and enrollment.decided_at is not None
    notification = Notification.objects.get(recipient__email="ana@example.com")
    assert notification.idempotency_key == f"enrollment-approved:{enrollment.pk}"
    assert notification.title == "You're in: Leadership Circle"


def test_declining_notifies_the_person(hr_client, program):
    enrollment = applicant(program, "ana@example.com")
    hr_client.post(decide_url(enrollment), {"decision": "decline"})
    assert statuses(enrollment) == [Enrollment.Status.DECLINED]
    assert Notification.objects.get().idempotency_key == f"enrollment-declined:{enrollment.pk}"


def test_approving_beyond_the_limit_waitlists_with_a_clear_message(hr_client, program):
    Program.objects.filter(pk=program.pk).update(max_mentees=1)
    first = applicant(program, "ana@example.com")
    second = applicant(program, "ben@example.com")
    mentor = applicant(program, "mo@example.com", role=Role.MENTOR)
    hr_client.post(decide_url(first), {"decision": "approve"})
    response = hr_client.post(decide_url(second), {"decision": "approve"}, follow=True)
    assert "The program is full for mentees: Ben" in response.content.decode()
    hr_client.post(decide_url(mentor), {"decision": "approve"})
    assert statuses(first, second, mentor) == [
        Enrollment.Status.APPROVED,
        Enrollment.Status.WAITLISTED,
        Enrollment.Status.APPROVED,
    ]
    assert Notification.objects.get(recipient__email="ben@example.com").kind == "enrollment_waitlisted"


def test_bulk_approval_gives_places_in_application_order(hr_client, program):
    Program.objects.filter(pk=program.pk).update(max_mentees=2)
    late = applicant(program, "late@example.com", minutes_ago=1)
    early = applicant(program, "early@example.com", minutes_ago=30)
    middle = applicant(program, "middle@example.com", minutes_ago=10)
    response = hr_client.post(
        bulk_url(program), {"decision": "approve", "enrollments": [late.pk, early.pk, middle.pk]}, follow=True
    )
    assert "2 approved; 1 put on the waitlist because the program is full." in response.content.decode()
    assert statuses(early, middle, late) == [
        Enrollment.Status.APPROVED,
        Enrollment.Status.APPROVED,
        Enrollment.Status.WAITLISTED,
    ]
    assert Notification.objects.count() == 3


def test_bulk_decline_and_skipped_states(hr_client, program, alice):
    one = applicant(program, "ana@example.com")
    invited = EnrollmentFactory(program=program, person=alice.person, role="", status=Enrollment.Status.INVITED)
    response = hr_client.post(
        bulk_url(program), {"decision": "decline", "enrollments": [one.pk, invited.pk]}, follow=True
    )
    assert "1 declined; 1 skipped" in response.content.decode()
    assert statuses(one, invited) == [Enrollment.Status.DECLINED, Enrollment.Status.INVITED]


def test_bulk_without_selection_is_an_error(hr_client, program):
    one = applicant(program, "ana@example.com")
    response = hr_client.post(bulk_url(program), {"decision": "approve"}, follow=True)
    assert "Tick at least one participant first." in response.content.decode()
    assert statuses(one) == [Enrollment.Status.APPLIED]


def test_bulk_cannot_reach_another_programs_enrollments(hr_client, program):
    elsewhere = applicant(ProgramFactory(), "ana@example.com")
    response = hr_client.post(bulk_url(program), {"decision": "approve", "enrollments": [elsewhere.pk]}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert statuses(elsewhere) == [Enrollment.Status.APPLIED]


def test_bulk_with_a_bogus_decision_changes_nothing(hr_client, program):
    one = applicant(program, "ana@example.com")
    response = hr_client.post(bulk_url(program), {"decision": "delete", "enrollments": [one.pk]}, follow=True)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert statuses(one) == [Enrollment.Status.APPLIED]


def test_freed_place_goes_to_whoever_waited_longest(hr_client, program):
    Program.objects.filter(pk=program.pk).update(max_mentees=1)
    approved = applicant(program, "in@example.com", status=Enrollment.Status.APPROVED)
    newer = applicant(program, "newer@example.com", minutes_ago=5, status=Enrollment.Status.WAITLISTED)
    older = applicant(program, "older@example.com", minutes_ago=50, status=Enrollment.Status.WAITLISTED)

    response = hr_client.post(promote_url(program), {"role": "mentee"}, follow=True)
    assert "There is no free mentee place to give." in response.content.decode()

    page = hr_client.get(reverse("programs:participant_list", args=[program.slug])).content.decode()
    assert 'data-testid="promote-mentee"' not in page
    hr_client.post(decide_url(approved), {"decision": "decline"})
    page = hr_client.get(reverse("programs:participant_list", args=[program.slug])).content.decode()
    assert 'data-testid="promote-mentee"' in page and "1 place free" in page

    response = hr_client.post(promote_url(program), {"role": "mentee"}, follow=True)
    assert "Older" in response.content.decode() and "moved from the waitlist" in response.content.decode()
    assert statuses(older, newer) == [Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED]
    assert Notification.objects.filter(idempotency_key=f"enrollment-approved:{older.pk}").exists()


def test_withdrawal_of_an_approved_participant_frees_a_place(client, program):
    Program.objects.filter(pk=program.pk).update(max_mentees=1)
    approved = applicant(program, "in@example.com", status=Enrollment.Status.APPROVED)
    waiting = applicant(program, "wait@example.com", status=Enrollment.Status.WAITLISTED)
    client.force_login(approved.person.user)
    client.post(reverse("programs:enrollment_withdraw", args=[approved.pk]))
    program.refresh_from_db()
    enrollment_waitlist_promote(program=program, role=Role.MENTEE, decided_by=None)
    assert statuses(waiting) == [Enrollment.Status.APPROVED]


def test_nobody_waiting_is_a_clear_error(hr_client, program):
    response = hr_client.post(promote_url(program), {"role": "mentor"}, follow=True)
    assert "Nobody is waiting for a mentor place." in response.content.decode()
    response = hr_client.post(promote_url(program), {"role": "boss"}, follow=True)
    assert "Choose mentors or mentees to promote." in response.content.decode()


def test_waitlisted_person_approved_when_still_full_stays_waitlisted(program):
    Program.objects.filter(pk=program.pk).update(max_mentees=0)
    waiting = applicant(program, "wait@example.com", status=Enrollment.Status.WAITLISTED)
    enrollment_approve(enrollment=waiting, decided_by=None)
    assert statuses(waiting) == [Enrollment.Status.WAITLISTED]
    assert not Notification.objects.exists()


def test_decisions_refused_once_the_program_has_ended(hr_client, program):
    one = applicant(program, "ana@example.com")
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    response = hr_client.post(decide_url(one), {"decision": "approve"}, follow=True)
    assert "has ended; applications can no longer be decided" in response.content.decode()
    assert statuses(one) == [Enrollment.Status.APPLIED]


def test_an_invitation_not_yet_accepted_cannot_be_approved(program, alice):
    invited = EnrollmentFactory(program=program, person=alice.person, role="", status=Enrollment.Status.INVITED)
    with pytest.raises(EnrollmentError):
        enrollment_approve(enrollment=invited, decided_by=None)


# --- Permissions ------------------------------------------------------------------------


def test_owner_can_read_participants_but_not_decide(client, program, owner):
    program.owners.add(owner)
    one = applicant(program, "ana@example.com")
    client.force_login(owner)
    page = client.get(reverse("programs:participant_list", args=[program.slug])).content.decode()
    assert "Ana" in page and 'data-testid="bulk-approve"' not in page and 'data-testid="invite-link"' not in page
    detail = client.get(reverse("programs:participant_detail", args=[program.slug, one.pk]))
    assert detail.status_code == 200 and 'data-testid="decision-buttons"' not in detail.content.decode()
    assert client.post(decide_url(one), {"decision": "approve"}).status_code == 403
    assert client.post(bulk_url(program), {"decision": "approve", "enrollments": [one.pk]}).status_code == 403
    assert client.post(promote_url(program), {"role": "mentee"}).status_code == 403
    assert statuses(one) == [Enrollment.Status.APPLIED]


def test_employee_gets_403_on_hr_participant_pages(client, program, alice, owner):
    program.owners.add(owner)
    one = applicant(program, "ana@example.com")
    client.force_login(alice)
    assert client.get(reverse("programs:participant_list", args=[program.slug])).status_code == 403
    assert client.get(reverse("programs:participant_detail", args=[program.slug, one.pk])).status_code == 403
    assert client.post(decide_url(one), {"decision": "approve"}).status_code == 403
    assert statuses(one) == [Enrollment.Status.APPLIED]


def test_participant_of_another_program_is_404_on_hr_pages(hr_client, program):
    elsewhere = applicant(ProgramFactory(), "ana@example.com")
    assert hr_client.get(reverse("programs:participant_detail", args=[program.slug, elsewhere.pk])).status_code == 404
    assert hr_client.post(decide_url(elsewhere).replace(elsewhere.program.slug, program.slug)).status_code == 404
