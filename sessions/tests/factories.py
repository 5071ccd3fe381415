import datetime

import factory
from django.utils import timezone

from matching.tests.factories import PairingFactory
from programs.tests.factories import ProgramFactory, days_ago
from sessions.models import ActionItem, MentoringSession, PrivateNote, Resource

SHARED_NOTE = "Shared: we agreed on a stretch project in the payments team."
MENTOR_PRIVATE = "Mentor-private: worried about burnout, raise gently."
MENTEE_PRIVATE = "Mentee-private: I might apply for the staff role elsewhere."


class SessionFactory(factory.django.DjangoModelFactory):
    """A video session of an active pairing, ``days`` from now (negative: in the past).
    Traits: ``scheduled`` (the default), ``held`` (with shared notes), ``cancelled``."""

    class Meta:
        model = MentoringSession

    pairing = factory.SubFactory(PairingFactory, active=True, program=factory.SubFactory(ProgramFactory, running=True))
    status = MentoringSession.Status.SCHEDULED
    starts_at = factory.LazyAttribute(lambda o: days_ago(-o.days))
    duration_minutes = 60
    format = "video"
    video_url = "https://meet.example.com/abc"
    agenda = "Career plan"

    class Params:
        days = 2
        scheduled = factory.Trait(status=MentoringSession.Status.SCHEDULED)
        held = factory.Trait(status=MentoringSession.Status.HELD, shared_notes="We talked about the promotion case.")
        cancelled = factory.Trait(status=MentoringSession.Status.CANCELLED)


class ActionItemFactory(factory.django.DjangoModelFactory):
    """An action item agreed in a held session, for the mentee, due in ``due_in_days``, added
    ``created_days_ago``; ``done_days_ago`` marks it done then."""

    class Meta:
        model = ActionItem

    session = factory.SubFactory(SessionFactory, held=True, days=-3)
    pairing = factory.SelfAttribute("session.pairing")
    title = "Draft the plan"
    owner = factory.LazyAttribute(lambda o: o.session.pairing.mentee.person)
    due_date = factory.LazyAttribute(lambda o: timezone.localdate() + datetime.timedelta(days=o.due_in_days))

    class Params:
        due_in_days = 7
        created_days_ago = 0
        done_days_ago = None

    created_at = factory.LazyAttribute(lambda o: days_ago(o.created_days_ago))
    done_at = factory.LazyAttribute(lambda o: days_ago(o.done_days_ago) if o.done_days_ago is not None else None)


class PrivateNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivateNote

    session = factory.SubFactory(SessionFactory, held=True, days=-3)
    author = factory.LazyAttribute(lambda o: o.session.pairing.mentor.person.user)
    body = MENTOR_PRIVATE


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    pairing = factory.SubFactory(PairingFactory, active=True)
    title = factory.Sequence(lambda n: f"Book {n}")
    kind = "book"
    recommended_by = factory.LazyAttribute(lambda o: o.pairing.mentor.person.user)
