"""Success dashboards: HR's overview of every program, each program's dashboard (owners and
HR), its outcomes, HR's at-risk list with a one-click nudge, the diversity view (HR only),
"Recompute now" (HR) and the CSV export of every table.

A program the user may not open is a 404 (it is not confirmed to exist); a page of a program
they own but that is for HR admins only is a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from audit import services as audit
from audit.models import AuditEvent
from core.exports import csv_response
from core.jobs import task_queue_on_commit
from core.permissions import can, hr_admin_required
from core.rules import is_hr_admin
from evaluation import diversity as diversity_figures
from evaluation import exports, selectors, tasks
from evaluation.forms import HealthFilterForm, TrendForm
from evaluation.health import RULE_SUMMARY, Health
from people import privacy
from programs.permissions import program_or_404
from sessions import nudges

T = "evaluation/"
HEALTH_PAGE_SIZE = 50


# The HR-only parts of a program's dashboard (pairs at risk, nudges, recompute, diversity,
# HR-only tables) are for those who manage the program: HR admins.
MANAGE = "programs.manage_program"


def _program(request, slug, perm: str | None = None):
    """A program whose dashboards the user may open (HR admins: every one; owners: theirs;
    any other is a 404), and a 403 if it lacks ``perm`` on it."""
    programs = selectors.dashboard_programs_for(user=request.user)
    if perm is None:
        return get_object_or_404(programs, slug=slug)
    return program_or_404(request, slug, perm, queryset=programs)


def _tabs(request, program, active):
    tabs = [
        ("success", "Success", reverse("evaluation:program", args=[program.slug])),
        ("outcomes", "Outcomes", reverse("evaluation:outcomes", args=[program.slug])),
    ]
    if can(request.user, MANAGE, program):
        tabs += [
            ("health", "Pairs at risk", reverse("evaluation:health", args=[program.slug])),
            ("diversity", "Diversity & inclusion", reverse("evaluation:diversity", args=[program.slug])),
        ]
    return {"tabs": tabs, "active_tab": active}


def _tables_for(request, program) -> dict:
    hr = can(request.user, MANAGE, program)
    return {key: table for key, table in exports.PROGRAM_TABLES.items() if hr or not table.hr_only}


@require_GET
def overview(request):
    rows = selectors.programs_overview(user=request.user)
    if not is_hr_admin(request.user) and not rows:
        raise PermissionDenied("Only HR admins and program owners can open the dashboards.")
    return render(request, T + "overview.html", {"rows": rows})


@require_GET
def program_dashboard(request, slug):
    program = _program(request, slug)
    months = TrendForm.months_from(request.GET)
    can_manage = can(request.user, MANAGE, program)
    dashboard = selectors.program_dashboard(program=program, months=months, with_at_risk=can_manage)
    context = {
        "program": program,
        "can_manage": can_manage,
        "dashboard": dashboard,
        "months": months,
        "month_choices": selectors.TREND_MONTHS,
        "chart_data": selectors.trend_chart_data(snapshots=dashboard.trend),
        "rule": RULE_SUMMARY,
        "min_answers": privacy.min_group(),
        "tables": _tables_for(request, program),
        **_tabs(request, program, "success"),
    }
    return render(request, T + "program_dashboard.html", context)


@require_GET
def health_list(request, slug):
    """HR: every pair of one health status, with the reasons and a nudge button (from the
    stored health: a page of rows, filtered, sorted and paginated in SQL)."""
    program = _program(request, slug, MANAGE)
    status = HealthFilterForm.status_from(request.GET)
    pair_health = selectors.program_pair_health(program=program)
    healths = selectors.pair_health_list(program=program, health=status)
    page = Paginator(healths if pair_health.computed else [], HEALTH_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "program": program,
        "status": status,
        "status_label": Health(status).label,
        "statuses": [(Health.AT_RISK, "At risk"), (Health.COOLING, "Cooling")],
        "page": page,
        "rows": selectors.pair_health_rows(program=program, healths=page.object_list),
        "counts": pair_health.counts,
        "pair_health": pair_health,
        "rule": RULE_SUMMARY,
        **_tabs(request, program, "health"),
    }
    return render(request, T + "health_list.html", context)


@require_POST
def pairing_nudge(request, slug, pk):
    program = _program(request, slug, MANAGE)
    pairing = selectors.pairing_for_nudge(program=program, pairing_id=pk)
    if pairing is None:
        raise Http404("No such active pairing in this program.")
    try:
        sent = nudges.pairing_nudge(pairing=pairing, user=request.user)
    except nudges.NudgeError as error:
        messages.error(request, str(error))
    else:
        names = f"{pairing.mentor.person.full_name} and {pairing.mentee.person.full_name}"
        if sent:
            messages.success(request, f"Nudged {names}: they got a notification and an email.")
        else:
            messages.info(request, f"{names} were already nudged today; nothing was sent again.")
    if request.POST.get("back") == "health":
        status = HealthFilterForm.status_from(request.POST)
        return redirect(f"{reverse('evaluation:health', args=[program.slug])}?status={status}")
    return redirect("evaluation:program", slug=program.slug)


@require_POST
def program_recompute(request, slug):
    program = _program(request, slug, MANAGE)
    task_queue_on_commit(tasks.program_evaluate, program.pk)
    messages.success(request, "Recomputing this program's figures: reload the page in a few seconds to see them.")
    return redirect("evaluation:program", slug=program.slug)


@require_POST
@hr_admin_required
def recompute_all(request):
    task_queue_on_commit(tasks.programs_evaluate_nightly)
    messages.success(request, "Recomputing every running program: reload the page in a few seconds to see the figures.")
    return redirect("evaluation:overview")


@require_GET
def outcomes(request, slug):
    program = _program(request, slug)
    context = {
        "program": program,
        "outcomes": selectors.program_outcomes(program=program),
        **_tabs(request, program, "outcomes"),
    }
    return render(request, T + "outcomes.html", context)


@require_GET
def diversity(request, slug):
    program = _program(request, slug, MANAGE)
    released = diversity_figures.program_diversity(program=program)
    context = {
        "program": program,
        "released": released,
        "dimensions": released.figures["dimensions"],
        "min_group": privacy.min_group(),
        **_tabs(request, program, "diversity"),
    }
    return render(request, T + "diversity.html", context)


# --- CSV exports -----------------------------------------------------------------------


@require_GET
def overview_export(request):
    header, rows = exports.overview_table(user=request.user)
    if not is_hr_admin(request.user) and not rows:
        raise PermissionDenied("Only HR admins and program owners can export the dashboards.")
    filename = f"programs-overview-{timezone.localdate():%Y-%m-%d}.csv"
    audit.record(action=AuditEvent.Action.EXPORT_DOWNLOADED, actor=request.user, details={"file": filename})
    return csv_response(filename, header, rows)


@require_GET
def program_export(request, slug, table):
    program = _program(request, slug)
    spec = exports.PROGRAM_TABLES.get(table)
    if spec is None:
        raise Http404("No such table.")
    if spec.hr_only and not can(request.user, MANAGE, program):
        raise PermissionDenied("Only HR admins can open this page.")
    header, rows = spec.build(
        program=program,
        months=TrendForm.months_from(request.GET),
        status=HealthFilterForm.status_from(request.GET),
    )
    filename = f"{slugify(program.name)}-{table}-{timezone.localdate():%Y-%m-%d}.csv"
    audit.record(
        action=AuditEvent.Action.EXPORT_DOWNLOADED,
        actor=request.user,
        program=program,
        details={"file": filename[:120], "table": table},
    )
    return csv_response(filename, header, rows)
