"""Results for HR and the program's owners: rates, distributions, NPS, trends,
free text, CSV; and nothing that identifies anyone in an anonymous survey."""

import csv
import datetime
import io
import itertools
import json
import re

import pytest
from django.utils import timezone

from people.tests.factories import DepartmentFactory, UserFactory
from programs.models import Role
from surveys import selectors, services
from surveys.models import SurveyResponse
from surveys.tests.factories import RunningProgramFactory, SurveyFactory, SurveyQuestionFactory, open_round, participant

pytestmark = pytest.mark.django_db
ONE_DAY = datetime.timedelta(days=1)

_numbers = itertools.count()
NAMES = ["Zelda", "Quentin", "Ottoline", "Ignatius", "Perpetua", "Barnaby", "Cosima", "Leopold", "Marigold", "Rupert"]


def people(program, count, *, role=Role.MENTEE, department=None):
    """Participants with names that are easy to look for in a page: Zelda0, Quentin1, ..."""
    enrollments = []
    for _ in range(count):
        n = next(_numbers)
        first = f"{NAMES[n % len(NAMES)]}{n}"
        user = UserFactory(first_name=first, last_name="Uniquename", email=f"{first.lower()}@example.com")
        enrollments.append(participant(program, role=role, user=user, department=department))
    return enrollments


def respond(survey, invitations, values):
    """Each invitation answers: values[i] is {kind: value}."""
    by_kind = {q.kind: q.pk for q in survey.questions.all()}
    for invitation, answers in zip(invitations, values, strict=False):
        services.survey_response_submit(
            invitation=invitation, answers={by_kind[kind]: value for kind, value in answers.items()}
        )


