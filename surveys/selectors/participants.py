"""Survey reads for participants: pending invitations, their own answers."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys import anonymity
from surveys.models import (
    Survey,
    SurveyInstance,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)

# --- Participants -----------------------------------------------------------------------


def _open_q(now: datetime, prefix: str = "instance__") -> Q:
    return Q(**{f"{prefix}status": SurveyInstance.Status.OPEN, f"{prefix}closes_at__gt": now})


def surveys_pending_for(*, user, now: datetime | None = None) -> QuerySet[SurveyInvitation]:
    """The user's unanswered invitations to rounds still open, closing soonest first."""
    now = now or timezone.now()
    return (
        SurveyInvitation.objects.for_user(user)
        .filter(_open_q(now), answered=False)
        .select_related("instance__survey__program")
        .order_by("instance__closes_at", "pk")
    )


def survey_invitations_for(*, user, now: datetime | None = None, closed_limit: int = 20) -> dict:
    """The user's survey page: open invitations (answered or not) and the latest closed ones."""
    now = now or timezone.now()
    mine = SurveyInvitation.objects.for_user(user).select_related("instance__survey__program")
    return {
        "open": list(mine.filter(_open_q(now)).order_by("answered", "instance__closes_at", "pk")),
        "closed": list(mine.exclude(_open_q(now)).order_by("-instance__closes_at", "-pk")[:closed_limit]),
    }


def survey_own_answers(*, invitation: SurveyInvitation, edit_key: str = "") -> dict[int, object] | None:
    """The invitation's own answers ({question id: value}), or None: linked to it for an
    attributed survey; for an anonymous one, only those whose secret key the
    respondent's browser holds (sealed or released, see ``surveys.anonymity``)."""
    if invitation.instance.survey.anonymous:
        return anonymity.answers_of(invitation=invitation, edit_key=edit_key)
    response = SurveyResponse.objects.filter(invitation=invitation).first()
    if response is None:
        return None
    answers: dict[int, object] = {}
    for question_id, kind, number, choice, text in response.answers.values_list(
        "question_id", "question__kind", "number", "choice", "text"
    ):
        if kind in SurveyQuestion.NUMBER_KINDS:
            answers[question_id] = number
        elif kind == SurveyQuestion.Kind.MULTIPLE:
            answers.setdefault(question_id, []).append(choice)
        elif kind == SurveyQuestion.Kind.SINGLE:
            answers[question_id] = choice
        else:
            answers[question_id] = text
    return answers


def survey_answers_released(*, invitation: SurveyInvitation, edit_key: str = "") -> bool:
    """Whether an anonymous respondent's answers have joined the results (and are final)."""
    return anonymity.released_of(invitation=invitation, edit_key=edit_key) is not None


def survey_response_lines(*, survey: Survey, answers: dict | None) -> list[tuple[str, str]]:
    """Answers as (question, answer) lines, in question order, for their author."""
    if not answers:
        return []
    lines = []
    for question in survey.questions.all():
        value = answers.get(question.pk)
        if value not in (None, "", []):
            lines.append((question.text, ", ".join(value) if isinstance(value, list) else str(value)))
    return lines


def survey_response_initial(*, answers: dict | None) -> dict:
    """Answers as the answer form's initial data (``q_<id>`` -> value)."""
    return {
        f"q_{question_id}": value if isinstance(value, list) else str(value)
        for question_id, value in (answers or {}).items()
    }
