"""Journeys on the success dashboards: a program owner reads their program's figures and
trends; a participant can't open the dashboard."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluation import services as evaluation_services
from matching.tests.factories import PairingFactory
from people.tests.factories import PASSWORD
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from sessions.tests.factories import SessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALL_CHARTS_DRAWN = """() => {
    const canvases = [...document.querySelectorAll('[data-testid="trend-charts"] canvas[data-chart]')];
    return canvases.length === 4 && typeof Chart !== "undefined" && canvases.every((c) => Chart.getChart(c));
}"""
CHARTS_SETTLED = """() => [...document.querySelectorAll('canvas[data-chart]')].every(
    (c) => !Chart.animator.running(Chart.getChart(c))
)"""


@pytest.fixture
def history(db, owner):
    """A running program the owner owns: two pairings for months, one for three weeks, one
    mentee still waiting; evaluated 60 and 35 days ago and today. Another program they don't own."""
    program = ProgramFactory(running=True, name="Leadership Circle", slug="leadership-circle")
    program.owners.add(owner)
    for started, held in ((80, (70, 50, 5)), (80, (60, 8)), (20, (10,))):
        mentor, mentee = (
            EnrollmentFactory(program=program, mentor=True),
            EnrollmentFactory(program=program, mentee=True),
        )
        pairing = PairingFactory(active=True, program=program, mentor=mentor, mentee=mentee, started_days_ago=started)
        for days_ago in held:
            SessionFactory(pairing=pairing, held=True, days=-days_ago)
    waiting = EnrollmentFactory(program=program, mentee=True)
    today = timezone.localdate()
    evaluation_services.program_backfill(program=program, days=[today - timedelta(days=d) for d in (60, 35, 0)])
    ProgramFactory(running=True, name="Sales Buddies", slug="sales-buddies")
    return program, waiting


def test_owner_reads_their_programs_success_dashboard(page, sign_in, screenshot, owner, history):
    sign_in(owner.email, PASSWORD)
    page.click('[data-testid="nav-dashboards"]')
    rows = page.locator('[data-testid="overview-row"]')
    # Waits for the page the click opens (a plain count() can run before it has loaded).
    expect(rows).to_have_count(1)  # only the program they own
    assert "Leadership Circle" in rows.inner_text()
    # Tall enough for the whole page: a full-page screenshot then doesn't resize (and re-animate) the charts.
    page.set_viewport_size({"width": 1280, "height": 2200})
    rows.locator("a", has_text="Leadership Circle").click()

    assert page.locator('[data-testid="page-title"]').inner_text() == "Leadership Circle"
    assert "Figures as of" in page.locator('[data-testid="as-of"]').inner_text()
    active = page.locator('[data-testid="headline-pairings_active"]')
    assert "3" in active.locator(".stat-value").inner_text()
    assert active.locator('[data-testid="change"]').inner_text() == "+1 since last month"
    assert page.locator('[data-testid="headline-matched_percent"] .stat-value').inner_text() == "75%"
    assert page.locator('[data-testid="funnel"]').is_visible()
    # Owners see counts, never who is at risk.
    assert page.locator('[data-testid="at-risk-hr-only"]').is_visible()
    assert page.locator('[data-testid="at-risk"]').count() == 0

    page.wait_for_function(ALL_CHARTS_DRAWN)
    for canvas in page.locator('[data-testid="trend-charts"] canvas').all():
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    # The charts draw the stored snapshots: matched % was 50, 50, then 75 today.
    matched = page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart=\"percentages\"]')).data.datasets[0].data"
    )
    assert matched == [50, 50, 75]
    page.wait_for_function(CHARTS_SETTLED)  # animations over, so the screenshot shows the bars and lines
    screenshot("dashboard-owner")


def test_a_mentee_cannot_open_the_dashboard(page, sign_in, history):
    program, waiting = history
    sign_in(waiting.person.email, PASSWORD)
    assert page.locator('[data-testid="nav-dashboards"]').count() == 0
    response = page.goto(f"/dashboards/programs/{program.slug}/")
    assert response.status in (403, 404)
    assert page.locator('[data-testid="headlines"]').count() == 0
    response = page.goto("/dashboards/")
    assert response.status in (403, 404)
