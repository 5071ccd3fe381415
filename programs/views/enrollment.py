"""Enrollment pages: invitations, sign-up, the participant profile, approval, training.

Participant pages load the enrollment through ``_own_enrollment`` (someone
else's is a 404). HR pages are for HR admins; program owners may read the
participants list and applications but not decide.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import form_add_service_errors
from core.permissions import hr_admin_required
from core.submissions import submit_once
from people.models import Person
from programs.forms.enrollment import (
    DecisionForm,
    EnrollmentProfileForm,
    InviteForm,
    ParticipantFilterForm,
    PromoteForm,
)
from programs.models import WORKING_STYLE_ITEMS, Enrollment, EnrollmentSkill, Objective, Program, Role, TrainingModule
from programs.services import enrollment as enrollment_services
from programs.services import training as training_services
from programs.services.enrollment import EnrollmentError
from programs.services.training import TrainingError

PARTICIPANTS_PER_PAGE = 50
INVITE_CANDIDATES_SHOWN = 300


# --- Helpers ---------------------------------------------------------------------------


def _person_of(user) -> Person | None:
    return Person.objects.filter(user=user).first()


def _own_enrollment(request, pk) -> Enrollment:
    """The signed-in person's enrollment, or 404 (also for HR: they use the HR pages)."""
    queryset = Enrollment.objects.filter(person__user=request.user).select_related("program", "person")
    return get_object_or_404(queryset, pk=pk)


def _staff_program(request, slug) -> tuple[Program, bool]:
    """The program for an HR page, and whether the user may change things.
    HR admins may; the program's owners may only read; everyone else gets 403."""
    program = get_object_or_404(Program, slug=slug)
    if request.user.is_hr_admin:
        return program, True
    if program.owners.filter(pk=request.user.pk).exists():
        return program, False
    raise PermissionDenied("Only HR admins and the program's owners can see its participants.")


def _hr_program(request, slug) -> Program:
    program, can_manage = _staff_program(request, slug)
    if not can_manage:
        raise PermissionDenied("Only HR admins can invite or decide on participants.")
    return program


def _role_from(request, enrollment: Enrollment | None, program: Program) -> str:
    """The role the profile form is for: posted, asked for, already chosen, or the only one allowed."""
    role = request.POST.get("role") or request.GET.get("role") or (enrollment.role if enrollment else "")
    if not role and len(program.allowed_roles) == 1:
        role = program.allowed_roles[0]
    return role


def _profile_form(request, *, program, role, enrollment=None):
    questions = program.questions.filter(audience=role) if role in Role.values else []
    return EnrollmentProfileForm(
        request.POST if request.method == "POST" else None,
        program=program,
        role=role,
        questions=questions,
        enrollment=enrollment,
    )


def _profile_enrollment(request, pk) -> Enrollment:
    queryset = Enrollment.objects.filter(person__user=request.user).select_related("program", "person")
    queryset = queryset.prefetch_related(
        Prefetch("skills", queryset=EnrollmentSkill.objects.select_related("skill").order_by("-level", "pk"))
    )
    return get_object_or_404(queryset, pk=pk)


# --- Participant pages ----------------------------------------------------------------


