"""Journey of a match run: HR saves the criteria, runs matching, reads the proposals and why,
publishes; the mentee opens My match from My mentoring and confirms."""

import pytest
from playwright.sync_api import expect

from matching import services as matching_services
from matching.models import MatchingCriteria, MatchRun, Pairing
from matching.tests.factories import matching_program, mentee, mentor
from people.tests.factories import PASSWORD, LanguageFactory, SkillFactory
from programs.models import EnrollmentSkill, TrainingCompletion
from programs.tests.factories import TrainingModuleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _with_skill(enrollment, skill, direction, level):
    EnrollmentSkill.objects.create(enrollment=enrollment, skill=skill, direction=direction, level=level)
    return enrollment


@pytest.fixture
def cohort(db):
    """Two mentors and two mentees, all trained and speaking English; each mentee wants
    exactly the skill one mentor has."""
    program = matching_program(name="Data Mentoring Autumn", objectives=["leadership"])
    module = TrainingModuleFactory(program=program, title="How mentoring works", required=True)
    english = LanguageFactory(name="English")
    sql, speaking = SkillFactory(name="SQL"), SkillFactory(name="Public speaking")

    def person(first, last, seniority, department):
        return {
            "person_first_name": first,
            "person_last_name": last,
            "person_email": f"{first.lower()}@example.com",
            "person_seniority": seniority,
            "person_languages": [english],
            "person_department__name": department,
        }

    theo = mentor(program, capacity=1, objectives=["leadership"], **person("Theo", "Tutor", 6, "Analytics"))
    uma = mentor(program, capacity=1, objectives=["leadership"], **person("Uma", "Udall", 6, "Sales"))
    maya = mentee(program, objectives=["leadership"], **person("Maya", "Mentee", 3, "Finance"))
    noah = mentee(program, objectives=["leadership"], **person("Noah", "Novice", 3, "Support"))
    _with_skill(theo, sql, EnrollmentSkill.Direction.HAS, 5)
    _with_skill(uma, speaking, EnrollmentSkill.Direction.HAS, 5)
    _with_skill(maya, sql, EnrollmentSkill.Direction.WANTS, 1)
    _with_skill(noah, speaking, EnrollmentSkill.Direction.WANTS, 1)
    for enrollment in (theo, uma, maya, noah):
        TrainingCompletion.objects.create(enrollment=enrollment, module=module)
    return program, theo, uma, maya, noah


def test_hr_runs_matching_publishes_and_the_mentee_confirms(
    page, sign_in, screenshot, browser, live_server, hr_admin, cohort
):
    program, theo, _uma, maya, _noah = cohort
    sign_in(hr_admin.email, PASSWORD)
    page.click('[data-testid="nav-matching"]')
    page.click('[data-testid="matching-program"] >> text=Data Mentoring Autumn')
    assert page.locator('[data-testid="mentees-waiting"]').inner_text() == "2"
    assert page.locator('[data-testid="mentors-available"]').inner_text() == "2"

    page.fill("input[name=weight_skills]", "8")
    with page.expect_navigation():
        page.click('[data-testid="save-criteria"]')
    assert page.locator(".alert-success", has_text="Matching criteria saved").is_visible()
    assert MatchingCriteria.objects.get(program=program).weight_skills == 8

    # Never pair Maya with Uma: the pickers search as HR types (no list of the whole cohort).
    form = page.locator('[data-testid="override-form"]')
    form.locator("input[name=mentee]").fill("e")  # Maya Mentee and Noah Novice both match
    form.locator("[role=option]").nth(1).wait_for()
    form.locator("input[name=mentee]").press("Escape")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    error = form.locator(".invalid-feedback", has_text="Several mentees match")
    assert error.is_visible()  # shown under the picker's field too
    form.locator("input[name=mentee]").fill("")
    form.locator("input[name=mentee]").press_sequentially("may")
    maya_option = form.locator("[role=option]", has_text="Maya Mentee")
    maya_option.wait_for()
    assert form.locator("[role=option]").count() == 1
    maya_option.click()
    assert form.locator("input[name=mentee]").input_value() == "maya@example.com"
    mentor_input = form.locator("input[name=mentor]")
    mentor_input.press_sequentially("udal")
    form.locator("[role=option]", has_text="Uma Udall").wait_for()
    mentor_input.press("ArrowDown")
    mentor_input.press("Enter")  # the highlighted match, without sending the form
    assert mentor_input.input_value() == "uma@example.com"
    form.locator("select[name=kind]").select_option("exclude")
    screenshot("matching-override-picker")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(".alert-success", has_text="Excluded: Maya Mentee").is_visible()
    assert page.locator('[data-testid="override-row"]', has_text="Maya Mentee").is_visible()

    page.click('[data-testid="start-run"]')
    page.wait_for_selector('[data-testid="proposal"]')  # the page polls until the run is done
    screenshot("matching-run-done")
    assert page.locator('[data-testid="matched-pct"]').inner_text() in ("100%", "100.0%")
    proposals = page.locator('[data-testid="proposal"]')
    assert proposals.count() == 2
    maya_row = proposals.filter(has_text="Maya Mentee")
    assert "Theo Tutor" in maya_row.inner_text()
    maya_row.locator("summary").click()
    breakdown = maya_row.locator('[data-testid="explanation"]')
    breakdown.wait_for()  # loaded when opened
    screenshot("matching-run-explanation")
    assert "Skills" in breakdown.inner_text()
    # The points each criterion gave add up to the score shown.
    cells = breakdown.locator('[data-testid="explanation-points"]').all_inner_texts()
    points = [float(text.split("/")[0]) for text in cells]
    score = float(maya_row.locator('[data-testid="proposal-score"]').inner_text())
    assert sum(points) == pytest.approx(score, abs=0.1 * len(points))

    with page.expect_navigation():
        page.click('[data-testid="publish"]')
    assert page.locator(".alert-success", has_text="Published 2 proposed pairings").is_visible()
    run = MatchRun.objects.get(program=program)
    assert run.status == MatchRun.Status.PUBLISHED
    pairing = Pairing.objects.get(program=program, mentee=maya)
    assert pairing.mentor == theo
    assert pairing.status == Pairing.Status.PROPOSED

    # Theo has already confirmed; Maya confirms from her own browser.
    matching_services.pairing_confirm(pairing=pairing, user=theo.person.user)
    mentee_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    mentee_page = mentee_context.new_page()
    mentee_page.set_default_timeout(15_000)
    mentee_page.goto("/accounts/login/")
    mentee_page.fill("input[name=login]", maya.person.email)
    mentee_page.fill("input[name=password]", PASSWORD)
    with mentee_page.expect_navigation():
        mentee_page.click("form button[type=submit]")
    mentee_page.click('[data-testid="nav-participant"]')
    mentee_page.click('[data-testid="my-match-link"]')
    card = mentee_page.locator('[data-testid="my-pairing"]')
    expect(card).to_have_count(1)
    assert "Your mentor: Theo Tutor" in card.inner_text()
    assert "Theo confirmed. Do you agree to this match?" in card.locator('[data-testid="confirm-box"]').inner_text()
    assert card.locator('[data-testid="explanation"]').is_visible()  # why, open while proposed
    assert "SQL" in card.inner_text()
    with mentee_page.expect_navigation():
        card.locator('[data-testid="confirm"]').click()
    assert mentee_page.locator(".alert-success", has_text="You both confirmed").is_visible()
    assert "You both confirmed." in mentee_page.locator('[data-testid="my-pairing"]').inner_text()
    mentee_context.close()

    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACCEPTED
    assert pairing.mentee_confirmed_at is not None
