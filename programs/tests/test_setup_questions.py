"""HR's custom enrollment questions: kinds, choices, mentee -> mentor mapping, order, locking."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Program, ProgramQuestion, Role
from programs.services.setup import program_question_create, program_question_update
from programs.tests.factories import ProgramFactory, ProgramQuestionFactory

pytestmark = pytest.mark.django_db
Kind = ProgramQuestion.Kind


@pytest.fixture
def program():
    return ProgramFactory(slug="leadership-circle", status=Program.Status.ENROLLING)


def url(name, program, **kwargs):
    return reverse(f"programs:{name}", kwargs={"slug": program.slug, **kwargs})


def question_data(**overrides):
    data = {"audience": "mentee", "text": "Which function interests you?", "help_text": "", "kind": "text"}
    data.update(overrides)
    return data


def test_hr_adds_a_choice_question_with_one_choice_per_line(hr_client, program):
    response = hr_client.post(
        url("program_question_create", program),
        question_data(kind="single", choices="Sales\r\n\r\n  Finance \r\nEngineering", required="on"),
    )
    assert response.status_code == 302
    question = program.questions.get()
    assert question.choices == ["Sales", "Finance", "Engineering"]
    assert (question.kind, question.audience, question.required) == (Kind.SINGLE, Role.MENTEE, True)


def test_choices_typed_for_a_text_question_are_dropped(hr_client, program):
    hr_client.post(url("program_question_create", program), question_data(kind="scale", choices="A\nB"))
    assert program.questions.get().choices == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "multiple", "choices": ""}, "List at least two choices, one per line."),
        ({"kind": "single", "choices": "Only one"}, "List at least two choices, one per line."),
        ({"kind": "single", "choices": "Sales\nsales"}, "“sales” is listed twice."),
        ({"text": ""}, "This field is required."),
        ({"kind": "essay"}, "Select a valid choice"),
        ({"audience": "manager"}, "Select a valid choice"),
    ],
)
def test_bad_question_shows_an_error_and_saves_nothing(hr_client, program, overrides, message):
    response = hr_client.post(url("program_question_create", program), question_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not program.questions.exists()


def test_mentee_question_maps_to_a_mentor_question(hr_client, program):
    teach = ProgramQuestionFactory(
        program=program, audience=Role.MENTOR, kind=Kind.MULTIPLE, choices=["Sales", "Finance"]
    )
    hr_client.post(
        url("program_question_create", program),
        question_data(kind="single", choices="Sales\nFinance", maps_to=teach.pk),
    )
    assert program.questions.get(audience=Role.MENTEE).maps_to == teach


def test_mapping_a_mentee_question_to_a_mentee_question_is_refused(hr_client, program, hr_admin):
    other_mentee_q = ProgramQuestionFactory(program=program, audience=Role.MENTEE)
    response = hr_client.post(url("program_question_create", program), question_data(maps_to=other_mentee_q.pk))
    assert "Choose a mentor question of this program" in response.content.decode()
    assert program.questions.count() == 1
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError, match="is asked of mentees"):
        program_question_create(
            program=program, user=hr_admin, audience=Role.MENTEE, text="Q", kind=Kind.TEXT, maps_to=other_mentee_q
        )


def test_mapping_to_another_programs_question_or_an_incompatible_kind_is_refused(hr_client, program, hr_admin):
    elsewhere = ProgramQuestionFactory(audience=Role.MENTOR)
    response = hr_client.post(url("program_question_create", program), question_data(maps_to=elsewhere.pk))
    assert "Choose a mentor question of this program" in response.content.decode()
    scale = ProgramQuestionFactory(program=program, audience=Role.MENTOR, kind=Kind.SCALE, text="How senior?")
    response = hr_client.post(url("program_question_create", program), question_data(kind="text", maps_to=scale.pk))
    assert "“How senior?” is a scale 1-5 question; a free text question can&#x27;t be matched against it." in (
        response.content.decode()
    )
    assert not program.questions.filter(audience=Role.MENTEE).exists()
    with pytest.raises(ValidationError, match="Choose a mentor question of this program."):
        program_question_create(
            program=program, user=hr_admin, audience=Role.MENTEE, text="Q", kind=Kind.TEXT, maps_to=elsewhere
        )


def test_a_mentor_question_cannot_be_mapped(hr_client, program):
    target = ProgramQuestionFactory(program=program, audience=Role.MENTOR)
    response = hr_client.post(
        url("program_question_create", program), question_data(audience="mentor", maps_to=target.pk)
    )
    assert "Only a mentee question can be matched against a mentor question." in response.content.decode()
    assert program.questions.count() == 1


def test_a_mentor_question_others_map_to_cannot_become_a_mentee_question(program, hr_admin):
    target = ProgramQuestionFactory(program=program, audience=Role.MENTOR)
    ProgramQuestionFactory(program=program, audience=Role.MENTEE, maps_to=target)
    with pytest.raises(ValidationError, match="remove that mapping"):
        program_question_update(question=target, user=hr_admin, audience=Role.MENTEE)
    target.refresh_from_db()
    assert target.audience == Role.MENTOR


def test_hr_edits_a_question(hr_client, program):
    question = ProgramQuestionFactory(program=program, kind=Kind.SINGLE, choices=["A", "B"])
    page = hr_client.get(url("program_question_edit", program, pk=question.pk)).content.decode()
    assert "A\nB</textarea>" in page
    hr_client.post(
        url("program_question_edit", program, pk=question.pk),
        question_data(text="Renamed?", kind="multiple", choices="A\nB\nC"),
    )
    question.refresh_from_db()
    assert (question.text, question.kind, question.choices) == ("Renamed?", Kind.MULTIPLE, ["A", "B", "C"])


@pytest.mark.parametrize("status", [Program.Status.MATCHING, Program.Status.RUNNING, Program.Status.CLOSED])
def test_questions_are_locked_once_matching_started(hr_client, status):
    program = ProgramFactory(status=status)
    question = ProgramQuestionFactory(program=program, text="Original?")
    response = hr_client.post(url("program_question_edit", program, pk=question.pk), question_data(text="Changed?"))
    assert response.status_code == 200
    assert "Questions can&#x27;t be changed while the program is" in response.content.decode()
    question.refresh_from_db()
    assert question.text == "Original?"

    hr_client.post(url("program_question_create", program), question_data())
    hr_client.post(url("program_question_delete", program, pk=question.pk))
    assert list(program.questions.all()) == [question]

    page = hr_client.get(url("program_question_list", program)).content.decode()
    assert 'data-testid="questions-locked"' in page
    assert 'data-testid="add-question"' not in page


def test_hr_deletes_a_question_after_confirming(hr_client, program):
    question = ProgramQuestionFactory(program=program, text="Going away?")
    page = hr_client.get(url("program_question_delete", program, pk=question.pk)).content.decode()
    assert "Delete question “Going away?”?" in page
    hr_client.post(url("program_question_delete", program, pk=question.pk))
    assert not program.questions.exists()


def test_questions_are_reordered_within_their_audience(hr_client, program):
    first, second, third = (ProgramQuestionFactory(program=program, text=t) for t in ("One", "Two", "Three"))
    mentor = ProgramQuestionFactory(program=program, audience=Role.MENTOR)
    hr_client.post(url("program_question_move", program, pk=third.pk), {"direction": "up"})
    assert list(program.questions.filter(audience=Role.MENTEE)) == [first, third, second]
    hr_client.post(url("program_question_move", program, pk=first.pk), {"direction": "up"})  # already first
    hr_client.post(url("program_question_move", program, pk=first.pk), {"direction": "sideways"})
    assert list(program.questions.filter(audience=Role.MENTEE)) == [first, third, second]
    mentor.refresh_from_db()
    assert mentor.order == 0
    # Moving needs a POST.
    assert hr_client.get(url("program_question_move", program, pk=first.pk)).status_code == 405


def test_new_questions_go_last(hr_client, program):
    ProgramQuestionFactory(program=program, order=5)
    hr_client.post(url("program_question_create", program), question_data(text="Last?"))
    assert program.questions.get(text="Last?").order == 6


def test_question_of_another_program_is_404(hr_client, program):
    other = ProgramQuestionFactory()
    assert hr_client.get(url("program_question_edit", program, pk=other.pk)).status_code == 404
    assert hr_client.post(url("program_question_delete", program, pk=other.pk)).status_code == 404
    assert ProgramQuestion.objects.filter(pk=other.pk).exists()


def test_owner_and_participant_cannot_manage_questions(client, program, owner, alice):
    program.owners.add(owner)
    for user in (owner, alice):
        client.force_login(user)
        assert client.post(url("program_question_create", program), question_data()).status_code == 403
    assert not program.questions.exists()


@pytest.mark.parametrize("size", [2, 12])
def test_question_list_query_count_does_not_grow(client, hr_admin, program, django_assert_num_queries, size):
    for i in range(size):
        target = ProgramQuestionFactory(program=program, audience=Role.MENTOR, kind=Kind.SINGLE, choices=["A", "B"])
        ProgramQuestionFactory(program=program, maps_to=target if i % 2 else None)
    client.force_login(hr_admin)
    with django_assert_num_queries(9):
        response = client.get(url("program_question_list", program))
    assert response.content.decode().count('data-testid="question-row"') == 2 * size
