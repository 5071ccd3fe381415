"""Signing in, signing up with verification, password reset, rate limits, the admin door."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from people.models import User
from people.tests.factories import PASSWORD, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert "next=/" in response.url


def test_anonymous_visitor_is_sent_to_sign_in_from_any_page(client):
    response = client.get(reverse("notification_list"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_health_check_is_public(client):
    # 200 or 503 (no worker heartbeat in tests): either way answered, not sent to sign in.
    assert "checks" in client.get("/healthz").json()


def test_sign_in_by_email_and_sign_out(client, alice):
    response = sign_in(client, "Alice@Example.com", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, alice):
    response = sign_in(client, alice.email, "wrong-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_sixth_bad_password_locks_the_account_even_with_the_right_password(client, alice):
    for _ in range(5):
        assert "not correct" in sign_in(client, alice.email, "wrong-password").content.decode()
    response = sign_in(client, alice.email, PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/").status_code == 302
    # Another account is not locked by Alice's attacker.
    UserFactory(email="carol@example.com")
    assert sign_in(client, "carol@example.com", PASSWORD).status_code == 302


def test_rate_limit_is_shared_through_the_cache_not_the_session(client, alice, django_user_model):
    from django.test import Client

    for _ in range(5):
        sign_in(Client(), alice.email, "wrong-password")
    # A fresh browser (no cookies) is refused too: the counter is not per session.
    assert "Too many failed login attempts" in sign_in(client, alice.email, PASSWORD).content.decode()


def test_signup_requires_a_directory_email(client):
    # The page does not say so (people/tests/test_sign_up_and_reset.py); the email does.
    response = client.post(
        "/accounts/signup/",
        {"email": "stranger@elsewhere.example", "password1": "a-Strong-pass-991", "password2": "a-Strong-pass-991"},
    )
    assert response.status_code == 302 and response.url == "/accounts/confirm-email/"
    assert not User.objects.filter(email="stranger@elsewhere.example").exists()
    assert "not in the employee directory" in mail.outbox[0].body


def test_signup_sends_verification_and_links_the_directory_entry(client):
    person = PersonFactory(email="dana@example.com", first_name="Dana", last_name="Diaz")
    response = client.post(
        "/accounts/signup/",
        {"email": "dana@example.com", "password1": "a-Strong-pass-991", "password2": "a-Strong-pass-991"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="dana@example.com")
    person.refresh_from_db()
    assert person.user == user
    assert user.get_full_name() == "Dana Diaz"
    assert not EmailAddress.objects.get(user=user).verified
    # Mandatory verification: signing in before confirming does not get you in.
    client.post("/accounts/logout/")
    sign_in(client, "dana@example.com", "a-Strong-pass-991")
    assert client.get("/").status_code == 302

    confirm_url = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    client.post(confirm_url)
    assert EmailAddress.objects.get(user=user).verified
    sign_in(client, "dana@example.com", "a-Strong-pass-991")
    assert client.get("/").status_code == 200


def test_password_reset_email_lets_the_person_choose_a_new_password(client, alice):
    client.post("/accounts/password/reset/", {"email": alice.email})
    assert len(mail.outbox) == 1
    reset_url = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    response = client.get(reset_url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_url
    response = client.post(form_url, {"password1": "brand-New-pass-771", "password2": "brand-New-pass-771"})
    assert response.status_code == 302
    assert sign_in(client, alice.email, "brand-New-pass-771").status_code == 302
    assert client.get("/").status_code == 200


def test_admin_login_goes_through_the_rate_limited_sign_in(client, hr_admin):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    for _ in range(5):
        sign_in(client, hr_admin.email, "wrong-password")
    sign_in(client, hr_admin.email, PASSWORD)
    assert client.get("/admin/").status_code == 302


def test_admin_is_closed_to_employees_who_are_not_staff(client, alice):
    client.force_login(alice)
    assert client.get("/admin/", follow=True).status_code == 403


def test_admin_opens_for_staff(client, hr_admin):
    client.force_login(hr_admin)
    assert client.get("/admin/").status_code == 200
