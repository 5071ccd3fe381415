""" "Download my data": the request, the background job, the zip, the expiry and who may download."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.submissions import submission_token_new
from datarights import services
from datarights.models import DataExport
from datarights.tasks import data_export_build, data_exports_expire
from people.tests.factories import UserFactory

from .conftest import EMAIL, TEXT_ANSWER

pytestmark = pytest.mark.django_db


def request_export(client, **extra):
    return client.post(reverse("datarights:export_request"), extra)


def built(user) -> DataExport:
    """An export requested and built (the test's transaction never commits: the job runs here)."""
    export, _ = services.data_export_request(user=user)
    data_export_build(export.pk)
    export.refresh_from_db()
    return export


def zip_of(response) -> zipfile.ZipFile:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_menu_and_my_profile_link_to_the_page(client, world):
    client.force_login(world.user)
    page = client.get(reverse("people:my_profile")).content.decode()
    assert reverse("datarights:my_data") in page
    assert 'data-testid="nav-my-data"' in page
    assert client.get(reverse("datarights:my_data")).status_code == 200


def test_download_journey(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = request_export(client)
    export = DataExport.objects.get(user=world.user)
    assert response.status_code == 302
    assert response["Location"] == reverse("datarights:export_detail", args=[export.pk])
    assert export.status == DataExport.Status.READY
    assert export.expires_at == export.finished_at + timedelta(hours=24)

    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-ready"' in page
    progress = client.get(reverse("datarights:export_progress", args=[export.pk])).json()
    assert progress["finished"] is True and progress["percent"] == 100

    download = client.get(reverse("datarights:export_download", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    archive = zip_of(download)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "account.json",
        "directory_entry.json",
        "enrollments.json",
        "enrollments.csv",
        "goals.json",
        "sessions.json",
        "sessions.csv",
        "private_notes.json",
        "survey_answers.json",
        "survey_answers.csv",
        "notifications.json",
    } <= names
    readme = archive.read("README.txt").decode()
    assert "anonymous surveys" in readme.lower() and "cannot be" in readme
    assert json.loads(archive.read("directory_entry.json"))["email"] == EMAIL
    enrollments = json.loads(archive.read("enrollments.json"))
    assert enrollments[0]["goals"] == "Become a lead"
    assert "My private hopes" in enrollments[0]["answers"].values()
    goals = json.loads(archive.read("goals.json"))
    assert goals["goals"][0]["title"] == "Zelda's goal"
    assert goals["goals"][0]["milestones"][0]["title"] == "Zelda's milestone"
    assert [c["comment"] for c in goals["comments_you_wrote"]] == ["Zelda's comment"]  # not the partner's
    sessions = json.loads(archive.read("sessions.json"))
    assert sessions[0]["shared_notes"] == "Zelda's shared note about the stretch project"
    notes = json.loads(archive.read("private_notes.json"))
    assert [n["note"] for n in notes] == ["Zelda's private thought"]  # never the partner's
    answers = json.loads(archive.read("survey_answers.json"))
    assert {a["text"] for a in answers if a["text"]} == {TEXT_ANSWER}
    assert {a["number"] for a in answers if a["number"]} == {5}
    notifications = json.loads(archive.read("notifications.json"))
    assert [n["title"] for n in notifications] == ["For Zelda"]
    assert DataExport.objects.get(pk=export.pk).downloaded_at is not None


def test_a_double_click_builds_one_export(client, world):
    client.force_login(world.user)
    # The worker is not there yet: the first export is still waiting when the second click comes.
    export, created = services.data_export_request(user=world.user)
    DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.QUEUED, content=None)
    again, created_again = services.data_export_request(user=world.user)
    assert created and not created_again and again.pk == export.pk
    response = request_export(client)
    assert response["Location"] == reverse("datarights:export_detail", args=[export.pk])
    assert DataExport.objects.filter(user=world.user).count() == 1


def test_the_same_form_posted_twice_is_handled_once(client, world):
    client.force_login(world.user)
    token = submission_token_new()
    first = request_export(client, submission_token=token)
    second = request_export(client, submission_token=token)
    assert first["Location"] == second["Location"]
    assert DataExport.objects.filter(user=world.user).count() == 1


def test_a_task_delivered_twice_builds_once(world):
    export, _ = services.data_export_request(user=world.user)
    assert data_export_build(export.pk) is True
    assert data_export_build(export.pk) is False
    assert data_export_build("junk") is False
    assert data_export_build(999999) is False


def test_link_expires_and_the_sweep_deletes_the_file(client, world):
    client.force_login(world.user)
    export = built(world.user)
    assert export.status == DataExport.Status.READY
    url = reverse("datarights:export_download", args=[export.pk])
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    expired = client.get(url)  # past its time, before the sweep: gone already
    assert expired.status_code == 410
    assert "no longer available" in expired.content.decode()

    assert data_exports_expire() == 1
    assert data_exports_expire() == 0
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and export.content is None
    assert client.get(url).status_code == 410
    assert (
        'data-testid="export-expired"'
        in client.get(reverse("datarights:export_detail", args=[export.pk])).content.decode()
    )


def test_the_link_lasts_data_export_hours(world, settings):
    settings.DATA_EXPORT_HOURS = 2
    export = built(world.user)
    assert export.expires_at == export.finished_at + timedelta(hours=2)


def test_another_persons_export_is_a_404(client, world):
    export = built(world.user)
    client.force_login(world.partner)
    for name in ("export_detail", "export_progress", "export_download"):
        assert client.get(reverse(name.join(("datarights:", "")), args=[export.pk])).status_code == 404
    hr = UserFactory(is_hr_admin=True)
    client.force_login(hr)  # HR neither: only the person downloads their data
    assert client.get(reverse("datarights:export_download", args=[export.pk])).status_code == 404


def test_bad_ids_are_404s_never_500s(client, world):
    client.force_login(world.user)
    for url in ("/my-data/exports/0/", "/my-data/exports/99999999999999999999/download/", "/my-data/exports/abc/"):
        assert client.get(url).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, world):
    export, _ = services.data_export_request(user=world.user)
    for url in (reverse("datarights:my_data"), reverse("datarights:export_download", args=[export.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_account_without_a_directory_entry_still_gets_its_account_and_notifications(client, db):
    user = UserFactory()
    export = built(user)
    client.force_login(user)
    archive = zip_of(client.get(reverse("datarights:export_download", args=[export.pk])))
    assert json.loads(archive.read("account.json"))["email"] == user.email
    assert json.loads(archive.read("directory_entry.json")) is None
