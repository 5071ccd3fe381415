"""/dashboards/programs/<slug>/: the success dashboard for owners and HR admins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluation import services
from evaluation.models import ProgramSnapshot
from goals.tests.factories import GoalFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

URL = "/dashboards/programs/leadership-circle/"


def snap(program, days_ago, **figures):
    return ProgramSnapshot.objects.create(
        program=program, date=timezone.localdate() - timedelta(days=days_ago), computed_at=timezone.now(), **figures
    )


def headline(response, key):
    return next(h for h in response.context["dashboard"].headlines if h.key == key)


def test_headlines_come_from_the_latest_snapshot_with_the_change_since_a_month_earlier(hr_client, scenario):
    program = scenario.program
    snap(program, 60, pairings_active=9)
    snap(program, 35, pairings_active=5, pairings_at_risk=3, mentees_enrolled=10, mentees_matched=5)
    snap(program, 10, pairings_active=4)  # too recent to compare with
    snap(program, 0, pairings_active=3, pairings_at_risk=1, mentees_enrolled=10, mentees_matched=8)
    response = hr_client.get(URL)
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.previous.date == timezone.localdate() - timedelta(days=35)
    active = headline(response, "pairings_active")
    assert (active.value, active.previous, active.change, active.tone) == (3, 5, -2, "danger")
    at_risk = headline(response, "pairings_at_risk")
    assert (at_risk.change, at_risk.tone) == (-2, "success")  # fewer pairs at risk is good news
    matched = headline(response, "matched_percent")
    assert (matched.value, matched.change, matched.change_suffix) == (80.0, 30.0, " pts")
    html = response.content.decode()
    assert "+30 pts since last month" in html
    # The trend holds every snapshot of the window, oldest first, for the charts.
    data = response.context["chart_data"]
    assert len(data["labels"]) == 4
    assert data["charts"]["health"][2]["data"] == [0, 3, 0, 1]
    assert 'id="dashboard-chart-data"' in html and "vendor/chartjs/chart.umd.min.js" in html


def test_the_trend_window_follows_months_and_bad_values_fall_back(hr_client, scenario):
    for days in (0, 50, 150, 300):
        snap(scenario.program, days)
    assert len(hr_client.get(URL + "?months=3").context["chart_data"]["labels"]) == 2
    assert len(hr_client.get(URL + "?months=12").context["chart_data"]["labels"]) == 4
    for bad in ("abc", "-1", "7", "99999999999999999999", ""):
        response = hr_client.get(URL + f"?months={bad}")
        assert response.status_code == 200
        assert response.context["months"] == 6
        assert len(response.context["chart_data"]["labels"]) == 3


def test_before_the_first_snapshot_the_figures_are_live(hr_client, scenario):
    response = hr_client.get(URL)
    dashboard = response.context["dashboard"]
    assert dashboard.is_live and dashboard.snapshot.pk is None
    assert dashboard.snapshot.pairings_active == 3
    assert not ProgramSnapshot.objects.exists()  # a page view stores nothing
    assert "no evaluation is stored yet" in response.content.decode()


def test_hr_sees_the_at_risk_pairs_with_reasons_and_stored_health(hr_client, scenario, refreshed):
    response = hr_client.get(URL)
    dashboard = response.context["dashboard"]
    assert dashboard.health_counts == {"healthy": 1, "cooling": 1, "at_risk": 1}
    (row,) = dashboard.at_risk
    assert row.pairing == scenario.pairings[2]
    assert [r.code for r in row.reasons] == ["long_overdue", "low_rating", "no_goals"]
    html = response.content.decode()
    assert row.pairing.mentee.person.full_name in html
    assert 'data-testid="nudge"' in html and 'data-testid="recompute"' in html


def test_owners_see_counts_but_no_names(owner_client, scenario):
    response = owner_client.get(URL)
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.at_risk is None
    assert dashboard.health_counts["at_risk"] == 1
    html = response.content.decode()
    for enrollment in (*scenario.mentors, *scenario.mentees):
        assert enrollment.person.last_name not in html
    assert 'data-testid="at-risk-hr-only"' in html
    assert 'data-testid="recompute"' not in html and 'data-testid="nudge"' not in html
    # The HR-only tables are not offered for download.
    assert set(response.context["tables"]) == {"headline", "trend", "funnel", "goals", "surveys", "outcomes"}


def test_the_goal_table_groups_goals_by_the_templates_objective(hr_client, scenario):
    from programs.tests.factories import GoalTemplateFactory

    template = GoalTemplateFactory(program=scenario.program, objective="leadership")
    goal = GoalFactory(enrollment=scenario.mentees[5], created_days_ago=50, status="achieved", progress=100)
    goal.template = template
    goal.save()
    rows = {g.label: g for g in hr_client.get(URL).context["dashboard"].goals_by_objective}
    assert (rows["Leadership"].total, rows["Leadership"].achieved) == (1, 1)
    own = rows["Own goals (not from a template)"]
    assert (own.total, own.achieved, own.in_progress, own.average_progress) == (3, 1, 1, 50)


def test_other_owners_participants_and_strangers_get_a_404(other_owner_client, scenario):
    assert other_owner_client.get(URL).status_code == 404
    assert other_owner_client.get("/dashboards/programs/sales-buddies/").status_code == 200


def test_a_participant_gets_a_404(participant_client):
    assert participant_client.get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, scenario):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_program_is_a_404(hr_client):
    assert hr_client.get("/dashboards/programs/nope/").status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_the_dashboard_takes_the_same_queries_at_any_size(
    populate, client, hr_admin, owner, size, django_assert_num_queries
):
    program = populate(ProgramFactory(running=True, slug="sized"), size)
    services.pair_health_refresh(program=program)
    program.owners.add(owner)
    for days in (40, 0):
        snap(program, days, pairings_active=size)
    client.force_login(hr_admin)
    with django_assert_num_queries(15):
        assert client.get("/dashboards/programs/sized/").status_code == 200
    client.force_login(owner)
    with django_assert_num_queries(13):
        assert client.get("/dashboards/programs/sized/").status_code == 200


def test_the_program_pages_link_to_the_dashboard(hr_client, scenario):
    html = hr_client.get("/programs/leadership-circle/").content.decode()
    assert 'data-testid="program-dashboard-link"' in html and URL in html


def test_the_owners_program_page_links_to_the_dashboard(owner_client):
    assert URL in owner_client.get("/programs/owned/leadership-circle/").content.decode()
