"""Program setup: creating, editing, cloning programs and moving them through their lifecycle,
and the program's custom questions, training modules and goal templates.

``*_check`` functions validate and raise ``ValidationError`` (forms call them too, so a
rule lives in one place); the other functions change state and refuse what the checks refuse.
"""

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from audit import services as audit
from audit.models import AuditEvent
from core.models import Notification
from core.notifications import notification_send
from core.services import model_fields_assign
from programs import signals
from programs.models import GoalTemplate, Objective, Program, ProgramQuestion, Role, TrainingModule

logger = logging.getLogger(__name__)

Status = Program.Status

# The settings HR edits on the program form (and a clone copies).
PROGRAM_SETTING_FIELDS = (
    "name",
    "description",
    "objectives",
    "custom_objective",
    "mentor_expectations",
    "mentee_expectations",
    "start_date",
    "end_date",
    "cadence_days",
    "default_mentor_capacity",
    "matching_mode",
    "allow_mentors",
    "allow_mentees",
    "max_mentees",
    "max_mentors",
    "open_signup",
)

# Path segments under /programs/ that are pages, not programs.
RESERVED_SLUGS = {"new", "owned", "join", "my"}

# From each status, where a program may go next, in the order the buttons are shown.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.ENROLLING,),
    Status.ENROLLING: (Status.MATCHING,),
    # Matching can reopen enrollment when too few mentors or mentees signed up.
    Status.MATCHING: (Status.RUNNING, Status.ENROLLING),
    Status.RUNNING: (Status.CLOSED,),
    Status.CLOSED: (),
}
TRANSITION_LABELS = {
    (Status.DRAFT, Status.ENROLLING): "Open enrollment",
    (Status.ENROLLING, Status.MATCHING): "Close enrollment and start matching",
    (Status.MATCHING, Status.RUNNING): "Start the program",
    (Status.MATCHING, Status.ENROLLING): "Reopen enrollment",
    (Status.RUNNING, Status.CLOSED): "Close the program",
}

# A mentee question is matched against a mentor question whose answers are comparable.
COMPATIBLE_KINDS = {
    ProgramQuestion.Kind.TEXT: {ProgramQuestion.Kind.TEXT},
    ProgramQuestion.Kind.SINGLE: {ProgramQuestion.Kind.SINGLE, ProgramQuestion.Kind.MULTIPLE},
    ProgramQuestion.Kind.MULTIPLE: {ProgramQuestion.Kind.SINGLE, ProgramQuestion.Kind.MULTIPLE},
    ProgramQuestion.Kind.SCALE: {ProgramQuestion.Kind.SCALE},
}
CHOICE_KINDS = {ProgramQuestion.Kind.SINGLE, ProgramQuestion.Kind.MULTIPLE}


# --- Programs ---------------------------------------------------------------------------


