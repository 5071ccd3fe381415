from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit import services as audit
from audit.models import AuditEvent
from core.exports import csv_response
from core.permissions import hr_admin_required
from people import importing, privacy, roles, selectors, services
from people.forms import DirectoryFilterForm, PeopleImportUploadForm, SelfIdentificationForm
from people.models import ImportJob, Person, SelfIdentification

DIRECTORY_PAGE_SIZE = 50
# The job page lists this many errors; the CSV download has all of them.
ERRORS_SHOWN = 200


@hr_admin_required
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    people = selectors.people_directory(**form.filters())
    page = Paginator(people, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/directory.html", {"form": form, "page": page})


@hr_admin_required
def person_detail(request, pk):
    person = get_object_or_404(
        Person.objects.select_related("department", "location", "manager", "user").prefetch_related("languages"),
        pk=pk,
    )
    context = {
        "person": person,
        "chain": selectors.person_management_chain(person=person),
        "reports": selectors.person_direct_reports(person=person),
        "hr_admin_revoke_problem": (
            roles.check_hr_admin_revoke(user=person.user, by=request.user)
            if person.user and person.user.is_hr_admin
            else None
        ),
    }
    return render(request, "people/person_detail.html", context)


def my_profile(request):
    person = selectors.person_for_user(user=request.user)
    form = None
    if person is not None:
        record = SelfIdentification.objects.filter(person=person).first()
        form = SelfIdentificationForm(request.POST if request.method == "POST" else None, instance=record)
        if request.method == "POST" and form.is_valid():
            saved = services.self_identification_update(person=person, data=form.cleaned_data)
            messages.success(
                request,
                "Thank you. Your answers are saved." if saved else "You are not sharing anything; nothing is stored.",
            )
            return redirect("people:my_profile")
    elif request.method == "POST":
        raise Http404("Your account is not linked to a directory entry.")
    return render(request, "people/my_profile.html", {"person": person, "form": form})


@require_POST
def self_identification_withdraw(request):
    person = selectors.person_for_user(user=request.user)
    if person is None:
        raise Http404("Your account is not linked to a directory entry.")
    if services.self_identification_withdraw(person=person):
        messages.success(request, "Everything you shared about yourself has been deleted.")
    else:
        messages.info(request, "You had not shared anything, so there was nothing to delete.")
    return redirect("people:my_profile")


@hr_admin_required
def self_identification_overview(request):
    released = privacy.directory_self_identification()
    figures = released.figures["dimensions"]
    dimensions = [(key, label, figures[key]) for key, label in privacy.dimensions()]
    context = {
        "dimensions": dimensions,
        "total": released.figures["total"],
        "released": released,
        "min_group": privacy.min_group(),
    }
    return render(request, "people/self_identification_overview.html", context)


@hr_admin_required
def import_upload(request):
    form = PeopleImportUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        job = importing.people_import_job_create(
            text=form.cleaned_data["text"], file_name=form.cleaned_data["file"].name, user=request.user
        )
        return redirect("people:import_job", pk=job.pk)
    context = {
        "form": form,
        "jobs": selectors.import_jobs_recent(),
        "required_columns": importing.REQUIRED_COLUMNS,
        "optional_columns": importing.OPTIONAL_COLUMNS,
        "limits": importing.people_import_limits(),
    }
    return render(request, "people/import_upload.html", context)


@hr_admin_required
def import_job(request, pk):
    job = get_object_or_404(ImportJob.objects.select_related("created_by").defer("content"), pk=pk)
    context = {
        "job": job,
        "errors": job.errors[:ERRORS_SHOWN],
        "more_errors": max(len(job.errors) - ERRORS_SHOWN, 0),
        "progress": _progress(job),
        "stalled": job.is_running and job.updated_at < _stale_before(),
        "can_retry": job.status == ImportJob.Status.FAILED
        and ImportJob.objects.filter(pk=pk).exclude(content="").exists(),
    }
    return render(request, "people/import_job.html", context)


@hr_admin_required
@require_POST
def import_run(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
    if importing.people_import_job_queue(job=job):
        messages.success(request, "The import has started. You can leave this page; it carries on.")
    else:
        messages.warning(request, "This import cannot be started again: it is already running or finished.")
    return redirect("people:import_job", pk=job.pk)


@hr_admin_required
@require_POST
def import_check(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
    if importing.people_import_job_check_again(job=job):
        messages.success(request, "The file is being checked again.")
    else:
        messages.warning(request, "This file is not waiting for a check that stopped: nothing to restart.")
    return redirect("people:import_job", pk=job.pk)


@hr_admin_required
@require_POST
def import_discard(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
    if importing.people_import_job_discard(job=job):
        messages.success(request, "The upload was discarded. Nothing was imported.")
    else:
        messages.warning(request, "This import has already run or is running, so it cannot be discarded.")
    return redirect("people:import_job", pk=job.pk)


@hr_admin_required
def import_progress(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content", "changes"), pk=pk)
    return JsonResponse(_progress(job))


@hr_admin_required
def import_errors_csv(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content", "changes"), pk=pk)
    audit.record(
        action=AuditEvent.Action.EXPORT_DOWNLOADED,
        actor=request.user,
        target=job,
        target_label=f"Import #{job.pk}",
        details={"file": f"import-{job.pk}-errors.csv"},
    )
    return csv_response(
        f"import-{job.pk}-errors.csv", ["line", "problem"], ([line, str(message)] for line, message in job.errors)
    )


def _stale_before():
    return timezone.now() - importing.STALE_JOB


def _progress(job: ImportJob) -> dict:
    total = job.total_rows or 0
    status = job.status
    if status == ImportJob.Status.CHECKING:
        percent = min(99, 100 * job.processed_rows // total) if total else 0
        label = f"Checking rows: {job.processed_rows:,} of {total:,}" if total else "Checking the file…"
    elif status == ImportJob.Status.UPLOADED:
        percent, label = 0, "Waiting for a worker to check the file…"
    elif status == ImportJob.Status.VALIDATING and total:
        percent = min(80, 80 * job.processed_rows // total)
        label = f"Checking rows: {job.processed_rows:,} of {total:,}"
    elif status == ImportJob.Status.WRITING:
        percent, label = 90, f"Saving {total:,} row{'s' if total != 1 else ''} to the directory…"
    elif status == ImportJob.Status.QUEUED:
        percent, label = 0, "Waiting for a worker to start the import…"
    elif status == ImportJob.Status.DONE:
        percent, label = 100, "Import finished."
    else:
        percent, label = 0, job.get_status_display()
    return {
        "id": job.pk,
        "status": status,
        "status_label": job.get_status_display(),
        "label": label,
        "processed": job.processed_rows,
        "total": total,
        "percent": percent,
        "finished": not job.is_running,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "error_count": len(job.errors),
        "message": job.message,
    }
