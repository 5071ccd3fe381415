"""Celery tasks are thin: they take primary keys (here none), load, and call a service."""

from celery import shared_task

from audit import services


@shared_task
def audit_events_expire():
    """Nightly: delete audit events older than AUDIT_RETENTION_DAYS (safe to run twice)."""
    return services.audit_events_expire()
