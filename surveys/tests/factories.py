import datetime

import factory
from django.utils import timezone

from matching.models import Pairing
from people.tests.factories import PersonFactory, UserFactory
from programs.models import Program, Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory, days_ago
from surveys import tallies
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInstance,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)


class RunningProgramFactory(ProgramFactory):
    status = Program.Status.RUNNING
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=120))


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey
        skip_postgeneration_save = True

    program = factory.SubFactory(RunningProgramFactory)
    title = factory.Sequence(lambda n: f"Survey {n}")
    audience = "both"
    trigger = "manual"
    open_days = 14
    reminder_days = 3
    status = Survey.Status.ACTIVE

    class Params:
        # "Pulse": a rating question ("How useful?"), then an NPS one ("Recommend?").
        pulse = factory.Trait(
            title="Pulse",
            rating=factory.RelatedFactory(
                "surveys.tests.factories.SurveyQuestionFactory", "survey", kind="rating", text="How useful?", order=1
            ),
            nps=factory.RelatedFactory(
                "surveys.tests.factories.SurveyQuestionFactory", "survey", kind="nps", text="Recommend?", order=2
            ),
        )


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
    tallies.survey_tallies_rebuild(survey=survey)  # Rows written directly: the running totals follow.
    return instance, invitations


class SurveyInstanceFactory(factory.django.DjangoModelFactory):
    """A round opened ``days_ago``, open for 14 days, with its reminder 3 days before closing."""

    class Meta:
        model = SurveyInstance
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    occurrence = factory.Sequence(lambda n: f"test:{n}")
    opens_at = factory.LazyAttribute(lambda o: days_ago(o.days_ago))
    occurs_on = factory.LazyAttribute(lambda o: timezone.localdate(o.opens_at))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + datetime.timedelta(days=14))
    remind_at = factory.LazyAttribute(lambda o: o.opens_at + datetime.timedelta(days=11))

    class Params:
        days_ago = 12

    @factory.post_generation
    def running_totals(obj, create, extracted, **kwargs):
        if create:
            tallies.survey_tallies_rebuild(survey=obj.survey)


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation
        skip_postgeneration_save = True
        django_get_or_create = ("instance", "enrollment")

    instance = factory.SubFactory(SurveyInstanceFactory)
    enrollment = factory.SubFactory(EnrollmentFactory, program=factory.SelfAttribute("..instance.survey.program"))
    role = factory.SelfAttribute("enrollment.role")

    @factory.post_generation
    def running_totals(obj, create, extracted, **kwargs):
        if create:
            tallies.survey_tallies_rebuild(survey=obj.instance.survey)


def _invitation_answered(instance, enrollment) -> SurveyInvitation:
    invitation = SurveyInvitationFactory(instance=instance, enrollment=enrollment)
    if not invitation.answered:
        invitation.answered = True
        invitation.save(update_fields=["answered"])
    return invitation


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """The answers of ``enrollment`` (invited if they were not) in a round, submitted
    ``days_ago``; attributed to their invitation unless ``anonymous``. ``answers``: question ->
    number."""

    class Meta:
        model = SurveyResponse
        exclude = ("answered_invitation",)
        skip_postgeneration_save = True

    class Params:
        enrollment = factory.SubFactory(EnrollmentFactory, mentee=True)
        days_ago = 10
        anonymous = False

    instance = factory.SubFactory(SurveyInstanceFactory)
    survey = factory.SelfAttribute("instance.survey")
    answered_invitation = factory.LazyAttribute(lambda o: _invitation_answered(o.instance, o.enrollment))
    invitation = factory.LazyAttribute(lambda o: None if o.anonymous else o.answered_invitation)
    edit_key_hash = factory.LazyAttribute(lambda o: "k" * 64 if o.anonymous else "")
    role = factory.SelfAttribute("enrollment.role")
    submitted_on = factory.LazyAttribute(lambda o: timezone.localdate(days_ago(o.days_ago)))

    @factory.post_generation
    def answers(obj, create, extracted, **kwargs):
        if create and extracted:
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=obj, question=question, number=number) for question, number in extracted.items()
            )
        if create:
            tallies.survey_tallies_rebuild(survey=obj.survey)
