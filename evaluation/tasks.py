"""Evaluation jobs: the nightly snapshot of every running program, one program's snapshot on
demand ("Recompute now"), the 15-minute pair health sweep, and the stored health of the pairs
an event concerns. Thin: they take ids, load and call the service."""

import logging

from celery import shared_task

from core.tasks import as_id, task_id
from evaluation import services
from programs.models import Program

logger = logging.getLogger(__name__)


def _program(program_id, task: str) -> Program | None:
    pk = as_id(program_id)
    program = Program.objects.filter(pk=pk).first() if pk else None
    if program is None:
        logger.warning("%s ignored an unknown program id: %r", task, program_id)
    return program


@shared_task
def programs_evaluate_nightly():
    """Store today's snapshot of every running program (safe to run twice: same rows)."""
    return len(services.programs_evaluate())


@shared_task
def program_evaluate(program_id):
    """Store today's snapshot of one program. A bad or unknown id does nothing."""
    program = _program(program_id, "program_evaluate")
    if program is None:
        return False
    services.program_evaluate(program=program)
    return True


@shared_task
def pair_health_sweep():
    """Every 15 minutes: the stored pair health of running programs, for the pairs time changed."""
    return sum(result.written + result.deleted for result in services.pair_health_sweep())


@shared_task
def program_health_refresh(program_id):
    """Recompute one program's stored pair health in full (many of its pairings started or ended)."""
    program = _program(program_id, "program_health_refresh")
    if program is None:
        return False
    services.pair_health_refresh(program=program)
    return True


@shared_task
def pairing_health_refresh(pairing_id):
    """Refresh one pairing's stored health (a session held, the pairing started or finished)."""
    pk = task_id(pairing_id, task="pairing_health_refresh")
    if pk is None:
        return False
    return bool(services.pairings_health_refresh(pairing_ids=[pk]))


@shared_task
def enrollment_health_refresh(enrollment_id):
    """Refresh the stored health of one participant's active pairings (a goal moved, a survey answered)."""
    pk = task_id(enrollment_id, task="enrollment_health_refresh")
    if pk is None:
        return False
    return bool(services.enrollment_health_refresh(enrollment_id=pk))
