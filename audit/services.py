"""Writing the audit trail: ``record`` (the only way in) and the retention sweep.

Callers are the services of the apps above (and the CSV views, for downloads); this module
imports none of them. ``details`` takes codes, ids, counts and field names: ``record``
refuses long text so a person's free text (a note, an answer, a reason) cannot slip in.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from audit import context
from audit.models import AuditEvent

logger = logging.getLogger(__name__)

Action = AuditEvent.Action

# The longest text a ``details`` value may hold: a status, a field name, a file name.
DETAIL_TEXT_MAX = 120
DELETE_BATCH = 5000


def actor_label(user) -> str:
    """``name <email>`` as the account reads now (kept on the event when the account changes)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    name = user.get_full_name().strip()
    return (f"{name} <{user.email}>" if name else user.email)[:300]


def _detail_value(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > DETAIL_TEXT_MAX or "\n" in value:
            raise ValueError("Audit details hold codes, ids and counts, not free text.")
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_detail_value(item) for item in (sorted(value) if isinstance(value, set | frozenset) else value)]
    raise ValueError(f"Audit details cannot hold a {type(value).__name__}.")


def _details(details: dict | None) -> dict:
    return {str(key): _detail_value(value) for key, value in (details or {}).items()}


def record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    target_label: str | None = None,
    program=None,
    details: dict | None = None,
    request=None,
) -> AuditEvent:
    """Record that ``actor`` (an account, or None for the system) did ``action`` to ``target``
    (any saved model instance) in ``program`` (a Program, or None). Called inside the service's
    transaction, so the event commits or rolls back with the change.

    ``target_label`` defaults to ``str(target)``; ``request`` is needed only outside a request
    the middleware saw (a signal handed it over); otherwise the address comes from the request
    being served and the request id from the logs' context.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ip = context.client_ip_of(request) if request is not None else context.client_ip()
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_label=actor_label(actor),
        details=_details(details),
        ip_address=ip,
        request_id=context.request_id(),
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_id = target.pk
        event.target_label = (str(target) if target_label is None else target_label)[:300]
    elif target_label:
        event.target_label = target_label[:300]
    if program is not None:
        event.program_id = program.pk
        event.program_label = str(program.name)[:200]
    event.save()
    return event


def audit_events_expire(*, now=None) -> int:
    """Delete events older than ``AUDIT_RETENTION_DAYS`` (in batches); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            AuditEvent.objects.filter(created_at__lt=cutoff).order_by().values_list("pk", flat=True)[:DELETE_BATCH]
        )
        if not ids:
            break
        count, _ = AuditEvent.objects.filter(pk__in=ids).delete()
        deleted += count
    if deleted:
        logger.info("Audit events older than %s days deleted: %s", settings.AUDIT_RETENTION_DAYS, deleted)
    return deleted
