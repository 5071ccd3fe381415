"""Anonymous surveys played as a determined HR user (pages, exports, a SQL console) would.

Each test is an attack from the privacy audit; it must find nothing.
"""

import csv
import io
import json
import random
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorship.testing import examples
from programs.models import Role
from surveys import anonymity, services
from surveys.models import SealedSurveyResponse, Survey, SurveyInstance, SurveyInvitation, SurveyResponse
from surveys.tests.factories import SurveyFactory, SurveyQuestionFactory, open_round, pairing, participant

pytestmark = pytest.mark.django_db

GOOD_SURVEY = {"title": "Pulse", "audience": "both", "open_days": 14, "reminder_days": 3}


def results_csv(client, survey):
    response = client.get(f"/surveys/{survey.pk}/results.csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def answer(invitation, survey, **values):
    by_kind = {q.kind: q.pk for q in survey.questions.all()}
    return services.survey_response_submit(
        invitation=invitation, answers={by_kind[kind]: value for kind, value in values.items()}
    )


@pytest.fixture
def pulse(program):
    survey = SurveyFactory(program=program, title="Pulse", anonymous=True)
    SurveyQuestionFactory(survey=survey, kind="rating", text="How useful?", required=True)
    SurveyQuestionFactory(survey=survey, kind="nps", text="Recommend?", required=False)
    SurveyQuestionFactory(survey=survey, kind="text", text="Anything else?", required=False)
    return survey


# --- Attack 1: an anonymous survey after each session, then join the tables -------------


@pytest.mark.parametrize("trigger", ["session_held", "pairing_ended", "pairing_day", "pairing_midpoint"])
def test_the_builder_refuses_an_anonymous_survey_sent_per_pairing(hr_client, program, trigger):
    data = {**GOOD_SURVEY, "anonymous": "on", "trigger": trigger, "days": "30"}
    response = hr_client.post(f"/surveys/programs/{program.slug}/new/", data)
    assert response.status_code == 200
    assert "An anonymous survey goes to the whole program at once" in response.content.decode()
    assert not Survey.objects.filter(program=program).exists()


def test_the_service_refuses_it_too_and_on_edit(program, hr_admin):
    with pytest.raises(ValidationError, match="whole program at once"):
        services.survey_create(
            program=program, user=hr_admin, anonymous=True, trigger="session_held", open_days=14, reminder_days=3
        )
    survey = services.survey_create(
        program=program, user=hr_admin, title="Pulse", anonymous=False, trigger="session_held", open_days=14
    )
    with pytest.raises(ValidationError, match="whole program at once"):
        services.survey_update(survey=survey, user=hr_admin, anonymous=True)
    survey.refresh_from_db()
    assert not survey.anonymous


def test_a_left_over_per_session_anonymous_survey_never_opens_a_round(program, alice_mentee, bob_mentor):
    # As if it had been saved before the rule existed (the migration pauses such surveys;
    # here it is even still active).
    survey = SurveyFactory(program=program, anonymous=True, trigger="session_held")
    SurveyQuestionFactory(survey=survey)
    together = pairing(program, mentor=bob_mentor, mentee=alice_mentee)
    assert services.surveys_on_session_held(session_id=41, pairing_id=together.pk) == []
    assert not SurveyInstance.objects.filter(survey=survey).exists()


def test_a_program_too_small_for_an_anonymous_round_is_told_why(program, hr_admin):
    survey = SurveyFactory(program=program, anonymous=True, trigger="manual")
    SurveyQuestionFactory(survey=survey)
    for _ in range(4):
        participant(program, role=Role.MENTEE)
    with pytest.raises(ValidationError, match="Only 4 people are in this anonymous survey's audience"):
        services.survey_send_now(survey=survey, user=hr_admin)
    participant(program, role=Role.MENTOR)
    assert services.survey_send_now(survey=survey, user=hr_admin).invitations.count() == 5


def test_joining_the_tables_after_one_answer_finds_nothing_readable(program, pulse):
    enrollments = [participant(program, role=Role.MENTEE) for _ in range(6)]
    _, invitations = open_round(pulse, enrollments)
    answer(invitations[0], pulse, rating=1, text="My mentor never shows up")

    with connection.cursor() as cursor:
        # The attacker's query: answered invitations beside every stored answer of the survey.
        cursor.execute(
            "SELECT i.enrollment_id, a.number, a.text FROM surveys_surveyinvitation i "
            "JOIN surveys_surveyinstance r ON r.id = i.instance_id "
            "JOIN surveys_surveyresponse s ON s.instance_id = r.id "
            "JOIN surveys_surveyanswer a ON a.response_id = s.id WHERE i.answered"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT * FROM surveys_sealedsurveyresponse")
        dump = json.dumps(cursor.fetchall(), default=str)
    assert "never shows up" not in dump and '"1"' not in dump


def test_after_five_answers_each_stored_answer_points_to_five_people_or_more(program, pulse):
    enrollments = [participant(program, role=Role.MENTEE) for _ in range(6)]
    _, invitations = open_round(pulse, enrollments)
    for index, invitation in enumerate(invitations[:5]):
        answer(invitation, pulse, rating=1 + index % 5, text=f"Answer {index}")
    rows = list(SurveyResponse.objects.filter(survey=pulse).values("invitation", "department", "role", "instance"))
    assert len(rows) == 5
    assert all(row["invitation"] is None and row["department"] == "" for row in rows)
    # The round asked 6 mentees and no mentor: roles are not told apart.
    assert {row["role"] for row in rows} == {""}
    answered = SurveyInvitation.objects.filter(instance_id=rows[0]["instance"], answered=True).count()
    assert answered >= 5
    assert not SealedSurveyResponse.objects.exists()


# --- Attack 2: compare the results before and after one more answer --------------------


def test_one_more_answer_does_not_change_the_results_or_the_export(hr_client, program, pulse):
    enrollments = [participant(program, role=Role.MENTEE) for _ in range(8)]
    _, invitations = open_round(pulse, enrollments)
    for invitation in invitations[:5]:
        answer(invitation, pulse, rating=4, nps=9, text="Fine")
    before_page = hr_client.get(f"/surveys/{pulse.pk}/results/").content.decode()
    before_csv = results_csv(hr_client, pulse)

    answer(invitations[5], pulse, rating=1, nps=0, text="Terrible, I want out")
    after_page = hr_client.get(f"/surveys/{pulse.pk}/results/").content.decode()
    after_csv = results_csv(hr_client, pulse)

    def figures(page):
        # Everything but the response rate (which counts invitations, not answers).
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
        page = re.sub(r'data-testid="response-rate">[^<]*<', "", page)
        page = re.sub(r"\d+ of \d+ invited", "", page)
        page = re.sub(r'<table [^>]*data-testid="rate-table">.*?</table>', "", page, flags=re.S)
        return re.sub(r'<div [^>]*data-testid="results-held-back">.*?</div>', "", page, flags=re.S)

    assert "Terrible" not in after_page
    assert sorted(before_csv) == sorted(after_csv)
    assert re.sub(r"\s+", "", figures(before_page)) == re.sub(r"\s+", "", figures(after_page))


def test_a_question_answered_by_one_person_shows_nothing_anywhere(hr_client, program, pulse):
    enrollments = [participant(program, role=Role.MENTEE) for _ in range(5)]
    _, invitations = open_round(pulse, enrollments)
    answer(invitations[0], pulse, rating=3, nps=2)  # the only one to answer the optional NPS
    for invitation in invitations[1:]:
        answer(invitation, pulse, rating=3)
    page = hr_client.get(f"/surveys/{pulse.pk}/results/").content.decode()
    assert 'data-testid="question-too-few"' in page
    assert 'data-testid="nps-score"' not in page
    chart = json.loads(re.search(r'id="survey-chart-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert [q["id"] for q in chart["questions"]] == [f"question-{pulse.questions.get(kind='rating').pk}"]
    header, *rows = results_csv(hr_client, pulse)
    assert header[1].startswith("Recommend? (fewer than 5 answers")
    assert all(row[1] == "" for row in rows) and len(rows) == 5


def test_an_answer_released_in_a_batch_cannot_be_changed(client, alice, program, pulse, alice_mentee):
    others = [participant(program, role=Role.MENTEE) for _ in range(4)]
    _, (mine, *theirs) = open_round(pulse, [alice_mentee, *others])
    rating = f"q_{pulse.questions.get(kind='rating').pk}"
    client.force_login(alice)
    client.post(f"/surveys/invitations/{mine.pk}/", {rating: "2"})
    for invitation in theirs:
        answer(invitation, pulse, rating=5)
    page = client.get(f"/surveys/invitations/{mine.pk}/").content.decode()
    assert 'data-testid="answers-released"' in page and 'data-testid="answer-form"' not in page
    response = client.post(f"/surveys/invitations/{mine.pk}/", {rating: "1"}, follow=True)
    assert "You have already answered" in response.content.decode()
    assert sorted(SurveyResponse.objects.values_list("answers__number", flat=True)) == [2, 5, 5, 5, 5]


def test_roles_are_reported_apart_only_when_each_has_five(program, pulse):
    mentors = [participant(program, role=Role.MENTOR) for _ in range(5)]
    mentees = [participant(program, role=Role.MENTEE) for _ in range(5)]
    instance, invitations = open_round(pulse, mentors + mentees)
    assert anonymity.reporting_group(instance=instance, role=Role.MENTOR) == Role.MENTOR
    small, _ = open_round(pulse, mentors[:4] + mentees)
    assert anonymity.reporting_group(instance=small, role=Role.MENTOR) == ""
    for invitation in invitations:
        answer(invitation, pulse, rating=3)
    assert sorted(SurveyResponse.objects.values_list("role", flat=True)) == ["mentee"] * 5 + ["mentor"] * 5


# --- The property: no stored row ever narrows an answer below the minimum ---------------


@settings(max_examples=examples(12), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    mentors=st.integers(0, 7),
    mentees=st.integers(0, 9),
    order_seed=st.integers(0, 10_000),
    answer_share=st.floats(0, 1),
)
def test_no_stored_row_identifies_fewer_than_the_minimum(program, mentors, mentees, order_seed, answer_share):
    survey = SurveyFactory(program=program, anonymous=True)
    SurveyQuestionFactory(survey=survey, kind="rating")
    people = [participant(program, role=Role.MENTOR) for _ in range(mentors)]
    people += [participant(program, role=Role.MENTEE) for _ in range(mentees)]
    instance, invitations = open_round(survey, people)
    rng = random.Random(order_seed)
    rng.shuffle(invitations)
    answering = invitations[: round(answer_share * len(invitations))]
    released_before: set = set()
    for invitation in answering:
        answer(invitation, survey, rating=rng.randint(1, 5))
        released = set(SurveyResponse.objects.filter(survey=survey).values_list("pk", "role", "submitted_on"))
        new = released - released_before
        # Comparing two moments: the results grow by nobody or by a batch of five or more.
        assert len(new) == 0 or len(new) >= 5
        assert released_before <= released
        released_before = released
        for _, role, _ in new:
            invited = SurveyInvitation.objects.filter(instance=instance)
            if role:
                invited = invited.filter(role=role)
            assert invited.count() >= 5
        assert not SurveyResponse.objects.filter(survey=survey).exclude(department="").exists()
        assert not SurveyResponse.objects.filter(survey=survey, invitation__isnull=False).exists()
    total = (
        SurveyResponse.objects.filter(survey=survey).count()
        + SealedSurveyResponse.objects.filter(survey=survey).count()
    )
    assert total == len(answering)  # nothing lost: released or still sealed


# --- The migration keeps every answer and drops the links -------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_rewrites_old_anonymous_answers_without_losing_them():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("surveys", "0002_install_survey_templates")]
    after = [("surveys", "0005_response_survey_required")]
    executor.migrate(before)
    # Every other app as it is today, surveys as it was.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "surveys"]
    apps = executor.loader.project_state(others + before).apps
    Program = apps.get_model("programs", "Program")
    Person = apps.get_model("people", "Person")
    Enrollment = apps.get_model("programs", "Enrollment")
    Survey_ = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "SurveyQuestion")
    Instance = apps.get_model("surveys", "SurveyInstance")
    Invitation = apps.get_model("surveys", "SurveyInvitation")
    Response = apps.get_model("surveys", "SurveyResponse")
    Answer = apps.get_model("surveys", "SurveyAnswer")
    today = timezone.localdate()
    program = Program.objects.create(
        name="Old", slug="old", status="running", start_date=today, end_date=today + timedelta(days=90)
    )
    people = [Person.objects.create(email=f"p{n}@example.com", first_name="P", last_name=str(n)) for n in range(7)]
    enrollments = [
        Enrollment.objects.create(program=program, person=p, role="mentee", status="approved") for p in people
    ]
    pulse = Survey_.objects.create(
        program=program, title="Pulse", anonymous=True, trigger="session_held", status="active"
    )
    wide = Survey_.objects.create(program=program, title="Mid", anonymous=True, trigger="manual", status="active")
    now = timezone.now()

    def round_(survey, occurrence, invited, pairing=None):
        instance = Instance.objects.create(
            survey=survey, occurrence=occurrence, occurs_on=today, opens_at=now, closes_at=now, remind_at=now
        )
        for enrollment in invited:
            Invitation.objects.create(instance=instance, enrollment=enrollment, role="mentee", answered=True)
        return instance

    def old_answer(survey, instance, question, number, day, department="Legal"):
        response = Response.objects.create(
            instance=instance, edit_key_hash="k" * 64, role="mentee", department=department, submitted_on=day
        )
        Answer.objects.create(response=response, question=question, number=number)

    pulse_q = Question.objects.create(survey=pulse, kind="rating", text="Useful?")
    wide_q = Question.objects.create(survey=wide, kind="rating", text="Useful?")
    session_round = round_(pulse, "session:1", enrollments[:2])
    old_answer(pulse, session_round, pulse_q, 1, today)
    old_answer(pulse, session_round, pulse_q, 5, today)
    big_round = round_(wide, "manual:1", enrollments)
    for n in range(6):
        old_answer(wide, big_round, wide_q, 1 + n % 5, today.replace(day=1 + n))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # The pulse's two answers (one pairing, two people) are sealed: unreadable, not lost.
    assert not SurveyResponse.objects.filter(survey_id=pulse.pk).exists()
    assert SealedSurveyResponse.objects.filter(survey_id=pulse.pk, instance=None).count() == 2
    assert Survey.objects.get(pk=pulse.pk).status == Survey.Status.PAUSED
    # The program-wide round's six answers stay readable, without department or their own dates.
    kept = SurveyResponse.objects.filter(survey_id=wide.pk)
    assert kept.count() == 6 and set(kept.values_list("department", flat=True)) == {""}
    assert len(set(kept.values_list("submitted_on", flat=True))) == 1
    assert sorted(kept.values_list("answers__number", flat=True)) == [1, 1, 2, 3, 4, 5]


def test_the_builder_page_says_why_a_small_anonymous_survey_is_not_sent(hr_client, program):
    survey = SurveyFactory(program=program, anonymous=True, trigger="program_midpoint")
    SurveyQuestionFactory(survey=survey)
    participant(program, role=Role.MENTEE)
    page = hr_client.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'data-testid="anonymity-warning"' in page and "Only 1 person is in this anonymous survey" in page
    for _ in range(4):
        participant(program, role=Role.MENTOR)
    assert 'data-testid="anonymity-warning"' not in hr_client.get(f"/surveys/{survey.pk}/").content.decode()
