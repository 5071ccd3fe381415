"""/dashboards/programs/<slug>/outcomes/: retention and promotion against comparable colleagues."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluation.selectors import program_outcomes
from people.tests.factories import DepartmentFactory, PersonFactory
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def company(db):
    """Program started 90 days ago. Engineering band 1-3: 4 participants (1 promoted) and 11
    colleagues (2 left, 1 promoted in the window, 1 before it); band 4-6: 2 participants (1 left) and 4 colleagues (2
    promoted). Sales has colleagues only; Finance one participant only. Left out: someone in
    another program, someone hired after the start, someone who left before it."""
    program = ProgramFactory(running=True, name="Leadership Circle", slug="leadership-circle")
    eng, sales, finance = (DepartmentFactory(name=name) for name in ("Engineering", "Sales", "Finance"))

    def people(n, department, seniority, **fields):
        return [PersonFactory(department=department, seniority=seniority, **fields) for _ in range(n)]

    junior = people(3, eng, 2) + people(1, eng, 2, promotion_date=days_ago(20))
    mid = people(1, eng, 5) + people(1, eng, 5, termination_date=days_ago(30))
    for who in [*junior, *mid, *people(1, finance, 8)]:
        EnrollmentFactory(program=program, mentee=True, person=who)
    people(7, eng, 1)
    people(2, eng, 3, termination_date=days_ago(10))
    people(1, eng, 3, promotion_date=days_ago(45))
    people(1, eng, 3, promotion_date=days_ago(200))  # before the start: not a promotion in the window
    people(2, eng, 6)
    people(2, eng, 4, promotion_date=days_ago(5))
    people(5, sales, 2)
    other = ProgramFactory(running=True, slug="other")
    EnrollmentFactory(program=other, mentee=True, person=people(1, eng, 2)[0])
    people(1, eng, 2, hire_date=days_ago(10))
    people(1, eng, 2, termination_date=days_ago(120))
    return program


def test_outcomes_match_the_hand_count(company):
    outcomes = program_outcomes(program=company)
    overall = outcomes.overall
    assert (overall.participants.n, overall.comparison.n) == (6, 15)
    assert (overall.participants.retained_percent, overall.participants.promoted_percent) == (83.3, 16.7)
    # Weighted to the participants' mix: (4 x 9/11 + 2 x 4/4) / 6 retained; (4 x 1/11 + 2 x 2/4) / 6 promoted.
    assert overall.comparison.retained_percent == round(100 * (4 * 9 / 11 + 2) / 6, 1)
    assert overall.comparison.promoted_percent == round(100 * (4 * 1 / 11 + 1) / 6, 1)
    assert overall.comparable
    assert overall.retention_difference == round(83.3 - overall.comparison.retained_percent, 1)
    assert (outcomes.participants_total, outcomes.participants_without_comparison) == (7, 1)
    bands = {row.label: row for row in outcomes.by_band}
    assert (bands["Seniority 1-3"].participants.n, bands["Seniority 1-3"].comparison.n) == (4, 11)
    assert not bands["Seniority 1-3"].comparable and bands["Seniority 1-3"].retention_difference is None
    assert [row.label for row in outcomes.by_department] == ["Engineering"]


def test_the_page_shows_group_sizes_and_too_few_to_compare(client, company, owner):
    company.owners.add(owner)
    client.force_login(owner)
    response = client.get("/dashboards/programs/leadership-circle/outcomes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Too few to compare" in html
    assert "termination_date" in html and "promotion_date" in html
    assert "import a CSV" not in html  # the link to the import is for HR


def test_a_program_that_has_not_started_says_so(hr_client):
    ProgramFactory(running=True, slug="later", start_date=days_ago(-10), end_date=days_ago(-100))
    response = hr_client.get("/dashboards/programs/later/outcomes/")
    assert response.status_code == 200
    assert not response.context["outcomes"].started
    assert 'data-testid="not-started"' in response.content.decode()


def test_other_owners_and_participants_get_a_404(other_owner_client, scenario):
    assert other_owner_client.get("/dashboards/programs/leadership-circle/outcomes/").status_code == 404


def test_participants_get_a_404(participant_client):
    assert participant_client.get("/dashboards/programs/leadership-circle/outcomes/").status_code == 404


@pytest.mark.parametrize("size", [5, 50])
def test_the_page_takes_the_same_queries_at_any_size(hr_client, size, django_assert_num_queries):
    program = ProgramFactory(running=True, slug="sized")
    for index in range(size):
        who = PersonFactory(seniority=1 + index % 10)
        if index % 2:
            EnrollmentFactory(program=program, mentee=True, person=who)
    with django_assert_num_queries(9):
        assert hr_client.get("/dashboards/programs/sized/outcomes/").status_code == 200
