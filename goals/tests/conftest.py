"""A running program with one pair, shared by the goal tests."""

import pytest

from sessions.tests.helpers import make_pairing, make_user, running_program


@pytest.fixture
def program(db):
    return running_program(name="Leadership Circle", slug="leadership-circle")


@pytest.fixture
def mentee(db):
    return make_user("milo.mentee@example.com", "Milo", "Mentee")


@pytest.fixture
def mentor(db):
    return make_user("mira.mentor@example.com", "Mira", "Mentor")


@pytest.fixture
def pairing(program, mentor, mentee):
    return make_pairing(program=program, mentor=mentor, mentee=mentee)
