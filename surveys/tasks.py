"""Survey jobs: thin wrappers that take ids and call a service."""

from celery import shared_task

from core.tasks import task_id
from surveys import services, tallies


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


@shared_task
def surveys_tallies_rebuild(survey_id=None):
    """Nightly (see CELERY_BEAT_SCHEDULE): recompute the running totals of the results from
    the rows, one survey (``survey_id``) or all, putting right whatever changed them
    without telling ``surveys.tallies`` (a round deleted in the Django admin). Safe to run twice."""
    pk = None
    if survey_id is not None:
        pk = task_id(survey_id, task="surveys_tallies_rebuild")
        if pk is None:
            return 0
    return tallies.surveys_tallies_rebuild(survey_id=pk)
