"""Training, participant side: which modules apply to whom, completing them,
and progress (also a hard constraint for matching: a participant is matched
only once their required training is done)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from core.errors import ServiceError
from programs.models import Enrollment, TrainingCompletion, TrainingModule

# Statuses in which a participant can take training (they chose a role and are still in).
TRAINING_STATUSES = (Enrollment.Status.APPLIED, Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED)


class TrainingError(ServiceError):
    """A training action the rules don't allow. The message is shown to the user."""


def _audience_matches(role_ref, prefix: str = "") -> Q:
    """Modules whose audience includes the role ("mentor" -> "mentors" or "both")."""
    return Q(**{f"{prefix}audience": TrainingModule.Audience.BOTH}) | Q(
        **{f"{prefix}audience": Concat(role_ref, Value("s"))}
    )


def training_modules_for_role(*, program, role: str) -> QuerySet[TrainingModule]:
    """The program's modules that apply to ``role``, in course order."""
    if not role:
        return program.training_modules.none()
    return program.training_modules.filter(Q(audience=TrainingModule.Audience.BOTH) | Q(audience=f"{role}s")).order_by(
        "order", "pk"
    )


def enrollment_training_modules(*, enrollment: Enrollment) -> list[TrainingModule]:
    """The modules for this participant's role, each with ``completed_at`` (or None). Two queries."""
    modules = list(training_modules_for_role(program=enrollment.program, role=enrollment.role))
    done = dict(
        enrollment.training_completions.filter(module__in=[m.pk for m in modules]).values_list(
            "module_id", "completed_at"
        )
    )
    for module in modules:
        module.completed_at = done.get(module.pk)
    return modules


def enrollments_annotate_training(*, queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate enrollments with ``training_required`` (required modules for
    their role), ``training_done`` (of those, completed) and ``training_complete``.
    Subqueries, so the number of queries doesn't grow with the number of rows."""
    required = (
        TrainingModule.objects.filter(_audience_matches(OuterRef("role")), program=OuterRef("program"), required=True)
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = (
        TrainingCompletion.objects.filter(
            _audience_matches(OuterRef("role"), prefix="module__"),
            enrollment=OuterRef("pk"),
            module__required=True,
            module__program=OuterRef("program"),
        )
        .order_by()
        .values("enrollment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        training_required=Coalesce(Subquery(required, output_field=IntegerField()), 0),
        training_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
    ).annotate(
        training_complete=Case(
            When(training_done__gte=F("training_required"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def enrollment_training_complete(*, enrollment: Enrollment) -> bool:
    """Has the participant completed every required module for their role?"""
    if not enrollment.role:
        return False
    annotated = enrollments_annotate_training(queryset=Enrollment.objects.filter(pk=enrollment.pk)).get()
    return annotated.training_complete


def training_module_complete(*, enrollment: Enrollment, module: TrainingModule) -> TrainingCompletion:
    """Mark a module done for the participant. Doing it twice changes nothing."""
    if module.program_id != enrollment.program_id or not module.applies_to(enrollment.role):
        raise TrainingError("This module is not part of your training.")
    if enrollment.status not in TRAINING_STATUSES:
        raise TrainingError("Training is open to people who have applied to the program.")
    existing = TrainingCompletion.objects.filter(enrollment=enrollment, module=module).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return TrainingCompletion.objects.create(enrollment=enrollment, module=module)
    except IntegrityError:
        # A second click racing the first: the completion exists now.
        return TrainingCompletion.objects.get(enrollment=enrollment, module=module)
