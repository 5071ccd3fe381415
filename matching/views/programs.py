"""HR's matching pages of a program: the overview of programs, a program's criteria and
weights, its overrides (locks and exclusions) and the picker that searches its participants."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.permissions import hr_admin_required
from matching import selectors, services
from matching.forms import MatchingCriteriaForm, PairOverrideForm
from matching.models import PairOverride
from matching.services import MatchingError
from matching.views.base import TEMPLATES, _program
from matching.views.runs import _run_start
from programs.models import Role

RUNS_PER_PAGE = 10
OVERRIDES_PER_PAGE = 25


@hr_admin_required
def index(request):
    page = Paginator(selectors.programs_for_matching(), 50).get_page(request.GET.get("page"))
    return render(request, TEMPLATES + "index.html", {"page": page})


def _program_page(request, program, *, form=None, override_form=None, status=200):
    criteria = services.matching_criteria_get_or_create(program=program)
    context = {
        "program": program,
        "criteria": criteria,
        "form": form or MatchingCriteriaForm(instance=criteria),
        "override_form": override_form or PairOverrideForm(program=program),
        "overview": selectors.program_matching_overview(program=program),
        "blockers": services.match_run_blockers(program=program),
        "runs": Paginator(selectors.match_runs_for_program(program=program), RUNS_PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "overrides": Paginator(selectors.pair_overrides_for_program(program=program), OVERRIDES_PER_PAGE).get_page(
            request.GET.get("overrides_page")
        ),
        "run_modes": services.RUN_MODES,
        "active": "criteria",
    }
    return render(request, TEMPLATES + "program.html", context, status=status)


@hr_admin_required
def program_matching(request, slug):
    """A program's criteria and weights (saved here), runs and overrides."""
    program = _program(request, slug)
    if request.method != "POST":
        return _program_page(request, program)
    criteria = services.matching_criteria_get_or_create(program=program)
    form = MatchingCriteriaForm(request.POST, instance=criteria)
    if not form.is_valid():
        return _program_page(request, program, form=form)
    services.matching_criteria_update(criteria=criteria, user=request.user, **form.service_kwargs())
    if "run" not in request.POST:
        messages.success(request, "Matching criteria saved. Run matching to see their effect.")
        return redirect("matching:program", slug=program.slug)
    messages.success(request, "Matching criteria saved.")
    return _run_start(request, program)


@hr_admin_required
@require_POST
def override_create(request, slug):
    program = _program(request, slug)
    form = PairOverrideForm(request.POST, program=program)
    if form.is_valid():
        try:
            override = services.pair_override_set(
                program=program,
                mentee=form.cleaned_data["mentee"],
                mentor=form.cleaned_data["mentor"],
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
        except MatchingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{override.get_kind_display()}: {override.mentee.person} with {override.mentor.person}. "
                "Run matching again to see the effect.",
            )
            return redirect("matching:program", slug=program.slug)
    return _program_page(request, program, override_form=form)


@hr_admin_required
@require_GET
def participant_search(request, slug):
    """The lock/exclude picker's search: approved participants in ``role`` whose name or
    email holds every word of ``q``, at most ``PICKER_MATCHES``, as JSON."""
    program = _program(request, slug)
    role = request.GET.get("role", "")
    if role not in Role.values:
        return JsonResponse({"error": "role must be mentee or mentor"}, status=400)
    text = request.GET.get("q", "")[:100]
    found = list(selectors.participants_matching(program=program, role=role, text=text)[: selectors.PICKER_MATCHES + 1])
    results = [
        {
            "id": enrollment.pk,
            "name": enrollment.person.full_name,
            "email": enrollment.person.email,
            "department": enrollment.person.department.name if enrollment.person.department else "",
        }
        for enrollment in found[: selectors.PICKER_MATCHES]
    ]
    response = JsonResponse({"results": results, "more": len(found) > selectors.PICKER_MATCHES})
    response["Cache-Control"] = "private, no-store"
    return response


@hr_admin_required
@require_POST
def override_delete(request, pk):
    override = get_object_or_404(PairOverride.objects.select_related("program"), pk=pk)
    services.pair_override_delete(override=override, user=request.user)
    messages.success(request, "Override removed.")
    return redirect("matching:program", slug=override.program.slug)
