"""The survey builder: HR creates surveys (blank or from a template), edits
questions until the first answer, and sends or pauses them."""

import pytest
from django.core.exceptions import ValidationError

from programs.models import Program
from surveys import library, services
from surveys.models import Survey, SurveyQuestion
from surveys.tests.factories import RunningProgramFactory, SurveyFactory, SurveyQuestionFactory, open_round

pytestmark = pytest.mark.django_db

GOOD_SURVEY = {
    "title": "Quarterly pulse",
    "description": "Two minutes, promise.",
    "audience": "both",
    "trigger": "program_every",
    "days": "30",
    "open_days": "14",
    "reminder_days": "3",
}


@pytest.fixture
def answered(survey, alice_mentee):
    """``survey`` with one answer in."""
    _, (invitation,) = open_round(survey, [alice_mentee])
    answers = {survey.questions.get(kind="rating").pk: 4, survey.questions.get(kind="nps").pk: 8}
    services.survey_response_submit(invitation=invitation, answers=answers)
    return survey


# --- The template library ---------------------------------------------------------------


def test_the_migration_installs_the_library_and_installing_again_changes_nothing():
    keys = set(Survey.objects.templates().values_list("template_key", flat=True))
    assert keys == {
        "post-session-pulse",
        "30-day-check-in",
        "mid-program",
        "end-of-program-mentees",
        "end-of-program-mentors",
        "early-exit",
    }
    before = list(SurveyQuestion.objects.filter(survey__program=None).values_list("pk", flat=True))
    assert services.survey_templates_install() == len(library.TEMPLATES)
    assert list(SurveyQuestion.objects.filter(survey__program=None).values_list("pk", flat=True)) == before


def test_library_templates_are_valid_surveys():
    for template in Survey.objects.templates().prefetch_related("questions"):
        services.survey_check(
            trigger=template.trigger,
            days=template.days,
            open_days=template.open_days,
            reminder_days=template.reminder_days,
        )
        for question in template.questions.all():
            services.survey_question_check(kind=question.kind, choices=question.choices)
    exit_survey = Survey.objects.templates().get(template_key="early-exit")
    assert exit_survey.trigger == "pairing_ended" and not exit_survey.anonymous
    assert Survey.objects.templates().get(template_key="end-of-program-mentors").audience == "mentors"


def test_hr_uses_a_template_and_gets_an_editable_draft_copy(hr_client, program):
    template = Survey.objects.templates().get(template_key="mid-program")
    response = hr_client.post(f"/surveys/programs/{program.slug}/use-template/{template.pk}/")
    copy = Survey.objects.get(program=program)
    assert response.status_code == 302 and response["Location"] == f"/surveys/{copy.pk}/"
    assert copy.status == Survey.Status.DRAFT and copy.copied_from == template and copy.anonymous
    assert list(copy.questions.values_list("text", flat=True)) == list(
        template.questions.values_list("text", flat=True)
    )
    services.survey_question_update(question=copy.questions.first(), user=None, text="Changed for us", help_text="")
    assert template.questions.first().text != "Changed for us"


def test_using_a_template_needs_a_post(hr_client, program):
    template = Survey.objects.templates().first()
    assert hr_client.get(f"/surveys/programs/{program.slug}/use-template/{template.pk}/").status_code == 405


# --- Permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/surveys/programs/{slug}/new/",
        "/surveys/programs/{slug}/use-template/{template}/",
        "/surveys/{pk}/",
        "/surveys/{pk}/edit/",
        "/surveys/{pk}/copy/",
        "/surveys/{pk}/status/",
        "/surveys/{pk}/send-now/",
        "/surveys/{pk}/delete/",
        "/surveys/{pk}/preview/",
        "/surveys/{pk}/questions/new/",
        "/surveys/{pk}/questions/{question}/edit/",
        "/surveys/{pk}/questions/{question}/delete/",
        "/surveys/{pk}/questions/{question}/move/",
    ],
)
def test_builder_pages_are_for_hr_admins_only(client, owner, alice, survey, path):
    question = survey.questions.first()
    template = Survey.objects.templates().first()
    path = path.format(slug=survey.program.slug, pk=survey.pk, question=question.pk, template=template.pk)
    before = (Survey.objects.count(), SurveyQuestion.objects.count(), survey.instances.count())
    for user in (owner, alice):
        client.force_login(user)
        assert client.get(path).status_code == 403
        post = {**GOOD_SURVEY, "action": "pause", "direction": "down", "kind": "text", "text": "Hacked"}
        assert client.post(path, post).status_code == 403
    assert (Survey.objects.count(), SurveyQuestion.objects.count(), survey.instances.count()) == before
    survey.refresh_from_db()
    question.refresh_from_db()
    assert survey.status == "active" and survey.title == "Check-in" and question.text == "How useful?"


