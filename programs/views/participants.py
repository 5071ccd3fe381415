"""HR's participants pages: the list, one application, invitations, decisions, the waitlist.

HR admins may do everything; program owners may read the participants list and
applications but not decide.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import form_add_service_errors
from core.permissions import can, hr_admin_required
from core.submissions import submit_once
from people.models import Person
from programs.forms.enrollment import DecisionForm, InviteForm, ParticipantFilterForm, PromoteForm
from programs.models import Enrollment, Program
from programs.permissions import program_or_404
from programs.services import approval as approval_services
from programs.services import enrollment as enrollment_services
from programs.services import invitations as invitation_services
from programs.services import training as training_services
from programs.services.enrollment import EnrollmentError
from programs.views.enrollment import _profile_summary

PARTICIPANTS_PER_PAGE = 50
INVITE_CANDIDATES_SHOWN = 300
# HR admins may change things; the program's owners may only read (anyone else: 403).
OVERSEE, MANAGE = "programs.oversee_program", "programs.manage_program"
OVERSEE_REFUSED = "Only HR admins and the program's owners can see its participants."
MANAGE_REFUSED = "Only HR admins can invite or decide on participants."


# --- HR pages -------------------------------------------------------------------------


def participant_list(request, slug):
    """HR's participants page: filters, bulk approve/decline, waitlist, training progress."""
    program = program_or_404(request, slug, OVERSEE, message=OVERSEE_REFUSED)
    can_manage = can(request.user, MANAGE, program)
    filter_form = ParticipantFilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else {"search": "", "role": "", "status": ""}
    queryset = enrollment_services.enrollments_for_participant_page(program=program, **filters)
    page = Paginator(queryset, PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    places = enrollment_services.program_places(program=program)
    counts = enrollment_services.program_status_counts(program=program)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program,
        "can_manage": can_manage,
        "filter_form": filter_form,
        "filtered": any(filters.values()),
        "page": page,
        "page_query": query.urlencode(),
        "status_counts": [(value, label, counts[value]) for value, label in Enrollment.Status.choices],
        "places": [places[role] for role in program.allowed_roles],
        "signup_url": request.build_absolute_uri(reverse("programs:enrollment_join", args=[program.signup_token]))
        if program.open_signup
        else "",
    }
    return render(request, "programs/enrollment/participant_list.html", context)


def participant_detail(request, slug, pk):
    """One participant's application, as HR (and the program's owners) see it."""
    program = program_or_404(request, slug, OVERSEE, message=OVERSEE_REFUSED)
    can_manage = can(request.user, MANAGE, program)
    queryset = enrollment_services.enrollments_for_participant_page(program=program)
    enrollment = get_object_or_404(queryset, pk=pk)
    context = {
        "program": program,
        "can_manage": can_manage,
        "enrollment": enrollment,
        **_profile_summary(enrollment),
        "charter": enrollment_services.program_charter(program=program, role=enrollment.role),
        "modules": training_services.enrollment_training_modules(enrollment=enrollment),
        "can_approve": enrollment.status in enrollment_services.DECIDABLE_STATUSES["approve"] and enrollment.role,
        "can_decline": enrollment.status in enrollment_services.DECIDABLE_STATUSES["decline"],
    }
    return render(request, "programs/enrollment/participant_detail.html", context)


