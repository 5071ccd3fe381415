"""Demo surveys for ``manage.py seed_demo``: the library templates copied into the
running program, with past rounds and a believable spread of answers.

Works on whatever enrollments and pairings exist; running it again changes
nothing once the running program has its surveys. Answers go through
``survey_response_submit``, so the demo data obeys the same anonymity rules as
real answers.
"""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.models import Pairing
from people.demo import DEMO_ACCOUNTS
from people.models import User
from programs.models import Program
from surveys import services
from surveys.models import Survey, SurveyInstance, SurveyInvitation, SurveyQuestion

DEMO_TEMPLATES = [
    "post-session-pulse",
    "30-day-check-in",
    "mid-program",
    "end-of-program-mentees",
    "end-of-program-mentors",
    "early-exit",
]
PULSES_PER_PAIRING = 4

POSITIVE = [
    "We set clear goals in the first session and they keep us focused.",
    "My mentor shared a framework for stakeholder updates that I used the very next day.",
    "A really open conversation about moving into a lead role.",
    "Rehearsing my presentation together made a big difference.",
    "Honest feedback on my project plan, with concrete next steps.",
    "Great to hear how other teams solve the same problems.",
    "I left with three things to try this week.",
    "We worked through a difficult conversation I need to have with my manager.",
    "Learning as much as a mentor as my mentee does.",
]
CONSTRUCTIVE = [
    "Finding time across time zones is hard; we have moved two sessions already.",
    "I would like more guidance on what to cover in each session.",
    "A kickoff guide with example agendas would help new pairs.",
    "Sessions feel rushed; 45 minutes would work better than 30.",
    "The program could share more material on career paths.",
    "We are still figuring out what we want to get out of this.",
    "My mentor changed roles and has much less time now.",
]


def _noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _answer(question: SurveyQuestion, rng: random.Random, happy: bool):
    kind = question.kind
    if kind == SurveyQuestion.Kind.RATING:
        weights = [2, 5, 15, 40, 38] if happy else [12, 28, 35, 18, 7]
        return rng.choices(range(1, 6), weights=weights)[0]
    if kind == SurveyQuestion.Kind.NPS:
        weights = [0, 0, 1, 1, 1, 2, 4, 8, 16, 30, 37] if happy else [4, 5, 7, 9, 12, 14, 16, 15, 10, 5, 3]
        return rng.choices(range(0, 11), weights=weights)[0]
    if kind == SurveyQuestion.Kind.SINGLE:
        count = len(question.choices)
        weights = [count - i if happy else i + 1 for i in range(count)]
        return rng.choices(question.choices, weights=weights)[0]
    if kind == SurveyQuestion.Kind.MULTIPLE:
        return rng.sample(question.choices, k=rng.randint(1, min(2, len(question.choices))))
    if question.required or rng.random() < 0.45:
        return rng.choice(POSITIVE if happy else CONSTRUCTIVE)
    return ""


def _pairing_rounds(
    survey: Survey, pairings: list[Pairing], program: Program, today, rng: random.Random
) -> list[services.Round]:
    roles = survey.roles
    rounds = []
    for pairing in pairings:
        people = [(pairing.mentor_id, "mentor"), (pairing.mentee_id, "mentee")]
        invitees = [(pk, role) for pk, role in people if role in roles]
        started = timezone.localdate(pairing.started_at)
        last = timezone.localdate(pairing.ended_at) if pairing.ended_at else today
        if survey.trigger == "session_held":
            # Live pairings met a few days ago; earlier sessions follow the program's cadence back.
            latest = today - timedelta(days=rng.randint(1, 4)) if pairing.status == Pairing.Status.ACTIVE else last
            days = [latest - timedelta(days=program.cadence_days * k) for k in range(PULSES_PER_PAIRING)]
            days = sorted(d for d in days if started < d <= today)
            rounds += [
                services.Round(f"demo-session:{pairing.pk}:{d.isoformat()}", d, invitees, pairing.pk) for d in days
            ]
        elif survey.trigger == "pairing_day":
            day = started + timedelta(days=survey.days)
            if day <= min(last, today):
                rounds.append(services.Round(f"pairing:{pairing.pk}:day:{survey.days}", day, invitees, pairing.pk))
        elif survey.trigger == "pairing_ended" and pairing.status == Pairing.Status.ENDED:
            rounds.append(services.Round(f"pairing-ended:{pairing.pk}", last, invitees, pairing.pk))
    return rounds


def seed_surveys(rng: random.Random, *, now: datetime | None = None) -> int:
    """Give the running program its surveys and their history; returns how many answers were created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    services.survey_templates_install()
    program = Program.objects.filter(status=Program.Status.RUNNING).order_by("start_date", "pk").first()
    if program is None or program.surveys.exists():
        return 0
    hr = User.objects.filter(is_hr_admin=True).order_by("pk").first()
    templates = {t.template_key: t for t in Survey.objects.templates()}
    pairings = list(
        Pairing.objects.filter(program=program, started_at__isnull=False).exclude(
            status__in=[Pairing.Status.PROPOSED, Pairing.Status.DECLINED]
        )
    )
    happy_pairings = {p.pk: rng.random() > 0.15 for p in pairings}
    answered = 0
    with transaction.atomic():
        for key in DEMO_TEMPLATES:
            if key not in templates:
                continue
            survey = services.survey_copy(source=templates[key], program=program, user=hr)
            services.survey_activate(survey=survey, user=hr)
            if survey.is_program_wide:
                midpoint = program.start_date + timedelta(days=(program.end_date - program.start_date).days // 2)
                if survey.trigger != "program_midpoint" or midpoint > today:
                    continue
                rounds = [services.Round("program-midpoint", midpoint, services.survey_audience(survey=survey))]
            else:
                rounds = _pairing_rounds(survey, pairings, program, today, rng)
            for round_ in rounds:
                opens_at = min(_noon(round_.occurs_on), now)
                services.survey_rounds_open(survey=survey, rounds=[round_], now=opens_at)
            answered += _answer_rounds(survey, rng, now=now, happy_pairings=happy_pairings)
        SurveyInvitation.objects.filter(instance__survey__program=program).filter(
            Q(instance__closes_at__lte=now) | Q(answered=True)
        ).update(invited_at=now)
        services.survey_instances_close_due(now=now)
        services.survey_invitations_send(now=now, email=False)
    return answered


def _answer_rounds(survey: Survey, rng: random.Random, *, now: datetime, happy_pairings: dict) -> int:
    questions = list(survey.questions.all())
    invitations = SurveyInvitation.objects.filter(instance__survey=survey).select_related(
        "instance", "enrollment__person__department", "enrollment__person__user"
    )
    answered = 0
    for invitation in invitations:
        instance: SurveyInstance = invitation.instance
        still_open = instance.closes_at > now
        # The demo accounts find their open surveys waiting for them on the home page.
        if still_open and invitation.enrollment.person.email in DEMO_ACCOUNTS:
            continue
        if rng.random() > (0.5 if still_open else 0.8):
            continue
        happy = happy_pairings.get(instance.pairing_id, rng.random() > 0.2)
        answers = {q.pk: _answer(q, rng, happy) for q in questions}
        answered_at = min(instance.opens_at + timedelta(hours=rng.randint(2, 24 * (survey.open_days - 1))), now)
        services.survey_response_submit(invitation=invitation, answers=answers, now=answered_at)
        answered += 1
    return answered
