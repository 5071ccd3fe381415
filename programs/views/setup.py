"""Program setup pages for HR admins and the read-only view for program owners."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import form_add_service_errors
from core.permissions import can, hr_admin_required
from programs import selectors
from programs.forms.setup import (
    GoalTemplateForm,
    ProgramCloneForm,
    ProgramForm,
    ProgramQuestionForm,
    TrainingCompletionFilterForm,
    TrainingModuleForm,
)
from programs.models import Enrollment, Program, Role
from programs.permissions import program_or_404
from programs.services import setup as services

TEMPLATES = "programs/setup/"
COMPLETION_PER_PAGE = 50
# HR's setup pages: the program (every program, with the one it was cloned from), if the user may manage it.
MANAGE = "programs.manage_program"
PROGRAMS = Program.objects.select_related("cloned_from")


def _summary_context(program: Program) -> dict:
    counts = selectors.program_enrollment_counts(program=program)
    return {
        "program": program,
        "counts": counts,
        "training": selectors.program_training_summary(program=program),
        "owners": list(program.owners.select_related("person")),
    }


# --- Programs ---------------------------------------------------------------------------


@hr_admin_required
def program_list(request):
    status = request.GET.get("status", "")
    if status not in Program.Status.values:
        status = ""
    page = Paginator(selectors.programs_for_hr_list(status=status), 50).get_page(request.GET.get("page"))
    by_status = dict(Program.objects.order_by().values_list("status").annotate(n=Count("pk")))
    tabs = [("", "All", sum(by_status.values()))] + [
        (value, label, by_status.get(value, 0)) for value, label in Program.Status.choices
    ]
    return render(request, TEMPLATES + "program_list.html", {"page": page, "status": status, "tabs": tabs})


@hr_admin_required
def program_create(request):
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"“{program.name}” was created as a draft.")
            return redirect("programs:program_detail", slug=program.slug)
    return render(request, TEMPLATES + "program_form.html", {"form": form})


@hr_admin_required
def program_detail(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    context = _summary_context(program)
    setup = selectors.program_setup_counts(program=program)
    context["setup_counts"] = setup
    context["steps"] = selectors.program_next_steps(program=program, counts=context["counts"], setup=setup)
    context["participants_url"] = selectors.program_participants_url(program=program)
    return render(request, TEMPLATES + "program_detail.html", context)


@hr_admin_required
def program_edit(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    # The form works on a copy, so a refused change never shows up as the page's title.
    form = ProgramForm(request.POST or None, instance=copy.copy(program))
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Program settings saved.")
            return redirect("programs:program_detail", slug=program.slug)
    return render(request, TEMPLATES + "program_form.html", {"form": form, "program": program})


@hr_admin_required
def program_status(request, slug):
    """The lifecycle page (GET) and a move to the next status (POST ``to_status``)."""
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    errors = []
    if request.method == "POST":
        try:
            services.program_transition(program=program, to_status=request.POST.get("to_status", ""), user=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"“{program.name}” is now {program.get_status_display().lower()}.")
            return redirect("programs:program_status", slug=program.slug)
    actions = [
        {
            "to_status": to_status,
            "label": services.TRANSITION_LABELS[(program.status, to_status)],
            "blockers": services.program_transition_blockers(program=program, to_status=to_status),
        }
        for to_status in services.TRANSITIONS[program.status]
    ]
    statuses = Program.Status.values
    current = statuses.index(program.status)
    stages = [(value, label, statuses.index(value) < current) for value, label in Program.Status.choices]
    context = {"program": program, "actions": actions, "errors": errors, "stages": stages}
    return render(request, TEMPLATES + "program_status.html", context)


@hr_admin_required
def program_clone(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    form = ProgramCloneForm(request.POST or None, initial=ProgramCloneForm.initial_for(program, timezone.localdate()))
    if request.method == "POST" and form.is_valid():
        try:
            clone = services.program_clone(program=program, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, f"“{clone.name}” was created from “{program.name}” as a draft. Check its settings."
            )
            return redirect("programs:program_detail", slug=clone.slug)
    context = {
        "program": program,
        "form": form,
        "copied": selectors.program_setup_counts(program=program),
    }
    return render(request, TEMPLATES + "program_clone.html", context)


# --- The owner's read-only view ---------------------------------------------------------


def owned_program_list(request):
    programs = selectors.programs_owned_by(user=request.user)
    if not can(request.user, "programs.oversee_program"):  # HR admins, and owners of a program
        raise PermissionDenied("Only program owners can open this page.")
    return render(request, TEMPLATES + "owned_program_list.html", {"programs": programs})


def owned_program_detail(request, slug):
    program = get_object_or_404(Program.objects.owned_by(request.user).select_related("cloned_from"), slug=slug)
    return render(request, TEMPLATES + "owned_program_detail.html", _summary_context(program))


# --- The CRUD pages for a program's questions, training modules and goal templates ------


def _form_page(request, *, program, form, save, template, success, back, extra=None):
    """Validate ``form``, call ``save(cleaned_data)``, show a refusal on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(back, slug=program.slug)
    return render(request, TEMPLATES + template, {"program": program, "form": form, **(extra or {})})


