"""Planning an import: the rows against the directory as it is (who is new, who changed,
which managers exist), every problem listed, nothing written: ``people_import_validate``."""

import logging
from collections.abc import Callable, Iterable

from people.importing.read import OPTIONAL_COLUMNS, PREVIEW_CHANGES, ImportPlan, ImportRow, _Existing, _read_rows
from people.models import Person

logger = logging.getLogger(__name__)


def _directory_snapshot() -> dict[str, _Existing]:
    """Everyone in the directory by lower-case email, in two queries."""
    people: dict[str, _Existing] = {}
    by_pk: dict[int, _Existing] = {}
    rows = Person.objects.values_list(
        "pk",
        "email",
        "first_name",
        "last_name",
        "title",
        "department__name",
        "location__name",
        "manager_id",
        "manager__email",
        "time_zone",
        "seniority",
        "hire_date",
        "termination_date",
        "promotion_date",
        "user_id",
    ).order_by()
    for (
        pk,
        email,
        first,
        last,
        title,
        dept,
        loc,
        manager_id,
        manager_email,
        tz,
        seniority,
        hire,
        term,
        promo,
        uid,
    ) in rows:
        person = _Existing(
            pk=pk,
            first_name=first,
            last_name=last,
            title=title,
            department=dept or "",
            location=loc or "",
            manager_id=manager_id,
            manager_email=(manager_email or "").lower(),
            time_zone=tz,
            seniority=seniority,
            hire_date=hire,
            termination_date=term,
            promotion_date=promo,
            user_id=uid,
        )
        people[email.lower()] = person
        by_pk[pk] = person
    for person_id, language in Person.languages.through.objects.values_list("person_id", "language__name").order_by():
        by_pk[person_id].languages.add(language.lower())
    return people


def _manager_errors(managers: dict[str, tuple[int, str]], snapshot: dict[str, _Existing]) -> list[tuple[int, str]]:
    """Unknown managers and management cycles, for rows given as email -> (line, manager email).

    A cycle may run through people who are only in the directory (the file
    makes A report to B, the directory has B reporting to A), so the chain is
    followed through both.
    """
    errors = []
    for line, manager_email in managers.values():
        if manager_email and manager_email not in managers and manager_email not in snapshot:
            errors.append((line, f"manager_email: {manager_email} is not in this file or in the directory"))

    def manager_of(email: str) -> str:
        if email in managers:
            return managers[email][1]
        existing = snapshot.get(email)
        return existing.manager_email if existing else ""

    settled: set[str] = set()
    for start in managers:
        path: list[str] = []
        position: dict[str, int] = {}
        email = start
        while email and email not in settled:
            if email in position:
                cycle = path[position[email] :]
                chain = " → ".join([*cycle, email])
                errors.extend(
                    (managers[member][0], f"manager cycle: {chain}") for member in cycle if member in managers
                )
                break
            position[email] = len(path)
            path.append(email)
            email = manager_of(email)
        settled.update(path)
    return errors


def _changed_fields(row: ImportRow, existing: _Existing, columns: Iterable[str]) -> list[str]:
    changed = [
        name
        for name, old, new in (
            ("first_name", existing.first_name, row.first_name),
            ("last_name", existing.last_name, row.last_name),
            ("title", existing.title, row.title),
            ("department", existing.department.lower(), row.department.lower()),
            ("location", existing.location.lower(), row.location.lower()),
            ("manager_email", existing.manager_email, row.manager_email),
            ("time_zone", existing.time_zone, row.time_zone),
            ("seniority", existing.seniority, row.seniority),
            ("hire_date", existing.hire_date, row.hire_date),
        )
        if old != new
    ]
    if existing.languages != {name.lower() for name in row.languages}:
        changed.append("languages")
    for name in OPTIONAL_COLUMNS:
        if name in columns and getattr(existing, name) != getattr(row, name):
            changed.append(name)
    return changed


def people_import_validate(*, text: str, progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Check an export without writing anything.

    Every problem is reported as ``(line, message)``, sorted by line; a valid
    plan also says how many people would be created, updated or left unchanged.
    ``progress`` is called with the number of rows read, every ``BATCH_SIZE`` rows.
    """
    plan = ImportPlan()
    managers = _read_rows(text, plan, progress)
    if plan.row_count == 0:
        return plan
    snapshot = _directory_snapshot()
    plan.errors.extend(_manager_errors(managers, snapshot))
    plan.errors.sort(key=lambda error: error[0])
    if plan.errors:
        return plan
    for row in plan.rows:
        existing = snapshot.get(row.email)
        if existing is None:
            plan.to_create += 1
            action, fields = "create", []
        else:
            fields = _changed_fields(row, existing, plan.columns)
            if not fields:
                plan.unchanged += 1
                continue
            plan.to_update += 1
            action = "update"
        if len(plan.changes) < PREVIEW_CHANGES:
            plan.changes.append(
                {
                    "line": row.line,
                    "email": row.email,
                    "name": f"{row.first_name} {row.last_name}",
                    "action": action,
                    "fields": fields,
                }
            )
    return plan
