"""Sign-in rate limits: successful sign-ins are never throttled; failed ones are, per
account and per client address. Behind proxies the client address is read from
X-Forwarded-For, trusting exactly ALLAUTH_TRUSTED_PROXY_COUNT proxies."""

import pytest
from django.test import Client, override_settings

from people.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED = "Too many failed login attempts"
PROXY = "10.0.0.2"


def sign_in(email, password, *, forwarded_for=None, remote_addr="127.0.0.1", host="testserver"):
    """One attempt from a fresh browser (no cookies)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return Client().post(
        LOGIN, {"login": email, "password": password}, headers=headers, REMOTE_ADDR=remote_addr, SERVER_NAME=host
    )


def signed_in(response):
    return response.status_code == 302 and response.url == "/"


def employees(count):
    return [UserFactory(email=f"employee{n}@example.com") for n in range(count)]


def test_forty_five_successful_sign_ins_from_one_address_in_a_minute_all_succeed():
    # A whole office behind one NAT address at nine o'clock.
    people = employees(45)
    assert all(signed_in(sign_in(person.email, PASSWORD)) for person in people)
    # And one person signing in again and again (new browser each time) is not throttled either.
    assert all(signed_in(sign_in(people[0].email, PASSWORD)) for _ in range(45))


def test_a_few_typos_among_many_sign_ins_do_not_lock_anyone_out():
    people = employees(40)
    for n, person in enumerate(people):
        if n % 5 == 0:
            assert not signed_in(sign_in(person.email, "typo"))
        assert signed_in(sign_in(person.email, PASSWORD))


def test_five_wrong_passwords_lock_that_account_but_not_the_others():
    alice, bob = employees(2)
    for _ in range(5):
        assert "not correct" in sign_in(alice.email, "wrong-password").content.decode()
    assert LOCKED in sign_in(alice.email, PASSWORD).content.decode()
    assert signed_in(sign_in(bob.email, PASSWORD))


def test_ten_wrong_passwords_a_minute_from_one_address_lock_that_address():
    people = employees(11)
    for person in people[:10]:  # ten different accounts: no single account reaches its own limit
        assert "not correct" in sign_in(person.email, "wrong-password").content.decode()
    assert LOCKED in sign_in(people[10].email, PASSWORD).content.decode()
    assert signed_in(sign_in(people[10].email, PASSWORD, remote_addr="192.0.2.7"))


@override_settings(ALLOWED_HOSTS=["mentoring.example.com", "mentoring.internal"])
def test_another_host_name_does_not_give_more_attempts_at_one_account():
    (alice,) = employees(1)
    for _ in range(5):
        sign_in(alice.email, "wrong-password", host="mentoring.example.com", remote_addr=f"192.0.2.{_}")
    response = sign_in(alice.email, PASSWORD, host="mentoring.internal", remote_addr="192.0.2.99")
    assert LOCKED in response.content.decode()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit():
    people = employees(12)
    for person in people[:10]:
        sign_in(person.email, "wrong-password", forwarded_for="203.0.113.10", remote_addr=PROXY)
    assert (
        LOCKED in sign_in(people[10].email, PASSWORD, forwarded_for="203.0.113.10", remote_addr=PROXY).content.decode()
    )
    # Another employee behind the same proxy signs in.
    assert signed_in(sign_in(people[10].email, PASSWORD, forwarded_for="203.0.113.20", remote_addr=PROXY))
    # The locked client cannot escape by sending its own X-Forwarded-For: the proxy
    # appends the real address, and only the last entry is trusted.
    forged = "198.51.100.1, 203.0.113.10"
    assert LOCKED in sign_in(people[11].email, PASSWORD, forwarded_for=forged, remote_addr=PROXY).content.decode()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_a_forged_forwarded_for_does_not_reset_the_limit():
    people = employees(11)
    for n, person in enumerate(people[:10]):
        sign_in(person.email, "wrong-password", forwarded_for=f"198.51.100.{n}")
    response = sign_in(people[10].email, PASSWORD, forwarded_for="198.51.100.200")
    assert LOCKED in response.content.decode()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_proxy_count_larger_than_the_header_is_no_server_error():
    # Misconfigured: one proxy in front but two trusted. The request counts against the proxy.
    (alice,) = employees(1)
    assert signed_in(sign_in(alice.email, PASSWORD, forwarded_for="203.0.113.10", remote_addr=PROXY))


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_garbled_forwarded_for_is_no_server_error():
    (alice,) = employees(1)
    assert signed_in(sign_in(alice.email, PASSWORD, forwarded_for="unknown", remote_addr=PROXY))
