"""Demo matching data, built on the demo programs (``programs/demo.py``).

The running program ("Engineering Leadership Circle") gets two real match runs
of the engine over its seeded enrollments (a first "what-if" run and the one HR
published), and pairings in every state: mostly active, a few completed or
ended, one declined and one proposal still waiting for the mentor's
confirmation. mentor@demo.example mentors mentee@demo.example there (HR locked
that pair), active. The enrolling program ("Women in Tech Mentoring 2027") gets
its criteria, ready for a match run once HR moves it to matching.

Idempotent: criteria are updated in place, and a program that already has
pairings keeps them. Publishing here sends no notifications (it's history).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from matching import services
from matching.models import MatchingCriteria, MatchRun, Pairing, PairOverride
from people.models import User
from programs.models import Enrollment, Program, TrainingCompletion
from programs.services.training import training_modules_for_role

LEADERSHIP_CRITERIA = {
    "weight_skills": 4,
    "weight_objectives": 2,
    "weight_seniority": 2,
    "weight_department": 0.5,
    "weight_time_zone": 1.5,
    "weight_location": 0.5,
    "weight_meeting_format": 0.5,
    "weight_working_style": 1,
    "weight_availability": 0.5,
    "weight_custom_questions": 1.5,
    "seniority_gap_min": 2,
    "seniority_gap_max": 6,
    "department_preference": MatchingCriteria.DepartmentPreference.ANY,
    "objective": MatchingCriteria.Objective.BALANCED,
}
#: The first, unpublished run: HR's starting point before tuning the weights.
LEADERSHIP_FIRST_TRY = {
    **LEADERSHIP_CRITERIA,
    "weight_skills": 3,
    "weight_seniority": 1,
    "weight_time_zone": 1,
    "weight_custom_questions": 1,
    "objective": MatchingCriteria.Objective.PARTICIPATION,
}
WOMEN_IN_TECH_CRITERIA = {
    "weight_skills": 3,
    "weight_objectives": 3,
    "weight_seniority": 1,
    "weight_department": 1,
    "weight_time_zone": 1,
    "weight_location": 0.5,
    "weight_meeting_format": 0.5,
    "weight_working_style": 1.5,
    "weight_availability": 1,
    "weight_custom_questions": 2,
    "seniority_gap_min": 1,
    "seniority_gap_max": 6,
    "department_preference": MatchingCriteria.DepartmentPreference.DIFFERENT,
    "objective": MatchingCriteria.Objective.BALANCED,
    "suggestions_shown": 5,
    "exposure_multiple": 3,
    "request_expiry_days": 7,
}
ENDED_REASONS = [
    "The mentee moved to another team and paused the program.",
    "Their schedules never lined up; both agreed to stop and HR will rematch.",
]
COMPLETED_REASON = "Goals reached early; both agreed to finish."
DECLINED_REASON = "Too much on my plate this quarter. Happy to mentor in the next cohort."


def seed_matching(rng: random.Random) -> dict[str, int]:
    """Seed matching for the demo programs. Returns counts for the command's summary."""
    from programs.demo import LEADERSHIP_SLUG, WOMEN_IN_TECH_SLUG

    hr = User.objects.filter(email="hr@demo.example").first()
    women = Program.objects.filter(slug=WOMEN_IN_TECH_SLUG).first()
    if women is not None:
        MatchingCriteria.objects.update_or_create(program=women, defaults=WOMEN_IN_TECH_CRITERIA)
    leadership = (
        Program.objects.filter(slug=LEADERSHIP_SLUG).first()
        or Program.objects.filter(status=Program.Status.RUNNING).order_by("pk").first()
    )
    if leadership is None:
        return {"pairings": 0}
    MatchingCriteria.objects.update_or_create(program=leadership, defaults=LEADERSHIP_CRITERIA)
    demo_mentor = _enrollment(leadership, "mentor@demo.example")
    demo_mentee = _enrollment(leadership, "mentee@demo.example")
    # The demo accounts have done their training (the program seed draws completions at random).
    for enrollment in (demo_mentor, demo_mentee):
        if enrollment is not None:
            _complete_required_training(enrollment)
    if not Pairing.objects.filter(program=leadership).exists():
        _seed_leadership(rng, leadership, hr=hr, demo_mentor=demo_mentor, demo_mentee=demo_mentee)
    return {"pairings": Pairing.objects.filter(program=leadership).count()}


