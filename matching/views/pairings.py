"""Pairings: HR's list of a program's pairings (ending or completing one), and a participant's
own matches (confirming or declining a proposed one)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.permissions import can, hr_admin_required
from matching import selectors, services
from matching.forms import PairingEndForm, ReasonForm
from matching.models import Pairing
from matching.services import MatchingError
from matching.views.base import TEMPLATES, _page, _program

PAIRINGS_PER_PAGE = 50


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
    """A pairing the user may view (behind ``hr_admin_required``), or 404."""
    pairing = get_object_or_404(Pairing.objects.select_related("program", "mentor__person", "mentee__person"), pk=pk)
    if not can(request.user, "matching.view_pairing", pairing):
        raise Http404("No such pairing.")
    return pairing


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
