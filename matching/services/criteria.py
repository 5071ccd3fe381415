"""HR's matching criteria of a program, and their snapshot in each run."""

from __future__ import annotations

import logging

from django.forms.models import model_to_dict

from audit import services as audit
from audit.models import AuditEvent
from matching.models import MatchingCriteria
from matching.services.base import CRITERIA_FIELDS
from programs.models import Program

logger = logging.getLogger(__name__)

# --- Criteria ---------------------------------------------------------------------------


def matching_criteria_get_or_create(*, program: Program) -> MatchingCriteria:
    """The program's criteria, created with the defaults on first use."""
    criteria, _ = MatchingCriteria.objects.get_or_create(program=program)
    return criteria


def matching_criteria_update(*, criteria: MatchingCriteria, user, **fields) -> MatchingCriteria:
    for name, value in fields.items():
        if name not in CRITERIA_FIELDS:
            raise ValueError(f"Unknown matching criterion {name!r}")
        setattr(criteria, name, value)
    criteria.full_clean(exclude=["program"])
    before = MatchingCriteria.objects.filter(pk=criteria.pk).values(*CRITERIA_FIELDS).first() or {}
    criteria.save()
    changed = [name for name in CRITERIA_FIELDS if before.get(name) != getattr(criteria, name)]
    audit.record(
        action=AuditEvent.Action.CRITERIA_CHANGED,
        actor=user,
        target=criteria,
        program=criteria.program,
        details={"fields": changed},
    )
    logger.info("Matching criteria of program %s changed by user %s", criteria.program_id, user.pk)
    return criteria


def matching_criteria_snapshot(*, criteria: MatchingCriteria) -> dict:
    return model_to_dict(criteria, fields=CRITERIA_FIELDS)


def matching_criteria_from_snapshot(*, program: Program, snapshot: dict) -> MatchingCriteria:
    """An unsaved ``MatchingCriteria`` as a run used it (defaults for anything added since)."""
    known = {k: v for k, v in (snapshot or {}).items() if k in CRITERIA_FIELDS}
    return MatchingCriteria(program=program, **known)
