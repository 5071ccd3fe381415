"""Self-select: a mentee's suggested mentors and requests (send, withdraw), a mentor's incoming
requests (accept, decline)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.submissions import submit_once
from matching import selectors, services
from matching.forms import MentorshipRequestForm, ReasonForm
from matching.models import MentorshipRequest
from matching.services import MatchingError
from matching.views.base import TEMPLATES
from programs.models import Enrollment, Role

REQUESTS_PER_PAGE = 25


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
