"""A running program with one pair, shared by the goal tests."""

import pytest

from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from programs.tests.factories import ProgramFactory


@pytest.fixture
def program(db):
    return ProgramFactory(running=True, name="Leadership Circle", slug="leadership-circle")


@pytest.fixture
def mentee(db):
    return MemberFactory(email="milo.mentee@example.com", first_name="Milo", last_name="Mentee")


@pytest.fixture
def mentor(db):
    return MemberFactory(email="mira.mentor@example.com", first_name="Mira", last_name="Mentor")


@pytest.fixture
def pairing(program, mentor, mentee):
    return PairingFactory(active=True, program=program, mentor__person=mentor.person, mentee__person=mentee.person)
