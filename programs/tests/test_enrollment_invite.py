"""HR invites people; invited people and open sign-up links lead to an application."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Notification
from people.models import Person
from people.tests.factories import MemberFactory, PersonFactory
from programs.models import Enrollment, Program, Role
from programs.services.invitations import enrollment_invitation_email_deliver
from programs.tests.factories import EnrollmentFactory, ProgramFactory, profile_data

pytestmark = pytest.mark.django_db


def invite_url(program):
    return reverse("programs:participant_invite", args=[program.slug])


def join_url(program):
    return reverse("programs:enrollment_join", args=[program.signup_token])


@pytest.fixture
def program():
    return ProgramFactory(name="Leadership Circle", status=Program.Status.ENROLLING)


def test_hr_invites_people_picked_from_the_directory(
    hr_client, program, alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(
            invite_url(program),
            {"people": [alice.person.pk, bob.person.pk], "message": "You'd be great at this."},
            follow=True,
        )
    assert "Invited 2 people to Leadership Circle." in response.content.decode()
    enrollments = Enrollment.objects.filter(program=program)
    assert {e.person.email for e in enrollments} == {alice.email, bob.email}
    assert all(e.status == Enrollment.Status.INVITED and e.role == "" for e in enrollments)
    alice_enrollment = enrollments.get(person=alice.person)
    notification = Notification.objects.get(recipient=alice)
    assert notification.idempotency_key == f"program-invite:{alice_enrollment.pk}"
    assert notification.url == reverse("programs:enrollment_detail", args=[alice_enrollment.pk])
    assert "You'd be great at this." in notification.body
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, bob.email]


def test_pasted_emails_are_invited(hr_client, program, alice, bob):
    response = hr_client.post(invite_url(program), {"emails": f"{alice.email.upper()},\n {bob.email}; "})
    assert response.status_code == 302
    assert Enrollment.objects.filter(program=program, status=Enrollment.Status.INVITED).count() == 2


def test_unknown_emails_are_listed_and_nobody_is_invited(hr_client, program, alice):
    response = hr_client.post(invite_url(program), {"emails": f"{alice.email}\nghost@example.com, nobody@example.com"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not in the employee directory: ghost@example.com, nobody@example.com" in page
    assert "Nobody was invited" in page
    assert not Enrollment.objects.exists()
    assert not Notification.objects.exists()


def test_malformed_address_is_an_error(hr_client, program, alice):
    response = hr_client.post(invite_url(program), {"emails": f"{alice.email} not-an-address"})
    assert "These are not email addresses: not-an-address" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_people_who_left_the_company_cannot_be_invited(hr_client, program):
    PersonFactory(email="gone@example.com", termination_date="2026-01-31")
    response = hr_client.post(invite_url(program), {"emails": "gone@example.com"})
    assert "No longer with the company: gone@example.com" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_nothing_picked_is_an_error(hr_client, program):
    response = hr_client.post(invite_url(program), {"emails": "  ", "people": []})
    assert "Pick at least one person or paste their email addresses." in response.content.decode()


def test_person_already_in_the_program_is_not_invited_again(hr_client, program, alice, bob):
    existing = EnrollmentFactory(program=program, person=alice.person, status=Enrollment.Status.APPLIED)
    response = hr_client.post(invite_url(program), {"people": [alice.person.pk, bob.person.pk]}, follow=True)
    page = response.content.decode()
    assert "Invited 1 person" in page
    assert "Already in the program, not invited again: Alice Adams" in page
    existing.refresh_from_db()
    assert existing.status == Enrollment.Status.APPLIED
    assert not Notification.objects.filter(recipient=alice).exists()


def test_inviting_twice_notifies_once(hr_client, program, alice):
    hr_client.post(invite_url(program), {"people": [alice.person.pk]})
    hr_client.post(invite_url(program), {"people": [alice.person.pk]})
    assert Enrollment.objects.count() == 1
    assert Notification.objects.filter(recipient=alice, kind="program_invitation").count() == 1


def test_person_without_account_gets_an_email_with_a_sign_up_link(
    hr_client, program, django_capture_on_commit_callbacks
):
    newcomer = PersonFactory(email="new.hire@example.com", first_name="Nia")
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(invite_url(program), {"emails": "new.hire@example.com", "message": "Welcome aboard!"})
    enrollment = Enrollment.objects.get(person=newcomer)
    assert not Notification.objects.exists()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["new.hire@example.com"]
    assert "Leadership Circle" in email.subject
    assert f"/accounts/signup/?next=/programs/enrollments/{enrollment.pk}/" in email.body
    assert "Welcome aboard!" in email.body
    # A retried task does not send it again.
    assert enrollment_invitation_email_deliver(enrollment_id=enrollment.pk) is False
    assert len(mail.outbox) == 1


def test_new_employee_signs_up_and_lands_on_the_invitation(client, program):
    newcomer = PersonFactory(email="new.hire@example.com", first_name="Nia", last_name="Ng")
    enrollment = EnrollmentFactory(program=program, person=newcomer, role="", status=Enrollment.Status.INVITED)
    target = reverse("programs:enrollment_detail", args=[enrollment.pk])
    response = client.post(
        f"{reverse('account_signup')}?next={target}",
        {"email": newcomer.email, "password1": "a-Long-pass-phrase-9", "password2": "a-Long-pass-phrase-9"},
    )
    assert response.status_code == 302
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    response = client.post(link.split("testserver", 1)[-1].replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 302 and response["Location"] == target
    page = client.get(target).content.decode()
    assert 'data-testid="role-choices"' in page
    assert Person.objects.get(pk=newcomer.pk).user is not None


def test_invitations_only_while_enrolling(hr_client, alice):
    program = ProgramFactory(status=Program.Status.DRAFT)
    page = hr_client.get(invite_url(program)).content.decode()
    assert 'data-testid="invite-closed"' in page and "Draft is draft" not in page
    assert "Invitations can be sent while the program is enrolling" in page
    response = hr_client.post(invite_url(program), {"people": [alice.person.pk]})
    assert 'data-testid="invite-closed"' in response.content.decode()
    assert not Enrollment.objects.exists()


def test_directory_search_lists_people_not_yet_in_the_program(hr_client, program, alice, bob):
    EnrollmentFactory(program=program, person=bob.person)
    page = hr_client.get(invite_url(program), {"q": "example.com"}).content.decode()
    assert "Alice Adams" in page and "Bob Brown" not in page
    page = hr_client.get(invite_url(program), {"q": "zzz-nobody"}).content.decode()
    assert 'data-testid="no-candidates"' in page


@pytest.mark.parametrize("who", ["alice", "owner"])
def test_only_hr_can_invite(client, program, who, request):
    user = request.getfixturevalue(who)
    program.owners.add(request.getfixturevalue("owner"))
    client.force_login(user)
    assert client.get(invite_url(program)).status_code == 403
    assert client.post(invite_url(program), {"people": [user.person.pk]}).status_code == 403
    assert not Enrollment.objects.exists()


def test_anonymous_invitation_link_asks_to_sign_in(client, program, alice):
    enrollment = EnrollmentFactory(program=program, person=alice.person, role="", status=Enrollment.Status.INVITED)
    response = client.get(reverse("programs:enrollment_detail", args=[enrollment.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/programs/enrollments/")


def test_invited_person_chooses_a_role_and_applies(client, program, alice):
    enrollment = EnrollmentFactory(program=program, person=alice.person, role="", status=Enrollment.Status.INVITED)
    client.force_login(alice)
    page = client.get(reverse("programs:enrollment_detail", args=[enrollment.pk])).content.decode()
    assert 'data-testid="choose-mentor"' in page and 'data-testid="choose-mentee"' in page
    response = client.post(
        reverse("programs:enrollment_profile", args=[enrollment.pk]), profile_data(program, Role.MENTEE)
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED and enrollment.role == Role.MENTEE
    assert enrollment.applied_at is not None


def test_declining_an_invitation(client, program, alice):
    enrollment = EnrollmentFactory(program=program, person=alice.person, role="", status=Enrollment.Status.INVITED)
    client.force_login(alice)
    response = client.post(reverse("programs:enrollment_withdraw", args=[enrollment.pk]), follow=True)
    assert "You declined the invitation to Leadership Circle." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN


# --- Open sign-up ---------------------------------------------------------------------


@pytest.fixture
def open_program():
    return ProgramFactory(name="Women in Tech", status=Program.Status.ENROLLING, open_signup=True)


def test_open_sign_up_link_lets_anyone_apply(client, open_program, alice):
    client.force_login(alice)
    page = client.get(join_url(open_program)).content.decode()
    assert 'data-testid="role-choices"' in page
    page = client.get(join_url(open_program), {"role": "mentor"}).content.decode()
    assert 'data-testid="profile-form"' in page and "mentor charter" in page
    response = client.post(join_url(open_program), profile_data(open_program, Role.MENTOR))
    enrollment = Enrollment.objects.get(person=alice.person)
    assert response.status_code == 302 and response["Location"] == reverse(
        "programs:enrollment_detail", args=[enrollment.pk]
    )
    assert enrollment.status == Enrollment.Status.APPLIED and enrollment.role == Role.MENTOR


def test_program_with_one_role_skips_the_role_choice(client, alice):
    program = ProgramFactory(status=Program.Status.ENROLLING, open_signup=True, allow_mentors=False)
    client.force_login(alice)
    page = client.get(join_url(program)).content.decode()
    assert 'data-testid="profile-form"' in page and "as a mentee" in page


def test_open_sign_up_link_when_already_enrolled_goes_to_the_enrollment(client, open_program, alice):
    enrollment = EnrollmentFactory(program=open_program, person=alice.person, status=Enrollment.Status.APPLIED)
    client.force_login(alice)
    response = client.get(join_url(open_program))
    assert response.status_code == 302 and response["Location"] == reverse(
        "programs:enrollment_detail", args=[enrollment.pk]
    )
    client.post(join_url(open_program), profile_data(open_program, Role.MENTOR))
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"open_signup": False}, "This sign-up link is no longer active"),
        ({"status": Program.Status.MATCHING}, "has closed enrollment: matching has started"),
        ({"status": Program.Status.DRAFT}, "hasn&#x27;t opened for enrollment yet"),
    ],
)
def test_open_sign_up_link_when_closed_says_why(client, open_program, alice, changes, message):
    Program.objects.filter(pk=open_program.pk).update(**changes)
    client.force_login(alice)
    response = client.post(join_url(open_program), profile_data(open_program, Role.MENTEE))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="enrollment-closed"' in page
    assert message in page
    assert not Enrollment.objects.exists()


def test_unknown_sign_up_token_is_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("programs:enrollment_join", args=["not-a-token"])).status_code == 404


def test_account_without_directory_entry_cannot_join(client, open_program):
    from people.tests.factories import UserFactory

    client.force_login(UserFactory(email="contractor@example.com"))
    page = client.get(join_url(open_program)).content.decode()
    assert "isn&#x27;t linked to the employee directory" in page


def test_withdrawn_person_can_apply_again_through_the_link(client, open_program):
    user = MemberFactory(email="carol@example.com", first_name="Carol", last_name="Doe")
    enrollment = EnrollmentFactory(
        program=open_program, person=user.person, role=Role.MENTEE, status=Enrollment.Status.WITHDRAWN
    )
    client.force_login(user)
    response = client.get(join_url(open_program))
    assert response["Location"] == reverse("programs:enrollment_profile", args=[enrollment.pk])
    client.post(response["Location"], profile_data(open_program, Role.MENTEE))
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED
