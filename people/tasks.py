"""Celery tasks are thin: they take primary keys, load, and call a service."""

from celery import shared_task

from core.tasks import task_id
from people import importing


@shared_task
def people_import_preview(job_id):
    """Check one uploaded import and keep its preview (see ``importing.people_import_job_preview``)."""
    pk = task_id(job_id, task="people_import_preview")
    if pk is None:
        return False
    return importing.people_import_job_preview(job_id=pk)


@shared_task
def people_import_run(job_id):
    """Check and write one uploaded import (see ``importing.people_import_job_run``)."""
    pk = task_id(job_id, task="people_import_run")
    if pk is None:
        return False
    return importing.people_import_job_run(job_id=pk)
