"""Evaluation jobs: the nightly snapshot of every running program, and one program's
snapshot on demand ("Recompute now"). Thin: they take ids, load and call the service."""

import logging

from celery import shared_task

from evaluation import services
from mentorship.tasks import as_id
from programs.models import Program

logger = logging.getLogger(__name__)


@shared_task
def programs_evaluate_nightly():
    """Store today's snapshot of every running program (safe to run twice: same rows)."""
    return len(services.programs_evaluate())


@shared_task
def program_evaluate(program_id):
    """Store today's snapshot of one program. A bad or unknown id does nothing."""
    pk = as_id(program_id)
    program = Program.objects.filter(pk=pk).first() if pk else None
    if program is None:
        logger.warning("program_evaluate ignored an unknown program id: %r", program_id)
        return False
    services.program_evaluate(program=program)
    return True
