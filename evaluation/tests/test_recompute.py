"""HR's "Recompute now": a POST that queues the evaluation task once the request commits."""

import pytest

from evaluation.models import ProgramSnapshot

pytestmark = pytest.mark.django_db

PROGRAM_URL = "/dashboards/programs/leadership-circle/recompute/"


def test_hr_recomputes_one_program(hr_client, scenario, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(PROGRAM_URL)
    assert response.status_code == 302 and response["Location"] == "/dashboards/programs/leadership-circle/"
    snapshot = ProgramSnapshot.objects.get()
    assert (snapshot.program, snapshot.pairings_active) == (scenario.program, 3)
    page = hr_client.get("/dashboards/programs/leadership-circle/")
    assert not page.context["dashboard"].is_live


def test_hr_recomputes_every_running_program(hr_client, scenario, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post("/dashboards/recompute/", follow=True)
    assert "Recomputing every running program" in response.content.decode()
    assert ProgramSnapshot.objects.count() == 1


def test_a_get_changes_nothing(hr_client, scenario):
    assert hr_client.get(PROGRAM_URL).status_code == 405
    assert hr_client.get("/dashboards/recompute/").status_code == 405


def test_owners_cannot_recompute(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(PROGRAM_URL).status_code == 403
        assert owner_client.post("/dashboards/recompute/").status_code == 403
    assert not ProgramSnapshot.objects.exists()


def test_other_owners_and_participants_get_a_404(other_owner_client, scenario):
    assert other_owner_client.post(PROGRAM_URL).status_code == 404


def test_participants_get_a_404(participant_client):
    assert participant_client.post(PROGRAM_URL).status_code == 404
