"""Who may manage and oversee a program (programs/rules.py) and ``program_or_404``."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from core.permissions import can
from people.tests.factories import PersonFactory, UserFactory
from programs.models import Program
from programs.permissions import program_or_404
from programs.rules import is_program_owner
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(owner):
    program = ProgramFactory(slug="leaders")
    program.owners.add(owner)
    return program


@pytest.fixture
def other_owner(db):
    user = UserFactory(email="other.owner@example.com")
    ProgramFactory(slug="others").owners.add(user)
    return user


@pytest.fixture
def participant(program):
    user = UserFactory(email="participant@example.com")
    EnrollmentFactory(program=program, person=PersonFactory(email=user.email, user=user))
    return user


def test_is_program_owner(program, owner, other_owner, participant, hr_admin):
    assert is_program_owner(owner, program)
    assert not is_program_owner(other_owner, program)
    assert not is_program_owner(participant, program)
    assert not is_program_owner(hr_admin, program)  # HR sees every program, but owns none
    assert not is_program_owner(AnonymousUser(), program)


def test_without_a_program_it_asks_whether_they_own_any(owner, other_owner, participant, program):
    assert is_program_owner(owner, None)
    assert is_program_owner(other_owner, None)
    assert not is_program_owner(participant, None)


def test_only_hr_admins_manage_a_program(program, hr_admin, owner, other_owner, participant, alice):
    assert can(hr_admin, "programs.manage_program", program)
    for user in (owner, other_owner, participant, alice, AnonymousUser()):
        assert not can(user, "programs.manage_program", program), user


def test_hr_admins_and_the_programs_owners_oversee_it(program, hr_admin, owner, other_owner, participant, alice):
    assert can(hr_admin, "programs.oversee_program", program)
    assert can(owner, "programs.oversee_program", program)
    for user in (other_owner, participant, alice, AnonymousUser()):
        assert not can(user, "programs.oversee_program", program), user


def test_overseeing_some_program_is_for_hr_admins_and_owners(hr_admin, owner, other_owner, participant, program):
    assert can(hr_admin, "programs.oversee_program")
    assert can(owner, "programs.oversee_program")
    assert not can(participant, "programs.oversee_program")


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_program_or_404_returns_the_program_to_whom_may_have_it(program, owner, hr_admin):
    assert program_or_404(_request(owner), "leaders", "programs.oversee_program") == program
    assert program_or_404(_request(hr_admin), "leaders", "programs.manage_program") == program


def test_program_or_404_refuses_a_program_found_but_not_granted_with_403(program, owner, other_owner):
    with pytest.raises(PermissionDenied, match="Only HR admins can open this page."):
        program_or_404(_request(owner), "leaders", "programs.manage_program")
    with pytest.raises(PermissionDenied, match="the owners"):
        program_or_404(_request(other_owner), "leaders", "programs.oversee_program", message="Only the owners.")


def test_program_or_404_answers_404_for_a_program_not_in_the_queryset(program, other_owner, hr_admin):
    with pytest.raises(Http404):
        program_or_404(_request(hr_admin), "no-such-program", "programs.manage_program")
    with pytest.raises(Http404):
        program_or_404(
            _request(other_owner),
            "leaders",
            "programs.oversee_program",
            queryset=Program.objects.owned_by(other_owner),
        )


def test_participants_pages_keep_403_for_owners_of_another_program(client, program, owner, other_owner):
    client.force_login(owner)
    assert client.get("/programs/leaders/participants/").status_code == 200
    assert client.get("/programs/leaders/participants/invite/").status_code == 403
    client.force_login(other_owner)
    assert client.get("/programs/leaders/participants/").status_code == 403
    assert client.get("/programs/no-such-program/participants/").status_code == 404
