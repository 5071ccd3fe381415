"""Matching pages.

HR admins: the matching overview, a program's criteria, runs and overrides, a
run with its proposals and the comparison with the previous run, publishing,
and the program's pairings. Everyone else gets 403 there.

Participants: their own matches (confirm or decline), a mentee's suggestions and
requests, a mentor's incoming requests. Objects are loaded through querysets
scoped to the signed-in person, so someone else's is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.permissions import hr_admin_required
from core.submissions import submit_once
from matching import selectors, services
from matching.forms import MatchingCriteriaForm, MentorshipRequestForm, PairingEndForm, PairOverrideForm, ReasonForm
from matching.models import MatchProposal, MatchRun, MentorshipRequest, Pairing, PairOverride
from matching.services import MatchingError
from people import privacy
from programs.models import Enrollment, Program, Role

TEMPLATES = "matching/"
RUNS_PER_PAGE = 10
OVERRIDES_PER_PAGE = 25
# 50 rows: the page stays light to read and to render at any run size (issue 12).
PROPOSALS_PER_PAGE = 50
PAIRINGS_PER_PAGE = 50
REQUESTS_PER_PAGE = 25


# --- HR ---------------------------------------------------------------------------------


def _page(queryset, per_page: int, number):
    """Page ``number`` of ``queryset`` in two steps: a narrow query sorts and slices the ids
    (with only the joins its order needs), then the page's rows are loaded with everything
    they show, in that order. In one query PostgreSQL joins the people (and reads the JSON)
    of every row of the list before it sorts them."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = queryset.order_by().in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _urls_by_pk(name: str):
    """``pk -> reverse(name, args=[pk])`` at the cost of one ``reverse`` for a whole list
    (a page of 100 proposals reversed 300 addresses, a tenth of the page's time)."""
    marker = "2147483647"
    pattern = reverse(name, args=[int(marker)])
    return lambda pk: pattern.replace(marker, str(pk))


def _program(request, slug) -> Program:
    return get_object_or_404(Program.objects.visible_to(request.user), slug=slug)


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


