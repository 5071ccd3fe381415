"""Answering: your own invitations only, clear errors for bad input with nothing
saved, changes until the round closes, and anonymous answers without a link to you."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programs.models import Role
from surveys import anonymity, selectors, services
from surveys.models import SealedSurveyResponse, SurveyAnswer, SurveyInstance, SurveyInvitation, SurveyResponse
from surveys.tests.factories import SurveyFactory, SurveyQuestionFactory, open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_invitation(survey, alice_mentee, bob_mentor):
    _, (alice_inv, _) = open_round(survey, [alice_mentee, bob_mentor])
    return alice_inv


def url(invitation):
    return f"/surveys/invitations/{invitation.pk}/"


def field_names(survey):
    return {q.kind: f"q_{q.pk}" for q in survey.questions.all()}


def valid_post(survey, **overrides):
    names = field_names(survey)
    data = {names["rating"]: "4", names["nps"]: "9", names["single"]: "Yes", names["multiple"]: ["A", "C"]}
    data[names["text"]] = "Very helpful."
    data.update({names[kind]: value for kind, value in overrides.items()})
    return {k: v for k, v in data.items() if v is not None}


# --- Permissions ------------------------------------------------------------------------


def test_participant_sees_their_invitation_form(client, alice, alice_invitation):
    client.force_login(alice)
    page = client.get(url(alice_invitation)).content.decode()
    assert 'data-testid="answer-form"' in page and "How useful?" in page and "Recommend?" in page
    assert 'data-testid="attributed-note"' in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_invitation_is_a_404_even_for_hr(client, bob, hr_admin, survey, alice_invitation, method):
    for user in (bob, hr_admin):
        client.force_login(user)
        response = getattr(client, method)(url(alice_invitation), valid_post(survey) if method == "post" else None)
        assert response.status_code == 404
    assert not SurveyResponse.objects.exists()


def test_signed_out_visitor_is_sent_to_sign_in(client, alice_invitation):
    response = client.get(url(alice_invitation))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Answering and changing answers -----------------------------------------------------


def test_answers_are_saved_with_the_person_for_an_attributed_survey(client, alice, survey, alice_invitation):
    client.force_login(alice)
    response = client.post(url(alice_invitation), valid_post(survey))
    assert response.status_code == 302 and response["Location"] == "/surveys/"
    saved = SurveyResponse.objects.get()
    assert saved.invitation == alice_invitation and saved.role == Role.MENTEE and saved.department == "Engineering"
    answers = {(a.question.kind, a.number, a.choice, a.text) for a in saved.answers.select_related("question")}
    assert answers == {
        ("rating", 4, "", ""),
        ("nps", 9, "", ""),
        ("single", None, "Yes", ""),
        ("multiple", None, "A", ""),
        ("multiple", None, "C", ""),
        ("text", None, "", "Very helpful."),
    }
    alice_invitation.refresh_from_db()
    assert alice_invitation.answered


def test_answers_can_be_changed_until_the_round_closes(client, alice, survey, alice_invitation):
    client.force_login(alice)
    client.post(url(alice_invitation), valid_post(survey))
    page = client.get(url(alice_invitation)).content.decode()
    assert "Save my changes" in page and 'value="4" autocomplete="off" checked' in page
    client.post(url(alice_invitation), valid_post(survey, rating="2", multiple=["B"], text=""))
    saved = SurveyResponse.objects.get()
    assert saved.answers.get(question__kind="rating").number == 2
    assert list(saved.answers.filter(question__kind="multiple").values_list("choice", flat=True)) == ["B"]
    assert not saved.answers.filter(question__kind="text").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nps": "11"}, "Choose a number from 0 to 10."),
        ({"rating": "0"}, "Choose a number from 1 to 5."),
        ({"rating": None}, "Please answer this question."),
        ({"single": "Maybe"}, "Choose one of the options offered."),
        ({"multiple": ["A", "Z"]}, "Choose only among the options offered."),
        ({"text": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_answers_are_form_errors_and_nothing_is_saved(client, alice, survey, alice_invitation, overrides, message):
    client.force_login(alice)
    response = client.post(url(alice_invitation), valid_post(survey, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    alice_invitation.refresh_from_db()
    assert not alice_invitation.answered


def test_an_empty_answer_sheet_is_refused(client, alice, program, alice_mentee):
    optional = SurveyFactory(program=program)
    SurveyQuestionFactory(survey=optional, kind="text", required=False)
    _, (invitation,) = open_round(optional, [alice_mentee])
    client.force_login(alice)
    response = client.post(url(invitation), {})
    assert "Answer at least one question" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_closed_survey_refuses_answers_with_a_clear_message(client, alice, survey, alice_invitation):
    SurveyInstance.objects.update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(alice)
    response = client.post(url(alice_invitation), valid_post(survey), follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="survey-closed"' in page
    assert "no longer accepts answers" in page and 'data-testid="answer-form"' not in page
    assert not SurveyResponse.objects.exists()


def test_the_closed_page_shows_your_own_attributed_answers(client, alice, survey, alice_invitation):
    answers = {survey.questions.get(kind="rating").pk: 3, survey.questions.get(kind="nps").pk: 7}
    services.survey_response_submit(invitation=alice_invitation, answers=answers)
    SurveyInstance.objects.update(status=SurveyInstance.Status.CLOSED)
    client.force_login(alice)
    page = client.get(url(alice_invitation)).content.decode()
    assert 'data-testid="own-answers"' in page and "How useful?" in page


def test_service_refuses_bad_input_without_the_form(survey, alice_invitation):
    nps = survey.questions.get(kind="nps").pk
    rating = survey.questions.get(kind="rating").pk
    with pytest.raises(ValidationError) as error:
        services.survey_response_submit(invitation=alice_invitation, answers={rating: 3, nps: 11})
    assert error.value.message_dict == {f"q_{nps}": ["Choose a number from 0 to 10."]}
    later = timezone.now() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError, match="closed"):
        services.survey_response_submit(invitation=alice_invitation, answers={rating: 3, nps: 5}, now=later)
    assert not SurveyResponse.objects.exists()


# --- Anonymous surveys ------------------------------------------------------------------


def test_anonymous_answer_is_sealed_with_no_link_to_the_person(client, alice, anonymous_survey, alice_mentee):
    _, (invitation,) = open_round(anonymous_survey, [alice_mentee])
    rating, text = (f"q_{q.pk}" for q in anonymous_survey.questions.all())
    client.force_login(alice)
    page = client.get(url(invitation)).content.decode()
    assert 'data-testid="anonymous-note"' in page
    response = client.post(url(invitation), {rating: "5", text: "Loved it"})
    assert response.status_code == 302
    # Alone in its group, the answer waits sealed: nothing readable is stored.
    assert not SurveyResponse.objects.exists()
    sealed = SealedSurveyResponse.objects.get()
    assert "Loved it" not in sealed.sealed and len(sealed.edit_key_hash) == 64
    field_names = {f.name for f in SealedSurveyResponse._meta.get_fields()}
    assert not field_names & {"person", "user", "enrollment", "invitation", "created_at", "submitted_on"}
    invitation.refresh_from_db()
    assert invitation.answered and invitation.invited_at is not None
    cookie = response.cookies[f"survey_key_{invitation.pk}"]
    assert cookie["httponly"] and cookie["path"] == url(invitation)
    assert sealed.edit_key_hash == anonymity.edit_key_hash(cookie.value)


def test_anonymous_answers_can_be_changed_from_the_same_browser_only(
    client, alice, anonymous_survey, alice_mentee, django_user_model
):
    _, (invitation,) = open_round(anonymous_survey, [alice_mentee])
    rating, text = (f"q_{q.pk}" for q in anonymous_survey.questions.all())
    client.force_login(alice)
    client.post(url(invitation), {rating: "5", text: "Loved it"})
    page = client.get(url(invitation)).content.decode()
    assert "Loved it" in page and "Save my changes" in page
    client.post(url(invitation), {rating: "2", text: ""})
    assert anonymity.answers_of(
        invitation=invitation, edit_key=client.cookies[f"survey_key_{invitation.pk}"].value
    ) == {anonymous_survey.questions.get(kind="rating").pk: 2}

    client.cookies.clear()
    client.force_login(alice)
    page = client.get(url(invitation)).content.decode()
    assert 'data-testid="already-answered"' in page and 'data-testid="answer-form"' not in page
    client.post(url(invitation), {rating: "1"})
    assert SealedSurveyResponse.objects.count() == 1


def test_a_stolen_invitation_id_cannot_add_a_second_anonymous_answer(anonymous_survey, alice_mentee):
    _, (invitation,) = open_round(anonymous_survey, [alice_mentee])
    rating = anonymous_survey.questions.get(kind="rating").pk
    services.survey_response_submit(invitation=invitation, answers={rating: 4})
    stale = SurveyInvitation.objects.get(pk=invitation.pk)
    stale.answered = False  # as if two tabs submitted at once
    with pytest.raises(ValidationError, match="already answered"):
        services.survey_response_submit(invitation=stale, answers={rating: 1})
    assert SealedSurveyResponse.objects.count() == 1


# --- Pending surveys and my surveys page ------------------------------------------------


def test_pending_lists_only_my_unanswered_open_invitations(survey, program, alice, alice_mentee, bob_mentor):
    _, (mine, _) = open_round(survey, [alice_mentee, bob_mentor])
    answered_survey = SurveyFactory(program=program)
    SurveyQuestionFactory(survey=answered_survey)
    _, (answered,) = open_round(answered_survey, [alice_mentee])
    services.survey_response_submit(invitation=answered, answers={answered_survey.questions.get().pk: 5})
    closed_survey = SurveyFactory(program=program)
    instance, _ = open_round(closed_survey, [alice_mentee])
    SurveyInstance.objects.filter(pk=instance.pk).update(closes_at=timezone.now() - datetime.timedelta(hours=1))
    assert list(selectors.surveys_pending_for(user=alice)) == [mine]


def test_home_page_shows_pending_surveys(client, alice, alice_invitation):
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert 'data-testid="pending-surveys"' in page and url(alice_invitation) in page


def test_my_surveys_page_shows_nobody_elses_invitations(client, bob, alice_invitation):
    client.force_login(bob)
    page = client.get("/surveys/").content.decode()
    assert page.count('data-testid="invitation-row"') == 1  # bob's own, not alice's
    assert f"/surveys/invitations/{alice_invitation.pk}/" not in page


def test_my_surveys_page_lists_open_and_closed(client, alice, survey, alice_invitation, program, alice_mentee):
    old = SurveyFactory(program=program, title="Last spring")
    instance, _ = open_round(old, [alice_mentee])
    SurveyInstance.objects.filter(pk=instance.pk).update(status=SurveyInstance.Status.CLOSED)
    client.force_login(alice)
    page = client.get("/surveys/").content.decode()
    assert 'data-testid="open-invitations"' in page and "Check-in" in page
    assert 'data-testid="closed-invitations"' in page and "Last spring" in page


# Session, user, time zone, savepoints, the two lists and the navigation bar's three.
QUERIES_MY_SURVEYS = 10


@pytest.mark.parametrize("size", [1, 6])
def test_my_surveys_page_query_count_does_not_grow(
    client, alice, program, alice_mentee, size, django_assert_num_queries
):
    for n in range(size):
        survey = SurveyFactory(program=program, title=f"S{n}")
        instance, _ = open_round(survey, [alice_mentee])
        if n % 2:
            SurveyInstance.objects.filter(pk=instance.pk).update(status=SurveyInstance.Status.CLOSED)
    client.force_login(alice)
    client.get("/surveys/")  # warm the session
    with django_assert_num_queries(QUERIES_MY_SURVEYS):
        assert client.get("/surveys/").status_code == 200


def test_other_people_do_not_see_my_pending_surveys(bob, alice_invitation):
    pending = list(selectors.surveys_pending_for(user=bob))
    assert alice_invitation not in pending and len(pending) == 1


def test_a_double_clicked_anonymous_answer_is_saved_once_without_an_error(
    client, alice, anonymous_survey, alice_mentee
):
    from mentorship.tests.submission import form_token, post_twice

    _, (invitation,) = open_round(anonymous_survey, [alice_mentee])
    rating = f"q_{anonymous_survey.questions.get(kind='rating').pk}"
    client.force_login(alice)
    token = form_token(client, url(invitation), "answer-form")
    first, second = post_twice(client, url(invitation), {rating: "4"}, token)
    # Without the token the second click would meet "You have already answered".
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == "/surveys/"
    assert SealedSurveyResponse.objects.count() == 1
    assert "You sent this form twice: it was handled once." in client.get("/surveys/").content.decode()
