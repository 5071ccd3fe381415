"""Participant enrollment pages: open sign-up, the enrollment, the profile, withdrawing.

Participant pages load the enrollment through ``_own_enrollment`` (someone
else's is a 404). Their training pages are in ``programs.views.training``, HR's
participants pages in ``programs.views.participants``.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import form_add_service_errors
from people.models import Person
from programs.forms.enrollment import EnrollmentProfileForm
from programs.models import WORKING_STYLE_ITEMS, Enrollment, EnrollmentSkill, Objective, Program, Role
from programs.services import enrollment as enrollment_services
from programs.services import training as training_services
from programs.services.enrollment import EnrollmentError

# --- Helpers ---------------------------------------------------------------------------


def _person_of(user) -> Person | None:
    return Person.objects.filter(user=user).first()


def _own_enrollment(request, pk) -> Enrollment:
    """The signed-in person's enrollment, or 404 (also for HR: they use the HR pages)."""
    queryset = Enrollment.objects.filter(person__user=request.user).select_related("program", "person")
    return get_object_or_404(queryset, pk=pk)


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
