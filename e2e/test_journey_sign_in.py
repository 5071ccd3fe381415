"""Journey: each demo role signs in with the demo password and lands on their home."""

from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from people.tests.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLE_HOMES = {
    "hr@demo.example": "hr-home",
    "owner@demo.example": "owner-home",
    "mentor@demo.example": "participant-home",
    "mentee@demo.example": "participant-home",
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_anonymous_visitor_lands_on_sign_in(page):
    page.goto("/")
    assert "/accounts/login/" in page.url
    assert page.locator("input[name=login]").is_visible()


def test_each_demo_role_signs_in_sees_their_home_and_signs_out(page, sign_in, screenshot, demo):
    """One demo company for the four roles (seeding it is most of the test's time)."""
    for email, home in ROLE_HOMES.items():
        sign_in(email, "demo-pass-123")
        assert urlparse(page.url).path == "/", email
        assert page.locator(f'[data-testid="{home}"]').is_visible(), email
        screenshot(f"home-{email.split('@')[0]}")
        page.click(".navbar .dropdown-toggle")
        with page.expect_navigation():
            page.click('[data-testid="sign-out"]')
        assert urlparse(page.url).path == "/accounts/login/", email


def test_wrong_password_shows_an_error_and_signs_nobody_in(page, sign_in):
    MemberFactory(email="mentee@demo.example", password="demo-pass-123")
    sign_in("mentee@demo.example", "not-the-password")
    assert page.locator("text=not correct").is_visible()
    page.goto("/")
    assert "/accounts/login/" in page.url
