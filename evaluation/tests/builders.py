"""Builders for the evaluation tests: people, a running program, pairings with a history
(dates relative to now), sessions, goals, action items, training and survey answers."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from goals.models import Goal, GoalEvent
from matching.models import Pairing
from people.tests.factories import PersonFactory, UserFactory
from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule
from programs.tests.factories import ProgramFactory
from sessions.models import ActionItem, MentoringSession
from surveys.models import Survey, SurveyAnswer, SurveyInstance, SurveyInvitation, SurveyQuestion, SurveyResponse

_numbers = itertools.count(1)


def ago(days: float):
    return timezone.now() - timedelta(days=days)


def running_program(**kwargs) -> Program:
    today = timezone.localdate()
    defaults = {
        "status": Program.Status.RUNNING,
        "start_date": today - timedelta(days=90),
        "end_date": today + timedelta(days=90),
        "cadence_days": 14,
    }
    return ProgramFactory(**{**defaults, **kwargs})


def person(first="Pat", last=None, *, user=True, **fields):
    n = next(_numbers)
    last = last or f"Tester{n}"
    email = f"{first.lower()}.{last.lower()}.{n}@example.com"
    account = UserFactory(email=email, first_name=first, last_name=last) if user else None
    return PersonFactory(email=email, first_name=first, last_name=last, user=account, **fields)


def enroll(program, role=Role.MENTEE, *, status=Enrollment.Status.APPROVED, approved_days_ago=100, who=None, **fields):
    who = who or person(**fields)
    return Enrollment.objects.create(
        program=program, person=who, role=role, status=status, decided_at=ago(approved_days_ago)
    )


def pair(program, mentor, mentee, *, status=Pairing.Status.ACTIVE, started_days_ago=30, ended_days_ago=None):
    started = ago(started_days_ago) if status != Pairing.Status.PROPOSED else None
    pairing = Pairing.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=status,
        started_at=started,
        mentor_confirmed_at=started and started - timedelta(days=3),
        mentee_confirmed_at=started and started - timedelta(days=3),
        ended_at=ago(ended_days_ago) if ended_days_ago is not None else None,
    )
    Pairing.objects.filter(pk=pairing.pk).update(created_at=ago(started_days_ago + 5))
    pairing.refresh_from_db()
    return pairing


def session(pairing, days_ago, status=MentoringSession.Status.HELD):
    return MentoringSession.objects.create(pairing=pairing, status=status, starts_at=ago(days_ago))


def goal(enrollment, *, created_days_ago=50, status=Goal.Status.NOT_STARTED, progress=0, moved_days_ago=None):
    """A goal; ``moved_days_ago`` writes the event the goal services write when it moves."""
    item = Goal.objects.create(
        enrollment=enrollment,
        title="Lead a project",
        status=status,
        progress=progress,
        created_at=ago(created_days_ago),
    )
    # As if last saved when it was created or moved (auto_now would say "now").
    last_change = moved_days_ago if moved_days_ago is not None else created_days_ago
    Goal.objects.filter(pk=item.pk).update(updated_at=ago(last_change))
    if moved_days_ago is not None:
        kind, to_value = (
            (GoalEvent.Kind.STATUS, Goal.Status.ACHIEVED)
            if status == Goal.Status.ACHIEVED
            else (GoalEvent.Kind.PROGRESS, str(progress))
        )
        GoalEvent.objects.create(goal=item, kind=kind, to_value=to_value, created_at=ago(moved_days_ago))
    return item


def action_item(pairing, *, created_days_ago=10, done_days_ago=None):
    owner_session = pairing.sessions.first() or session(pairing, created_days_ago)
    return ActionItem.objects.create(
        session=owner_session,
        pairing=pairing,
        title="Write the plan",
        owner=pairing.mentee.person,
        due_date=timezone.localdate() + timedelta(days=7),
        created_at=ago(created_days_ago),
        done_at=ago(done_days_ago) if done_days_ago is not None else None,
    )


def module(program, audience=TrainingModule.Audience.BOTH, *, required=True):
    return TrainingModule.objects.create(program=program, title="Module", audience=audience, required=required)


def complete(enrollment, module_, *, days_ago=60):
    done = TrainingCompletion.objects.create(enrollment=enrollment, module=module_)
    TrainingCompletion.objects.filter(pk=done.pk).update(completed_at=ago(days_ago))
    return done


def survey(program, *, anonymous=False):
    item = Survey.objects.create(program=program, title="Pulse", anonymous=anonymous, status=Survey.Status.ACTIVE)
    rating = SurveyQuestion.objects.create(survey=item, kind=SurveyQuestion.Kind.RATING, text="How useful?", order=1)
    nps = SurveyQuestion.objects.create(survey=item, kind=SurveyQuestion.Kind.NPS, text="Recommend?", order=2)
    return item, rating, nps


def survey_round(item, *, days_ago=12, pairing=None):
    opens = ago(days_ago)
    return SurveyInstance.objects.create(
        survey=item,
        occurrence=f"test:{next(_numbers)}",
        pairing=pairing,
        occurs_on=timezone.localdate(opens),
        opens_at=opens,
        closes_at=opens + timedelta(days=14),
        remind_at=opens + timedelta(days=11),
    )


def invite(instance, enrollment):
    return SurveyInvitation.objects.create(instance=instance, enrollment=enrollment, role=enrollment.role)


def answer(instance, enrollment, answers: dict, *, days_ago=10, anonymous=False):
    """``answers``: question -> number. Attributed unless ``anonymous``."""
    invitation = SurveyInvitation.objects.filter(instance=instance, enrollment=enrollment).first()
    if invitation is None:
        invitation = invite(instance, enrollment)
    invitation.answered = True
    invitation.save(update_fields=["answered"])
    response = SurveyResponse.objects.create(
        survey=instance.survey,
        instance=instance,
        invitation=None if anonymous else invitation,
        edit_key_hash="k" * 64 if anonymous else "",
        role=enrollment.role,
        submitted_on=timezone.localdate(ago(days_ago)),
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question=question, number=number) for question, number in answers.items()
    )
    return response


def populate(program, size: int):
    """``size`` active pairings with sessions, goals, action items, training and ratings; every
    third one quiet for long enough to be at risk. For the query-count tests."""
    survey_, rating, nps = survey(program)
    instance = survey_round(survey_)
    module_ = module(program)
    for index in range(size):
        mentor, mentee = enroll(program, Role.MENTOR), enroll(program, Role.MENTEE)
        pairing = pair(program, mentor, mentee, started_days_ago=60)
        session(pairing, 40 if index % 3 == 0 else 3)
        session(pairing, 50)
        goal(mentee, status=Goal.Status.IN_PROGRESS, progress=30, moved_days_ago=10)
        action_item(pairing, done_days_ago=2)
        complete(mentee, module_)
        answer(instance, mentee, {rating: 4, nps: 9})
    return program
