import pytest

from programs.models import Role
from surveys.tests.factories import RunningProgramFactory, SurveyFactory, SurveyQuestionFactory, pairing, participant


@pytest.fixture
def program(db, owner):
    program = RunningProgramFactory(name="Leadership Circle")
    program.owners.add(owner)
    return program


@pytest.fixture
def alice_mentee(program, alice):
    return participant(program, role=Role.MENTEE, user=alice)


@pytest.fixture
def bob_mentor(program, bob):
    return participant(program, role=Role.MENTOR, user=bob)


@pytest.fixture
def alice_and_bob(program, alice_mentee, bob_mentor):
    return pairing(program, mentor=bob_mentor, mentee=alice_mentee)


@pytest.fixture
def survey(program):
    """An attributed survey with one question of each kind."""
    survey = SurveyFactory(program=program, title="Check-in", anonymous=False)
    SurveyQuestionFactory(survey=survey, kind="rating", text="How useful?", required=True)
    SurveyQuestionFactory(survey=survey, kind="nps", text="Recommend?", required=True)
    SurveyQuestionFactory(survey=survey, kind="single", text="Fit?", choices=["Yes", "No"], required=False)
    SurveyQuestionFactory(survey=survey, kind="multiple", text="Topics?", choices=["A", "B", "C"], required=False)
    SurveyQuestionFactory(survey=survey, kind="text", text="Anything else?", required=False)
    return survey


@pytest.fixture
def anonymous_survey(program):
    survey = SurveyFactory(program=program, title="Pulse (anonymous)", anonymous=True)
    SurveyQuestionFactory(survey=survey, kind="rating", text="How useful?", required=True)
    SurveyQuestionFactory(survey=survey, kind="text", text="Anything else?", required=False)
    return survey
