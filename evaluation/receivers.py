"""What the evaluation app does when an app below it reports a change that may change a pair's
health (their ``signals.py``, sent once the change committed): the stored health of the pairs
concerned is refreshed in the background (ids only, through ``task_queue_on_commit``, which
never raises into the request), so HR's pages show it within seconds, not at the next sweep.

Connected in ``EvaluationConfig.ready``. A cancelled session sends nothing here: only planned
sessions can be cancelled, and the rule counts held sessions only.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import receiver

from core.jobs import task_queue_on_commit
from evaluation import tasks
from goals.signals import goal_changed
from matching.signals import pairing_finished, pairing_started, program_pairings_changed
from sessions.signals import session_held
from surveys.signals import survey_answered

_paused: ContextVar[bool] = ContextVar("health_refresh_paused", default=False)


@contextmanager
def health_refresh_paused():
    """Queue no per-change health refresh while this runs (its commit included): for a bulk
    load that refreshes every program's pair health itself at the end (``seed_demo`` runs
    the nightly evaluation, which recomputes every pair). Hundreds of per-answer refreshes
    would redo that work one pair at a time."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def _queue(task, object_id) -> None:
    if not _paused.get():
        task_queue_on_commit(task, object_id)


@receiver(session_held, dispatch_uid="evaluation.session_held")
@receiver(pairing_started, dispatch_uid="evaluation.pairing_started")
@receiver(pairing_finished, dispatch_uid="evaluation.pairing_finished")
def pairing_health_changed(sender, *, pairing_id, **kwargs):
    _queue(tasks.pairing_health_refresh, pairing_id)


@receiver(goal_changed, dispatch_uid="evaluation.goal_changed")
@receiver(survey_answered, dispatch_uid="evaluation.survey_answered")
def participant_health_changed(sender, *, enrollment_id, **kwargs):
    _queue(tasks.enrollment_health_refresh, enrollment_id)


@receiver(program_pairings_changed, dispatch_uid="evaluation.program_pairings_changed")
def program_health_changed(sender, *, program_id, **kwargs):
    _queue(tasks.program_health_refresh, program_id)
