"""/dashboards/programs/<slug>/diversity/: HR admins only, groups of five or more only."""

import pytest
from django.utils import timezone

from evaluation.selectors import program_diversity
from evaluation.tests import builders as b
from people.models import SelfIdentification
from people.selectors import OTHER_LABEL
from programs.models import Role

pytestmark = pytest.mark.django_db

URL = "/dashboards/programs/leadership-circle/diversity/"


def someone(gender="", ethnicity="", **fields):
    who = b.person(user=False, **fields)
    if gender or ethnicity:
        SelfIdentification.objects.create(person=who, gender=gender, ethnicity=ethnicity)
    return who


@pytest.fixture
def cohort(db):
    """19 participants: 6 women mentees (5 matched, 5 rated 5/4/4/3/5), 7 men (5 mentees, 2 matched,
    4 rated; 2 mentors), 2 non-binary and 3 self-described mentors (merged into "Other"), one who
    shared nothing. 60 more employees: 14 women, 33 men, 3 non-binary, 10 sharing nothing; a woman
    who left does not count."""
    program = b.running_program(name="Leadership Circle", slug="leadership-circle")
    survey, rating, _ = b.survey(program)
    instance = b.survey_round(survey)
    men_mentors = [b.enroll(program, Role.MENTOR, who=someone("man")) for _ in range(2)]
    for index, stars in enumerate([5, 4, 4, 3, 5, None]):
        mentee = b.enroll(program, Role.MENTEE, who=someone("woman", ethnicity=["Asian", "asian ", "ASIAN"][index % 3]))
        if index < 5:
            b.pair(program, men_mentors[index % 2], mentee)
        if stars:
            b.answer(instance, mentee, {rating: stars})
    anonymous, anonymous_rating, _ = b.survey(program, anonymous=True)
    b.answer(b.survey_round(anonymous), mentee, {anonymous_rating: 1}, anonymous=True)
    for index in range(5):
        mentee = b.enroll(program, Role.MENTEE, who=someone("man"))
        if index < 2:
            b.pair(program, men_mentors[0], mentee)
        if index < 4:
            b.answer(instance, mentee, {rating: 2})
    for gender in ["non_binary"] * 2 + ["self_described"] * 3:
        b.enroll(program, Role.MENTOR, who=someone(gender))
    b.enroll(program, Role.MENTEE, who=someone())
    for gender, count in (("woman", 14), ("man", 33), ("non_binary", 3), ("", 10)):
        for _ in range(count):
            someone(gender)
    someone("woman", termination_date=timezone.localdate())
    return program


def rows(program, dimension):
    found = next(d for d in program_diversity(program=program) if d.name == dimension)
    return {row.label: row for row in found.rows}


def test_groups_rates_and_the_small_group_rule(cohort):
    gender = rows(cohort, "gender")
    assert list(gender) == ["Man", "Woman", OTHER_LABEL, "Not shared"]
    women, men, other, unshared = gender["Woman"], gender["Man"], gender[OTHER_LABEL], gender["Not shared"]
    assert (women.participants, women.employees) == (6, 20)
    assert (women.participants_share, women.employees_share) == (31.6, 25.3)  # of 19 participants, 79 employees
    assert women.participation_rate == 30.0
    assert women.match_rate == 83.3
    assert women.satisfaction == 4.2  # attributed ratings only: the anonymous 1 is not traced
    assert (men.participants, men.employees, men.match_rate) == (7, 40, 40.0)
    assert men.satisfaction is None  # only 4 men rated
    assert (other.participants, other.employees, other.match_rate) == (5, 8, None)  # no mentees
    assert unshared.participants == 1 and not unshared.shown
    assert unshared.participation_rate is None and unshared.satisfaction is None
    assert unshared.employees == 79 - 20 - 40 - 8


def test_free_text_answers_are_grouped_whatever_their_spelling(cohort):
    ethnicity = rows(cohort, "ethnicity")
    # One group; its label is the directory's choice (the most used spelling, ties alphabetically).
    assert ethnicity["ASIAN"].participants == 6


def test_owners_get_a_403(client, owner, cohort):
    cohort.owners.add(owner)
    client.force_login(owner)
    assert client.get(URL).status_code == 403
    assert client.get("/dashboards/programs/leadership-circle/export/diversity.csv").status_code == 403
    assert 'data-testid="tab-diversity"' not in client.get("/dashboards/programs/leadership-circle/").content.decode()


def test_hr_sees_the_page(hr_client, cohort):
    response = hr_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fewer than 5 participants: not shown." in html
    assert "too few ratings" in html


def test_other_owners_get_a_404(other_owner_client, scenario):
    assert other_owner_client.get(URL).status_code == 404


def test_participants_get_a_404(participant_client):
    assert participant_client.get(URL).status_code == 404


@pytest.mark.parametrize("size", [5, 50])
def test_the_page_takes_the_same_queries_at_any_size(hr_client, size, django_assert_num_queries):
    program = b.running_program(slug="sized")
    for index in range(size):
        who = someone(["woman", "man", "non_binary"][index % 3], ethnicity=f"Group {index % 4}")
        b.enroll(program, Role.MENTEE, who=who)
    with django_assert_num_queries(19):
        assert hr_client.get("/dashboards/programs/sized/diversity/").status_code == 200
