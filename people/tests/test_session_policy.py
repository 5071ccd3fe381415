"""The session policy (people/session_policy.py): HR admins' idle timeout, and a changed
password or a removed or reset second factor ending the account's other sessions."""

import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client, override_settings

from people.session_policy import LAST_SEEN_KEY
from people.tests.factories import PASSWORD
from people.tests.mfa import totp_code, totp_enrol

MINUTE = 60


def _idle_for(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def _signed_in(client) -> bool:
    return client.get("/").wsgi_request.user.is_authenticated


def _recently_reauthenticated(client, user):
    """What allauth records when the person has just typed their password again."""
    session = client.session
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session.save()


def test_an_idle_hr_admin_is_signed_out_and_told_why(hr_client):
    assert hr_client.get("/people/").status_code == 200
    _idle_for(hr_client, 31 * MINUTE)
    response = hr_client.get("/people/")
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/people/"
    page = hr_client.get(response.url).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    assert not _signed_in(hr_client)


def test_an_active_hr_admin_stays_signed_in(hr_client):
    _idle_for(hr_client, 29 * MINUTE)
    assert hr_client.get("/people/").status_code == 200
    # The request counted as activity: the clock starts again.
    assert time.time() - hr_client.session[LAST_SEEN_KEY] < 5


@override_settings(HR_IDLE_TIMEOUT_MINUTES=5)
def test_the_timeout_is_a_setting(hr_client):
    _idle_for(hr_client, 6 * MINUTE)
    assert hr_client.get("/people/").url.startswith("/accounts/login/")


def test_staff_are_timed_out_too(client, db):
    from people.models import User

    it = User.objects.create_superuser(email="it@example.com", password=PASSWORD)
    client.force_login(it)
    _idle_for(client, 31 * MINUTE)
    assert client.get("/admin/").url.startswith("/accounts/login/")


def test_a_participant_is_not_timed_out(client, alice):
    client.force_login(alice)
    _idle_for(client, 10 * 60 * MINUTE)
    assert client.get("/").status_code == 200


def test_the_idle_clock_starts_at_sign_in(client, hr_admin):
    client.force_login(hr_admin)
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(alice):
    here, elsewhere = Client(), Client()
    here.force_login(alice)
    elsewhere.force_login(alice)
    assert _signed_in(elsewhere)
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-New-pass-8810", "password2": "a-New-pass-8810"},
    )
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert elsewhere.get("/").url.startswith("/accounts/login/")


def test_removing_the_authenticator_app_ends_the_other_sessions(alice):
    totp_enrol(alice)
    here, elsewhere = Client(), Client()
    here.force_login(alice)
    elsewhere.force_login(alice)
    _recently_reauthenticated(here, alice)
    response = here.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=alice).exists()
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


# allauth signals the reset after the commit, inside the request: a real transaction here.
@pytest.mark.django_db(transaction=True)
def test_new_recovery_codes_end_the_other_sessions(alice):
    totp_enrol(alice)
    here, elsewhere = Client(), Client()
    here.force_login(alice)
    elsewhere.force_login(alice)
    _recently_reauthenticated(here, alice)
    response = here.post("/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


@pytest.mark.django_db(transaction=True)  # allauth signals the addition after the commit
def test_adding_an_authenticator_app_ends_the_sessions_signed_in_with_the_password_alone(alice):
    here, elsewhere = Client(), Client()
    here.force_login(alice)
    elsewhere.force_login(alice)
    _recently_reauthenticated(here, alice)
    here.get("/accounts/2fa/totp/activate/")
    secret = here.session[SECRET_SESSION_KEY]
    response = here.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_an_hr_admin_who_removes_their_factor_is_sent_to_set_one_up_again(hr_admin):
    here, elsewhere = Client(), Client()
    here.force_login(hr_admin)
    elsewhere.force_login(hr_admin)
    assert here.get("/people/").status_code == 200  # the session remembers the factor
    _recently_reauthenticated(here, hr_admin)
    here.post("/accounts/2fa/totp/deactivate/")
    assert here.get("/people/").url == "/accounts/2fa/"
    assert elsewhere.get("/people/").url.startswith("/accounts/login/")


def test_it_resetting_someones_factor_in_the_admin_signs_them_out_everywhere(alice):
    authenticator = totp_enrol(alice)
    browser = Client()
    browser.force_login(alice)
    authenticator.delete()  # what the Django admin's delete does
    assert not _signed_in(browser)


@pytest.mark.parametrize("token", ["", "abc"])
def test_sessions_from_before_the_token_keep_djangos_hash_only_when_it_is_empty(alice, token):
    from django.utils.crypto import salted_hmac

    alice.session_token = token
    django_hash = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", alice.password, algorithm="sha256"
    ).hexdigest()
    assert (alice.get_session_auth_hash() == django_hash) is (token == "")
