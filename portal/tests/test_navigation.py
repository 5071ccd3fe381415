"""The navigation shows each person what they can do."""

import pytest

from programs.models import Enrollment, Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def nav_of(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_hr_admin_sees_hr_navigation(client, hr_admin):
    page = nav_of(client, hr_admin)
    assert 'data-testid="nav-hr"' in page
    assert 'data-testid="hr-home"' in page
    assert 'data-testid="nav-participant"' not in page


def test_program_owner_sees_their_programs(client, owner):
    program = ProgramFactory(name="Sales Mentoring")
    program.owners.add(owner)
    page = nav_of(client, owner)
    assert 'data-testid="nav-owner"' in page
    assert "Sales Mentoring" in page
    assert 'data-testid="nav-hr"' not in page


def test_plain_employee_sees_no_role_navigation(client, alice):
    page = nav_of(client, alice)
    for testid in ("nav-hr", "nav-owner", "nav-participant", "hr-home", "owner-home"):
        assert f'data-testid="{testid}"' not in page


def test_one_person_can_mentor_in_one_program_and_be_mentored_in_another(client, alice):
    EnrollmentFactory(person=alice.person, role=Role.MENTOR, program=ProgramFactory(name="Onboarding Buddies"))
    EnrollmentFactory(person=alice.person, role=Role.MENTEE, program=ProgramFactory(name="Leadership Circle"))
    page = nav_of(client, alice)
    assert 'data-testid="nav-participant"' in page
    assert "Onboarding Buddies" in page and "Leadership Circle" in page


def test_declined_enrollment_gives_no_participant_navigation(client, alice):
    EnrollmentFactory(person=alice.person, status=Enrollment.Status.DECLINED)
    assert 'data-testid="nav-participant"' not in nav_of(client, alice)


def test_other_owners_programs_are_not_listed(client, owner, bob):
    ProgramFactory(name="Someone Else's").owners.add(bob)
    assert "Someone Else&#x27;s" not in nav_of(client, owner)


def test_an_invitation_without_a_role_is_not_yet_participation(client, alice):
    EnrollmentFactory(person=alice.person, role="", status=Enrollment.Status.INVITED)
    assert 'data-testid="nav-participant"' not in nav_of(client, alice)