def chart_data(page):
    match = re.search(r'<script id="survey-chart-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


@pytest.fixture(autouse=True)
def _restart_numbers():
    global _numbers
    _numbers = itertools.count()


@pytest.fixture
def five_answers(survey, program):
    """Five mentees answered the attributed survey, a sixth did not."""
    _, invitations = open_round(survey, people(program, 6))
    ratings, scores = [5, 4, 4, 2, 1], [10, 9, 8, 6, 3]
    respond(
        survey,
        invitations,
        [
            {"rating": r, "nps": s, "single": "Yes", "multiple": ["A", "C"] if r > 3 else ["B"]}
            for r, s in zip(ratings, scores, strict=True)
        ],
    )
    return survey


# --- Who may see results ----------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["results/", "results.csv"])
def test_results_are_for_hr_and_the_programs_owners_only(client, owner, alice, bob, hr_admin, five_answers, suffix):
    url = f"/surveys/{five_answers.pk}/{suffix}"
    for user in (hr_admin, owner):
        client.force_login(user)
        assert client.get(url).status_code == 200
    RunningProgramFactory().owners.add(bob)  # owns another program
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_templates_have_no_results(hr_client):
    from surveys.models import Survey

    assert hr_client.get(f"/surveys/{Survey.objects.templates().first().pk}/results/").status_code == 404


# --- The numbers ------------------------------------------------------------------------


def test_response_rate_distribution_average_and_nps(hr_client, five_answers):
    page = hr_client.get(f"/surveys/{five_answers.pk}/results/").content.decode()
    assert re.search(r'data-testid="response-rate">83%<', page)
    assert "5 of 6 invited" in page
    assert re.search(r'data-testid="nps-score">0<', page)  # 2 promoters, 2 detractors of 5
    assert "40% promoters · 40% detractors" in page
    assert re.search(r'data-testid="average">3.2<', page)
    data = chart_data(page)
    rating, nps, single, multiple = data["questions"]
    assert rating["labels"] == ["1", "2", "3", "4", "5"] and rating["counts"] == [1, 1, 0, 2, 1]
    assert nps["counts"] == [0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1]
    assert single["labels"] == ["Yes", "No"] and single["counts"] == [5, 0]
    assert multiple["counts"] == [3, 2, 3]
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/survey_charts.js" in page
    assert "cdn" not in page.lower()


def test_no_answers_yet(hr_client, survey, alice_mentee):
    open_round(survey, [alice_mentee])
    page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert 'data-testid="no-responses"' in page and "survey-chart-data" not in page


def test_attributed_free_text_shows_who_wrote_it(hr_client, survey, program):
    _, invitations = open_round(survey, people(program, 1))
    respond(survey, invitations, [{"rating": 3, "nps": 7, "text": "More structure please"}])
    page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "More structure please" in page and "Zelda0 Uniquename" in page


def test_trend_over_rounds_leaves_out_small_rounds(hr_client, survey, program):
    enrollments = people(program, 6)
    today = timezone.localdate()
    for days_ago, count in ((40, 6), (20, 3), (0, 5)):
        _, invitations = open_round(
            survey, enrollments, occurrence=f"r{days_ago}", occurs_on=today - datetime.timedelta(days=days_ago)
        )
        respond(survey, invitations, [{"rating": 4, "nps": 9}] * count)
    data = chart_data(hr_client.get(f"/surveys/{survey.pk}/results/").content.decode())
    assert len(data["trend"]["labels"]) == 3
    assert data["trend"]["ratings"][0]["data"] == [4.0, None, 4.0]
    assert data["trend"]["nps"][0]["data"] == [100, None, 100]


def test_pairing_rounds_are_charted_by_month(hr_client, program):
    pulse = SurveyFactory(program=program, trigger="session_held", title="Pulse")
    SurveyQuestionFactory(survey=pulse, kind="rating")
    enrollments = people(program, 5)
    today = timezone.localdate()
    months = [today.replace(day=1) - datetime.timedelta(days=40), today]
    for number, day in enumerate(months):
        for pair in range(5):
            _, invitations = open_round(
                pulse, enrollments[pair : pair + 1], occurrence=f"s{number}-{pair}", occurs_on=day
            )
            respond(pulse, invitations, [{"rating": 3 + number}])
    page = hr_client.get(f"/surveys/{pulse.pk}/results/").content.decode()
    data = chart_data(page)
    assert data["trend"]["labels"] == [f"{d:%b %Y}" for d in months]
    assert data["trend"]["ratings"][0]["data"] == [3.0, 4.0]
    assert "(grouped by month)" in page


def test_pairing_rounds_response_rate_by_month(program):
    pulse = SurveyFactory(program=program, trigger="session_held", title="Pulse")
    SurveyQuestionFactory(survey=pulse, kind="rating")
    enrollments = people(program, 4)
    today = timezone.localdate()
    earlier = today.replace(day=1) - datetime.timedelta(days=40)
    for number, (day, pair) in enumerate([(earlier, 0), (earlier + datetime.timedelta(days=3), 2), (today, 0)]):
        _, invitations = open_round(pulse, enrollments[pair : pair + 2], occurrence=f"s{number}", occurs_on=day)
        respond(pulse, invitations[:1], [{"rating": 4}])
    rates = selectors.survey_results(survey=pulse)["rate_over_time"]
    assert [(r["label"], r["invited"], r["answered"], r["rate"]) for r in rates] == [
        (f"{earlier:%b %Y}", 4, 2, 50),
        (f"{today:%b %Y}", 2, 1, 50),
    ]


def test_only_the_newest_written_answers_are_fetched(hr_client, survey, program, monkeypatch):
    monkeypatch.setattr(selectors.results, "TEXTS_SHOWN", 2)
    _, invitations = open_round(survey, people(program, 3))
    respond(survey, invitations, [{"rating": 3, "nps": 7, "text": f"Written answer {n}"} for n in range(3)])
    SurveyResponse.objects.filter(invitation=invitations[1]).update(submitted_on=timezone.localdate() - ONE_DAY)
    page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "Written answer 0" in page and "Written answer 2" in page and "Written answer 1" not in page
    assert page.index("Written answer 0") < page.index("Written answer 2")  # the same day: in answering order
    assert "Showing 2 of 3" in page


def test_anonymous_written_answers_shown_are_a_few_of_them(hr_client, anonymous_answers, monkeypatch):
    monkeypatch.setattr(selectors.results, "TEXTS_SHOWN", 3)
    survey, _ = anonymous_answers
    page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert len(re.findall(r"Comment number \d", page)) == 3
    assert "Showing 3 of 10" in page


def test_a_small_group_is_never_the_only_one_hidden(hr_client, survey, program):
    """The audit's attack: 6 mentees shown, 1 mentor hidden, and the overall figure on the
    page gives the mentor's answer by subtraction. Now the pool of hidden groups always
    holds at least 5 answers, so shown groups next to the overall figure reveal nothing."""
    enrollments = people(program, 6) + people(program, 1, role=Role.MENTOR)
    _, invitations = open_round(survey, enrollments)
    respond(survey, invitations, [{"rating": 4, "nps": 9}] * 6 + [{"rating": 1, "nps": 0}])
    page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    role = page.split('data-testid="breakdown-role"')[1].split("</div>")[0]
    assert "<td>Mentee</td>" not in role and "<td>Mentor</td>" not in role
    assert "2 role groups are not shown" in role
    # The overall average is still there: (6 * 4 + 1) / 7.
    assert ">3.6<" in page


def test_groups_under_five_are_pooled_with_the_next_smallest(hr_client, survey, program):
    legal, sales = DepartmentFactory(name="Legal"), DepartmentFactory(name="Sales")
    enrollments = people(program, 6) + people(program, 5, department=sales) + people(program, 2, department=legal)
    _, invitations = open_round(survey, enrollments)
    respond(survey, invitations, [{"rating": 4, "nps": 9}] * len(invitations))
    page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    department = page.split('data-testid="breakdown-department"')[1].split("</div>")[0]
    assert "<td>Engineering</td>" in department
    assert "Legal" not in department and "Sales" not in department
    assert "2 department groups are not shown" in department


# --- CSV --------------------------------------------------------------------------------


def read_csv(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_attributed_csv_has_names_and_emails_and_defuses_formulas(hr_client, survey, program):
    _, invitations = open_round(survey, people(program, 1))
    respond(survey, invitations, [{"rating": 5, "nps": 10, "multiple": ["A", "B"], "text": '=HYPERLINK("x")'}])
    response = hr_client.get(f"/surveys/{survey.pk}/results.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="leadership-circle-check-in-' in response["Content-Disposition"]
    header, row = read_csv(response)
    assert header[:6] == ["Name", "Email", "Role", "Department", "Round", "Answered on"]
    assert header[6:] == ["How useful?", "Recommend?", "Fit?", "Topics?", "Anything else?"]
    assert row[:4] == ["Zelda0 Uniquename", "zelda0@example.com", "Mentee", "Engineering"]
    assert row[6:] == ["5", "10", "", "A; B", '\'=HYPERLINK("x")']


# --- Anonymous surveys ------------------------------------------------------------------


@pytest.fixture
def anonymous_answers(anonymous_survey, program):
    """Ten mentees answered an anonymous survey: two batches of five joined the results."""
    enrollments = people(program, 10)
    _, invitations = open_round(anonymous_survey, enrollments)
    respond(anonymous_survey, invitations, [{"rating": 1 + n % 5, "text": f"Comment number {n}"} for n in range(10)])
    return anonymous_survey, enrollments


def identities(enrollments):
    return [e.person.first_name for e in enrollments] + [e.person.email for e in enrollments] + ["Uniquename"]


def test_anonymous_results_page_and_csv_identify_nobody(hr_client, anonymous_answers):
    survey, enrollments = anonymous_answers
    page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "Comment number 3" in page and 'data-testid="text-answers"' in page
    for identity in identities(enrollments):
        assert identity not in page

    header, *rows = read_csv(hr_client.get(f"/surveys/{survey.pk}/results.csv"))
    assert header == ["How useful?", "Anything else?"]
    assert sorted(rows) == sorted([str(1 + n % 5), f"Comment number {n}"] for n in range(10))
    text = json.dumps(rows)
    for identity in identities(enrollments) + [timezone.localdate().isoformat()]:
        assert identity not in text


def test_answers_after_the_last_batch_are_held_back_and_said_so(hr_client, anonymous_survey, program):
    _, invitations = open_round(anonymous_survey, people(program, 8))
    respond(anonymous_survey, invitations, [{"rating": 4, "text": f"Note {n}"} for n in range(7)])
    page = hr_client.get(f"/surveys/{anonymous_survey.pk}/results/").content.decode()
    assert re.search(r'data-testid="response-count">5<', page)
    assert "2 answers are not in the results yet" in page
    assert sum(f"Note {n}" in page for n in range(7)) == 5


def test_anonymous_answers_are_not_in_the_django_admin(client, hr_admin, anonymous_answers):
    survey, enrollments = anonymous_answers
    hr_admin.is_superuser = True
    hr_admin.save()
    client.force_login(hr_admin)
    instance = survey.instances.get()
    pages = [
        "/admin/",
        "/admin/surveys/",
        "/admin/surveys/survey/",
        f"/admin/surveys/survey/{survey.pk}/change/",
        "/admin/surveys/surveyinstance/",
        f"/admin/surveys/surveyinstance/{instance.pk}/change/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for identity in identities(enrollments):
            assert identity not in page, (path, identity)
    for model in ("surveyresponse", "surveyanswer", "surveyinvitation"):
        assert client.get(f"/admin/surveys/{model}/").status_code == 404


def test_anonymous_results_wait_for_five_answers(hr_client, anonymous_survey, program):
    _, invitations = open_round(anonymous_survey, people(program, 6))
    respond(anonymous_survey, invitations, [{"rating": 2, "text": "Tiny group"}] * 4)
    page = hr_client.get(f"/surveys/{anonymous_survey.pk}/results/").content.decode()
    assert 'data-testid="results-withheld"' in page and "Tiny group" not in page
    assert "survey-chart-data" not in page and re.search(r'data-testid="response-rate">67%<', page)
    response = hr_client.get(f"/surveys/{anonymous_survey.pk}/results.csv", follow=True)
    assert "available once 5 people&#x27;s answers have joined the results" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/surveys/{anonymous_survey.pk}/results/"


def test_anonymous_responses_are_stored_apart_from_invitations(anonymous_answers):
    survey, enrollments = anonymous_answers
    assert SurveyResponse.objects.filter(survey=survey).count() == 10
    assert not SurveyResponse.objects.filter(survey=survey).exclude(invitation=None).exists()
    assert set(SurveyResponse.objects.values_list("department", flat=True)) == {""}
    assert set(SurveyResponse.objects.values_list("submitted_on", flat=True)) == {timezone.localdate()}


# --- Query counts -----------------------------------------------------------------------


def _survey_with(program, size):
    survey = SurveyFactory(program=program, title=f"Sized {size}", anonymous=False)
    for kind, choices in [("rating", []), ("nps", []), ("single", ["Y", "N"]), ("multiple", ["A", "B"]), ("text", [])]:
        SurveyQuestionFactory(survey=survey, kind=kind, choices=choices, required=False)
    enrollments = people(program, size)
    for round_number in range(2):
        _, invitations = open_round(
            survey,
            enrollments,
            occurrence=f"q{round_number}",
            occurs_on=timezone.localdate() - datetime.timedelta(days=20 * round_number),
        )
        respond(survey, invitations, [{"rating": 4, "nps": 8, "single": "Y", "multiple": ["A"], "text": "ok"}] * size)
    return survey


# Session, user, time zone, 2 savepoints, survey, questions, the running totals of the rounds by
# period (invited, answered, responses), those of the answers (distribution, averages, by role, by
# department, by period, people who answered the multiple-choice question), the free text shown,
# and the navigation bar's 2.
QUERIES_RESULTS = 12


@pytest.mark.parametrize("size", [5, 12])
def test_results_page_query_count(hr_client, program, size, django_assert_num_queries):
    survey = _survey_with(program, size)
    hr_client.get("/")
    with django_assert_num_queries(QUERIES_RESULTS):
        page = hr_client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert f"{2 * size} of {2 * size} invited" in page


# Session, user, time zone, 2 savepoints, survey, questions, answers, responses, the audit event.
QUERIES_CSV = 10


@pytest.mark.parametrize("size", [5, 12])
def test_csv_query_count(hr_client, program, size, django_assert_num_queries):
    survey = _survey_with(program, size)
    hr_client.get("/")
    with django_assert_num_queries(QUERIES_CSV):
        rows = read_csv(hr_client.get(f"/surveys/{survey.pk}/results.csv"))
    assert len(rows) == 1 + 2 * size