def _enrollment(program, email) -> Enrollment | None:
    return Enrollment.objects.filter(program=program, person__email=email, status=Enrollment.Status.APPROVED).first()


def _complete_required_training(enrollment: Enrollment) -> None:
    for module in training_modules_for_role(program=enrollment.program, role=enrollment.role).filter(required=True):
        TrainingCompletion.objects.get_or_create(enrollment=enrollment, module=module)


def _run(program, *, hr, criteria: dict, at: datetime) -> MatchRun:
    snapshot = services.matching_criteria_snapshot(criteria=MatchingCriteria(program=program, **criteria))
    run = MatchRun.objects.create(program=program, started_by=hr, criteria=snapshot)
    services.match_run_execute(run_id=run.pk)
    MatchRun.objects.filter(pk=run.pk).update(created_at=at, finished_at=at + timedelta(seconds=3))
    run.refresh_from_db()
    return run


def _seed_leadership(rng, program, *, hr, demo_mentor, demo_mentee) -> None:
    start = timezone.make_aware(datetime.combine(program.start_date, time(9)))
    if demo_mentor is not None and demo_mentee is not None:
        PairOverride.objects.update_or_create(
            program=program,
            mentee=demo_mentee,
            mentor=demo_mentor,
            defaults={"kind": PairOverride.Kind.LOCK, "created_by": hr},
        )
    _run(program, hr=hr, criteria=LEADERSHIP_FIRST_TRY, at=start - timedelta(days=12, hours=2))
    run = _run(program, hr=hr, criteria=LEADERSHIP_CRITERIA, at=start - timedelta(days=12))
    published_at = start - timedelta(days=11)
    pairings = [
        Pairing(
            program=program,
            mentor_id=proposal.mentor_id,
            mentee_id=proposal.mentee_id,
            source=Pairing.Source.ADMIN,
            score=proposal.score,
            explanation=proposal.explanation,
            match_run=run,
        )
        for proposal in run.proposals.order_by("-score", "pk")
    ]
    demo = [p for p in pairings if demo_mentee is not None and p.mentee_id == demo_mentee.pk]
    others = [p for p in pairings if p not in demo]
    rng.shuffle(others)
    plan = ["proposed", "completed", "completed", "ended", "ended", "declined"]
    for pairing in demo + others:
        state = plan.pop(0) if pairing not in demo and plan else "active"
        confirmed = published_at + timedelta(days=rng.randint(1, 4))
        pairing.mentee_confirmed_at = confirmed
        pairing.mentor_confirmed_at = confirmed + timedelta(hours=rng.randint(1, 30))
        pairing.status = Pairing.Status.ACTIVE
        pairing.started_at = start
        if state == "proposed":
            pairing.status = Pairing.Status.PROPOSED
            pairing.mentor_confirmed_at = None
            pairing.started_at = None
        elif state == "declined":
            pairing.status = Pairing.Status.DECLINED
            pairing.mentee_confirmed_at = None
            pairing.started_at = None
            pairing.ended_at = confirmed
            pairing.end_reason = DECLINED_REASON
        elif state == "completed":
            pairing.status = Pairing.Status.COMPLETED
            pairing.ended_at = start + timedelta(days=rng.randint(60, 85))
            pairing.end_reason = COMPLETED_REASON
            pairing.ended_by = hr
        elif state == "ended":
            pairing.status = Pairing.Status.ENDED
            pairing.ended_at = start + timedelta(days=rng.randint(20, 50))
            pairing.end_reason = ENDED_REASONS[len(plan) % len(ENDED_REASONS)]
            pairing.ended_by = hr
    Pairing.objects.bulk_create(pairings)
    Pairing.objects.filter(match_run=run).update(created_at=published_at)
    stats = dict(run.stats)
    stats["published"] = {"created": len(pairings), "skipped": []}
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.PUBLISHED, published_at=published_at, stats=stats)
