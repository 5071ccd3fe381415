"""HR's audit log: who did what and when, filtered, 50 a page, and its CSV export."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import selectors
from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from audit.services import record
from core.exports import csv_response
from core.permissions import hr_admin_required

PAGE_SIZE = 50


def _filter_form(request) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None, programs=selectors.audit_program_choices())


def _filters(form: AuditFilterForm) -> dict | None:
    """The cleaned filters, ``{}`` for none, or None when the input is invalid."""
    if not form.is_bound:
        return {}
    return form.cleaned_data if form.is_valid() else None


@hr_admin_required
@require_GET
def event_list(request):
    form = _filter_form(request)
    filters = _filters(form)
    events = selectors.audit_events(filters=filters) if filters is not None else AuditEvent.objects.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "valid": filters is not None}
    return render(request, "audit/event_list.html", context)


@hr_admin_required
@require_GET
def event_list_csv(request):
    form = _filter_form(request)
    filters = _filters(form)
    if filters is None:
        return render(request, "audit/event_list.html", {"form": form, "page": None, "valid": False}, status=400)
    filename = f"audit-log-{timezone.localdate():%Y-%m-%d}.csv"
    record(action=AuditEvent.Action.EXPORT_DOWNLOADED, actor=request.user, details={"file": filename})
    events = selectors.audit_events(filters=filters)
    return csv_response(filename, selectors.CSV_HEADER, selectors.audit_csv_rows(events))
