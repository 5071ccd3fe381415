"""Reads for program setup pages: lists with enrollment counts, a program's summary,
its training completion and what HR should do next."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse

from people.models import User
from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule
from programs.services.training import enrollments_annotate_training

# The enrollment pages' participant list, where HR approves applications.
PARTICIPANTS_URL_NAME = "programs:participant_list"

ROLE_STATUS_COUNTS = [(role, status) for role in Role.values for status in Enrollment.Status.values]


def _count_name(role: str, status: str) -> str:
    return f"{role}s_{status}"


def programs_with_enrollment_counts(*, queryset: QuerySet[Program] | None = None) -> QuerySet[Program]:
    """Programs annotated with ``mentors_approved``, ``mentees_applied``, ... (every role x status)
    and ``applications_waiting``: one query however many programs and enrollments there are."""
    queryset = Program.objects.all() if queryset is None else queryset
    counts = {
        _count_name(role, status): Count("enrollments", filter=Q(enrollments__role=role, enrollments__status=status))
        for role, status in ROLE_STATUS_COUNTS
    }
    return queryset.annotate(
        **counts,
        applications_waiting=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.APPLIED)),
    )


def programs_for_hr_list(*, status: str = "") -> QuerySet[Program]:
    queryset = Program.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    return programs_with_enrollment_counts(queryset=queryset).order_by("-start_date", "name")


def programs_owned_by(*, user) -> QuerySet[Program]:
    return programs_with_enrollment_counts(queryset=Program.objects.owned_by(user)).order_by("-start_date", "name")


@dataclass
class EnrollmentCounts:
    """Enrollments of one program by role and status."""

    rows: list[dict]  # {"role": code, "label": str, "counts": [n per status], "total": n}
    statuses: list[tuple[str, str]]
    by_key: dict[tuple[str, str], int]

    def get(self, role: str, status: str) -> int:
        return self.by_key.get((role, status), 0)

    @property
    def total(self) -> int:
        return sum(self.by_key.values())

    def with_status(self, status: str) -> int:
        return sum(n for (_, s), n in self.by_key.items() if s == status)

    @property
    def approved_mentors(self) -> int:
        return self.get(Role.MENTOR, Enrollment.Status.APPROVED)

    @property
    def approved_mentees(self) -> int:
        return self.get(Role.MENTEE, Enrollment.Status.APPROVED)


def program_enrollment_counts(*, program: Program) -> EnrollmentCounts:
    by_key = {
        (row["role"], row["status"]): row["n"]
        for row in program.enrollments.order_by().values("role", "status").annotate(n=Count("pk"))
    }
    roles = [(r.value, f"{r.label}s") for r in Role]
    if any(role == "" for role, _ in by_key):
        roles.append(("", "Role not chosen yet"))
    statuses = list(Enrollment.Status.choices)
    rows = []
    for role, label in roles:
        counts = [by_key.get((role, status), 0) for status, _ in statuses]
        rows.append({"role": role, "label": label, "counts": counts, "total": sum(counts)})
    return EnrollmentCounts(rows=rows, statuses=statuses, by_key=by_key)


@dataclass
class TrainingSummary:
    done: int
    expected: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.expected) if self.expected else None


def program_training_summary(*, program: Program) -> TrainingSummary:
    """Required modules completed by approved participants, out of those their roles require
    (the same count each participant sees on their training page). One query."""
    totals = enrollments_annotate_training(queryset=program.enrollments.approved()).aggregate(
        done=Sum("training_done"), expected=Sum("training_required")
    )
    return TrainingSummary(done=totals["done"] or 0, expected=totals["expected"] or 0)


#: "Not completed" filters of the completion page besides one module's pk.
MISSING_REQUIRED = "required"


def training_completion_modules(*, program: Program) -> list[TrainingModule]:
    """The program's modules in course order, each with ``done``: how many approved
    participants completed it (the whole program, whatever the page shows). One query."""
    return list(
        program.training_modules.annotate(
            done=Count("completions", filter=Q(completions__enrollment__status=Enrollment.Status.APPROVED))
        ).order_by("order", "pk")
    )


def training_completion_participants(
    *, program: Program, modules: list[TrainingModule], search: str = "", role: str = "", missing: str = ""
) -> QuerySet[Enrollment]:
    """Approved participants for the completion page, filtered: ``search`` words each in
    the name or email, ``role``, and ``missing``: ``MISSING_REQUIRED`` (required training not
    done) or a module's pk (the module applies to them and they have not completed it)."""
    queryset = program.enrollments.approved().select_related("person")
    for word in search.split():
        queryset = queryset.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    if role:
        queryset = queryset.filter(role=role)
    if missing == MISSING_REQUIRED:
        queryset = enrollments_annotate_training(queryset=queryset).filter(training_complete=False)
    elif missing:
        module = next((m for m in modules if str(m.pk) == missing), None)
        if module is None:
            return queryset.none()
        queryset = queryset.filter(role__in=[r for r in Role.values if module.applies_to(r)]).exclude(
            Exists(TrainingCompletion.objects.filter(enrollment=OuterRef("pk"), module=module))
        )
    return queryset.order_by("role", "person__last_name", "person__first_name", "pk")


