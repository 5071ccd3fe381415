import datetime

import factory
from django.utils import timezone

from matching.models import Pairing
from people.tests.factories import PersonFactory, UserFactory
from programs.models import Program, Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from surveys.models import Survey, SurveyInstance, SurveyInvitation, SurveyQuestion


class RunningProgramFactory(ProgramFactory):
    status = Program.Status.RUNNING
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=120))


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    program = factory.SubFactory(RunningProgramFactory)
    title = factory.Sequence(lambda n: f"Survey {n}")
    audience = "both"
    trigger = "manual"
    open_days = 14
    reminder_days = 3
    status = Survey.Status.ACTIVE


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    kind = "rating"
    text = factory.Sequence(lambda n: f"Question {n}?")
    order = factory.Sequence(lambda n: n)


def participant(program, *, role=Role.MENTEE, user=None, department=None, **person_fields):
    """An approved enrollment of a person with an account."""
    user = user or UserFactory()
    person = getattr(user, "person", None)
    if person is None:
        extra = {"department": department} if department is not None else {}
        person = PersonFactory(
            email=user.email, first_name=user.first_name, last_name=user.last_name, user=user, **extra, **person_fields
        )
    elif department is not None:
        person.department = department
        person.save(update_fields=["department"])
    return EnrollmentFactory(program=program, person=person, role=role)


def pairing(program, *, mentor=None, mentee=None, status=Pairing.Status.ACTIVE, started_at=None):
    mentor = mentor or participant(program, role=Role.MENTOR)
    mentee = mentee or participant(program, role=Role.MENTEE)
    return Pairing.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=status,
        started_at=started_at if started_at is not None else timezone.now() - datetime.timedelta(days=10),
    )


def open_round(survey, enrollments, *, now=None, days_open=14, occurrence=None, occurs_on=None, pairing=None):
    """An open round of ``survey`` with an invitation for each enrollment."""
    now = now or timezone.now()
    closes_at = now + datetime.timedelta(days=days_open)
    instance = SurveyInstance.objects.create(
        survey=survey,
        occurrence=occurrence or f"test:{SurveyInstance.objects.count() + 1}",
        occurs_on=occurs_on or timezone.localdate(now),
        opens_at=now,
        closes_at=closes_at,
        remind_at=closes_at - datetime.timedelta(days=survey.reminder_days),
        pairing=pairing,
    )
    invitations = [
        SurveyInvitation.objects.create(instance=instance, enrollment=e, role=e.role, invited_at=now)
        for e in enrollments
    ]
    return instance, invitations
