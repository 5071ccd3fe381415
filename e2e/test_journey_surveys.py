"""Journeys of a participant answering a survey from their home page."""

import re

import pytest

from people.tests.factories import PASSWORD
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from surveys.tests.factories import SurveyFactory, SurveyQuestionFactory, open_round, participant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pending(db, alice):
    survey = SurveyFactory(title="30-day check-in", program__name="Leadership Circle")
    rating = SurveyQuestionFactory(survey=survey, kind="rating", text="How useful are your sessions?", order=1)
    nps = SurveyQuestionFactory(survey=survey, kind="nps", text="How likely are you to recommend the program?", order=2)
    enrollment = participant(survey.program, user=alice)
    _, [invitation] = open_round(survey, [enrollment])
    return invitation, rating, nps


def _question(page, text):
    return page.locator('[data-testid="question"]', has_text=text)


def _pick(page, text, value):
    # The scale's radios are styled as buttons: the user clicks the visible label.
    _question(page, text).locator("label.survey-scale-btn", has_text=re.compile(rf"^{value}$")).click()


def _open_from_home(page, sign_in, alice):
    sign_in(alice.email, PASSWORD)
    pending_survey = page.locator('[data-testid="pending-surveys"] [data-testid="pending-survey"]')
    assert pending_survey.count() == 1
    assert "30-day check-in" in pending_survey.inner_text()
    pending_survey.click()
    assert page.locator('[data-testid="page-title"]').inner_text() == "30-day check-in"
    assert page.locator('[data-testid="attributed-note"]').is_visible()


def test_participant_answers_a_pending_survey_from_their_home_page(page, sign_in, screenshot, alice, pending):
    invitation, rating, nps = pending
    _open_from_home(page, sign_in, alice)
    _pick(page, "How useful are your sessions?", 4)
    _pick(page, "How likely are you to recommend the program?", 9)
    page.wait_for_timeout(400)  # let the buttons' colour transition end, for the screenshot
    screenshot("survey-answering")
    with page.expect_navigation():
        page.click('[data-testid="submit-answers"]')

    assert page.locator(".alert-success", has_text="Thank you! You can change your answers until").is_visible()
    row = page.locator('[data-testid="invitation-row"]', has_text="30-day check-in")
    assert "Answered" in row.inner_text()
    screenshot("survey-answered")

    invitation.refresh_from_db()
    assert invitation.answered
    response = SurveyResponse.objects.get(invitation=invitation)
    numbers = dict(SurveyAnswer.objects.filter(response=response).values_list("question_id", "number"))
    assert numbers == {rating.pk: 4, nps.pk: 9}

    page.goto("/")
    assert page.locator('[data-testid="pending-surveys"]').count() == 0  # nothing waits any more


def test_leaving_a_required_question_empty_is_refused_and_saves_nothing(page, sign_in, alice, pending):
    invitation, _, _ = pending
    _open_from_home(page, sign_in, alice)
    _pick(page, "How useful are your sessions?", 2)
    with page.expect_navigation():
        page.click('[data-testid="submit-answers"]')

    assert page.locator('[data-testid="form-errors"]').is_visible()
    nps_question = _question(page, "How likely are you to recommend the program?")
    assert nps_question.locator('[data-testid="field-error"]').inner_text() == "Please answer this question."
    # The answer already given is kept on the page.
    assert _question(page, "How useful are your sessions?").locator("input[value='2']").is_checked()
    assert not SurveyResponse.objects.exists()
    assert not SurveyInvitation.objects.get(pk=invitation.pk).answered


def test_an_nps_of_11_forged_past_the_widget_is_refused(page, sign_in, alice, pending):
    invitation, rating, nps = pending
    _open_from_home(page, sign_in, alice)
    # The page offers 0-10 only; post 11 with the page's own CSRF token, as a tampered form would.
    token = page.input_value("input[name=csrfmiddlewaretoken]")
    response = page.request.post(
        page.url,
        form={"csrfmiddlewaretoken": token, f"q_{rating.pk}": "4", f"q_{nps.pk}": "11"},
        headers={"Referer": page.url},
    )
    assert response.status == 200  # the form again, not the redirect after saving
    assert "Choose a number from 0 to 10." in response.text()
    assert not SurveyResponse.objects.exists()
    assert not SurveyInvitation.objects.get(pk=invitation.pk).answered
