"""The import pages: upload → preview (with every row's errors) → commit → progress and result."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from people import importing
from people.models import ImportJob, Person
from people.tests.factories import IMPORT_HEADER, PersonFactory, import_csv, import_row
from programs.models import Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory

SAMPLE = Path(__file__).parent / "data" / "people_sample.csv"
IMPORT_HEADER_BYTES = IMPORT_HEADER.encode()


def upload(client, content, name="export.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(reverse("people:import_upload"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def job_urls(job):
    return [
        ("get", reverse("people:import_job", args=[job.pk])),
        ("get", reverse("people:import_progress", args=[job.pk])),
        ("get", reverse("people:import_errors_csv", args=[job.pk])),
        ("post", reverse("people:import_run", args=[job.pk])),
        ("post", reverse("people:import_check", args=[job.pk])),
        ("post", reverse("people:import_discard", args=[job.pk])),
    ]


def checked(job):
    """The job once its background check (the preview) has run, as the worker runs it."""
    importing.people_import_job_preview(job_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture
def ready_job(hr_admin):
    return checked(
        importing.people_import_job_create(text=SAMPLE.read_text(encoding="utf-8"), file_name="hr.csv", user=hr_admin)
    )


def test_upload_preview_commit_flow(hr_client, django_capture_on_commit_callbacks):
    PersonFactory(email="sam.lee@example.com", first_name="Sam", last_name="Lee", title="CTO")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the preview runs in the worker
        response = upload(hr_client, SAMPLE.read_bytes(), name="workday-export.csv")
    assert len(callbacks) == 1

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("people:import_job", args=[job.pk])
    page = hr_client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="import-preview"' in html
    assert (job.status, job.planned_created, job.planned_updated) == ("ready", 4, 1)
    assert 'data-testid="planned-created">4<' in html
    assert "Import 5 rows" in html
    assert "title" in html  # Sam's change is listed
    # Nothing is written before the commit.
    assert not Person.objects.filter(email="maria.lopez@example.com").exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = hr_client.post(reverse("people:import_run", args=[job.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (4, 1, 0)
    assert job.content == ""  # the uploaded export is not kept once imported
    assert Person.objects.get(email="maria.lopez@example.com").manager.email == "dana.okafor@example.com"
    assert Person.objects.get(email="sam.lee@example.com").title == "VP Engineering"

    progress = hr_client.get(reverse("people:import_progress", args=[job.pk])).json()
    assert progress["status"] == "done"
    assert progress["finished"] is True
    assert progress["percent"] == 100
    assert (progress["created"], progress["updated"], progress["unchanged"]) == (4, 1, 0)

    html = hr_client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-result"' in html
    assert 'data-testid="result-created">4<' in html


def test_queued_job_shows_a_progress_bar_and_reports_progress(hr_client, ready_job):
    # Without running the on-commit callbacks the task stays queued, as with a busy worker.
    hr_client.post(reverse("people:import_run", args=[ready_job.pk]))

    html = hr_client.get(reverse("people:import_job", args=[ready_job.pk])).content.decode()
    assert 'data-testid="import-progress-bar"' in html
    assert reverse("people:import_progress", args=[ready_job.pk]) in html
    assert "js/import_progress.js" in html
    progress = hr_client.get(reverse("people:import_progress", args=[ready_job.pk])).json()
    assert (progress["status"], progress["finished"], progress["total"]) == ("queued", False, 5)

    ImportJob.objects.filter(pk=ready_job.pk).update(status=ImportJob.Status.VALIDATING, processed_rows=2)
    progress = hr_client.get(reverse("people:import_progress", args=[ready_job.pk])).json()
    assert progress["label"] == "Checking rows: 2 of 5"
    assert 0 < progress["percent"] < 100


def test_commit_twice_runs_once(hr_client, ready_job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as first:
        hr_client.post(reverse("people:import_run", args=[ready_job.pk]))
    with django_capture_on_commit_callbacks(execute=True) as second:
        response = hr_client.post(reverse("people:import_run", args=[ready_job.pk]), follow=True)
    assert (len(first), len(second)) == (1, 0)
    assert "cannot be started again" in response.content.decode()
    assert Person.objects.filter(email="maria.lopez@example.com").count() == 1


def test_task_ignores_a_job_that_is_not_queued(ready_job):
    from people.tasks import people_import_run

    assert people_import_run(ready_job.pk) is False
    assert people_import_run("not-an-id") is False
    assert Person.objects.filter(email="maria.lopez@example.com").count() == 0


def test_invalid_upload_lists_every_error_with_its_line_and_cannot_be_committed(
    hr_client, django_capture_on_commit_callbacks
):
    text = import_csv(
        import_row("fine@example.com"),
        import_row("broken", seniority="99"),
        import_row("x@example.com", "=cmd@example.com"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(hr_client, text)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert job.content == ""

    html = hr_client.get(response.url).content.decode()
    assert "Nothing was imported." in html
    assert html.count('data-testid="import-error"') == 3
    assert "“broken” is not a valid email address" in html
    assert "seniority: “99” is not a whole number from 1 to 10" in html
    assert 'data-testid="import-commit"' not in html

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hr_client.post(reverse("people:import_run", args=[job.pk]))
    assert callbacks == []
    assert Person.objects.count() == 1  # only the HR admin
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID

    download = hr_client.get(reverse("people:import_errors_csv", args=[job.pk]))
    assert download["Content-Type"].startswith("text/csv")
    rows = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0] == "line,problem"
    assert rows[1].startswith("3,")
    assert len(rows) == 4
    assert "manager_email: =cmd@example.com is not in this file or in the directory" in rows[3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Vorname,Straße\nJörg,Hauptstraße\n".encode("cp1252"), "not UTF-8 text"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "Excel workbook"),
        (bytes(range(256)), "binary file"),
        (b"", "The submitted file is empty."),
    ],
)
def test_unreadable_upload_shows_a_clear_error_and_creates_nothing(hr_client, content, message):
    response = upload(hr_client, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_upload_without_a_file_shows_an_error(hr_client):
    response = hr_client.post(reverse("people:import_upload"), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_too_large_upload_is_refused(hr_client, settings):
    settings.PEOPLE_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(hr_client, IMPORT_HEADER_BYTES + b"\n" + b"x" * (1024 * 1024))
    assert "The file is larger than 1 MB. Split it into several files" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_upload_with_100000_columns_is_refused_with_a_form_error_and_writes_nothing(hr_client):
    content = ",".join(f"c{n}" for n in range(100_000)).encode() + b"\n" + b"," * 99_999 + b"\n"

    response = upload(hr_client, content)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The header line has 100,000 columns; an export may have at most 100. "
        "Export only the columns the import reads and try again."
    ]
    assert ImportJob.objects.count() == 0 and Person.objects.count() == 1  # the HR admin


def test_upload_with_a_nul_character_is_a_form_error_naming_the_line(hr_client):
    content = import_csv(import_row("ann@example.com"), import_row("bo@example.com", title="Eng\x00ineer"))

    response = upload(hr_client, content)

    assert response.status_code == 200
    assert "line 3 contains a NUL character" in response.context["form"].errors["file"][0]
    assert ImportJob.objects.count() == 0 and not Person.objects.filter(email="ann@example.com").exists()


def test_upload_page_states_the_limits(hr_client):
    html = hr_client.get(reverse("people:import_upload")).content.decode()
    assert "At most 50 MB, 200,000 people, 100 columns and 8,192 characters per line in one file." in html


def test_discard_drops_the_upload(hr_client, ready_job):
    response = hr_client.post(reverse("people:import_discard", args=[ready_job.pk]), follow=True)
    assert 'data-testid="import-discarded"' in response.content.decode()
    ready_job.refresh_from_db()
    assert (ready_job.status, ready_job.content) == ("discarded", "")
    assert not importing.people_import_job_queue(job=ready_job)


def test_failed_run_shows_why_and_can_be_retried(hr_client, hr_admin, django_capture_on_commit_callbacks):
    boss = PersonFactory(email="boss@example.com")
    job = checked(
        importing.people_import_job_create(
            text=import_csv(import_row("new@example.com", "boss@example.com")), file_name="a.csv", user=hr_admin
        )
    )
    boss.delete()  # the manager leaves between preview and commit

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_run", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    html = hr_client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert "The import did not run." in html
    assert "boss@example.com is not in this file or in the directory" in html
    assert 'data-testid="import-retry"' in html
    assert not Person.objects.filter(email="new@example.com").exists()

    PersonFactory(email="boss@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Person.objects.get(email="new@example.com").manager.email == "boss@example.com"


def test_stalled_job_can_be_started_again(hr_client, ready_job, django_capture_on_commit_callbacks):
    hr_client.post(reverse("people:import_run", args=[ready_job.pk]))
    ImportJob.objects.filter(pk=ready_job.pk).update(
        status=ImportJob.Status.VALIDATING, updated_at=timezone.now() - timedelta(hours=1)
    )
    assert (
        'data-testid="import-stalled"'
        in hr_client.get(reverse("people:import_job", args=[ready_job.pk])).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_run", args=[ready_job.pk]))
    ready_job.refresh_from_db()
    assert ready_job.status == ImportJob.Status.DONE


def test_upload_page_explains_the_format_and_links_the_sample(hr_client):
    html = hr_client.get(reverse("people:import_upload")).content.decode()
    assert 'data-testid="import-format"' in html
    assert "samples/people_import_sample.csv" in html
    assert "<code>manager_email</code>" in html
    assert 'data-testid="import-jobs-empty"' in html


@pytest.mark.parametrize("job_count", [1, 8])
def test_upload_page_lists_recent_jobs_in_constant_queries(hr_client, hr_admin, job_count, django_assert_num_queries):
    for _ in range(job_count):
        ImportJob.objects.create(file_name="x.csv", created_by=hr_admin, status=ImportJob.Status.DONE, total_rows=3)
    hr_client.get(reverse("people:import_upload"))  # warm the session
    with django_assert_num_queries(8):
        response = hr_client.get(reverse("people:import_upload"))
    assert response.content.decode().count('data-testid="import-job-link"') == job_count


def test_another_hr_admin_can_follow_the_same_job(client, ready_job):
    from people.tests.factories import UserFactory

    colleague = UserFactory(email="hr.two@example.com", is_hr_admin=True)
    client.force_login(colleague)
    assert client.get(reverse("people:import_job", args=[ready_job.pk])).status_code == 200


@pytest.fixture
def mentor_mentee_owner(owner, alice, bob):
    program = ProgramFactory()
    program.owners.add(owner)
    EnrollmentFactory(program=program, person=alice.person, role=Role.MENTEE)
    EnrollmentFactory(program=program, person=bob.person, role=Role.MENTOR)
    return [owner, alice, bob]


def test_non_hr_people_get_403_on_every_import_page(client, ready_job, mentor_mentee_owner):
    for user in mentor_mentee_owner:
        client.force_login(user)
        assert client.get(reverse("people:import_upload")).status_code == 403
        assert client.post(reverse("people:import_upload"), {}).status_code == 403
        for method, url in job_urls(ready_job):
            assert getattr(client, method)(url).status_code == 403, (user, url)
    ready_job.refresh_from_db()
    assert ready_job.status == ImportJob.Status.READY


def test_signed_out_visitors_are_sent_to_sign_in(client, ready_job):
    response = client.get(reverse("people:import_progress", args=[ready_job.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_unknown_job_is_404(hr_client):
    for method, url in job_urls(ImportJob(pk=999999)):
        assert getattr(hr_client, method)(url).status_code == 404, url