def training_completion_rows(*, modules: list[TrainingModule], enrollments: list[Enrollment]) -> list[dict]:
    """One row per enrollment (a page of them): for each module "done", "todo" or "n/a"
    (not meant for the participant's role), and required modules done / to do. One query."""
    completed = set(
        TrainingCompletion.objects.filter(enrollment__in=[e.pk for e in enrollments]).values_list(
            "enrollment_id", "module_id"
        )
    )
    rows = []
    for enrollment in enrollments:
        cells = []
        required_done = required_total = 0
        for module in modules:
            if not module.applies_to(enrollment.role):
                cells.append("n/a")
                continue
            done = (enrollment.pk, module.pk) in completed
            cells.append("done" if done else "todo")
            if module.required:
                required_total += 1
                required_done += done
        rows.append(
            {"enrollment": enrollment, "cells": cells, "required_done": required_done, "required_total": required_total}
        )
    return rows


def _url_if_exists(name: str, **kwargs) -> str:
    # Pages other parts of the app provide (e.g. the participants list) are linked once they exist.
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def program_participants_url(*, program: Program) -> str:
    return _url_if_exists(PARTICIPANTS_URL_NAME, slug=program.slug)


@dataclass
class NextStep:
    text: str
    done: bool = False
    url: str = ""
    optional: bool = False
    testid: str = ""


def program_setup_counts(*, program: Program) -> dict[str, int]:
    return {
        "questions": program.questions.count(),
        "modules": program.training_modules.count(),
        "goal_templates": program.goal_templates.count(),
        "owners": program.owners.count(),
    }


def program_next_steps(*, program: Program, counts: EnrollmentCounts, setup: dict[str, int]) -> list[NextStep]:
    """What HR should do next with ``program``, computed from its state, its enrollment
    counts and its ``program_setup_counts``."""
    slug = {"slug": program.slug}
    edit_url = reverse("programs:program_edit", kwargs=slug)
    status_url = reverse("programs:program_status", kwargs=slug)
    Status = Program.Status
    steps: list[NextStep] = []
    approved_mentors, approved_mentees = counts.approved_mentors, counts.approved_mentees
    waiting = counts.with_status(Enrollment.Status.APPLIED)

    if program.status in (Status.DRAFT, Status.ENROLLING):
        steps += [
            NextStep(
                "Add charters for mentors and mentees",
                done=bool(program.mentor_expectations.strip() and program.mentee_expectations.strip()),
                url=edit_url,
                testid="step-charters",
            ),
            NextStep("Choose who may enrol", done=bool(program.allowed_roles), url=edit_url, testid="step-roles"),
            NextStep(
                "Add program owners", done=bool(setup["owners"]), url=edit_url, optional=True, testid="step-owners"
            ),
            NextStep(
                "Add enrollment questions",
                done=bool(setup["questions"]),
                url=reverse("programs:program_question_list", kwargs=slug),
                optional=True,
                testid="step-questions",
            ),
            NextStep(
                "Add training modules",
                done=bool(setup["modules"]),
                url=reverse("programs:training_module_list", kwargs=slug),
                optional=True,
                testid="step-training",
            ),
            NextStep(
                "Add goal templates",
                done=bool(setup["goal_templates"]),
                url=reverse("programs:goal_template_list", kwargs=slug),
                optional=True,
                testid="step-goal-templates",
            ),
        ]
    if program.status == Status.DRAFT:
        steps.append(NextStep("Open enrollment", url=status_url, testid="step-open-enrollment"))
    if waiting:
        steps.append(
            NextStep(
                f"{waiting} application{'s' if waiting != 1 else ''} wait{'' if waiting != 1 else 's'} for approval",
                url=program_participants_url(program=program),
                testid="step-approve",
            )
        )
    if program.status == Status.ENROLLING:
        steps.append(
            NextStep(
                f"Approve mentors and mentees ({approved_mentors} mentors, {approved_mentees} mentees so far)",
                done=bool(approved_mentors and approved_mentees),
                testid="step-approved",
            )
        )
        steps.append(NextStep("Start matching", url=status_url, testid="step-start-matching"))
    if program.status == Status.MATCHING:
        steps.append(
            NextStep(
                "Match mentees with mentors",
                url=reverse("matching:program", kwargs=slug),
                testid="step-match",
            )
        )
        steps.append(NextStep("Start the program", url=status_url, testid="step-start-program"))
    if program.status == Status.RUNNING:
        steps.append(NextStep("Follow training completion", url=reverse("programs:training_completion", kwargs=slug)))
        steps.append(
            NextStep(
                f"Close the program after it ends on {program.end_date:%d %b %Y}", url=status_url, testid="step-close"
            )
        )
    if program.status == Status.CLOSED:
        steps.append(
            NextStep(
                "Clone the program for the next cohort",
                url=reverse("programs:program_clone", kwargs=slug),
                testid="step-clone",
            )
        )
    return steps


def owner_candidates() -> QuerySet[User]:
    """Everyone who can sign in, with their directory entry for a helpful label."""
    return (
        User.objects.filter(is_active=True)
        .select_related("person", "person__department")
        .order_by("first_name", "last_name", "email")
    )
