import datetime

import factory
from django.utils import timezone

from matching.models import MatchRun, MentorshipRequest, Pairing
from people.tests.factories import PersonFactory, UserFactory
from programs.models import Enrollment, Program, Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory


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
    class Meta:
        model = Pairing

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.LazyAttribute(lambda o: mentor(o.program))
    mentee = factory.LazyAttribute(lambda o: mentee(o.program))
    status = Pairing.Status.PROPOSED
    score = 70.0
    explanation = factory.LazyFunction(lambda: {"skills": 40.0, "objectives": 30.0})


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
