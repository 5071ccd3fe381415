import datetime

import factory
from django.utils import timezone

from matching.models import MatchRun, MentorshipRequest, Pairing
from people.tests.factories import PersonFactory, UserFactory
from programs.models import Enrollment, Program, Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory, days_ago


def matching_program(**kwargs) -> Program:
    """A program in the matching stage (admin-matched unless told otherwise)."""
    kwargs.setdefault("status", Program.Status.MATCHING)
    kwargs.setdefault("matching_mode", Program.MatchingMode.ADMIN)
    return ProgramFactory(**kwargs)


def participant(program, role, *, user=True, capacity=None, person=None, **kwargs) -> Enrollment:
    """An approved participant; with ``user`` they can sign in (email = the person's)."""
    if person is None:
        person_kwargs = {k[7:]: kwargs.pop(k) for k in list(kwargs) if k.startswith("person_")}
        person = PersonFactory(**person_kwargs)
    if user and person.user_id is None:
        person.user = UserFactory(email=person.email, first_name=person.first_name, last_name=person.last_name)
        person.save(update_fields=["user"])
    if role == Role.MENTOR:
        kwargs.setdefault("mentor_capacity", capacity)
    return EnrollmentFactory(program=program, person=person, role=role, **kwargs)


def mentor(program, **kwargs) -> Enrollment:
    return participant(program, Role.MENTOR, **kwargs)


def mentee(program, **kwargs) -> Enrollment:
    return participant(program, Role.MENTEE, **kwargs)


class PairingFactory(factory.django.DjangoModelFactory):
    """A proposed pairing of two participants who can sign in; ``mentor__person=user.person``
    pairs someone already enrolled (their enrollment is reused). Traits: ``active`` (confirmed
    by both three days before it started ``started_days_ago``, proposed five days before it
    started), ``completed`` and ``ended`` (over since ``ended_days_ago``)."""

    class Meta:
        model = Pairing

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(
        EnrollmentFactory,
        program=factory.SelfAttribute("..program"),
        role=Role.MENTOR,
        mentor_capacity=None,
        person__with_account=True,
    )
    mentee = factory.SubFactory(
        EnrollmentFactory, program=factory.SelfAttribute("..program"), role=Role.MENTEE, person__with_account=True
    )
    status = Pairing.Status.PROPOSED
    score = 70.0
    explanation = factory.LazyFunction(lambda: {"skills": 40.0, "objectives": 30.0})

    class Params:
        started_days_ago = 30
        ended_days_ago = 0
        active = factory.Trait(
            status=Pairing.Status.ACTIVE,
            started_at=factory.LazyAttribute(lambda o: days_ago(o.started_days_ago)),
            mentor_confirmed_at=factory.LazyAttribute(lambda o: o.started_at - datetime.timedelta(days=3)),
            mentee_confirmed_at=factory.LazyAttribute(lambda o: o.started_at - datetime.timedelta(days=3)),
            created_at=factory.LazyAttribute(lambda o: days_ago(o.started_days_ago + 5)),
        )
        completed = factory.Trait(
            active=True,
            status=Pairing.Status.COMPLETED,
            ended_at=factory.LazyAttribute(lambda o: days_ago(o.ended_days_ago)),
        )
        ended = factory.Trait(
            active=True,
            status=Pairing.Status.ENDED,
            ended_at=factory.LazyAttribute(lambda o: days_ago(o.ended_days_ago)),
        )

    # Set on save; a value backdates it.
    created_at = None

    @classmethod
    def _create(cls, model_class, *args, created_at=None, **kwargs):
        pairing = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            pairing.created_at = created_at
            Pairing.objects.filter(pk=pairing.pk).update(created_at=created_at)
        return pairing


class MatchRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchRun

    program = factory.SubFactory(ProgramFactory)
    status = MatchRun.Status.DONE
    progress = 100
    criteria = factory.LazyFunction(dict)
    stats = factory.LazyFunction(dict)


class MentorshipRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorshipRequest

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.LazyAttribute(lambda o: mentor(o.program))
    mentee = factory.LazyAttribute(lambda o: mentee(o.program))
    message = "Could you help me grow as a lead?"
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
