"""The web page's import jobs: the upload stores the file, a background job checks it (the
preview), HR commits, another job writes it and the page follows the progress."""

import logging

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent
from core.jobs import task_queue_on_commit
from people.importing.plan import people_import_validate
from people.importing.read import STALE_JOB, PeopleImportConflict
from people.importing.write import people_import_apply
from people.models import ImportJob, User

logger = logging.getLogger(__name__)

# --- Import jobs: the web page's upload, preview, run and result --------------------------


def people_import_job_create(*, text: str, file_name: str, user: User) -> ImportJob:
    """Keep an uploaded export as a job and queue its check, the preview, after commit.

    The upload request does no more than this: checking 100,000 rows takes longer than a
    request may. ``people_import_job_preview`` (a background job) lists every problem or
    what would change; nothing is written to the directory before HR commits the preview.
    """
    from people.tasks import people_import_preview

    lines = text.splitlines()
    job = ImportJob.objects.create(
        file_name=file_name[:255],
        created_by=user,
        status=ImportJob.Status.UPLOADED,
        content=text,
        # An estimate (blank lines count) for the progress bar; the check counts the rows.
        total_rows=max(len(lines) - 1, 0),
    )
    task_queue_on_commit(people_import_preview, job.pk)
    return job


def people_import_job_preview(*, job_id: int) -> bool:
    """Check an uploaded job (reporting progress) and keep the preview: every problem with
    its line, or the counts and the first changes. Writes nothing to the directory.

    The job is claimed with a conditional UPDATE (uploaded, or a check whose worker went
    away), so a task delivered twice checks once. An invalid upload's file is not kept.
    Returns True when the upload is ready to import.
    """
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.UPLOADED) | Q(
        status=ImportJob.Status.CHECKING, updated_at__lt=now - STALE_JOB
    )
    claimed = (
        ImportJob.objects.filter(claimable, pk=job_id)
        .exclude(content="")
        .update(status=ImportJob.Status.CHECKING, processed_rows=0, message="", updated_at=now)
    )
    if claimed != 1:
        return False
    text = ImportJob.objects.values_list("content", flat=True).get(pk=job_id)
    checking = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING)  # not discarded meanwhile
    try:
        plan = people_import_validate(
            text=text, progress=lambda processed: _job_update(job_id, processed_rows=processed)
        )
    except Exception:  # noqa: BLE001 - the job must not stay "checking" forever; the error is logged
        logger.exception("People import %s could not be checked", job_id)
        checking.update(
            status=ImportJob.Status.INVALID,
            content="",
            message="An unexpected error stopped the check. Nothing was imported; upload the file again.",
            updated_at=timezone.now(),
        )
        return False
    found = {
        "total_rows": plan.row_count,
        "processed_rows": plan.row_count,
        "errors": [[line, message] for line, message in plan.errors],
        "ignored_columns": plan.ignored_columns,
        "updated_at": timezone.now(),
    }
    if not plan.is_valid:
        checking.update(status=ImportJob.Status.INVALID, content="", **found)
        return False
    return bool(
        checking.update(
            status=ImportJob.Status.READY,
            planned_created=plan.to_create,
            planned_updated=plan.to_update,
            planned_unchanged=plan.unchanged,
            changes=plan.changes,
            **found,
        )
    )


def people_import_job_check_again(*, job: ImportJob) -> bool:
    """Queue the check of an upload whose check stalled (its worker went away) once more.

    Returns False when the check is not stalled (it is waiting, running or done)."""
    from people.tasks import people_import_preview

    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.PREVIEW_STATUSES, updated_at__lt=now - STALE_JOB)
        .exclude(content="")
        .update(status=ImportJob.Status.UPLOADED, processed_rows=0, updated_at=now)
    )
    if claimed != 1:
        return False
    task_queue_on_commit(people_import_preview, job.pk)
    return True


