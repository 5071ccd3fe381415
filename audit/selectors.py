"""Reads for the audit log page and its CSV export."""

from datetime import UTC, datetime, time, timedelta

from django.db.models import Max, Q, QuerySet, Subquery
from django.utils import timezone

from audit.models import AuditEvent

CSV_HEADER = [
    "when (UTC)",
    "who",
    "action",
    "target type",
    "target id",
    "target",
    "program id",
    "program",
    "details",
    "IP address",
    "request id",
]


def audit_program_choices() -> list[tuple[int, str]]:
    """The programs the trail mentions (by their latest label), for the filter."""
    latest = (
        AuditEvent.objects.filter(program_id__isnull=False)
        .order_by()
        .values("program_id")
        .annotate(last=Max("pk"))
        .values("last")
    )
    rows = AuditEvent.objects.filter(pk__in=Subquery(latest)).order_by().values_list("program_id", "program_label")
    return sorted(rows, key=lambda item: item[1].lower())


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(*, filters: dict) -> QuerySet[AuditEvent]:
    """Events matching a valid ``AuditFilterForm``'s ``cleaned_data``, newest first."""
    events = AuditEvent.objects.order_by("-created_at", "-pk")
    who = (filters.get("who") or "").strip()
    if who:
        events = events.filter(Q(actor_label__icontains=who) | Q(target_label__icontains=who))
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("program") is not None:
        events = events.filter(program_id=filters["program"])
    if filters.get("date_from"):
        events = events.filter(created_at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        events = events.filter(created_at__lt=_day_start(filters["date_to"] + timedelta(days=1)))
    return events


def audit_csv_rows(events: QuerySet[AuditEvent]):
    for event in events.iterator(chunk_size=2000):
        details = "; ".join(f"{key}={value}" for key, value in sorted(event.details.items()))
        yield [
            event.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.get_action_display(),
            event.target_type,
            event.target_id,
            event.target_label,
            event.program_id,
            event.program_label,
            details,
            event.ip_address or "",
            event.request_id,
        ]
