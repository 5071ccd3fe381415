"""The import preview runs in a background job: the upload request stores the file and queues
the check; the page follows its progress; the result is the preview (problems with their line
numbers, or what would change), and nothing reaches the directory before the commit."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from people import importing
from people.importing import jobs as import_jobs
from people.models import ImportJob, Person
from people.tasks import people_import_preview
from people.tests.factories import PersonFactory, import_csv, import_row

pytestmark = pytest.mark.django_db


def upload(client, text, name="export.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")
    return client.post(reverse("people:import_upload"), {"file": file})


def many_rows(count, *, bad=()):
    """An export of ``count`` people; the rows numbered in ``bad`` have an unreadable seniority."""
    return import_csv(
        *(import_row(f"person{k}@example.com", seniority="eleven" if k in bad else "3") for k in range(count))
    )


def test_the_upload_request_only_stores_the_file_and_queues_the_check(
    hr_client, monkeypatch, django_capture_on_commit_callbacks
):
    def no_check_in_the_request(**kwargs):
        raise AssertionError("the upload request checked the rows")

    monkeypatch.setattr(import_jobs, "people_import_validate", no_check_in_the_request)
    text = many_rows(3)

    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(hr_client, text)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("people:import_job", args=[job.pk])
    assert len(callbacks) == 1  # the check, queued after commit
    assert (job.status, job.content, job.total_rows, job.errors) == ("uploaded", text, 3, [])
    html = hr_client.get(response.url).content.decode()
    assert 'data-testid="import-checking"' in html
    assert 'data-testid="import-progress-bar"' in html
    assert "js/import_progress.js" in html
    assert 'data-testid="import-commit"' not in html
    progress = hr_client.get(reverse("people:import_progress", args=[job.pk])).json()
    assert (progress["status"], progress["finished"], progress["percent"]) == ("uploaded", False, 0)
    assert progress["label"] == "Waiting for a worker to check the file…"
    assert not Person.objects.filter(email="person0@example.com").exists()


def test_the_page_follows_the_check_and_then_shows_the_preview(hr_client, hr_admin):
    job = importing.people_import_job_create(text=many_rows(5), file_name="export.csv", user=hr_admin)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, processed_rows=2)

    progress = hr_client.get(reverse("people:import_progress", args=[job.pk])).json()
    assert (progress["status"], progress["finished"], progress["percent"]) == ("checking", False, 40)
    assert progress["label"] == "Checking rows: 2 of 5"

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.UPLOADED, processed_rows=0)
    assert importing.people_import_job_preview(job_id=job.pk) is True
    progress = hr_client.get(reverse("people:import_progress", args=[job.pk])).json()
    assert (progress["status"], progress["finished"]) == ("ready", True)
    html = hr_client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-preview"' in html and 'data-testid="planned-created">5<' in html
    assert Person.objects.filter(email__startswith="person").count() == 0  # nothing written before the commit


def test_a_large_export_is_checked_with_progress_and_bad_rows_keep_their_line_numbers(hr_admin, monkeypatch):
    reported = []
    update = import_jobs._job_update

    def watched(job_id, **values):
        reported.append(values.get("processed_rows"))
        update(job_id, **values)

    monkeypatch.setattr(import_jobs, "_job_update", watched)
    job = importing.people_import_job_create(
        text=many_rows(2500, bad={10, 2400}), file_name="export.csv", user=hr_admin
    )

    assert people_import_preview(job.pk) is False

    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert job.content == ""  # an upload with errors is not kept
    assert [line for line, _ in job.errors] == [12, 2402]  # line 1 is the header
    assert all("seniority: “eleven” is not a whole number" in message for _, message in job.errors)
    assert [n for n in reported if n is not None] == [1000, 2000, 2500]
    assert job.total_rows == 2500
    assert not Person.objects.filter(email__startswith="person").exists()


def test_the_check_runs_once(hr_admin):
    job = importing.people_import_job_create(text=many_rows(2), file_name="export.csv", user=hr_admin)

    assert people_import_preview(job.pk) is True
    assert people_import_preview(job.pk) is False  # delivered twice: checked once
    assert people_import_preview("not-an-id") is False
    job.refresh_from_db()
    assert (job.status, job.planned_created) == ("ready", 2)


def test_a_check_that_crashes_says_so_and_keeps_nothing(hr_client, hr_admin, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    job = importing.people_import_job_create(text=many_rows(2), file_name="export.csv", user=hr_admin)
    monkeypatch.setattr(import_jobs, "people_import_validate", broken)

    assert importing.people_import_job_preview(job_id=job.pk) is False

    job.refresh_from_db()
    assert (job.status, job.content) == ("invalid", "")
    response = hr_client.get(reverse("people:import_job", args=[job.pk]))
    assert response.status_code == 200
    assert "An unexpected error stopped the check. Nothing was imported" in response.content.decode()


def test_a_stalled_check_can_be_checked_again(hr_client, hr_admin, django_capture_on_commit_callbacks):
    PersonFactory(email="person0@example.com", title="Old title")
    job = importing.people_import_job_create(text=many_rows(3), file_name="export.csv", user=hr_admin)
    url = reverse("people:import_job", args=[job.pk])
    check = reverse("people:import_check", args=[job.pk])

    response = hr_client.post(check, follow=True)  # not stalled: nothing to restart
    assert "nothing to restart" in response.content.decode()
    assert 'data-testid="import-stalled"' not in hr_client.get(url).content.decode()

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKING, processed_rows=1, updated_at=timezone.now() - timedelta(hours=1)
    )
    html = hr_client.get(url).content.decode()
    assert 'data-testid="import-stalled"' in html and check in html

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hr_client.post(check)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.planned_created, job.planned_updated) == ("ready", 2, 1)
    assert Person.objects.get(email="person0@example.com").title == "Old title"


def test_an_upload_can_be_discarded_while_it_is_checked(hr_client, hr_admin):
    job = importing.people_import_job_create(text=many_rows(2), file_name="export.csv", user=hr_admin)
    assert 'data-testid="import-discard"' in hr_client.get(reverse("people:import_job", args=[job.pk])).content.decode()

    hr_client.post(reverse("people:import_discard", args=[job.pk]))

    assert people_import_preview(job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.content) == ("discarded", "")
    assert not importing.people_import_job_queue(job=job)


def test_an_upload_cannot_be_imported_before_its_preview(hr_client, hr_admin, django_capture_on_commit_callbacks):
    job = importing.people_import_job_create(text=many_rows(2), file_name="export.csv", user=hr_admin)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKING, updated_at=timezone.now() - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hr_client.post(reverse("people:import_run", args=[job.pk]))

    assert callbacks == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKING
    assert not Person.objects.filter(email__startswith="person").exists()
