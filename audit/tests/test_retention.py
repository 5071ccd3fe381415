"""Retention (the nightly task), the read-only admin, and the setting's floor."""

import datetime
import subprocess
import sys

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record
from audit.tasks import audit_events_expire

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def event_aged(days):
    event = record(action=Action.SIGNED_IN)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return event


def test_the_task_deletes_only_events_past_retention_and_is_idempotent(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old, older = event_aged(31), event_aged(400)
    kept = [event_aged(29), record(action=Action.SIGNED_IN)]
    assert audit_events_expire.delay().get() == 2
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}
    assert not AuditEvent.objects.filter(pk__in=[old.pk, older.pk]).exists()
    assert audit_events_expire() == 0
    assert AuditEvent.objects.count() == 2


def test_the_task_is_on_the_nightly_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "audit.tasks.audit_events_expire" in tasks


def test_the_default_keeps_two_years():
    from django.conf import settings

    assert settings.AUDIT_RETENTION_DAYS == 730


def test_a_retention_below_30_days_stops_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import mentorship.settings"],
        env={"DEBUG": "1", "AUDIT_RETENTION_DAYS": "7", "PATH": "/usr/bin:/bin", "ENV_FILE": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: AUDIT_RETENTION_DAYS must be at least 30, not 7"
    ]


def test_the_admin_is_read_only(admin_user):
    event = record(action=Action.SIGNED_IN, actor=admin_user)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert model_admin.has_view_permission(request, event)


def test_the_admin_pages_refuse_edits(admin_client, admin_user):
    event = record(action=Action.SIGNED_IN, actor=admin_user)
    change = f"/admin/audit/auditevent/{event.pk}/change/"
    assert admin_client.get(change).status_code == 200  # view only
    admin_client.post(change, {"actor_label": "someone else"})
    event.refresh_from_db()
    assert event.actor_label != "someone else"
    assert admin_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
