"""CSV export of every dashboard table: the same figures as the pages, the same permissions."""

import csv
import io

import pytest

from evaluation import services
from evaluation.exports import PROGRAM_TABLES
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

BASE = "/dashboards/programs/leadership-circle/export/"


def table(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_hr_downloads_every_table(hr_client, scenario):
    services.program_evaluate(program=scenario.program)
    for name in PROGRAM_TABLES:
        rows = table(hr_client.get(f"{BASE}{name}.csv"))
        assert len(rows) >= 2, name
    funnel = table(hr_client.get(BASE + "funnel.csv"))
    assert funnel[1][:3] == ["Enrolled", "6", "100.0"]
    assert funnel[2][:3] == ["Matched", "5", "83.3"]
    (header, row) = table(hr_client.get(BASE + "at-risk.csv"))
    assert header[:3] == ["Mentor", "Mentee", "Health"]
    assert row[1] == scenario.pairings[2].mentee.person.full_name and row[3] == "40"
    (_, cooling) = table(hr_client.get(BASE + "at-risk.csv?status=cooling"))
    assert cooling[1] == scenario.pairings[1].mentee.person.full_name
    trend = table(hr_client.get(BASE + "trend.csv?months=abc"))
    assert len(trend) == 2
    overview = table(hr_client.get("/dashboards/export/overview.csv"))
    assert overview[1][0] == "Leadership Circle"


def test_headline_figures_without_any_snapshot_are_live(hr_client, scenario):
    rows = table(hr_client.get(BASE + "headline.csv"))
    assert rows[1][:2] == ["Active pairings", "3"]


def test_owners_download_aggregates_but_not_the_hr_tables(owner_client, scenario):
    for name, spec in PROGRAM_TABLES.items():
        status = owner_client.get(f"{BASE}{name}.csv").status_code
        assert status == (403 if spec.hr_only else 200), name


def test_unknown_tables_and_programs_are_404s(hr_client, scenario):
    assert hr_client.get(BASE + "salaries.csv").status_code == 404
    assert hr_client.get("/dashboards/programs/nope/export/funnel.csv").status_code == 404


def test_other_owners_and_participants_get_404s(other_owner_client, scenario):
    assert other_owner_client.get(BASE + "funnel.csv").status_code == 404


def test_participants_get_404s(participant_client):
    assert participant_client.get(BASE + "funnel.csv").status_code == 404


def test_names_cannot_run_as_spreadsheet_formulas(hr_client, scenario, refreshed):
    person = scenario.pairings[2].mentee.person
    person.first_name = "=HYPERLINK(1)"
    person.save()
    (_, row) = table(hr_client.get(BASE + "at-risk.csv"))
    assert row[1].startswith("'=HYPERLINK(1)")


@pytest.mark.parametrize("size", [3, 30])
def test_the_at_risk_csv_takes_the_same_queries_at_any_size(populate, hr_client, size, django_assert_num_queries):
    services.pair_health_refresh(program=populate(ProgramFactory(running=True, slug="sized"), size))
    # Session, user, time zone, program, as of, the rows with names, the nudges, the audit event
    # (and the savepoint pair).
    with django_assert_num_queries(10):
        response = hr_client.get("/dashboards/programs/sized/export/at-risk.csv")
    assert len(table(response)) == 1 + size // 3
