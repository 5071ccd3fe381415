"""Celery tasks are thin: they take primary keys, load, and call a service."""

import logging

from celery import shared_task

from core.tasks import as_id
from people import importing

logger = logging.getLogger(__name__)


@shared_task
def people_import_preview(job_id):
    """Check one uploaded import and keep its preview (see ``importing.people_import_job_preview``)."""
    pk = as_id(job_id)
    if pk is None:
        logger.warning("people_import_preview ignored a bad id: %r", job_id)
        return False
    return importing.people_import_job_preview(job_id=pk)


@shared_task
def people_import_run(job_id):
    """Check and write one uploaded import (see ``importing.people_import_job_run``)."""
    pk = as_id(job_id)
    if pk is None:
        logger.warning("people_import_run ignored a bad id: %r", job_id)
        return False
    return importing.people_import_job_run(job_id=pk)
