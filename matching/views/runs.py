"""HR's match runs: starting one, a run with its proposals and the comparison with the previous
run, a proposal's explanation, the progress bar, locking or excluding a proposed pair, publishing."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.permissions import hr_admin_required
from matching import selectors, services
from matching.models import MatchProposal, MatchRun, PairOverride
from matching.services import MatchingError
from matching.views.base import TEMPLATES, _page, _program
from people import privacy

# 50 rows: the page stays light to read and to render at any run size (issue 12).
PROPOSALS_PER_PAGE = 50


def _urls_by_pk(name: str):
    """``pk -> reverse(name, args=[pk])`` at the cost of one ``reverse`` for a whole list
    (a page of 100 proposals reversed 300 addresses, a tenth of the page's time)."""
    marker = "2147483647"
    pattern = reverse(name, args=[int(marker)])
    return lambda pk: pattern.replace(marker, str(pk))


def _run_start(request, program):
    try:
        run = services.match_run_start(program=program, user=request.user)
    except MatchingError as exc:
        messages.error(request, str(exc))
        return redirect("matching:program", slug=program.slug)
    return redirect("matching:run_detail", pk=run.pk)


@hr_admin_required
@require_POST
def run_start(request, slug):
    return _run_start(request, _program(request, slug))


def _run(pk) -> MatchRun:
    return get_object_or_404(MatchRun.objects.select_related("program", "started_by"), pk=pk)


@hr_admin_required
def run_detail(request, pk):
    run = _run(pk)
    sort = request.GET.get("sort", "-score")
    if sort not in selectors.PROPOSAL_SORTS:
        sort = "-score"
    context = {"run": run, "program": run.program, "sort": sort, "active": "criteria", "page_title": f"Run #{run.pk}"}
    if run.status in (MatchRun.Status.DONE, MatchRun.Status.PUBLISHED):
        previous = selectors.run_previous(run=run)
        unmatched_count, unmatched = selectors.run_unmatched_mentees(run=run)
        proposals = _page(selectors.run_proposals(run=run, sort=sort), PROPOSALS_PER_PAGE, request.GET.get("page"))
        detail, lock, exclude = (_urls_by_pk(f"matching:proposal_{action}") for action in ("detail", "lock", "exclude"))
        for proposal in proposals:
            proposal.urls = {"detail": detail(proposal.pk), "lock": lock(proposal.pk), "exclude": exclude(proposal.pk)}
        context.update(
            proposals=proposals,
            previous=previous,
            comparison=selectors.run_comparison(run=run, previous=previous, viewer=request.user),
            unmatched_count=unmatched_count,
            unmatched=unmatched,
            max_points=(run.stats or {}).get("max_points", {}),
            min_group=privacy.min_group(),
        )
    return render(request, TEMPLATES + "run_detail.html", context)


@hr_admin_required
@require_GET
def proposal_detail(request, pk):
    """One proposal's score, criterion by criterion. ``?partial=1`` answers the breakdown
    alone, which the run page loads into a row when HR opens it
    (static/js/proposal_explanation.js); without JavaScript the row links here."""
    proposal = get_object_or_404(
        MatchProposal.objects.select_related(
            "run__program",
            "mentee__person__department",
            "mentee__person__location",
            "mentor__person__department",
            "mentor__person__location",
        ),
        pk=pk,
    )
    context = {
        "proposal": proposal,
        "run": proposal.run,
        "program": proposal.run.program,
        "max_points": (proposal.run.stats or {}).get("max_points", {}),
        "active": "criteria",
        "page_title": f"Run #{proposal.run_id}",
    }
    if request.GET.get("partial"):
        return render(request, TEMPLATES + "_proposal_explanation.html", context)
    return render(request, TEMPLATES + "proposal_detail.html", context)


@hr_admin_required
def run_progress(request, pk):
    """The run's state for the progress bar (polled by static/js/match_run_progress.js)."""
    run = get_object_or_404(MatchRun.objects.only("status", "progress", "message", "created_at"), pk=pk)
    finished = run.is_stale or run.status in (MatchRun.Status.DONE, MatchRun.Status.FAILED, MatchRun.Status.PUBLISHED)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "message": run.message,
            "finished": finished,
        }
    )


@hr_admin_required
@require_POST
def run_publish(request, pk):
    run = _run(pk)
    try:
        result = services.match_run_publish(run=run, user=request.user)
    except MatchingError as exc:
        messages.error(request, str(exc))
        return redirect("matching:run_detail", pk=run.pk)
    text = f"Published {len(result.created)} proposed pairing{'s' if len(result.created) != 1 else ''}; "
    text += "both people were asked to confirm."
    if result.skipped:
        text += f" {len(result.skipped)} proposal(s) were skipped: {' '.join(result.skipped[:3])}"
    messages.success(request, text)
    return redirect("matching:pairing_list", slug=run.program.slug)


def _proposal_override(request, pk, kind):
    proposal = get_object_or_404(
        MatchProposal.objects.select_related("run__program", "mentee__person", "mentor__person"), pk=pk
    )
    try:
        services.pair_override_set(
            program=proposal.run.program, mentee=proposal.mentee, mentor=proposal.mentor, kind=kind, user=request.user
        )
    except MatchingError as exc:
        messages.error(request, str(exc))
    else:
        verb = "Locked" if kind == PairOverride.Kind.LOCK else "Excluded"
        messages.success(
            request,
            f"{verb} {proposal.mentee.person} with {proposal.mentor.person}. Run matching again to see the effect.",
        )
    return redirect(f"{reverse('matching:run_detail', kwargs={'pk': proposal.run_id})}#proposal-{proposal.pk}")


@hr_admin_required
@require_POST
def proposal_lock(request, pk):
    return _proposal_override(request, pk, PairOverride.Kind.LOCK)


@hr_admin_required
@require_POST
def proposal_exclude(request, pk):
    return _proposal_override(request, pk, PairOverride.Kind.EXCLUDE)
