"""Journeys of an invited employee: accept the invitation as a mentee, fill the profile,
agree to the charter and apply; HR approves on the participants page."""

import pytest
from django.utils import timezone

from people.tests.factories import PASSWORD, SkillFactory
from programs.models import Enrollment, EnrollmentSkill, Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory, ProgramQuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORKING_STYLE = {"structure": 2, "feedback": 1, "meetings": 4, "focus": 3, "approach": 5}


@pytest.fixture
def invitation(db, alice, hr_admin):
    program = ProgramFactory(
        name="Product Leadership Circle",
        objectives=["leadership", "career"],
        mentor_expectations="Meet your mentee every two weeks.",
        mentee_expectations="Come to every session with an agenda.",
    )
    question = ProgramQuestionFactory(
        program=program, audience=Role.MENTEE, text="Which team do you work with most?", required=True
    )
    SkillFactory(name="Public speaking", category="Communication")
    SkillFactory(name="Negotiation", category="Communication")
    enrollment = EnrollmentFactory(
        program=program,
        person=alice.person,
        role="",
        status=Enrollment.Status.INVITED,
        invited_by=hr_admin,
        invited_at=timezone.now(),
        invitation_message="You'd be a great fit, Alice.",
    )
    return enrollment, question


def _open_mentee_profile(page, sign_in, alice):
    sign_in(alice.email, PASSWORD)
    invitation_card = page.locator('[data-testid="invitations"] [data-testid="invitation"]')
    assert invitation_card.count() == 1
    assert "Product Leadership Circle" in invitation_card.inner_text()
    page.click('[data-testid="accept-invitation"]')
    assert "Come to every session with an agenda." in page.locator('[data-testid="role-choices"]').inner_text()
    page.click('[data-testid="choose-mentee"]')
    assert "as a mentee" in page.locator('[data-testid="profile-heading"]').inner_text()


def _fill_profile(page, question):
    page.fill("input[name=skill_0]", "Public speaking")
    page.select_option("select[name=skill_level_0]", "1")
    page.fill("input[name=skill_1]", "Negotiation")
    page.select_option("select[name=skill_level_1]", "2")
    page.check("input[name=objectives][value=leadership]")
    page.fill("textarea[name=goals_text]", "Present confidently to the leadership team.")
    page.check("input[name=meeting_format][value=video]")
    page.fill("input[name=availability_hours]", "4")
    for code, value in WORKING_STYLE.items():
        page.check(f"input[name=ws_{code}][value='{value}']")
    page.fill(f"textarea[name=q_{question.pk}]", "Design and data science")


def test_invited_employee_applies_as_a_mentee_and_hr_approves(page, sign_in, screenshot, alice, hr_admin, invitation):
    enrollment, question = invitation
    _open_mentee_profile(page, sign_in, alice)
    _fill_profile(page, question)
    page.check("input[name=charter_agreed]")
    screenshot("enrollment-profile-filled")
    with page.expect_navigation():
        page.click('[data-testid="profile-submit"]')

    assert page.locator(".alert-success", has_text="your application to Product Leadership Circle is in").is_visible()
    assert page.locator('[data-testid="role-badge"]').inner_text() == "Mentee"
    assert "Wait for HR to approve your application." in page.locator('[data-testid="next-steps"]').inner_text()
    screenshot("enrollment-applied")

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED
    assert enrollment.role == Role.MENTEE
    assert enrollment.charter_agreed_at is not None
    assert enrollment.objectives == ["leadership"]
    assert enrollment.meeting_format == "video"
    assert enrollment.availability_hours == 4
    assert enrollment.working_style == WORKING_STYLE
    assert enrollment.answers == {str(question.pk): "Design and data science"}
    wanted = {(s.skill.name, s.level, s.direction) for s in enrollment.skills.select_related("skill")}
    assert wanted == {
        ("Public speaking", 1, EnrollmentSkill.Direction.WANTS),
        ("Negotiation", 2, EnrollmentSkill.Direction.WANTS),
    }

    # HR approves on the participants page.
    page.context.clear_cookies()
    sign_in(hr_admin.email, PASSWORD)
    page.click('[data-testid="nav-hr"]')
    page.click('[data-testid="program-row"] >> text=Product Leadership Circle')
    page.click('[data-testid="program-tabs"] >> text=Participants')
    row = page.locator('[data-testid="participant-row"]', has_text="Alice Adams")
    assert "Applied" in row.inner_text()
    row.locator("input.participant-check").check()
    with page.expect_navigation():
        page.click('[data-testid="bulk-approve"]')
    assert "Approved" in page.locator('[data-testid="participant-row"]', has_text="Alice Adams").inner_text()
    screenshot("enrollment-hr-approved")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED
    assert enrollment.decided_by == hr_admin

    # Alice sees it on her home page.
    page.context.clear_cookies()
    sign_in(alice.email, PASSWORD)
    card = page.locator('[data-testid="my-enrollment"]', has_text="Product Leadership Circle")
    assert "Approved" in card.inner_text()
    next_steps = card.locator('[data-testid="next-steps"]').inner_text()
    assert "You're in. You'll be matched when matching starts." in next_steps
    assert page.locator('[data-testid="invitations"]').count() == 0


def test_applying_without_agreeing_to_the_charter_shows_an_error_and_saves_nothing(page, sign_in, alice, invitation):
    enrollment, question = invitation
    _open_mentee_profile(page, sign_in, alice)
    _fill_profile(page, question)
    with page.expect_navigation():
        page.click('[data-testid="profile-submit"]')

    assert page.locator('[data-testid="form-errors"]').is_visible()
    charter = page.locator('[data-testid="charter"]')
    assert "You need to agree to the charter to take part." in charter.inner_text()
    # What was typed is still there to correct.
    assert page.input_value("textarea[name=goals_text]") == "Present confidently to the leadership team."
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.INVITED
    assert enrollment.role == ""
    assert enrollment.charter_agreed_at is None
    assert not enrollment.skills.exists()
