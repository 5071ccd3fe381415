"""Journey: an HR admin makes a colleague an HR admin from the directory, the colleague
signs in to HR pages; the first one then gives up their own role."""

import pytest
from playwright.sync_api import expect

from people.models import User
from people.tests.factories import PASSWORD, PersonFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def colleague(db):
    user = UserFactory(email="carla@example.com", first_name="Carla", last_name="Cruz")
    return PersonFactory(email=user.email, first_name="Carla", last_name="Cruz", user=user)


def test_hr_admin_hands_the_role_to_a_colleague(page, sign_in, screenshot, hr_admin, colleague):
    sign_in(hr_admin.email, PASSWORD)
    page.click('[data-testid="nav-people"]')
    page.fill('[data-testid="directory-search"]', "Carla")
    with page.expect_navigation():
        page.click('[data-testid="directory-filter-submit"]')
    page.click("text=Carla Cruz")
    screenshot("hr-admin-person-page")
    page.click('[data-testid="grant-hr-admin"]')
    screenshot("hr-admin-grant-confirm")
    with page.expect_navigation():
        page.click('[data-testid="confirm-grant"]')
    assert page.locator('[data-testid="is-hr-admin"]').is_visible()
    assert User.objects.get(email="carla@example.com").is_hr_admin

    page.click("text=Everyone who is an HR admin")
    expect(page.locator('[data-testid="hr-admin-row"]')).to_have_count(2)
    screenshot("hr-admin-list")

    # Giving up one's own role: the box must be ticked.
    page.goto(f"/people/{hr_admin.person.pk}/")
    page.click('[data-testid="revoke-hr-admin"]')
    with page.expect_navigation():
        page.click('[data-testid="confirm-revoke"]')
    assert page.locator("text=Tick the box to give up your own HR admin role.").is_visible()
    screenshot("hr-admin-revoke-own")
    page.check('[data-testid="understand"]')
    with page.expect_navigation():
        page.click('[data-testid="confirm-revoke"]')
    assert page.locator("text=You are no longer an HR admin.").is_visible()
    assert page.locator('[data-testid="nav-people"]').count() == 0

    # Carla now runs HR, and is the last HR admin: she cannot give the role up.
    page.context.clear_cookies()
    sign_in("carla@example.com", PASSWORD)
    page.click('[data-testid="nav-people"]')
    page.goto(f"/people/{colleague.pk}/")
    assert "the only HR admin" in page.locator('[data-testid="revoke-problem"]').inner_text()
