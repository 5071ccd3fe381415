"""Fixtures shared by every app's tests: named users for each role."""

import pytest
from django.core.cache import cache

from mentorship.testing import hypothesis_profiles_load
from people.tests.factories import PersonFactory, UserFactory

hypothesis_profiles_load()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield


@pytest.fixture
def without_auto_mfa():
    """Ask for this in a test whose HR admins and staff must start with no second factor."""


@pytest.fixture(autouse=True)
def _hr_accounts_have_mfa(request):
    # HR admins and staff must enrol a second factor before any HR page (portal/mfa.py):
    # every one a test creates gets an authenticator app (people/tests/mfa.py,
    # TEST_TOTP_SECRET), unless the test asks for ``without_auto_mfa``.
    if "without_auto_mfa" in request.fixturenames:
        yield
        return
    from django.db.models.signals import post_save

    from people.models import User
    from people.tests.mfa import mfa_enrol_if_required

    post_save.connect(mfa_enrol_if_required, sender=User, dispatch_uid="tests-mfa-enrol")
    yield
    post_save.disconnect(sender=User, dispatch_uid="tests-mfa-enrol")


@pytest.fixture
def hr_admin(db):
    user = UserFactory(email="hr.admin@example.com", is_hr_admin=True, is_staff=True)
    PersonFactory(email=user.email, first_name=user.first_name, last_name=user.last_name, user=user)
    return user


@pytest.fixture
def owner(db):
    user = UserFactory(email="owner@example.com")
    PersonFactory(email=user.email, first_name=user.first_name, last_name=user.last_name, user=user)
    return user


@pytest.fixture
def alice(db):
    """An employee with an account and no special role."""
    user = UserFactory(email="alice@example.com", first_name="Alice", last_name="Adams")
    PersonFactory(email=user.email, first_name="Alice", last_name="Adams", user=user)
    return user


@pytest.fixture
def bob(db):
    user = UserFactory(email="bob@example.com", first_name="Bob", last_name="Brown")
    PersonFactory(email=user.email, first_name="Bob", last_name="Brown", user=user)
    return user


@pytest.fixture
def hr_client(client, hr_admin):
    client.force_login(hr_admin)
    return client


@pytest.fixture
def count_queries(db):
    """``count_queries(client, url)``: how many queries a GET of ``url`` runs (it must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(queries)

    return count