def test_templates_have_no_builder_page(hr_client):
    template = Survey.objects.templates().first()
    assert hr_client.get(f"/surveys/{template.pk}/").status_code == 404


def test_program_survey_list_is_for_hr_and_the_programs_owners(client, owner, alice, survey):
    client.force_login(owner)
    page = client.get(f"/surveys/programs/{survey.program.slug}/").content.decode()
    assert "Check-in" in page and 'data-testid="template-library"' not in page and "New blank survey" not in page
    other = RunningProgramFactory()
    assert client.get(f"/surveys/programs/{other.slug}/").status_code == 404
    client.force_login(alice)
    assert client.get(f"/surveys/programs/{survey.program.slug}/").status_code == 404
    assert client.get("/surveys/programs/").status_code == 403


# --- Creating and editing surveys -------------------------------------------------------


def test_hr_creates_a_blank_survey(hr_client, hr_admin, program):
    response = hr_client.post(f"/surveys/programs/{program.slug}/new/", GOOD_SURVEY)
    survey = Survey.objects.get(program=program)
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    assert survey.status == "draft" and survey.days == 30 and survey.created_by == hr_admin
    assert survey.schedule_label == "Every 30 days during the program"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"days": "7"}, "would overlap"),
        ({"trigger": "pairing_day", "days": ""}, "Say how many days after the pairing starts."),
        ({"reminder_days": "14"}, "Remind between 1 and 13 days"),
        ({"open_days": "1"}, "from 2 to 90 days"),
        ({"open_days": "-3"}, "greater than or equal to 0"),
        ({"trigger": "whenever"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
        ({"audience": "managers"}, "Select a valid choice"),
    ],
)
def test_bad_survey_settings_are_form_errors_and_nothing_is_saved(hr_client, program, changes, message):
    response = hr_client.post(f"/surveys/programs/{program.slug}/new/", {**GOOD_SURVEY, **changes})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Survey.objects.filter(program=program).exists()


def test_days_are_dropped_for_triggers_that_do_not_count_days(hr_client, program):
    hr_client.post(f"/surveys/programs/{program.slug}/new/", {**GOOD_SURVEY, "trigger": "session_held"})
    assert Survey.objects.get(program=program).days is None


def test_closed_program_gets_no_new_surveys(hr_client, program):
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    response = hr_client.post(f"/surveys/programs/{program.slug}/new/", GOOD_SURVEY)
    assert "is closed" in response.content.decode()
    assert not Survey.objects.filter(program=program).exists()


