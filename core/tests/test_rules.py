"""The ``is_hr_admin`` predicate, ``can`` and ``hr_admin_required`` (core/rules.py, core/permissions.py)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from core.permissions import can, hr_admin_required
from core.rules import is_hr_admin
from people.models import User
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_hr_admins_are_hr_admins(hr_admin):
    assert is_hr_admin(hr_admin)


def test_everyone_else_is_not(alice, owner):
    assert not is_hr_admin(alice)
    assert not is_hr_admin(owner)
    assert not is_hr_admin(AnonymousUser())
    assert not is_hr_admin(None)


def test_a_superuser_who_is_not_an_hr_admin_gets_no_hr_rights():
    """IT's superuser: Django's ``user.has_perm`` lets them pass; ``can`` asks the rules."""
    root = User.objects.create_superuser(email="root@example.org", password="x-Very-long-pass-1")
    User.objects.filter(pk=root.pk).update(is_hr_admin=False)
    root.refresh_from_db()
    assert not is_hr_admin(root)
    assert not can(root, "programs.manage_program")
    assert root.has_perm("programs.manage_program")  # why the views ask ``can``


def test_the_rules_backend_answers_beside_the_others(hr_admin, alice):
    assert "rules.permissions.ObjectPermissionBackend" in settings.AUTHENTICATION_BACKENDS
    assert "allauth.account.auth_backends.AuthenticationBackend" in settings.AUTHENTICATION_BACKENDS
    assert hr_admin.has_perm("programs.manage_program")
    assert not alice.has_perm("programs.manage_program")


def _view(request):
    return HttpResponse("ok")


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_hr_admin_required_lets_hr_admins_in(hr_admin):
    assert hr_admin_required(_view)(_request(hr_admin)).status_code == 200


@pytest.mark.parametrize("who", ["employee", "anonymous", "superuser (IT, not HR)"])
def test_hr_admin_required_refuses_everyone_else(who):
    if who == "employee":
        user = UserFactory(email="emp@example.com")
    elif who == "anonymous":
        user = AnonymousUser()
    else:
        user = UserFactory(email="it@example.com", is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied, match="Only HR admins can open this page."):
        hr_admin_required(_view)(_request(user))
