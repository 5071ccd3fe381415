"""HR's overrides: locked pairs (matched in the next runs) and excluded pairs (never matched)."""

from __future__ import annotations

import logging

from django.db import transaction

from audit import services as audit
from audit.models import AuditEvent
from matching.models import PairOverride
from matching.services.base import MatchingError
from matching.services.criteria import matching_criteria_get_or_create
from programs.models import Enrollment, Program, Role

logger = logging.getLogger(__name__)

# --- HR's overrides ---------------------------------------------------------------------


def pair_override_set(*, program: Program, mentee: Enrollment, mentor: Enrollment, kind: str, user) -> PairOverride:
    """Lock a pair (it will be matched in the next runs, using a place of the mentor's)
    or exclude it (never matched). A lock must respect every hard rule."""
    if kind not in PairOverride.Kind.values:
        raise MatchingError("Choose lock or exclude.")
    if mentee.program_id != program.pk or mentor.program_id != program.pk:
        raise MatchingError("Both people must take part in this program.")
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
        raise MatchingError("Pick a mentee and a mentor, in that order.")
    if kind == PairOverride.Kind.LOCK:
        problem = _lock_problem(program=program, mentee=mentee, mentor=mentor)
        if problem:
            raise MatchingError(f"{mentee.person} can't be locked with {mentor.person}: {problem}.")
    with transaction.atomic():
        if kind == PairOverride.Kind.LOCK:
            # One lock per mentee: a new lock replaces the old one.
            PairOverride.objects.filter(program=program, mentee=mentee, kind=PairOverride.Kind.LOCK).exclude(
                mentor=mentor
            ).delete()
        override, _ = PairOverride.objects.update_or_create(
            program=program, mentee=mentee, mentor=mentor, defaults={"kind": kind, "created_by": user}
        )
        audit.record(
            action=AuditEvent.Action.OVERRIDE_SET,
            actor=user,
            target=override,
            target_label=f"{mentee.person} with {mentor.person}",
            program=program,
            details={"kind": kind, "mentee": mentee.pk, "mentor": mentor.pk},
        )
    logger.info("Pair override %s (%s) set by user %s", override.pk, kind, user.pk)
    return override


def _lock_problem(*, program: Program, mentee: Enrollment, mentor: Enrollment) -> str:
    # Scoring loads numpy: only when HR locks a pair, never for a page.
    from matching.features import MatchSettings, cohort_load
    from matching.scoring import cohort_score

    criteria = matching_criteria_get_or_create(program=program)
    cohort = cohort_load(program=program, mentee_ids=[mentee.pk])
    i, j = cohort.mentee_index().get(mentee.pk), cohort.mentor_index().get(mentor.pk)
    if i is None:
        return "the mentee isn't waiting for a match (already paired, training not done, or not approved)"
    if j is None:
        return "the mentor has no free place or can't take part yet (training not done, or not approved)"
    scored = cohort_score(cohort=cohort, settings=MatchSettings.from_criteria(criteria))
    return "; ".join(scored.reasons(i, j))


@transaction.atomic
def pair_override_delete(*, override: PairOverride, user) -> None:
    logger.info("Pair override %s removed by user %s", override.pk, user.pk)
    audit.record(
        action=AuditEvent.Action.OVERRIDE_REMOVED,
        actor=user,
        target=override,
        target_label=f"{override.mentee.person} with {override.mentor.person}",
        program=override.program,
        details={"kind": override.kind, "mentee": override.mentee_id, "mentor": override.mentor_id},
    )
    override.delete()
