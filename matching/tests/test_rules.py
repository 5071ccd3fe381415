"""Who may see a pairing (matching/rules.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.permissions import can
from matching.models import Pairing
from matching.rules import is_pairing_member
from matching.tests.factories import PairingFactory, matching_program, mentee, mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(owner):
    program = matching_program()
    program.owners.add(owner)
    return program


@pytest.fixture
def pairing(program):
    return PairingFactory(program=program, mentor=mentor(program), mentee=mentee(program))


@pytest.fixture
def other_participant(program):
    return mentee(program).person.user


def test_the_mentor_and_the_mentee_are_its_members(pairing):
    assert is_pairing_member(pairing.mentor.person.user, pairing)
    assert is_pairing_member(pairing.mentee.person.user, pairing)


def test_nobody_else_is_a_member(pairing, other_participant, hr_admin, owner):
    for user in (other_participant, hr_admin, owner, AnonymousUser()):
        assert not is_pairing_member(user, pairing), user
    assert not is_pairing_member(pairing.mentor.person.user, None)


def test_hr_admins_and_its_two_people_may_view_a_pairing(pairing, other_participant, hr_admin, owner):
    assert can(hr_admin, "matching.view_pairing", pairing)
    assert can(pairing.mentor.person.user, "matching.view_pairing", pairing)
    assert can(pairing.mentee.person.user, "matching.view_pairing", pairing)
    for user in (other_participant, owner, AnonymousUser()):
        assert not can(user, "matching.view_pairing", pairing), user


def test_view_pairing_agrees_with_the_pairings_a_user_sees(pairing, other_participant, hr_admin, owner):
    for user in (pairing.mentor.person.user, pairing.mentee.person.user, other_participant, hr_admin, owner):
        visible = Pairing.objects.visible_to(user).filter(pk=pairing.pk).exists()
        assert can(user, "matching.view_pairing", pairing) == visible, user
