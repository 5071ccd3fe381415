"""Celery tasks are thin: they take primary keys, load, and call a service."""

from celery import shared_task

from core.tasks import task_id
from datarights import services


@shared_task
def data_export_build(export_id):
    """Build one "Download my data" zip (see ``services.data_export_build``)."""
    pk = task_id(export_id, task="data_export_build")
    if pk is None:
        return False
    return services.data_export_build(export_id=pk)


@shared_task
def data_exports_expire():
    """Hourly: delete the files of downloads past DATA_EXPORT_HOURS."""
    return services.data_exports_expire()


@shared_task
def retention_erase_leavers():
    """Nightly: erase people who left more than RETENTION_LEAVERS_MONTHS months ago."""
    run = services.retention_run()
    return None if run is None else len(run.erased_ids)