@hr_admin_required
def pairing_list(request, slug):
    program = _program(request, slug)
    status = request.GET.get("status", "")
    if status not in Pairing.Status.values:
        status = ""
    counts = selectors.pairing_status_counts(program=program)
    tabs = [("", "All", sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in Pairing.Status.choices
    ]
    pairings = selectors.pairings_for_program(program=program, status=status)
    page = _page(pairings, PAIRINGS_PER_PAGE, request.GET.get("page"))
    return render(
        request,
        TEMPLATES + "pairing_list.html",
        {"program": program, "page": page, "status": status, "tabs": tabs, "active": "pairings"},
    )


def _hr_pairing(request, pk) -> Pairing:
    return get_object_or_404(
        Pairing.objects.visible_to(request.user).select_related("program", "mentor__person", "mentee__person"), pk=pk
    )


@hr_admin_required
def pairing_end(request, pk):
    pairing = _hr_pairing(request, pk)
    form = PairingEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_end(pairing=pairing, user=request.user, reason=form.cleaned_data["reason"])
        except MatchingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The pairing of {pairing.mentor.person} and {pairing.mentee.person} ended.")
            return redirect("matching:pairing_list", slug=pairing.program.slug)
    return render(
        request, TEMPLATES + "pairing_end.html", {"pairing": pairing, "program": pairing.program, "form": form}
    )


@hr_admin_required
@require_POST
def pairing_complete(request, pk):
    pairing = _hr_pairing(request, pk)
    try:
        services.pairing_complete(pairing=pairing, user=request.user)
    except MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The pairing of {pairing.mentor.person} and {pairing.mentee.person} is completed.")
    return redirect("matching:pairing_list", slug=pairing.program.slug)


# --- Participants -----------------------------------------------------------------------


def my_match(request):
    pairings = selectors.pairings_for_participant(user=request.user)
    return render(request, TEMPLATES + "my_match.html", {"pairings": pairings})


def _own_pairing(request, pk) -> Pairing:
    queryset = Pairing.objects.involving(request.user).select_related(
        "program", "mentor__person__user", "mentee__person__user"
    )
    return get_object_or_404(queryset, pk=pk)


@require_POST
def pairing_confirm(request, pk):
    pairing = _own_pairing(request, pk)
    try:
        pairing = services.pairing_confirm(pairing=pairing, user=request.user)
    except MatchingError as exc:
        messages.error(request, str(exc))
    else:
        if pairing.status == Pairing.Status.PROPOSED:
            messages.success(request, "Thanks! We'll let you know when the other person confirms too.")
        else:
            messages.success(request, "You both confirmed: your mentoring can start.")
    return redirect("matching:my_match")


def pairing_decline(request, pk):
    pairing = _own_pairing(request, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_decline(pairing=pairing, user=request.user, reason=form.cleaned_data["reason"])
        except MatchingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "You declined the proposed match.")
            return redirect("matching:my_match")
    is_mentor = pairing.mentor.person.user_id == request.user.pk
    partner = pairing.mentee if is_mentor else pairing.mentor
    return render(request, TEMPLATES + "pairing_decline.html", {"pairing": pairing, "partner": partner, "form": form})


def find_mentor(request):
    sections = []
    for enrollment in selectors.self_select_enrollments(user=request.user):
        sections.append(
            {
                "suggestions": selectors.mentor_suggestions(enrollment=enrollment),
                "history": selectors.requests_for_mentee(enrollment=enrollment),
            }
        )
    return render(request, TEMPLATES + "find_mentor.html", {"sections": sections})


def _own_mentee_enrollment(request, pk) -> Enrollment:
    queryset = Enrollment.objects.filter(person__user=request.user, role=Role.MENTEE).select_related(
        "program", "person"
    )
    return get_object_or_404(queryset, pk=pk)


@submit_once
def request_create(request, enrollment_pk, mentor_pk):
    enrollment = _own_mentee_enrollment(request, enrollment_pk)
    suggestions = selectors.mentor_suggestions(enrollment=enrollment)
    suggestion = next((s for s in suggestions.items if s.mentor.pk == mentor_pk), None)
    form = MentorshipRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_request_create(
                mentee=enrollment, mentor_id=mentor_pk, message=form.cleaned_data["message"], user=request.user
            )
        except MatchingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your request was sent. We'll tell you as soon as the mentor answers.")
            return redirect("matching:find_mentor")
    if suggestion is None and request.method != "POST":
        messages.info(request, suggestions.blocker or "This mentor is not among your suggestions any more.")
        return redirect("matching:find_mentor")
    return render(
        request,
        TEMPLATES + "request_form.html",
        {"enrollment": enrollment, "suggestion": suggestion, "form": form},
    )


@require_POST
def request_withdraw(request, pk):
    mentorship_request = get_object_or_404(
        MentorshipRequest.objects.filter(mentee__person__user=request.user).select_related("mentee__person"), pk=pk
    )
    try:
        services.mentorship_request_withdraw(request=mentorship_request, user=request.user)
    except MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Request withdrawn. You can ask another mentor.")
    return redirect("matching:find_mentor")


def request_list(request):
    page = Paginator(selectors.requests_for_mentor(user=request.user), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, TEMPLATES + "request_list.html", {"page": page, "places": selectors.mentor_places(user=request.user)}
    )


def _incoming_request(request, pk) -> MentorshipRequest:
    queryset = MentorshipRequest.objects.filter(mentor__person__user=request.user).select_related(
        "program", "mentor__person", "mentee__person__user"
    )
    return get_object_or_404(queryset, pk=pk)


@require_POST
def request_accept(request, pk):
    mentorship_request = _incoming_request(request, pk)
    try:
        services.mentorship_request_accept(request=mentorship_request, user=request.user)
    except MatchingError as exc:
        messages.error(request, str(exc))
        return redirect("matching:request_list")
    messages.success(request, f"You are now {mentorship_request.mentee.person.full_name}'s mentor.")
    return redirect("matching:my_match")


def request_decline(request, pk):
    mentorship_request = _incoming_request(request, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_request_decline(
                request=mentorship_request, user=request.user, reason=form.cleaned_data["reason"]
            )
        except MatchingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Request declined. The mentee can ask someone else.")
            return redirect("matching:request_list")
    return render(request, TEMPLATES + "request_decline.html", {"mentorship_request": mentorship_request, "form": form})
