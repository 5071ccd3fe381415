import pytest

from sessions.tests.helpers import make_pairing, make_user, running_program


@pytest.fixture
def program(db):
    return running_program(name="Leadership Circle", slug="leadership-circle")


@pytest.fixture
def mentor(db):
    return make_user("mira.mentor@example.com", "Mira", "Mentor", time_zone="Europe/Berlin")


@pytest.fixture
def mentee(db):
    return make_user("milo.mentee@example.com", "Milo", "Mentee", time_zone="America/New_York")


@pytest.fixture
def pairing(program, mentor, mentee):
    return make_pairing(program=program, mentor=mentor, mentee=mentee)


@pytest.fixture
def outsider(program):
    """Someone in the same program, with a pairing of their own."""
    user = make_user("olga.outsider@example.com", "Olga", "Outsider")
    make_pairing(program=program, mentor=user, mentee=make_user("pat.partner@example.com", "Pat", "Partner"))
    return user


@pytest.fixture
def hr_browser(hr_admin):
    """A second browser, signed in as an HR admin (``client`` stays free for someone else)."""
    from django.test import Client

    browser = Client()
    browser.force_login(hr_admin)
    return browser