def people_import_job_queue(*, job: ImportJob) -> bool:
    """Queue a ready (or failed, or stalled) job to run once.

    The claim is a conditional UPDATE, so a double click queues one run.
    Returns False when the job cannot run (already queued, running or finished).
    """
    from people.tasks import people_import_run

    now = timezone.now()
    claimable = Q(status__in=[ImportJob.Status.READY, ImportJob.Status.FAILED]) | Q(
        status__in=ImportJob.RUN_STATUSES, updated_at__lt=now - STALE_JOB
    )
    claimed = (
        ImportJob.objects.filter(claimable, pk=job.pk)
        .exclude(content="")
        .update(status=ImportJob.Status.QUEUED, processed_rows=0, message="", updated_at=now)
    )
    if claimed != 1:
        return False
    job_id = job.pk
    task_queue_on_commit(people_import_run, job_id)
    return True


def people_import_job_discard(*, job: ImportJob) -> bool:
    """Drop a job that has not run (its check may still be going on), and the uploaded file with it."""
    statuses = ImportJob.Status
    discardable = [*ImportJob.PREVIEW_STATUSES, statuses.READY, statuses.INVALID, statuses.FAILED]
    return bool(
        ImportJob.objects.filter(pk=job.pk, status__in=discardable).update(
            status=ImportJob.Status.DISCARDED, content="", updated_at=timezone.now()
        )
    )


def _job_update(job_id: int, **values) -> None:
    ImportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)


def people_import_job_run(*, job_id: int) -> bool:
    """Run a queued job: check every row (reporting progress), then write in one transaction.

    Progress is written between batches while checking, outside any
    transaction, so the page can show it on PostgreSQL and SQLite alike; the
    write itself is a single atomic step whose result (DONE, the counts) is
    committed together with the people. Returns True if the import was written.
    """
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.QUEUED) | Q(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.WRITING], updated_at__lt=now - STALE_JOB
    )
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportJob.Status.VALIDATING, started_at=now, processed_rows=0, updated_at=now
    )
    if claimed != 1:
        return False
    text = ImportJob.objects.values_list("content", flat=True).get(pk=job_id)
    try:
        plan = people_import_validate(
            text=text, progress=lambda processed: _job_update(job_id, processed_rows=processed)
        )
        if not plan.is_valid:
            _job_update(
                job_id,
                status=ImportJob.Status.FAILED,
                errors=[[line, message] for line, message in plan.errors],
                message="The directory changed since the preview and some rows no longer fit. Nothing was written.",
                finished_at=timezone.now(),
            )
            return False
        _job_update(job_id, status=ImportJob.Status.WRITING, total_rows=plan.row_count, processed_rows=plan.row_count)
        with transaction.atomic():
            result = people_import_apply(plan=plan)
            _job_update(
                job_id,
                status=ImportJob.Status.DONE,
                created_count=result.created,
                updated_count=result.updated,
                unchanged_count=result.unchanged,
                errors=[],
                message="",
                content="",
                finished_at=timezone.now(),
            )
            # Counts only: the file and its people are not copied into the trail.
            job = ImportJob.objects.select_related("created_by").defer("content", "changes").get(pk=job_id)
            audit.record(
                action=AuditEvent.Action.PEOPLE_IMPORTED,
                actor=job.created_by,
                target=job,
                target_label=f"Import #{job.pk}",
                details={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
        return True
    except PeopleImportConflict as exc:
        _job_update(
            job_id,
            status=ImportJob.Status.FAILED,
            errors=[[line, message] for line, message in exc.errors],
            message="The directory changed while the import ran. Nothing was written.",
            finished_at=timezone.now(),
        )
    except DatabaseError:
        logger.exception("People import %s could not be written", job_id)
        _job_update(
            job_id,
            status=ImportJob.Status.FAILED,
            message="The directory was being changed by someone else at the same time. Nothing was written; "
            "run the import again.",
            finished_at=timezone.now(),
        )
    except Exception:  # noqa: BLE001 - the job must not stay "running" forever; the error is logged
        logger.exception("People import %s failed", job_id)
        _job_update(
            job_id,
            status=ImportJob.Status.FAILED,
            message="An unexpected error stopped the import. Nothing was written.",
            finished_at=timezone.now(),
        )
    return False
