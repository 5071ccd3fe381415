"""What the evaluation app does when an app below it reports a change that may change a pair's
health (their ``signals.py``, sent once the change committed): the stored health of the pairs
concerned is refreshed in the background (ids only, through ``task_queue_on_commit``, which
never raises into the request), so HR's pages show it within seconds, not at the next sweep.

Connected in ``EvaluationConfig.ready``. A cancelled session sends nothing here: only planned
sessions can be cancelled, and the rule counts held sessions only.
"""

from django.dispatch import receiver

from core.jobs import task_queue_on_commit
from evaluation import tasks
from goals.signals import goal_changed
from matching.signals import pairing_finished, pairing_started, program_pairings_changed
from sessions.signals import session_held
from surveys.signals import survey_answered


@receiver(session_held, dispatch_uid="evaluation.session_held")
@receiver(pairing_started, dispatch_uid="evaluation.pairing_started")
@receiver(pairing_finished, dispatch_uid="evaluation.pairing_finished")
def pairing_health_changed(sender, *, pairing_id, **kwargs):
    task_queue_on_commit(tasks.pairing_health_refresh, pairing_id)


@receiver(goal_changed, dispatch_uid="evaluation.goal_changed")
@receiver(survey_answered, dispatch_uid="evaluation.survey_answered")
def participant_health_changed(sender, *, enrollment_id, **kwargs):
    task_queue_on_commit(tasks.enrollment_health_refresh, enrollment_id)


@receiver(program_pairings_changed, dispatch_uid="evaluation.program_pairings_changed")
def program_health_changed(sender, *, program_id, **kwargs):
    task_queue_on_commit(tasks.program_health_refresh, program_id)
