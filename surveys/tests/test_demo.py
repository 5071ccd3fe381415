"""The demo data: surveys with a spread of answers in the running program."""

import datetime
import random

import pytest
from django.utils import timezone

from matching.models import Pairing
from people.tests.factories import UserFactory
from programs.models import Program, Role
from surveys.demo import seed_surveys
from surveys.models import Survey, SurveyInstance, SurveyInvitation, SurveyResponse
from surveys.tests.factories import RunningProgramFactory, pairing, participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_program(db):
    """A running program at its 60th day with a few pairings, one ended early."""
    program = RunningProgramFactory(name="Demo Leadership", cadence_days=14)
    started = timezone.now() - datetime.timedelta(days=50)
    for _ in range(8):
        pairing(program, started_at=started)
    ended = Pairing.objects.filter(program=program).first()
    Pairing.objects.filter(pk=ended.pk).update(status=Pairing.Status.ENDED, ended_at=ended.started_at)
    mentee = UserFactory(email="mentee@demo.example")
    pairing(program, mentee=participant(program, role=Role.MENTEE, user=mentee), started_at=started)
    return program


def test_seed_gives_the_running_program_surveys_with_answers(demo_program):
    answered = seed_surveys(random.Random(1))
    surveys = Survey.objects.filter(program=demo_program)
    assert surveys.count() == 6 and set(surveys.values_list("status", flat=True)) == {"active"}
    assert answered == SurveyResponse.objects.count() > 20
    assert SurveyInstance.objects.filter(survey__trigger="session_held").count() >= 9
    assert SurveyInstance.objects.filter(survey__trigger="program_midpoint").count() == 0  # day 60 of 180
    assert SurveyInstance.objects.filter(survey__trigger="pairing_ended").count() == 1
    ratings = set(
        SurveyResponse.objects.filter(answers__question__kind="rating").values_list("answers__number", flat=True)
    )
    assert len(ratings) >= 3  # a spread, not one value
    # The demo mentee finds an open survey waiting for them.
    demo_mentee = SurveyInvitation.objects.filter(enrollment__person__email="mentee@demo.example")
    assert demo_mentee.filter(answered=False, instance__status="open").exists()


def test_seeding_twice_changes_nothing(demo_program):
    seed_surveys(random.Random(1))
    counts = (Survey.objects.count(), SurveyInstance.objects.count(), SurveyResponse.objects.count())
    assert seed_surveys(random.Random(2)) == 0
    assert (Survey.objects.count(), SurveyInstance.objects.count(), SurveyResponse.objects.count()) == counts


def test_seed_without_a_running_program_does_nothing(db):
    RunningProgramFactory(status=Program.Status.ENROLLING)
    assert seed_surveys(random.Random(1)) == 0
    assert not Survey.objects.in_programs().exists()
