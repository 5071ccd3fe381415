"""Reads about training for program setup pages: the summary of a program's training and
its completion page (modules, participants, rows)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from programs.models import Enrollment, Program, Role, TrainingCompletion, TrainingModule
from programs.services.training import enrollments_annotate_training


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
