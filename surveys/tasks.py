"""Survey jobs: thin wrappers that take ids and call a service."""

import logging

from celery import shared_task

from core.tasks import as_id
from surveys import services

logger = logging.getLogger(__name__)


@shared_task
def surveys_sweep():
    """Hourly (see CELERY_BEAT_SCHEDULE): close, open, invite, remind. Safe to run twice."""
    return services.surveys_sweep()


@shared_task
def survey_instance_invite(instance_id):
    """Send the invitations of a round an event just opened, without waiting for the sweep."""
    pk = as_id(instance_id)
    if pk is None:
        logger.warning("survey_instance_invite ignored a bad id: %r", instance_id)
        return 0
    return services.survey_invitations_send(instance_ids=[pk])
