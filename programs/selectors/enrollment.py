"""Reads about enrollment for program pages: programs annotated with their enrollment counts,
and one program's enrollments by role and status."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from programs.models import Enrollment, Program, Role

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
