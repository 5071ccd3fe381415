"""/dashboards/: every program with its latest figures (HR), or the owner's own programs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluation.models import ProgramSnapshot
from programs.models import Program
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def snap(program, days_ago, **figures):
    return ProgramSnapshot.objects.create(
        program=program, date=timezone.localdate() - timedelta(days=days_ago), computed_at=timezone.now(), **figures
    )


def test_hr_sees_every_program_with_its_latest_snapshot(hr_client, scenario):
    snap(scenario.program, 3, pairings_active=2)
    latest = snap(scenario.program, 1, pairings_active=3, pairings_at_risk=1, pairings_cooling=1, pairings_healthy=1)
    draft = ProgramFactory(running=True, name="Next cohort", slug="next-cohort", status=Program.Status.DRAFT)
    response = hr_client.get("/dashboards/")
    assert response.status_code == 200
    rows = {row.program.slug: row for row in response.context["rows"]}
    assert rows["leadership-circle"].snapshot == latest
    assert rows[draft.slug].snapshot is None
    html = response.content.decode()
    assert "A draft: nothing to measure yet." in html
    assert 'data-testid="recompute-all"' in html
    assert [row.program.status for row in response.context["rows"]][0] == Program.Status.RUNNING


def test_owners_see_only_their_programs(owner_client, scenario):
    ProgramFactory(running=True, name="Sales Buddies", slug="sales-buddies")
    response = owner_client.get("/dashboards/")
    assert [row.program.slug for row in response.context["rows"]] == ["leadership-circle"]
    assert 'data-testid="recompute-all"' not in response.content.decode()


def test_participants_and_people_owning_nothing_get_a_403(participant_client, client, alice):
    assert participant_client.get("/dashboards/").status_code == 403
    client.force_login(alice)
    assert client.get("/dashboards/").status_code == 403
    assert client.get("/dashboards/export/overview.csv").status_code == 403


def test_the_nav_offers_dashboards_to_owners(owner_client):
    assert 'data-testid="nav-dashboards"' in owner_client.get("/").content.decode()


def test_the_nav_does_not_offer_dashboards_to_participants(participant_client):
    assert 'data-testid="nav-dashboards"' not in participant_client.get("/").content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_the_overview_takes_the_same_queries_at_any_size(populate, hr_client, size, django_assert_num_queries):
    for index in range(3):
        program = populate(ProgramFactory(running=True, slug=f"program-{size}-{index}"), size // 3)
        snap(program, 0, pairings_active=size)
    with django_assert_num_queries(9):
        assert hr_client.get("/dashboards/").status_code == 200