def program_settings_check(*, start_date: date, end_date: date, objectives: Iterable[str], custom_objective: str):
    """The rules a program's settings must follow, whoever sets them."""
    errors: dict[str, str] = {}
    if start_date and end_date and end_date <= start_date:
        errors["end_date"] = "The end date must be after the start date."
    objectives = list(objectives or [])
    unknown = [code for code in objectives if code not in Objective.values]
    if unknown:
        errors["objectives"] = f"Unknown objective: {', '.join(unknown)}."
    if Objective.CUSTOM in objectives and not (custom_objective or "").strip():
        errors["custom_objective"] = "Name the custom objective, or untick “Custom”."
    if errors:
        raise ValidationError(errors)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:150].strip("-") or "program"
    if base in RESERVED_SLUGS:
        base = f"{base}-program"
    taken = set(Program.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _program_save_new(program: Program) -> Program:
    # Two programs with the same name created at the same moment would pick the same
    # slug; the loser of the unique index simply picks again.
    for attempt in range(3):
        program.slug = _unique_slug(program.name)
        try:
            with transaction.atomic():
                program.save()
            return program
        except IntegrityError:
            if attempt == 2:
                raise
    return program  # pragma: no cover - the loop returns or raises


def _program_set_fields(program: Program, fields: dict) -> None:
    model_fields_assign(program, fields, allowed=PROGRAM_SETTING_FIELDS, what="program settings")
    program.objectives = list(program.objectives or [])
    if Objective.CUSTOM not in program.objectives:
        program.custom_objective = ""
    program_settings_check(
        start_date=program.start_date,
        end_date=program.end_date,
        objectives=program.objectives,
        custom_objective=program.custom_objective,
    )
    program.full_clean(exclude=["slug", "signup_token"], validate_unique=False)


@transaction.atomic
def program_create(*, user, owners: Iterable = (), **settings) -> Program:
    """A new draft program; its slug comes from its name and never changes afterwards."""
    program = Program(status=Status.DRAFT)
    _program_set_fields(program, settings)
    _program_save_new(program)
    program.owners.set(owners)
    audit.record(action=AuditEvent.Action.PROGRAM_CREATED, actor=user, target=program, program=program)
    logger.info("Program %s created by user %s", program.pk, user.pk)
    return program


@transaction.atomic
def program_update(*, program: Program, user, owners: Iterable | None = None, **settings) -> Program:
    before = Program.objects.filter(pk=program.pk).values(*PROGRAM_SETTING_FIELDS).first() or {}
    owners_before = set(program.owners.values_list("pk", flat=True))
    _program_set_fields(program, settings)
    program.save()
    if owners is not None:
        program.owners.set(owners)
    # The names of the settings that changed, never their text.
    changed = [field for field in PROGRAM_SETTING_FIELDS if before.get(field) != getattr(program, field)]
    owners_after = set(program.owners.values_list("pk", flat=True))
    if owners_after != owners_before:
        changed.append("owners")
    if changed:
        details = {"fields": changed}
        if "owners" in changed:
            details.update(
                owners_added=sorted(owners_after - owners_before), owners_removed=sorted(owners_before - owners_after)
            )
        audit.record(
            action=AuditEvent.Action.PROGRAM_CHANGED, actor=user, target=program, program=program, details=details
        )
    return program


def program_transition_blockers(*, program: Program, to_status: str) -> list[str]:
    """What stops ``program`` from moving to ``to_status`` now (empty: nothing)."""
    if to_status not in TRANSITIONS.get(program.status, ()):
        allowed = ", ".join(Status(s).label for s in TRANSITIONS.get(program.status, ())) or "none (it is closed)"
        target = Status(to_status).label if to_status in Status.values else repr(to_status)
        return [f"A program that is {program.get_status_display()} can't move to {target}. Allowed next: {allowed}."]
    today = timezone.localdate()
    blockers = []
    if to_status in (Status.ENROLLING, Status.RUNNING) and program.end_date < today:
        blockers.append(f"The program ended on {program.end_date:%d %b %Y}: move the end date into the future first.")
    if to_status == Status.ENROLLING:
        if not program.allowed_roles:
            blockers.append("Choose who may enrol: allow mentors, mentees or both.")
        if not program.mentor_expectations.strip():
            blockers.append("Write the mentor charter: mentors agree to it when they enrol.")
        if not program.mentee_expectations.strip():
            blockers.append("Write the mentee charter: mentees agree to it when they enrol.")
    if to_status in (Status.MATCHING, Status.RUNNING):
        approved = set(program.enrollments.approved().values_list("role", flat=True).distinct())
        if Role.MENTOR not in approved:
            blockers.append("Approve at least one mentor before matching.")
        if Role.MENTEE not in approved:
            blockers.append("Approve at least one mentee before matching.")
    return blockers


def program_transition(*, program: Program, to_status: str, user) -> Program:
    """Move ``program`` to ``to_status``, or raise ``ValidationError`` saying why not.

    The update is conditional on the status the caller saw, so two people pressing
    the same button at once move the program once.
    """
    blockers = program_transition_blockers(program=program, to_status=to_status)
    if blockers:
        raise ValidationError(blockers)
    from_status = program.status
    changed = Program.objects.filter(pk=program.pk, status=from_status).update(
        status=to_status, updated_at=timezone.now()
    )
    if changed != 1:
        raise ValidationError("Someone else changed this program's status meanwhile. Reload the page and try again.")
    program.status = to_status
    audit.record(
        action=AuditEvent.Action.PROGRAM_STATUS_CHANGED,
        actor=user,
        target=program,
        program=program,
        details={"from": from_status, "to": to_status},
    )
    logger.info("Program %s moved from %s to %s by user %s", program.pk, from_status, to_status, user.pk)
    # Pairings follow the program (matching): confirmed ones start when it runs, live ones
    # complete when it closes.
    signals.program_status_changed.send(
        sender=Program, program_id=program.pk, from_status=from_status, to_status=to_status
    )
    _program_owners_notify_status(program=program, from_status=from_status, user=user)
    return program


def _program_owners_notify_status(*, program: Program, from_status: str, user) -> None:
    url = reverse("programs:owned_program_detail", kwargs={"slug": program.slug})
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for owner in program.owners.exclude(pk=user.pk):
        notification_send(
            recipient=owner,
            kind=Notification.Kind.PROGRAM_STATUS,
            title=f"{program.name} is now {program.get_status_display().lower()}",
            body=f"{user} moved the program from {Status(from_status).label} to {program.get_status_display()}.",
            url=url,
            key=f"program-status:{program.pk}:{from_status}:{program.status}:{stamp}:user:{owner.pk}",
        )


@transaction.atomic
def program_clone(*, program: Program, name: str, start_date: date, end_date: date, user) -> Program:
    """The next cohort of ``program``: the same settings, questions (with their mentee -> mentor
    mappings pointing at the copies), training modules, goal templates and owners, as a draft.
    Enrollments are not copied: every cohort enrols anew."""
    if not (name or "").strip():
        raise ValidationError({"name": "Give the new program a name."})
    settings = {field: getattr(program, field) for field in PROGRAM_SETTING_FIELDS}
    settings.update(name=name.strip(), start_date=start_date, end_date=end_date)
    clone = Program(status=Status.DRAFT, cloned_from=program)
    _program_set_fields(clone, settings)
    _program_save_new(clone)
    clone.owners.set(program.owners.all())

    questions = list(program.questions.order_by("pk"))
    copies = ProgramQuestion.objects.bulk_create(
        ProgramQuestion(
            program=clone,
            audience=q.audience,
            text=q.text,
            help_text=q.help_text,
            kind=q.kind,
            choices=list(q.choices),
            required=q.required,
            order=q.order,
        )
        for q in questions
    )
    copy_of = {q.pk: copy for q, copy in zip(questions, copies, strict=True)}
    remapped = []
    for q in questions:
        if q.maps_to_id in copy_of:
            copy_of[q.pk].maps_to = copy_of[q.maps_to_id]
            remapped.append(copy_of[q.pk])
    ProgramQuestion.objects.bulk_update(remapped, ["maps_to"])

    TrainingModule.objects.bulk_create(
        TrainingModule(
            program=clone,
            title=m.title,
            body=m.body,
            url=m.url,
            audience=m.audience,
            required=m.required,
            order=m.order,
        )
        for m in program.training_modules.all()
    )
    GoalTemplate.objects.bulk_create(
        GoalTemplate(
            program=clone,
            title=t.title,
            description=t.description,
            objective=t.objective,
            suggested_milestones=list(t.suggested_milestones),
            order=t.order,
        )
        for t in program.goal_templates.all()
    )
    audit.record(
        action=AuditEvent.Action.PROGRAM_CREATED,
        actor=user,
        target=clone,
        program=clone,
        details={"cloned_from": program.pk},
    )
    logger.info("Program %s cloned to %s by user %s", program.pk, clone.pk, user.pk)
    return clone


# --- Ordering, shared by questions, training modules and goal templates ----------------


def _next_order(siblings: QuerySet) -> int:
    current = siblings.aggregate(top=Max("order"))["top"]
    return 0 if current is None else current + 1


def _move(*, item, siblings: QuerySet, direction: str) -> None:
    """Swap ``item`` with its neighbour and renumber the list 0..n, so equal orders
    (e.g. all 0 from an import) become a stable sequence on the first move."""
    if direction not in ("up", "down"):
        raise ValidationError("Move up or down.")
    items = list(siblings)
    index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
    if index is None:
        return
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.order = position
    type(item).objects.bulk_update(items, ["order"])


# --- Custom enrollment questions --------------------------------------------------------


def program_questions_check_editable(*, program: Program) -> None:
    if not program.profiles_editable:
        raise ValidationError(
            f"Questions can't be changed while the program is {program.get_status_display().lower()}: "
            "matching has started and uses the answers participants already gave."
        )


def program_question_check(
    *,
    program: Program,
    audience: str,
    kind: str,
    choices: list[str],
    maps_to: ProgramQuestion | None,
    question: ProgramQuestion | None = None,
) -> None:
    """The rules for one question of ``program`` (``question``: the one being edited, if any)."""
    errors: dict[str, list[str]] = {}
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors.setdefault("choices", []).append("List at least two choices, one per line.")
        seen = set()
        for choice in choices:
            if choice.casefold() in seen:
                errors.setdefault("choices", []).append(f"“{choice}” is listed twice.")
            seen.add(choice.casefold())
    if maps_to is not None:
        if audience != Role.MENTEE:
            errors.setdefault("maps_to", []).append("Only a mentee question can be matched against a mentor question.")
        elif maps_to.program_id != program.pk:
            errors.setdefault("maps_to", []).append("Choose a mentor question of this program.")
        elif maps_to.audience != Role.MENTOR:
            errors.setdefault("maps_to", []).append(
                f"“{maps_to.text}” is asked of mentees: a mentee question is matched against a mentor question."
            )
        elif question is not None and maps_to.pk == question.pk:
            errors.setdefault("maps_to", []).append("A question can't be matched against itself.")
        elif maps_to.kind not in COMPATIBLE_KINDS[kind]:
            errors.setdefault("maps_to", []).append(
                f"“{maps_to.text}” is a {maps_to.get_kind_display().lower()} question; "
                f"a {ProgramQuestion.Kind(kind).label.lower()} question can't be matched against it."
            )
    if question is not None and question.pk:
        mapped_from = list(question.mapped_from.all())
        if mapped_from and audience != Role.MENTOR:
            errors.setdefault("audience", []).append(
                f"{len(mapped_from)} mentee question(s) are matched against this question: "
                "remove that mapping before asking it of mentees."
            )
        incompatible = [q for q in mapped_from if kind not in COMPATIBLE_KINDS[q.kind]]
        if incompatible:
            errors.setdefault("kind", []).append(
                f"“{incompatible[0].text}” is matched against this question and needs a compatible kind."
            )
    if errors:
        raise ValidationError(errors)


QUESTION_FIELDS = ("audience", "text", "help_text", "kind", "choices", "required", "maps_to")


def _question_set_fields(question: ProgramQuestion, fields: dict) -> None:
    model_fields_assign(question, fields, allowed=QUESTION_FIELDS, what="question fields")
    if question.kind not in CHOICE_KINDS:
        question.choices = []
    program_question_check(
        program=question.program,
        audience=question.audience,
        kind=question.kind,
        choices=list(question.choices),
        maps_to=question.maps_to,
        question=question,
    )
    question.full_clean()


@transaction.atomic
def program_question_create(*, program: Program, user, **fields) -> ProgramQuestion:
    program_questions_check_editable(program=program)
    question = ProgramQuestion(program=program)
    _question_set_fields(question, fields)
    question.order = _next_order(program.questions.filter(audience=question.audience))
    question.save()
    return question


@transaction.atomic
def program_question_update(*, question: ProgramQuestion, user, **fields) -> ProgramQuestion:
    program_questions_check_editable(program=question.program)
    audience_before = question.audience
    _question_set_fields(question, fields)
    if question.audience != audience_before:
        question.order = _next_order(question.program.questions.filter(audience=question.audience))
    question.save()
    return question


@transaction.atomic
def program_question_delete(*, question: ProgramQuestion, user) -> None:
    program_questions_check_editable(program=question.program)
    question.delete()


@transaction.atomic
def program_question_move(*, question: ProgramQuestion, direction: str, user) -> None:
    program_questions_check_editable(program=question.program)
    _move(item=question, siblings=question.program.questions.filter(audience=question.audience), direction=direction)


# --- Training modules -------------------------------------------------------------------

TRAINING_MODULE_FIELDS = ("title", "body", "url", "audience", "required")


def training_module_check(*, body: str, url: str) -> None:
    if not (body or "").strip() and not (url or "").strip():
        raise ValidationError({"body": "Write the module's content or give a link to it (or both)."})


def _module_set_fields(module: TrainingModule, fields: dict) -> None:
    model_fields_assign(module, fields, allowed=TRAINING_MODULE_FIELDS, what="training module fields")
    training_module_check(body=module.body, url=module.url)
    module.full_clean()


@transaction.atomic
def training_module_create(*, program: Program, user, **fields) -> TrainingModule:
    module = TrainingModule(program=program)
    _module_set_fields(module, fields)
    module.order = _next_order(program.training_modules.all())
    module.save()
    return module


@transaction.atomic
def training_module_update(*, module: TrainingModule, user, **fields) -> TrainingModule:
    _module_set_fields(module, fields)
    module.save()
    return module


@transaction.atomic
def training_module_delete(*, module: TrainingModule, user) -> None:
    """Deletes the module and the record of who completed it."""
    module.delete()


@transaction.atomic
def training_module_move(*, module: TrainingModule, direction: str, user) -> None:
    _move(item=module, siblings=module.program.training_modules.all(), direction=direction)


# --- Goal templates ---------------------------------------------------------------------

GOAL_TEMPLATE_FIELDS = ("title", "description", "objective", "suggested_milestones")


def _goal_template_set_fields(template: GoalTemplate, fields: dict) -> None:
    model_fields_assign(template, fields, allowed=GOAL_TEMPLATE_FIELDS, what="goal template fields")
    template.suggested_milestones = [m.strip() for m in template.suggested_milestones or [] if m.strip()]
    template.full_clean()


@transaction.atomic
def goal_template_create(*, program: Program, user, **fields) -> GoalTemplate:
    template = GoalTemplate(program=program)
    _goal_template_set_fields(template, fields)
    template.order = _next_order(program.goal_templates.all())
    template.save()
    return template


@transaction.atomic
def goal_template_update(*, template: GoalTemplate, user, **fields) -> GoalTemplate:
    _goal_template_set_fields(template, fields)
    template.save()
    return template


@transaction.atomic
def goal_template_delete(*, template: GoalTemplate, user) -> None:
    template.delete()


@transaction.atomic
def goal_template_move(*, template: GoalTemplate, direction: str, user) -> None:
    _move(item=template, siblings=template.program.goal_templates.all(), direction=direction)
