"""Pair health's plan on PostgreSQL (evaluation/health.py): the survey tables are read once
for all pairings, never once per pairing, with or without planner statistics.

Before, the latest rating was a subquery correlated with the pairing (answer -> response ->
invitation), planned once and run per pairing; on a new program, which has no statistics,
PostgreSQL ran it with nested sequential scans over the answers (33.9 s for 387 pairings).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluation import services
from evaluation.health import FACTS, pairing_health_facts, pairings_with_health
from matching.tests.factories import PairingFactory
from mentorship.tests.services import require_postgresql
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from sessions.tests.factories import SessionFactory
from surveys.tests.factories import SurveyFactory, SurveyInstanceFactory, SurveyResponseFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]

PAIRINGS = 30
SURVEY_TABLES = {"surveys_surveyanswer", "surveys_surveyresponse", "surveys_surveyinvitation"}
APP_TABLES = "SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace"


def program_with_ratings():
    """``PAIRINGS`` active pairs; both people rated in three rounds, some of them low."""
    program = ProgramFactory(running=True)
    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    rounds = [(SurveyInstanceFactory(survey=survey, days_ago=days), days) for days in (20, 10, 3)]
    for index in range(PAIRINGS):
        mentor, mentee = (
            EnrollmentFactory(program=program, mentor=True),
            EnrollmentFactory(program=program, mentee=True),
        )
        pairing = PairingFactory(active=True, program=program, mentor=mentor, mentee=mentee, started_days_ago=40)
        SessionFactory(pairing=pairing, held=True, days=-5)
        for instance, days in rounds:
            SurveyResponseFactory(
                instance=instance, enrollment=mentee, answers={rating: 1 + index % 5, nps: 7}, days_ago=days
            )
            SurveyResponseFactory(instance=instance, enrollment=mentor, answers={rating: 2 + index % 4}, days_ago=days)
    return program


def forget_statistics():
    """The state right after a bulk load: no column statistics, table sizes never measured.
    Catalog changes are transactional: the test's rollback restores them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("removing planner statistics needs a superuser")
        cursor.execute(f"DELETE FROM pg_statistic WHERE starelid IN ({APP_TABLES} AND relkind = 'r')")
        cursor.execute(f"UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid IN ({APP_TABLES})")


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def explained(queryset) -> dict:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


@pytest.mark.parametrize("statistics", [forget_statistics, analyze], ids=["no statistics", "analyzed"])
def test_the_survey_tables_are_read_once_for_all_pairings(statistics):
    require_postgresql()
    program = program_with_ratings()
    statistics()
    plan = explained(pairing_health_facts(program=program, moment=timezone.now()).values_list("pk", *FACTS))

    found = list(nodes(plan))
    assert {node.get("Relation Name") for node in found} >= SURVEY_TABLES
    # No sequential scan over answers (or their responses and invitations) runs more than once.
    repeated = [n for n in found if n.get("Relation Name") in SURVEY_TABLES and n["Node Type"] == "Seq Scan"]
    assert all(node["Actual Loops"] <= 1 for node in repeated), repeated
    # No subplan that reads the survey tables runs per pairing: each runs once, for all of them.
    for subplan in (node for node in found if node.get("Parent Relationship") == "SubPlan"):
        tables = {node.get("Relation Name") for node in nodes(subplan)}
        if tables & SURVEY_TABLES:
            assert subplan["Actual Loops"] == 1, (subplan["Subplan Name"], subplan["Actual Loops"])


def test_the_rule_gives_the_same_answers_without_statistics():
    require_postgresql()
    program = program_with_ratings()
    analyze()
    with_statistics = {
        p.pk: (p.health_level, p.mentor_low_rating, p.mentee_low_rating) for p in pairings_with_health(program=program)
    }
    forget_statistics()
    without = {
        p.pk: (p.health_level, p.mentor_low_rating, p.mentee_low_rating) for p in pairings_with_health(program=program)
    }
    assert with_statistics == without
    # The latest rounds (3 days ago) rated 1-2 for the mentees with index % 5 in (0, 1) and for
    # the mentors with index % 4 == 0: those pairs are at risk.
    assert sum(low for _, _, low in without.values()) == 12
    assert sum(low for _, low, _ in without.values()) == 8


def test_refreshes_of_one_program_take_turns():
    """Each refresh locks the program's ProgramHealthState row before it reads the facts, so a
    refresh that began before a session was logged never overwrites the row written after it."""
    require_postgresql()
    program = program_with_ratings()
    with CaptureQueriesContext(connection) as queries:
        services.pair_health_refresh(program=program)
    sql = [query["sql"] for query in queries.captured_queries]
    lock = next(index for index, text in enumerate(sql) if "FOR UPDATE" in text)
    facts = next(index for index, text in enumerate(sql) if "mentoring_sessions_mentoringsession" in text)
    assert "evaluation_programhealthstate" in sql[lock] and lock < facts