def enrollment_join(request, token):
    """The program's open sign-up link: choose a role, fill in the profile, apply."""
    program = get_object_or_404(Program, signup_token=token)
    person = _person_of(request.user)
    problem = ""
    if not program.open_signup:
        problem = "This sign-up link is no longer active. Ask HR for an invitation."
    elif person is None:
        problem = "Your account isn't linked to the employee directory, so you can't enrol yet. Please contact HR."
    if not problem:
        existing = program.enrollments.filter(person=person).first()
        if existing and existing.status != Enrollment.Status.WITHDRAWN:
            messages.info(request, f"You're already part of {program.name}.")
            return redirect("programs:enrollment_detail", pk=existing.pk)
        if existing:
            return redirect("programs:enrollment_profile", pk=existing.pk)
        try:
            enrollment_services.program_enrollment_check_open(program=program)
        except EnrollmentError as error:
            problem = str(error)
    if problem:
        return render(request, "programs/enrollment/closed.html", {"program": program, "problem": problem})

    role = _role_from(request, None, program)
    if role not in program.allowed_roles:
        if role:
            messages.error(request, f"{program.name} doesn't take {role}s. Choose one of the roles below.")
        return render(
            request,
            "programs/enrollment/choose_role.html",
            {"program": program, "roles": _role_cards(program), "role_url": request.path},
        )
    form = _profile_form(request, program=program, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = enrollment_services.enrollment_profile_save(
                program=program, person=person, profile=form.profile()
            )
        except EnrollmentError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Thanks! Your application to {program.name} is in; HR will review it.")
            return redirect("programs:enrollment_detail", pk=enrollment.pk)
    return render(
        request,
        "programs/enrollment/profile_form.html",
        {"program": program, "form": form, "enrollment": None, "role": role, "action": request.path},
    )


def _role_cards(program):
    return [
        {
            "value": role,
            "label": Role(role).label,
            "charter": enrollment_services.program_charter(program=program, role=role),
        }
        for role in program.allowed_roles
    ]


def enrollment_detail(request, pk):
    """A participant's page for one program: status, next steps, profile and training."""
    enrollment = _own_enrollment(request, pk)
    annotated = training_services.enrollments_annotate_training(
        queryset=Enrollment.objects.filter(pk=enrollment.pk).select_related("program", "person")
    ).get()
    context = {
        "enrollment": annotated,
        "program": annotated.program,
        "next_steps": enrollment_services.enrollment_next_steps(enrollment=annotated),
        "roles": _role_cards(annotated.program) if annotated.status == Enrollment.Status.INVITED else [],
        "charter": enrollment_services.program_charter(program=annotated.program, role=annotated.role),
        **_profile_summary(annotated),
        "can_withdraw": annotated.status not in (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED)
        and annotated.program.status != Program.Status.CLOSED,
        "invitation_open": annotated.program.status == Program.Status.ENROLLING,
    }
    return render(request, "programs/enrollment/detail.html", context)


def _profile_summary(enrollment) -> dict:
    """What the profile says, ready to show (participant's own page and HR's)."""
    questions = enrollment.program.questions.filter(audience=enrollment.role) if enrollment.role else []
    answers = []
    for question in questions:
        value = enrollment.answers.get(str(question.pk))
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        answers.append((question, value))
    labels = dict(Objective.choices)
    if enrollment.program.custom_objective:
        labels[Objective.CUSTOM] = enrollment.program.custom_objective
    return {
        "skills": enrollment.skills.select_related("skill").order_by("-level", "skill__name"),
        "answers": answers,
        "objective_labels": [labels.get(code, code) for code in enrollment.objectives],
        "working_style": [
            (item, enrollment.working_style.get(item.code))
            for item in WORKING_STYLE_ITEMS
            if item.code in enrollment.working_style
        ],
    }


def enrollment_profile(request, pk):
    """Fill in or edit the enrollment profile (until matching starts; read-only after)."""
    enrollment = _profile_enrollment(request, pk)
    program = enrollment.program
    if enrollment.status == Enrollment.Status.DECLINED:
        messages.info(request, "HR has declined this application, so the profile can't be changed.")
        return redirect("programs:enrollment_detail", pk=enrollment.pk)
    applying = enrollment.status in (Enrollment.Status.INVITED, Enrollment.Status.WITHDRAWN)
    locked_reason = ""
    if applying:
        try:
            enrollment_services.program_enrollment_check_open(program=program)
        except EnrollmentError as error:
            locked_reason = str(error)
    elif not program.profiles_editable:
        locked_reason = "Matching has started, so your profile can no longer be changed."
    if locked_reason:
        if request.method == "POST":
            messages.error(request, locked_reason)
            return redirect("programs:enrollment_profile", pk=enrollment.pk)
        return render(
            request,
            "programs/enrollment/profile_locked.html",
            {"enrollment": enrollment, "program": program, "reason": locked_reason},
        )
    role = _role_from(request, enrollment, program)
    role_fixed = enrollment.status in (Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED)
    if role_fixed:
        role = enrollment.role
        if role not in program.allowed_roles:
            return render(
                request,
                "programs/enrollment/profile_locked.html",
                {
                    "enrollment": enrollment,
                    "program": program,
                    "reason": f"{program.name} no longer takes {role}s. Please contact HR about your place.",
                },
            )
    if role not in program.allowed_roles:
        if role:
            messages.error(request, f"{program.name} doesn't take {role}s. Choose one of the roles below.")
        return render(
            request,
            "programs/enrollment/choose_role.html",
            {"program": program, "roles": _role_cards(program), "role_url": request.path, "enrollment": enrollment},
        )
    form = _profile_form(request, program=program, role=role, enrollment=enrollment)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment_services.enrollment_profile_save(
                program=program, person=enrollment.person, profile=form.profile(), enrollment=enrollment
            )
        except EnrollmentError as error:
            form_add_service_errors(form, error)
        else:
            if applying:
                messages.success(request, f"Thanks! Your application to {program.name} is in; HR will review it.")
            else:
                messages.success(request, "Your profile is saved.")
            return redirect("programs:enrollment_detail", pk=enrollment.pk)
    other_roles = [] if role_fixed else [r for r in program.allowed_roles if r != role]
    return render(
        request,
        "programs/enrollment/profile_form.html",
        {
            "program": program,
            "form": form,
            "enrollment": enrollment,
            "role": role,
            "other_roles": other_roles,
            "action": request.path,
        },
    )


@require_POST
def enrollment_withdraw(request, pk):
    enrollment = _own_enrollment(request, pk)
    was_invited = enrollment.status == Enrollment.Status.INVITED
    try:
        enrollment_services.enrollment_withdraw(enrollment=enrollment)
    except EnrollmentError as error:
        messages.error(request, str(error))
        return redirect("programs:enrollment_detail", pk=enrollment.pk)
    if was_invited:
        messages.success(request, f"You declined the invitation to {enrollment.program.name}.")
    else:
        messages.success(request, f"You have withdrawn from {enrollment.program.name}.")
    return redirect("home")


def enrollment_training(request, pk):
    enrollment = _own_enrollment(request, pk)
    modules = training_services.enrollment_training_modules(enrollment=enrollment)
    required = [m for m in modules if m.required]
    context = {
        "enrollment": enrollment,
        "program": enrollment.program,
        "modules": modules,
        "required_total": len(required),
        "required_done": sum(1 for m in required if m.completed_at),
        "can_complete": enrollment.status in training_services.TRAINING_STATUSES,
    }
    return render(request, "programs/enrollment/training.html", context)


def _own_module(enrollment, module_pk) -> TrainingModule:
    module = get_object_or_404(enrollment.program.training_modules, pk=module_pk)
    if not enrollment.role or not module.applies_to(enrollment.role):
        raise Http404("This module is not part of your training.")
    return module


def enrollment_training_module(request, pk, module_pk):
    enrollment = _own_enrollment(request, pk)
    module = _own_module(enrollment, module_pk)
    completion = enrollment.training_completions.filter(module=module).first()
    context = {
        "enrollment": enrollment,
        "program": enrollment.program,
        "module": module,
        "completion": completion,
        "can_complete": enrollment.status in training_services.TRAINING_STATUSES,
    }
    return render(request, "programs/enrollment/training_module.html", context)


@require_POST
def enrollment_training_module_complete(request, pk, module_pk):
    enrollment = _own_enrollment(request, pk)
    module = _own_module(enrollment, module_pk)
    try:
        training_services.training_module_complete(enrollment=enrollment, module=module)
    except TrainingError as error:
        messages.error(request, str(error))
        return redirect("programs:enrollment_training_module", pk=enrollment.pk, module_pk=module.pk)
    messages.success(request, f"“{module.title}” marked as done.")
    return redirect("programs:enrollment_training", pk=enrollment.pk)


# --- HR pages -------------------------------------------------------------------------


def participant_list(request, slug):
    """HR's participants page: filters, bulk approve/decline, waitlist, training progress."""
    program, can_manage = _staff_program(request, slug)
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
    program, can_manage = _staff_program(request, slug)
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
    program = _hr_program(request, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = enrollment_services.enrollment_invite(
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
    program = _hr_program(request, slug)
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
        result = enrollment_services.enrollments_decide(
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
    program = _hr_program(request, slug)
    enrollment = get_object_or_404(program.enrollments.select_related("person__user", "program"), pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            before = enrollment.status
            enrollment_services.enrollment_approve(enrollment=enrollment, decided_by=request.user)
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
            enrollment_services.enrollment_decline(enrollment=enrollment, decided_by=request.user)
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
    program = _hr_program(request, slug)
    form = PromoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose mentors or mentees to promote.")
        return redirect("programs:participant_list", slug=program.slug)
    try:
        enrollment = enrollment_services.enrollment_waitlist_promote(
            program=program, role=form.cleaned_data["role"], decided_by=request.user
        )
    except EnrollmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{enrollment.person.full_name} moved from the waitlist into the program.")
    return redirect("programs:participant_list", slug=program.slug)
