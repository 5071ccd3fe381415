"""Sign-up and password reset never reveal whether an address is in the directory or has
an account; the email sent to the address tells its owner. Emails carry the product's
name and SITE_URL. Confirming an address signs the person in (in the same browser)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from people.models import Person, User
from people.tests.factories import PersonFactory, UserFactory
from people.tests.mfa import totp_code

pytestmark = pytest.mark.django_db

SITE = "https://mentoring.example.com"
NEW_PASSWORD = "a-Strong-pass-991"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.PRODUCT_NAME = "Mentoring"


@pytest.fixture
def addresses(db):
    """One address of each kind: in the directory without account, with an account, unknown."""
    PersonFactory(email="dana@example.com", first_name="Dana", last_name="Diaz")
    UserFactory(email="erin@example.com", first_name="Erin", last_name="Evans")
    PersonFactory(email="erin@example.com", first_name="Erin", last_name="Evans", user=User.objects.get())
    return {"new": "dana@example.com", "existing": "erin@example.com", "outsider": "stranger@elsewhere.example"}


def _sign_up(email, client=None):
    client = client or Client()
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )
    return client, response


def _reset(email):
    return Client().post("/accounts/password/reset/", {"email": email}, follow=True)


def _what_the_visitor_sees(response, email):
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return (
        response.status_code,
        [template.name for template in response.templates],
        [(url, status) for url, status in response.redirect_chain],
        html.replace(email, "ADDRESS"),
    )


def _only_email_to(address):
    assert [message.to for message in mail.outbox] == [[address]]
    return mail.outbox[0]


def _link(message, path):
    return re.search(rf"{re.escape(SITE)}({re.escape(path)}\S+)", message.body).group(1)


# --- Sign-up ------------------------------------------------------------------------


def test_sign_up_pages_are_identical_for_new_existing_and_outside_addresses(addresses):
    seen = []
    for email in addresses.values():
        _, response = _sign_up(email)
        seen.append(_what_the_visitor_sees(response, email))
    assert seen[0] == seen[1] == seen[2]
    status, templates, chain, html = seen[0]
    assert status == 200 and chain == [("/accounts/confirm-email/", 302)]
    assert "account/verification_sent.html" in templates
    assert "Check your email" in html and "We have sent an email to ADDRESS." in html
    assert "not in the employee directory" not in html and "already" not in html


def test_sign_up_with_a_directory_address_creates_the_account_and_sends_the_confirmation(addresses):
    _sign_up(addresses["new"])
    user = User.objects.get(email="dana@example.com")
    assert Person.objects.get(email="dana@example.com").user == user
    message = _only_email_to("dana@example.com")
    assert message.subject == "[Mentoring] Confirm your email to finish signing up"
    assert message.body.startswith("Hello Dana,")
    assert "You signed up to Mentoring" in message.body
    assert f"{SITE}/accounts/confirm-email/" in message.body
    assert "example.com!" not in message.body and "testserver" not in message.body


def test_sign_up_with_an_address_that_has_an_account_tells_its_owner(addresses):
    _sign_up(addresses["existing"])
    assert User.objects.filter(email="erin@example.com").count() == 1
    message = _only_email_to("erin@example.com")
    assert message.subject == "[Mentoring] You already have an account"
    assert "you already have an account with this address" in message.body
    assert f"Sign in at {SITE}/accounts/login/" in message.body
    assert f"{SITE}/accounts/password/reset/" in message.body
    assert "testserver" not in message.body


def test_sign_up_with_an_address_outside_the_directory_creates_nothing_and_tells_its_owner(addresses):
    _sign_up(addresses["outsider"])
    assert not User.objects.filter(email="stranger@elsewhere.example").exists()
    assert not EmailAddress.objects.filter(email="stranger@elsewhere.example").exists()
    message = _only_email_to("stranger@elsewhere.example")
    assert message.subject == "[Mentoring] This address is not in the employee directory"
    assert "tried to sign up to Mentoring" in message.body
    assert "no account was created" in message.body
    assert "ask HR to add you" in message.body
    assert f"{SITE}/accounts/signup/" in message.body


def test_a_leaver_cannot_sign_up(addresses):
    PersonFactory(email="gone@example.com", termination_date="2024-01-31")
    _sign_up("gone@example.com")
    assert not User.objects.filter(email="gone@example.com").exists()
    assert _only_email_to("gone@example.com").subject.endswith("not in the employee directory")


def test_sign_up_form_with_bad_input_shows_errors_and_saves_nothing(addresses):
    response = Client().post(
        "/accounts/signup/", {"email": "not-an-address", "password1": NEW_PASSWORD, "password2": "different-991x"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert User.objects.count() == 1 and mail.outbox == []


# --- Confirmation signs in ------------------------------------------------------------


def test_confirming_in_the_browser_that_signed_up_signs_the_person_in(addresses):
    client, _ = _sign_up(addresses["new"])
    confirm_path = _link(_only_email_to("dana@example.com"), "/accounts/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200 and "dana@example.com" in page.content.decode()
    response = client.post(confirm_path)
    assert response.status_code == 302 and response.url == "/"
    assert EmailAddress.objects.get(email="dana@example.com").verified
    home = client.get("/")
    assert home.status_code == 200
    assert home.wsgi_request.user.email == "dana@example.com"


def test_confirming_in_another_browser_confirms_but_asks_to_sign_in(addresses):
    _sign_up(addresses["new"])
    confirm_path = _link(_only_email_to("dana@example.com"), "/accounts/confirm-email/")
    phone = Client()
    response = phone.post(confirm_path, follow=True)
    assert EmailAddress.objects.get(email="dana@example.com").verified
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert not response.wsgi_request.user.is_authenticated
    assert "You have confirmed dana@example.com" in response.content.decode()
    # The link alone never signs anyone in; the password does.
    assert phone.get("/").status_code == 302
    assert phone.post("/accounts/login/", {"login": "dana@example.com", "password": NEW_PASSWORD}).status_code == 302
    assert phone.get("/").status_code == 200


def test_a_used_confirmation_link_cannot_sign_anyone_in_again(addresses):
    client, _ = _sign_up(addresses["new"])
    confirm_path = _link(_only_email_to("dana@example.com"), "/accounts/confirm-email/")
    client.post(confirm_path)
    stranger = Client()
    stranger.post(confirm_path)
    assert stranger.get("/").status_code == 302


# --- Password reset -----------------------------------------------------------------


def test_reset_pages_are_identical_for_accounts_directory_addresses_and_unknown_addresses(addresses):
    seen = [_what_the_visitor_sees(_reset(email), email) for email in addresses.values()]
    assert seen[0] == seen[1] == seen[2]
    status, templates, chain, _ = seen[0]
    assert status == 200 and chain == [("/accounts/password/reset/done/", 302)]
    assert "account/password_reset_done.html" in templates
    assert len(mail.outbox) == 3


def test_reset_for_an_account_sends_the_reset_link(addresses):
    _reset(addresses["existing"])
    message = _only_email_to("erin@example.com")
    assert message.subject == "[Mentoring] Reset your password"
    assert message.body.startswith("Hello Erin,")
    assert "reset the password of your Mentoring account, erin@example.com" in message.body
    assert f"{SITE}/accounts/password/reset/key/" in message.body


def test_reset_for_a_directory_address_without_account_invites_to_sign_up(addresses):
    _reset(addresses["new"])
    message = _only_email_to("dana@example.com")
    assert message.subject == "[Mentoring] You have no account yet"
    assert "You are in the employee directory" in message.body
    assert f"{SITE}/accounts/signup/" in message.body


def test_reset_for_an_address_outside_the_directory_says_so_to_its_owner(addresses):
    _reset(addresses["outsider"])
    message = _only_email_to("stranger@elsewhere.example")
    assert message.subject == "[Mentoring] This address is not in the employee directory"
    assert "asked to reset a password on Mentoring" in message.body
    assert "there is no account to reset" in message.body


def test_reset_form_with_bad_input_shows_an_error_and_sends_nothing(addresses):
    response = Client().post("/accounts/password/reset/", {"email": "no at sign"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


def _reset_password_through_the_email(email, new_password):
    client = Client()
    client.post("/accounts/password/reset/", {"email": email})
    reset_path = _link(mail.outbox[-1], "/accounts/password/reset/key/")
    response = client.get(reset_path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(form_path, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302, response.content.decode()[:500]


def test_a_superuser_without_directory_entry_can_reset_their_password_and_sign_in(db):
    call_command("createsuperuser", email="Root@Example.org", interactive=False, verbosity=0)
    root = User.objects.get(email="root@example.org")
    assert not Person.objects.exists() and not EmailAddress.objects.exists()

    _reset_password_through_the_email("root@example.org", "brand-New-pass-771")
    message = mail.outbox[0]
    assert message.subject == "[Mentoring] Reset your password"

    client = Client()
    response = client.post("/accounts/login/", {"login": "root@example.org", "password": "brand-New-pass-771"})
    # A superuser is staff: the second factor comes next (tests enrol staff, people/tests/mfa.py).
    assert response.status_code == 302 and response.url == "/accounts/2fa/authenticate/"
    response = client.post(response.url, {"code": totp_code(root)})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").wsgi_request.user == root
    # The reset proved the mailbox is theirs: the address counts as confirmed.
    assert EmailAddress.objects.get(user=root, email="root@example.org").verified


def test_after_a_reset_the_person_is_told_by_email(addresses):
    _reset_password_through_the_email(addresses["existing"], "brand-New-pass-771")
    notice = mail.outbox[-1]
    assert notice.subject == "[Mentoring] Your password was reset"
    assert "This change was just made to your Mentoring account (erin@example.com)" in notice.body
    assert "example.com!" not in notice.body


@override_settings(PRODUCT_NAME="Acme Mentoring", ACCOUNT_EMAIL_SUBJECT_PREFIX="[Acme Mentoring] ")
def test_emails_use_the_configured_product_name(addresses):
    _reset(addresses["existing"])
    message = _only_email_to("erin@example.com")
    assert message.subject == "[Acme Mentoring] Reset your password"
    assert "your Acme Mentoring account" in message.body
    assert message.body.rstrip().endswith(f"Acme Mentoring\n{SITE}/")


def test_signing_in_before_confirming_is_refused(addresses):
    _sign_up(addresses["new"])
    other = Client()
    response = other.post("/accounts/login/", {"login": "dana@example.com", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/confirm-email/"
    assert other.get("/").status_code == 302


def test_a_signed_in_person_can_add_only_a_directory_address(addresses):
    client = Client()
    client.force_login(User.objects.get(email="erin@example.com"))
    response = client.post("/accounts/email/", {"action_add": "", "email": "erin.private@elsewhere.example"})
    assert response.status_code == 200
    assert "Only addresses in the employee directory can be added." in response.content.decode()
    assert not EmailAddress.objects.filter(email="erin.private@elsewhere.example").exists()
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND="mentorship.tests.failing_email.Backend")
def test_a_mail_server_that_is_down_never_turns_sign_up_or_reset_into_an_error(addresses):
    client, response = _sign_up(addresses["new"])
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert User.objects.filter(email=addresses["new"]).exists()
    assert _reset(addresses["existing"]).status_code == 200