@hr_admin_required
@submit_once
def participant_invite(request, slug):
    """Invite people from the directory (search and tick) or by pasted email addresses."""
    program = program_or_404(request, slug, MANAGE, message=MANAGE_REFUSED)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = invitation_services.enrollment_invite(
                program=program,
                people=form.cleaned_data["invitees"],
                invited_by=request.user,
                message=form.cleaned_data["message"],
            )
        except EnrollmentError as error:
            form_add_service_errors(form, error)
        else:
            if result.invited:
                count = len(result.invited)
                messages.success(request, f"Invited {count} {'person' if count == 1 else 'people'} to {program.name}.")
            if result.already_enrolled:
                names = ", ".join(person.full_name for person in result.already_enrolled[:10])
                more = len(result.already_enrolled) - 10
                messages.info(
                    request,
                    f"Already in the program, not invited again: {names}{f' and {more} more' if more > 0 else ''}.",
                )
            return redirect("programs:participant_list", slug=program.slug)
    search = request.GET.get("q", "").strip()[:100]
    candidates = Person.objects.active().exclude(enrollments__program=program).select_related("department")
    for word in search.split():
        candidates = candidates.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(department__name__icontains=word)
            | Q(title__icontains=word)
        )
    candidates = list(candidates.order_by("last_name", "first_name", "pk")[: INVITE_CANDIDATES_SHOWN + 1])
    selected = {str(pk) for pk in request.POST.getlist("people")}
    context = {
        "program": program,
        "form": form,
        "search": search,
        "candidates": candidates[:INVITE_CANDIDATES_SHOWN],
        "more_candidates": len(candidates) > INVITE_CANDIDATES_SHOWN,
        "selected": selected,
        "enrollment_open": program.status == Program.Status.ENROLLING,
    }
    return render(request, "programs/enrollment/invite.html", context)


@require_POST
@hr_admin_required
def participant_decide(request, slug):
    """Approve or decline the ticked applications."""
    program = program_or_404(request, slug, MANAGE, message=MANAGE_REFUSED)
    form = DecisionForm(request.POST, program=program)
    back = reverse("programs:participant_list", args=[program.slug])
    next_query = request.POST.get("return_query", "")
    if next_query:
        back = f"{back}?{next_query}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        result = approval_services.enrollments_decide(
            program=program,
            enrollment_ids=[e.pk for e in form.cleaned_data["enrollments"]],
            decision=form.cleaned_data["decision"],
            decided_by=request.user,
        )
    except EnrollmentError as error:
        messages.error(request, str(error))
    else:
        level = messages.WARNING if result.waitlisted or result.skipped else messages.SUCCESS
        messages.add_message(request, level, result.summary())
    return redirect(back)


@require_POST
@hr_admin_required
def participant_decide_one(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, message=MANAGE_REFUSED)
    enrollment = get_object_or_404(program.enrollments.select_related("person__user", "program"), pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            before = enrollment.status
            approval_services.enrollment_approve(enrollment=enrollment, decided_by=request.user)
            if enrollment.status == Enrollment.Status.APPROVED:
                messages.success(request, f"{enrollment.person.full_name} is approved.")
            elif before == Enrollment.Status.WAITLISTED:
                messages.warning(request, f"Still no free place: {enrollment.person.full_name} stays on the waitlist.")
            else:
                messages.warning(
                    request,
                    f"The program is full for {enrollment.get_role_display().lower()}s: "
                    f"{enrollment.person.full_name} is on the waitlist.",
                )
        elif decision == "decline":
            approval_services.enrollment_decline(enrollment=enrollment, decided_by=request.user)
            messages.success(request, f"{enrollment.person.full_name}'s application is declined.")
        else:
            messages.error(request, "Choose approve or decline.")
    except EnrollmentError as error:
        messages.error(request, str(error))
    return redirect("programs:participant_detail", slug=program.slug, pk=enrollment.pk)


@require_POST
@hr_admin_required
def participant_promote(request, slug):
    """Give a free place to whoever has waited longest for it."""
    program = program_or_404(request, slug, MANAGE, message=MANAGE_REFUSED)
    form = PromoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose mentors or mentees to promote.")
        return redirect("programs:participant_list", slug=program.slug)
    try:
        enrollment = approval_services.enrollment_waitlist_promote(
            program=program, role=form.cleaned_data["role"], decided_by=request.user
        )
    except EnrollmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{enrollment.person.full_name} moved from the waitlist into the program.")
    return redirect("programs:participant_list", slug=program.slug)