def test_hr_edits_settings(hr_client, survey):
    response = hr_client.post(f"/surveys/{survey.pk}/edit/", {**GOOD_SURVEY, "title": "Renamed"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Renamed" and survey.trigger == "program_every"


def test_bad_settings_on_edit_change_nothing(hr_client, survey):
    response = hr_client.post(f"/surveys/{survey.pk}/edit/", {**GOOD_SURVEY, "title": "Renamed", "reminder_days": "0"})
    assert response.status_code == 200 and "Remind between 1 and 13 days" in response.content.decode()
    survey.refresh_from_db()
    assert survey.title == "Check-in" and survey.trigger == "manual"


def test_anonymity_cannot_change_once_people_were_asked(hr_client, survey, alice_mentee):
    open_round(survey, [alice_mentee])
    response = hr_client.post(f"/surveys/{survey.pk}/edit/", {**GOOD_SURVEY, "anonymous": "on"})
    assert "that promise can&#x27;t change" in response.content.decode()
    survey.refresh_from_db()
    assert not survey.anonymous and survey.title == "Check-in"


# --- Questions --------------------------------------------------------------------------


def test_hr_adds_questions_of_each_kind_in_order(hr_client, program):
    survey = SurveyFactory(program=program, status="draft")
    for kind, choices in [("rating", ""), ("nps", ""), ("single", "Yes\nNo"), ("multiple", "A\nB\nC"), ("text", "")]:
        data = {"kind": kind, "text": f"A {kind} question", "choices": choices, "required": "on"}
        assert hr_client.post(f"/surveys/{survey.pk}/questions/new/", data).status_code == 302
    questions = list(survey.questions.all())
    assert [q.kind for q in questions] == ["rating", "nps", "single", "multiple", "text"]
    assert questions[2].choices == ["Yes", "No"] and questions[0].choices == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "single", "text": "Pick", "choices": "Only one"}, "at least two options"),
        ({"kind": "multiple", "text": "Pick", "choices": "A\na"}, "Each option must be different"),
        ({"kind": "slider", "text": "Slide"}, "Select a valid choice"),
        ({"kind": "rating", "text": ""}, "This field is required"),
        ({"kind": "rating", "text": "x" * 301}, "at most 300 characters"),
    ],
)
def test_bad_questions_are_form_errors_and_nothing_is_saved(hr_client, program, data, message):
    survey = SurveyFactory(program=program, status="draft")
    response = hr_client.post(f"/surveys/{survey.pk}/questions/new/", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not survey.questions.exists()


def test_questions_move_up_and_down(hr_client, survey):
    first, second = list(survey.questions.all())[:2]
    hr_client.post(f"/surveys/{survey.pk}/questions/{second.pk}/move/", {"direction": "up"})
    assert list(survey.questions.values_list("pk", flat=True))[:2] == [second.pk, first.pk]
    response = hr_client.post(
        f"/surveys/{survey.pk}/questions/{second.pk}/move/", {"direction": "sideways"}, follow=True
    )
    assert "Move up or down." in response.content.decode()


def test_the_last_question_of_a_survey_being_sent_stays(hr_client, program):
    survey = SurveyFactory(program=program, status="active")
    only = SurveyQuestionFactory(survey=survey)
    response = hr_client.post(f"/surveys/{survey.pk}/questions/{only.pk}/delete/", follow=True)
    assert "needs at least one question" in response.content.decode()
    assert survey.questions.count() == 1


def test_a_question_of_another_survey_is_a_404(hr_client, survey, anonymous_survey):
    foreign = anonymous_survey.questions.first()
    assert hr_client.get(f"/surveys/{survey.pk}/questions/{foreign.pk}/edit/").status_code == 404


def test_after_the_first_answer_only_wording_can_change(hr_client, answered):
    rating = answered.questions.get(kind="rating")
    edit = f"/surveys/{answered.pk}/questions/{rating.pk}/edit/"
    page = hr_client.get(f"/surveys/{answered.pk}/").content.decode()
    assert 'data-testid="locked-note"' in page and 'data-testid="add-question"' not in page

    response = hr_client.post(edit, {"kind": "text", "text": "How useful was it?", "help_text": "Be honest"})
    assert response.status_code == 302
    rating.refresh_from_db()
    assert (rating.text, rating.help_text, rating.kind, rating.required) == (
        "How useful was it?",
        "Be honest",
        "rating",
        True,
    )

    with pytest.raises(ValidationError, match="only the wording"):
        services.survey_question_update(question=rating, user=None, kind="text")
    response = hr_client.post(f"/surveys/{answered.pk}/questions/new/", {"kind": "text", "text": "New?"}, follow=True)
    assert "only the wording of its questions can change" in response.content.decode()
    hr_client.post(f"/surveys/{answered.pk}/questions/{rating.pk}/delete/")
    hr_client.post(f"/surveys/{answered.pk}/questions/{rating.pk}/move/", {"direction": "down"})
    assert answered.questions.count() == 5 and answered.questions.first() == rating


def test_a_copy_of_an_answered_survey_is_fully_editable(hr_client, answered):
    response = hr_client.post(f"/surveys/{answered.pk}/copy/")
    copy = Survey.objects.exclude(pk=answered.pk).get(program=answered.program)
    assert response["Location"] == f"/surveys/{copy.pk}/"
    assert copy.title == "Check-in (copy)" and copy.status == "draft" and copy.questions.count() == 5
    services.survey_question_delete(question=copy.questions.first(), user=None)


# --- Sending, pausing, deleting ---------------------------------------------------------


def test_a_survey_without_questions_cannot_be_sent(hr_client, program):
    survey = SurveyFactory(program=program, status="draft")
    response = hr_client.post(f"/surveys/{survey.pk}/status/", {"action": "activate"}, follow=True)
    assert "Add at least one question" in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == "draft"


def test_send_pause_and_resume(hr_client, survey):
    Survey.objects.filter(pk=survey.pk).update(status="draft")
    hr_client.post(f"/surveys/{survey.pk}/status/", {"action": "activate"})
    assert Survey.objects.get(pk=survey.pk).status == "active"
    hr_client.post(f"/surveys/{survey.pk}/status/", {"action": "pause"})
    assert Survey.objects.get(pk=survey.pk).status == "paused"
    response = hr_client.post(f"/surveys/{survey.pk}/status/", {"action": "explode"}, follow=True)
    assert "Choose to send or pause" in response.content.decode()


def test_send_now_from_the_builder(hr_client, survey, alice_mentee):
    response = hr_client.post(f"/surveys/{survey.pk}/send-now/", follow=True)
    assert "invitations are on their way" in response.content.decode()
    assert survey.instances.count() == 1
    response = hr_client.post(f"/surveys/{survey.pk}/send-now/", follow=True)
    assert "send the next one after it closes" in response.content.decode()
    assert survey.instances.count() == 1


def test_delete_only_before_the_survey_was_sent(hr_client, survey, alice_mentee):
    draft = SurveyFactory(program=survey.program, status="draft")
    assert hr_client.post(f"/surveys/{draft.pk}/delete/").status_code == 302
    assert not Survey.objects.filter(pk=draft.pk).exists()
    open_round(survey, [alice_mentee])
    response = hr_client.post(f"/surveys/{survey.pk}/delete/", follow=True)
    assert "Pause it instead" in response.content.decode()
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_preview_shows_the_questions_without_a_form_to_send(hr_client, survey):
    page = hr_client.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert "How useful?" in page and "Nothing you do here is saved" in page and "<form" not in page.split("main")[1]


def test_builder_page_shows_questions_and_rounds(hr_client, survey, alice_mentee):
    open_round(survey, [alice_mentee])
    page = hr_client.get(f"/surveys/{survey.pk}/").content.decode()
    assert page.count('data-testid="question-row"') == 5 and 'data-testid="round-table"' in page


# --- Lists and their query counts -------------------------------------------------------

# Session, user, time zone, 2 savepoints, survey, questions, "answered yet?", rounds, navigation (2).
QUERIES_BUILDER = 11


@pytest.mark.parametrize("size", [1, 8])
def test_builder_page_query_count(hr_client, program, alice_mentee, size, django_assert_num_queries):
    survey = SurveyFactory(program=program)
    for _ in range(size):
        SurveyQuestionFactory(survey=survey)
        open_round(survey, [alice_mentee])
    hr_client.get("/")
    with django_assert_num_queries(QUERIES_BUILDER):
        page = hr_client.get(f"/surveys/{survey.pk}/").content.decode()
    assert page.count('data-testid="question-row"') == size


def _fill(program, size, alice_mentee):
    for n in range(size):
        survey = SurveyFactory(program=program, title=f"Survey {n}", anonymous=bool(n % 2))
        SurveyQuestionFactory(survey=survey)
        open_round(survey, [alice_mentee])


# Session, user, time zone, savepoints, program, surveys, their invitation numbers (one query),
# templates + their questions, navigation.
QUERIES_SURVEY_LIST = 12


@pytest.mark.parametrize("size", [1, 8])
def test_program_survey_list_query_count(hr_client, program, alice_mentee, size, django_assert_num_queries):
    _fill(program, size, alice_mentee)
    hr_client.get("/")
    with django_assert_num_queries(QUERIES_SURVEY_LIST):
        page = hr_client.get(f"/surveys/programs/{program.slug}/").content.decode()
    assert page.count('data-testid="survey-row"') == size
    assert page.count('data-testid="template-card"') == len(library.TEMPLATES)


# Session, user, time zone, savepoints, the programs with their numbers, their invitation numbers
# (one query), navigation.
QUERIES_PROGRAM_LIST = 9


@pytest.mark.parametrize("size", [1, 5])
def test_survey_program_list_query_count(hr_client, alice_mentee, size, django_assert_num_queries):
    for _ in range(size):
        _fill(RunningProgramFactory(), 2, alice_mentee)
    hr_client.get("/")
    with django_assert_num_queries(QUERIES_PROGRAM_LIST):
        page = hr_client.get("/surveys/programs/").content.decode()
    # alice_mentee's own program is listed too.
    assert page.count('data-testid="survey-program-row"') == size + 1


def test_owner_sees_only_their_programs_in_the_survey_index(client, owner, program):
    RunningProgramFactory(name="Someone else's program")
    client.force_login(owner)
    page = client.get("/surveys/programs/").content.decode()
    assert "Leadership Circle" in page and "Someone else" not in page


def test_the_django_admin_keeps_the_builders_rules(client, hr_admin, answered):
    hr_admin.is_superuser = True
    hr_admin.save()
    client.force_login(hr_admin)
    page = client.get(f"/admin/surveys/survey/{answered.pk}/change/").content.decode()
    assert 'name="questions-0-text"' in page and 'name="questions-0-kind"' not in page
    assert 'name="anonymous"' not in page and 'name="title"' in page