def _delete_page(request, *, program, obj, delete, kind, back, consequence=""):
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{kind} “{obj}” was deleted.")
        return redirect(back, slug=program.slug)
    context = {"program": program, "object": obj, "kind": kind, "back": back, "consequence": consequence}
    return render(request, TEMPLATES + "confirm_delete.html", context)


def _move(request, *, program, move, back):
    try:
        move(request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back, slug=program.slug)


@hr_admin_required
def program_question_list(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    questions = list(program.questions.select_related("maps_to"))
    context = {
        "program": program,
        "groups": [
            (Role.MENTOR, "Asked of mentors", [q for q in questions if q.audience == Role.MENTOR]),
            (Role.MENTEE, "Asked of mentees", [q for q in questions if q.audience == Role.MENTEE]),
        ],
        "editable": program.profiles_editable,
    }
    return render(request, TEMPLATES + "question_list.html", context)


@hr_admin_required
def program_question_create(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    form = ProgramQuestionForm(request.POST or None, program=program, initial={"audience": Role.MENTEE})
    return _form_page(
        request,
        program=program,
        form=form,
        save=lambda data: services.program_question_create(program=program, user=request.user, **data),
        template="question_form.html",
        success="Question added.",
        back="programs:program_question_list",
    )


@hr_admin_required
def program_question_edit(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    question = get_object_or_404(program.questions, pk=pk)
    form = ProgramQuestionForm(request.POST or None, program=program, instance=copy.copy(question))
    return _form_page(
        request,
        program=program,
        form=form,
        save=lambda data: services.program_question_update(question=question, user=request.user, **data),
        template="question_form.html",
        success="Question saved.",
        back="programs:program_question_list",
        extra={"question": question},
    )


@hr_admin_required
def program_question_delete(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    question = get_object_or_404(program.questions, pk=pk)
    return _delete_page(
        request,
        program=program,
        obj=question,
        delete=lambda: services.program_question_delete(question=question, user=request.user),
        kind="Question",
        back="programs:program_question_list",
        consequence="Answers participants already gave to it are no longer shown or used for matching.",
    )


@hr_admin_required
@require_POST
def program_question_move(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    question = get_object_or_404(program.questions, pk=pk)
    return _move(
        request,
        program=program,
        move=lambda direction: services.program_question_move(
            question=question, direction=direction, user=request.user
        ),
        back="programs:program_question_list",
    )


@hr_admin_required
def training_module_list(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    modules = program.training_modules.annotate(
        completed=Count("completions", filter=Q(completions__enrollment__status=Enrollment.Status.APPROVED))
    )
    return render(request, TEMPLATES + "training_list.html", {"program": program, "modules": modules})


@hr_admin_required
def training_module_create(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    return _form_page(
        request,
        program=program,
        form=TrainingModuleForm(request.POST or None),
        save=lambda data: services.training_module_create(program=program, user=request.user, **data),
        template="training_form.html",
        success="Training module added.",
        back="programs:training_module_list",
    )


@hr_admin_required
def training_module_edit(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    module = get_object_or_404(program.training_modules, pk=pk)
    return _form_page(
        request,
        program=program,
        form=TrainingModuleForm(request.POST or None, instance=copy.copy(module)),
        save=lambda data: services.training_module_update(module=module, user=request.user, **data),
        template="training_form.html",
        success="Training module saved.",
        back="programs:training_module_list",
        extra={"module": module},
    )


@hr_admin_required
def training_module_delete(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    module = get_object_or_404(program.training_modules.annotate(completed=Count("completions")), pk=pk)
    return _delete_page(
        request,
        program=program,
        obj=module,
        delete=lambda: services.training_module_delete(module=module, user=request.user),
        kind="Training module",
        back="programs:training_module_list",
        consequence=f"The record of the {module.completed} participant(s) who completed it is deleted too."
        if module.completed
        else "",
    )


@hr_admin_required
@require_POST
def training_module_move(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    module = get_object_or_404(program.training_modules, pk=pk)
    return _move(
        request,
        program=program,
        move=lambda direction: services.training_module_move(module=module, direction=direction, user=request.user),
        back="programs:training_module_list",
    )


@hr_admin_required
def training_completion(request, slug):
    """Approved participants x training modules, a page at a time, with search and filters."""
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    modules = selectors.training_completion_modules(program=program)
    form = TrainingCompletionFilterForm(request.GET, modules=modules)
    filters = form.filters()
    participants = selectors.training_completion_participants(
        program=program, modules=modules, search=filters["q"], role=filters["role"], missing=filters["missing"]
    )
    page = Paginator(participants, COMPLETION_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program,
        "form": form,
        "filtered": any(filters.values()),
        "modules": [(module, module.done) for module in modules],
        "page": page,
        "page_query": query.urlencode(),
        "rows": selectors.training_completion_rows(modules=modules, enrollments=list(page.object_list)),
    }
    return render(request, TEMPLATES + "training_completion.html", context)


@hr_admin_required
def goal_template_list(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    return render(
        request, TEMPLATES + "goal_template_list.html", {"program": program, "templates": program.goal_templates.all()}
    )


@hr_admin_required
def goal_template_create(request, slug):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    return _form_page(
        request,
        program=program,
        form=GoalTemplateForm(request.POST or None),
        save=lambda data: services.goal_template_create(program=program, user=request.user, **data),
        template="goal_template_form.html",
        success="Goal template added.",
        back="programs:goal_template_list",
    )


@hr_admin_required
def goal_template_edit(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    template = get_object_or_404(program.goal_templates, pk=pk)
    return _form_page(
        request,
        program=program,
        form=GoalTemplateForm(request.POST or None, instance=copy.copy(template)),
        save=lambda data: services.goal_template_update(template=template, user=request.user, **data),
        template="goal_template_form.html",
        success="Goal template saved.",
        back="programs:goal_template_list",
        extra={"goal_template": template},
    )


@hr_admin_required
def goal_template_delete(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    template = get_object_or_404(program.goal_templates, pk=pk)
    return _delete_page(
        request,
        program=program,
        obj=template,
        delete=lambda: services.goal_template_delete(template=template, user=request.user),
        kind="Goal template",
        back="programs:goal_template_list",
    )


@hr_admin_required
@require_POST
def goal_template_move(request, slug, pk):
    program = program_or_404(request, slug, MANAGE, queryset=PROGRAMS)
    template = get_object_or_404(program.goal_templates, pk=pk)
    return _move(
        request,
        program=program,
        move=lambda direction: services.goal_template_move(template=template, direction=direction, user=request.user),
        back="programs:goal_template_list",
    )
