"""Matching jobs: a match run (queued by HR) and the hourly expiry of
self-select requests. Thin: they take ids, load and call a service."""

from celery import shared_task

from core.tasks import task_id
from matching import services


@shared_task
def match_run_execute(run_id):
    """Compute a queued run. A bad id, a missing run or one already done does nothing."""
    pk = task_id(run_id, task="match_run_execute")
    if pk is None:
        return False
    return services.match_run_execute(run_id=pk)


@shared_task
def mentorship_requests_expire():
    """Expire unanswered self-select requests and tell each mentee once."""
    return services.mentorship_requests_expire()


@shared_task
def pairings_follow_program_status():
    """Activate pairings of running programs and complete those of closed ones."""
    return services.pairings_follow_program_status()
