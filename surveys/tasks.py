"""Survey jobs: thin wrappers that take ids and call a service."""

from celery import shared_task

from core.tasks import task_id
from surveys import services


@shared_task
def surveys_sweep():
    """Hourly (see CELERY_BEAT_SCHEDULE): close, open, invite, remind. Safe to run twice."""
    return services.surveys_sweep()


@shared_task
def survey_instance_invite(instance_id):
    """Send the invitations of a round an event just opened, without waiting for the sweep."""
    pk = task_id(instance_id, task="survey_instance_invite")
    if pk is None:
        return 0
    return services.survey_invitations_send(instance_ids=[pk])
