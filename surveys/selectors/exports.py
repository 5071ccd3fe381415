"""The results CSV: attributed answers with names, anonymous answers pooled (``people.privacy``)."""

import random
from collections.abc import Iterable, Iterator

from django.db.models import CharField
from django.db.models.functions import Cast

from people import privacy
from programs.models import Role
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)


def survey_results_csv(*, survey: Survey) -> tuple[list[str], Iterable[list]]:
    """The export: anonymous surveys carry answers only, shuffled (no names, dates,
    roles or departments), and a question answered by fewer than the privacy
    minimum is left blank; attributed ones carry name, email, role, department,
    the round's day and the date answered, their rows produced while the responses
    are read (in chunks), so that the export can be streamed."""
    questions = list(survey.questions.all())
    if survey.anonymous:
        return _anonymous_csv(survey=survey, questions=questions)
    return _attributed_csv(survey=survey, questions=questions)


def _answer_value(number, choice, text) -> str:
    return str(number) if number is not None else (choice or text)


def _answers_by_response(*, survey: Survey, questions: list[SurveyQuestion]) -> dict[str, list[list[str]]]:
    """{response id as text: one list of values per question}, in the order answered.
    The ids stay text: making 100,000 UUID objects would cost more than the rest."""
    column = {q.pk: index for index, q in enumerate(questions)}
    found: dict[str, list[list[str]]] = {}
    for response_id, question_id, *value in (
        SurveyAnswer.objects.filter(response__survey=survey)
        .annotate(response_key=Cast("response_id", CharField()))
        .order_by("pk")
        .values_list("response_key", "question_id", "number", "choice", "text")
    ):
        if question_id in column:
            cells = found.get(response_id)
            if cells is None:
                cells = found[response_id] = [[] for _ in questions]
            cells[column[question_id]].append(_answer_value(*value))
    return found


def _attributed_csv(*, survey: Survey, questions: list[SurveyQuestion]) -> tuple[list[str], Iterator[list]]:
    answers = _answers_by_response(survey=survey, questions=questions)
    person = "invitation__enrollment__person__"
    responses = (
        SurveyResponse.objects.filter(survey=survey)
        .annotate(response_key=Cast("pk", CharField()))
        .values_list(
            "response_key",
            "role",
            "department",
            "submitted_on",
            "instance__occurs_on",
            f"{person}first_name",
            f"{person}last_name",
            f"{person}email",
        )
        .order_by("instance__occurs_on", f"{person}last_name", f"{person}first_name", "pk")
    )
    role_labels = dict(Role.choices)
    unanswered = [[] for _ in questions]

    def rows():
        for key, role, department, submitted_on, occurs_on, first, last, email in responses.iterator(chunk_size=2000):
            yield [
                f"{first} {last}".strip(),
                email,
                role_labels.get(role, role),
                department,
                occurs_on.isoformat() if occurs_on else "",
                submitted_on.isoformat(),
                *("; ".join(cell) for cell in answers.pop(key, unanswered)),
            ]

    header = ["Name", "Email", "Role", "Department", "Round", "Answered on", *(q.text for q in questions)]
    return header, rows()


def _anonymous_csv(*, survey: Survey, questions: list[SurveyQuestion]) -> tuple[list[str], list[list]]:
    answers = _answers_by_response(survey=survey, questions=questions)
    hidden = [
        index
        for index, _ in enumerate(questions)
        if not privacy.is_shown(sum(1 for cells in answers.values() if cells[index]))
    ]
    header = [
        f"{q.text} ({privacy.too_few_label()} answers: not shown)" if index in hidden else q.text
        for index, q in enumerate(questions)
    ]
    for cells in answers.values():
        for index in hidden:
            cells[index] = []
    ids = list(
        SurveyResponse.objects.filter(survey=survey)
        .annotate(response_key=Cast("pk", CharField()))
        .values_list("response_key", flat=True)
    )
    random.SystemRandom().shuffle(ids)
    unanswered = [[] for _ in questions]
    return header, [["; ".join(cell) for cell in answers.get(key, unanswered)] for key in ids]
