"""Writes to the employee directory: the HR import and each person's self-identification.

The import has two steps that the shell command and the web page share:
``people_import_validate`` reads a CSV export and lists every problem with its
line number (writing nothing); ``people_import_apply`` writes a valid plan in
one transaction with set-based queries, so 10,000 rows take seconds. On the web
page both run in background jobs (``people_import_job_preview``, then
``people_import_job_run`` once HR commits the preview); the upload request only
stores the file.
"""

import codecs
import csv
import functools
import io
import logging
import re
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import ServiceError
from core.jobs import task_queue_on_commit
from people.models import Department, ImportJob, Language, Location, Person, SelfIdentification, User

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "department",
    "manager_email",
    "location",
    "time_zone",
    "languages",
    "seniority",
    "hire_date",
)
# Leavers and promotions arrive through the same export; a file without these
# columns leaves the stored dates alone.
OPTIONAL_COLUMNS = ("termination_date", "promotion_date")
BATCH_SIZE = 1000
# A preview lists this many of the changes it would make.
PREVIEW_CHANGES = 100
# A running job that has not reported progress for this long lost its worker.
STALE_JOB = timedelta(minutes=15)

_MAX_LENGTHS = {
    "email": 254,
    "first_name": 100,
    "last_name": 100,
    "title": 150,
    "department": 120,
    "location": 120,
}
_LANGUAGE_MAX_LENGTH = 60
_WHOLE_NUMBER = re.compile(r"^\d{1,3}$")


class PeopleImportFileError(ServiceError):
    """The upload is not a CSV text file that can be read at all."""


class PeopleImportConflict(Exception):
    """The directory changed between the check and the write; nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} row(s) no longer fit the directory")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One valid line of the export, normalised (email lower-case, cells stripped)."""

    line: int
    email: str
    first_name: str
    last_name: str
    title: str
    department: str
    manager_email: str
    location: str
    time_zone: str
    languages: tuple[str, ...]
    seniority: int
    hire_date: date | None
    termination_date: date | None
    promotion_date: date | None


@dataclass
class ImportPlan:
    """What an import would do: its valid rows, every error, and the counts."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    ignored_columns: list[str] = field(default_factory=list)
    row_count: int = 0
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    changes: list[dict] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportLimits:
    """What one import file may hold (settings ``PEOPLE_IMPORT_MAX_*``, see the README).

    A file over any limit is refused before it is parsed, so a pathological upload (100,000
    columns, one 50 MB line) costs a scan of the text, never a parse of it.
    """

    max_bytes: int
    max_rows: int
    max_columns: int
    max_line_length: int

    @property
    def max_megabytes(self) -> int:
        return self.max_bytes // (1024 * 1024)


def people_import_limits() -> ImportLimits:
    return ImportLimits(
        max_bytes=settings.PEOPLE_IMPORT_MAX_BYTES,
        max_rows=settings.PEOPLE_IMPORT_MAX_ROWS,
        max_columns=settings.PEOPLE_IMPORT_MAX_COLUMNS,
        max_line_length=settings.PEOPLE_IMPORT_MAX_LINE_LENGTH,
    )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(slots=True)
class _Existing:
    """A person already in the directory, as the import compares them."""

    pk: int
    first_name: str
    last_name: str
    title: str
    department: str
    location: str
    manager_id: int | None
    manager_email: str
    time_zone: str
    seniority: int
    hire_date: date | None
    termination_date: date | None
    promotion_date: date | None
    user_id: int | None
    languages: set[str] = field(default_factory=set)


# --- Reading the file -------------------------------------------------------------------


def people_import_decode(*, data: bytes) -> str:
    """The text of an uploaded export, or a ``PeopleImportFileError`` saying how to fix it.

    Accepts UTF-8 with or without the byte-order mark Excel writes, and UTF-16
    with a byte-order mark. Anything else is refused rather than guessed, so
    names with accents are never silently garbled. A file over the limits
    (``people_import_limits``) is refused before anything parses it.
    """
    limits = people_import_limits()
    if not data or not data.strip():
        raise PeopleImportFileError("The file is empty.")
    if len(data) > limits.max_bytes:
        raise PeopleImportFileError(people_import_too_large_message(limits))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise PeopleImportFileError(
            "This is an Excel workbook, not a CSV file. In Excel choose File › Save As › "
            "“CSV UTF-8 (Comma delimited)” and upload that file."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise PeopleImportFileError("The file says it is UTF-16 text but cannot be read as such.") from None
    elif b"\x00" in data:
        raise PeopleImportFileError(_nul_message(data[: data.index(b"\x00")].count(b"\n") + 1))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise PeopleImportFileError(
                f"The file is not UTF-8 text (first unreadable character on line {line}). "
                "Save it as “CSV UTF-8” and upload it again."
            ) from None
    if "\x00" in text:
        raise PeopleImportFileError(_nul_message(text[: text.index("\x00")].count("\n") + 1))
    text = text.lstrip("\ufeff")
    _limits_check(text, limits)
    return text


def _nul_message(line: int) -> str:
    # A NUL character cannot be stored (PostgreSQL refuses it) and never occurs in a real export.
    return (
        f"This looks like a binary file, not a CSV text file: line {line:,} contains a NUL character. "
        "Save the export as “CSV UTF-8” and upload it again."
    )


def people_import_too_large_message(limits: ImportLimits) -> str:
    return (
        f"The file is larger than {limits.max_megabytes} MB. "
        "Split it into several files and import them one after the other."
    )


def _limits_check(text: str, limits: ImportLimits) -> None:
    """Refuse a file with too many lines, header columns or characters on one line.

    Only splits and counts (linear, no CSV parsing), so a pathological file is
    refused in milliseconds. Lines are physical lines: a quoted value with line
    breaks counts as several.
    """
    lines = text.splitlines()
    if len(lines) > limits.max_rows + 1:
        raise PeopleImportFileError(
            f"The file has {len(lines):,} lines: one file may hold at most {limits.max_rows:,} people "
            "(plus the header line). Split it into several files and import them one after the other."
        )
    columns = lines[0].count(_delimiter(lines[0])) + 1
    if columns > limits.max_columns:
        raise PeopleImportFileError(
            f"The header line has {columns:,} columns; an export may have at most {limits.max_columns:,}. "
            "Export only the columns the import reads and try again."
        )
    if max(map(len, lines)) > limits.max_line_length:
        number, line = next((n, line) for n, line in enumerate(lines, 1) if len(line) > limits.max_line_length)
        raise PeopleImportFileError(
            f"Line {number:,} is {len(line):,} characters long; a line may have at most "
            f"{limits.max_line_length:,}. Check that this is the people export of your HR system, saved as CSV."
        )


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def _delimiter(text: str) -> str:
    # Excel in many European locales writes ';'-separated "CSV"; detect it from the header.
    header = text.split("\n", 1)[0]
    if "," not in header:
        for candidate in (";", "\t"):
            if candidate in header:
                return candidate
    return ","


@functools.cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _time_zones() -> dict[str, str]:
    """Lower-case name -> canonical IANA name, to suggest the right spelling."""
    return {name.lower(): name for name in _time_zone_names()}


def _parse_date(values: dict, column: str, problems: list[str]) -> date | None:
    value = values.get(column, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{column}: “{value}” is not a date in YYYY-MM-DD format")
        return None


def _parse_email(value: str, column: str, problems: list[str], *, required: bool) -> str:
    if not value:
        if required:
            problems.append(f"{column}: an email address is required")
        return ""
    email = value.lower()
    try:
        validate_email(email)
    except ValidationError:
        problems.append(f"{column}: “{value}” is not a valid email address")
        return ""
    if len(email) > _MAX_LENGTHS["email"]:
        problems.append(f"{column}: longer than {_MAX_LENGTHS['email']} characters")
        return ""
    return email


def _parse_row(line: int, values: dict) -> tuple[ImportRow | None, str, str, list[str]]:
    """A row, its email and manager email (for cross-row checks), and its problems."""
    problems: list[str] = []
    email = _parse_email(values["email"], "email", problems, required=True)
    manager_email = _parse_email(values["manager_email"], "manager_email", problems, required=False)
    if email and manager_email == email:
        problems.append("manager_email: a person cannot be their own manager")
        manager_email = ""
    for column in ("first_name", "last_name"):
        if not values[column]:
            problems.append(f"{column}: required")
    for column in ("first_name", "last_name", "title", "department", "location"):
        if len(values[column]) > _MAX_LENGTHS[column]:
            problems.append(f"{column}: longer than {_MAX_LENGTHS[column]} characters")

    time_zone = values["time_zone"]
    if not time_zone:
        problems.append("time_zone: required (an IANA name such as Europe/Berlin)")
    elif time_zone not in _time_zone_names():
        suggestion = _time_zones().get(time_zone.lower())
        hint = f" (did you mean {suggestion}?)" if suggestion else " (use an IANA name such as Europe/Berlin)"
        problems.append(f"time_zone: “{time_zone}” is not a known time zone{hint}")

    seniority = 0
    raw_seniority = values["seniority"]
    if _WHOLE_NUMBER.match(raw_seniority) and 1 <= int(raw_seniority) <= 10:
        seniority = int(raw_seniority)
    elif not raw_seniority:
        problems.append("seniority: required (a whole number from 1 to 10)")
    else:
        problems.append(f"seniority: “{raw_seniority}” is not a whole number from 1 to 10")

    languages: dict[str, str] = {}
    for name in values["languages"].split(";"):
        name = name.strip()
        if not name:
            continue
        if len(name) > _LANGUAGE_MAX_LENGTH:
            problems.append(f"languages: “{name[:20]}…” is longer than {_LANGUAGE_MAX_LENGTH} characters")
        languages.setdefault(name.lower(), name)

    hire_date = _parse_date(values, "hire_date", problems)
    termination_date = _parse_date(values, "termination_date", problems)
    promotion_date = _parse_date(values, "promotion_date", problems)
    if hire_date and termination_date and termination_date < hire_date:
        problems.append("termination_date: before hire_date")

    if problems:
        return None, email, manager_email, problems
    row = ImportRow(
        line=line,
        email=email,
        first_name=values["first_name"],
        last_name=values["last_name"],
        title=values["title"],
        department=values["department"],
        manager_email=manager_email,
        location=values["location"],
        time_zone=time_zone,
        languages=tuple(languages.values()),
        seniority=seniority,
        hire_date=hire_date,
        termination_date=termination_date,
        promotion_date=promotion_date,
    )
    return row, email, manager_email, []


def _read_rows(text: str, plan: ImportPlan, progress: Callable[[int], None] | None) -> dict[str, tuple[int, str]]:
    """Parse every line into ``plan``; returns email -> (line, manager email) for every
    row whose email could be read, valid or not, for the checks across rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        plan.errors.append((1, f"The header row cannot be read: {exc}"))
        return {}
    header = [_normalise_header(name) for name in header or []]
    if not any(header):
        plan.errors.append((1, "The file has no header row. The first line must name the columns."))
        return {}
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    duplicated = sorted(name for name, count in Counter(header).items() if name and count > 1)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if duplicated:
        plan.errors.append((1, f"Column(s) appear more than once: {', '.join(duplicated)}"))
    if missing:
        plan.errors.append((1, f"Missing required column(s): {', '.join(missing)}"))
    if plan.errors:
        return {}
    plan.columns = tuple(name for name in header if name in known)
    plan.ignored_columns = [name for name in header if name and name not in known]

    seen: dict[str, tuple[int, str]] = {}
    max_rows = people_import_limits().max_rows
    previous_line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.errors.append((previous_line + 1, f"This line cannot be read as CSV: {exc}"))
            break
        line, previous_line = previous_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        plan.row_count += 1
        if plan.row_count > max_rows:
            plan.errors.append((line, f"Too many rows: one file may hold at most {max_rows:,} people."))
            break
        if progress and plan.row_count % BATCH_SIZE == 0:
            progress(plan.row_count)
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            plan.errors.append(
                (
                    line,
                    f"This row has {len(cells)} values but the header has {len(header)} columns "
                    "(a value that contains a comma must be in double quotes)",
                )
            )
            continue
        values = {name: (cells[index].strip() if index < len(cells) else "") for index, name in enumerate(header)}
        for name in OPTIONAL_COLUMNS:
            values.setdefault(name, "")
        row, email, manager_email, problems = _parse_row(line, values)
        if email:
            if email in seen:
                problems.insert(0, f"email: {email} appears more than once (first on line {seen[email][0]})")
                row = None
            else:
                seen[email] = (line, manager_email)
        plan.errors.extend((line, problem) for problem in problems)
        if row is not None:
            plan.rows.append(row)
    if plan.row_count == 0 and not plan.errors:
        plan.errors.append((1, "The file has a header row but no people in it."))
    if progress:
        progress(plan.row_count)
    return seen


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


def _ids_by_name(model, names: dict[str, str]) -> dict[str, int]:
    """Lower-case name -> id for departments, locations or languages, creating the missing ones."""
    existing: dict[str, int] = {}
    for pk, name in model.objects.order_by("pk").values_list("pk", "name"):
        existing.setdefault(name.lower(), pk)
    missing = [model(name=spelling) for key, spelling in names.items() if key not in existing]
    if missing:
        model.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        for pk, name in model.objects.order_by("pk").values_list("pk", "name"):
            existing.setdefault(name.lower(), pk)
    return existing


def _chunks(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _update_by_pk(model, field_names: list[str], rows: list[tuple]) -> None:
    """UPDATE many rows by primary key: ``rows`` are ``(pk, value, value, ...)``.

    One prepared statement executed per row (``executemany``), not Django's
    ``bulk_update``: that builds a CASE expression per row and field and takes
    over ten seconds for 10,000 people on SQLite. Values are prepared by the
    model fields, so this is the same SQL on SQLite and PostgreSQL.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(model._meta.pk.column),
    )
    params = [
        [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)] + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        for batch in _chunks(params):
            cursor.executemany(sql, batch)


def people_import_apply(*, plan: ImportPlan, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Write a valid plan to the directory, all or nothing.

    The directory is read again inside the transaction, so the counts are
    those of this write; if a manager the file relies on left the directory
    since the plan was made, ``PeopleImportConflict`` is raised and nothing is
    written. ``progress`` is called with the number of rows written.
    """
    if not plan.is_valid:
        raise ValueError("An import with errors cannot be applied.")
    fields = ["first_name", "last_name", "title", "department", "location", "time_zone", "seniority", "hire_date"]
    fields += [name for name in OPTIONAL_COLUMNS if name in plan.columns]
    attnames = [Person._meta.get_field(name).attname for name in fields]
    with transaction.atomic():
        snapshot = _directory_snapshot()
        managers = {row.email: (row.line, row.manager_email) for row in plan.rows}
        conflicts = _manager_errors(managers, snapshot)
        if conflicts:
            raise PeopleImportConflict(sorted(conflicts))

        departments = _ids_by_name(Department, {row.department.lower(): row.department for row in plan.rows})
        locations = _ids_by_name(Location, {row.location.lower(): row.location for row in plan.rows})
        languages = _ids_by_name(Language, {name.lower(): name for row in plan.rows for name in row.languages if name})
        unlinked_users = dict(User.objects.filter(person__isnull=True).values_list("email", "pk"))
        unlinked_users = {email.lower(): pk for email, pk in unlinked_users.items()}
        now = timezone.now()

        def person_from(row: ImportRow, **extra) -> Person:
            person = Person(
                first_name=row.first_name,
                last_name=row.last_name,
                title=row.title,
                department_id=departments.get(row.department.lower()) if row.department else None,
                location_id=locations.get(row.location.lower()) if row.location else None,
                time_zone=row.time_zone,
                seniority=row.seniority,
                hire_date=row.hire_date,
                **extra,
            )
            for name in OPTIONAL_COLUMNS:
                if name in plan.columns:
                    setattr(person, name, getattr(row, name))
            return person

        to_create: list[Person] = []
        to_update: list[Person] = []
        renamed_users: list[User] = []
        language_rows: list[ImportRow] = []  # new people, and people whose languages changed
        unchanged = 0
        for row in plan.rows:
            existing = snapshot.get(row.email)
            if existing is None:
                to_create.append(person_from(row, email=row.email, user_id=unlinked_users.get(row.email)))
                language_rows.append(row)
                continue
            changed = _changed_fields(row, existing, plan.columns)
            if not changed:
                unchanged += 1
                continue
            to_update.append(person_from(row, pk=existing.pk))
            if "languages" in changed:
                language_rows.append(row)
            if existing.user_id and {"first_name", "last_name"} & set(changed):
                renamed_users.append(User(pk=existing.user_id, first_name=row.first_name, last_name=row.last_name))

        written = unchanged
        for batch in _chunks(to_create):
            Person.objects.bulk_create(batch)
            written += len(batch)
            if progress:
                progress(written)
        for batch in _chunks(to_update):
            _update_by_pk(
                Person,
                [*fields, "updated_at"],
                [(person.pk, *(getattr(person, name) for name in attnames), now) for person in batch],
            )
            written += len(batch)
            if progress:
                progress(written)
        if renamed_users:
            User.objects.bulk_update(renamed_users, ["first_name", "last_name"], batch_size=BATCH_SIZE)

        # Managers in one pass once everyone exists: a manager may come later in the file.
        ids = {email.lower(): pk for email, pk in Person.objects.values_list("email", "pk").order_by()}
        manager_changes = []
        for row in plan.rows:
            wanted = ids[row.manager_email] if row.manager_email else None
            existing = snapshot.get(row.email)
            if wanted != (existing.manager_id if existing else None):
                manager_changes.append((ids[row.email], wanted, now))
        _update_by_pk(Person, ["manager", "updated_at"], manager_changes)

        through = Person.languages.through
        replaced = [snapshot[row.email].pk for row in language_rows if row.email in snapshot]
        for batch in _chunks(replaced):
            through.objects.filter(person_id__in=batch).delete()
        through.objects.bulk_create(
            [
                through(person_id=ids[row.email], language_id=languages[name.lower()])
                for row in language_rows
                for name in row.languages
            ],
            batch_size=BATCH_SIZE,
        )
    return ImportResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)


# --- Import jobs: the web page's upload, preview, run and result --------------------------


def people_import_job_create(*, text: str, file_name: str, user: User) -> ImportJob:
    """Keep an uploaded export as a job and queue its check, the preview, after commit.

    The upload request does no more than this: checking 100,000 rows takes longer than a
    request may. ``people_import_job_preview`` (a background job) lists every problem or
    what would change; nothing is written to the directory before HR commits the preview.
    """
    from people.tasks import people_import_preview

    lines = text.splitlines()
    job = ImportJob.objects.create(
        file_name=file_name[:255],
        created_by=user,
        status=ImportJob.Status.UPLOADED,
        content=text,
        # An estimate (blank lines count) for the progress bar; the check counts the rows.
        total_rows=max(len(lines) - 1, 0),
    )
    task_queue_on_commit(people_import_preview, job.pk)
    return job


def people_import_job_preview(*, job_id: int) -> bool:
    """Check an uploaded job (reporting progress) and keep the preview: every problem with
    its line, or the counts and the first changes. Writes nothing to the directory.

    The job is claimed with a conditional UPDATE (uploaded, or a check whose worker went
    away), so a task delivered twice checks once. An invalid upload's file is not kept.
    Returns True when the upload is ready to import.
    """
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.UPLOADED) | Q(
        status=ImportJob.Status.CHECKING, updated_at__lt=now - STALE_JOB
    )
    claimed = (
        ImportJob.objects.filter(claimable, pk=job_id)
        .exclude(content="")
        .update(status=ImportJob.Status.CHECKING, processed_rows=0, message="", updated_at=now)
    )
    if claimed != 1:
        return False
    text = ImportJob.objects.values_list("content", flat=True).get(pk=job_id)
    checking = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING)  # not discarded meanwhile
    try:
        plan = people_import_validate(
            text=text, progress=lambda processed: _job_update(job_id, processed_rows=processed)
        )
    except Exception:  # noqa: BLE001 - the job must not stay "checking" forever; the error is logged
        logger.exception("People import %s could not be checked", job_id)
        checking.update(
            status=ImportJob.Status.INVALID,
            content="",
            message="An unexpected error stopped the check. Nothing was imported; upload the file again.",
            updated_at=timezone.now(),
        )
        return False
    found = {
        "total_rows": plan.row_count,
        "processed_rows": plan.row_count,
        "errors": [[line, message] for line, message in plan.errors],
        "ignored_columns": plan.ignored_columns,
        "updated_at": timezone.now(),
    }
    if not plan.is_valid:
        checking.update(status=ImportJob.Status.INVALID, content="", **found)
        return False
    return bool(
        checking.update(
            status=ImportJob.Status.READY,
            planned_created=plan.to_create,
            planned_updated=plan.to_update,
            planned_unchanged=plan.unchanged,
            changes=plan.changes,
            **found,
        )
    )


def people_import_job_check_again(*, job: ImportJob) -> bool:
    """Queue the check of an upload whose check stalled (its worker went away) once more.

    Returns False when the check is not stalled (it is waiting, running or done)."""
    from people.tasks import people_import_preview

    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.PREVIEW_STATUSES, updated_at__lt=now - STALE_JOB)
        .exclude(content="")
        .update(status=ImportJob.Status.UPLOADED, processed_rows=0, updated_at=now)
    )
    if claimed != 1:
        return False
    task_queue_on_commit(people_import_preview, job.pk)
    return True


def people_import_job_queue(*, job: ImportJob) -> bool:
    """Queue a ready (or failed, or stalled) job to run once.

    The claim is a conditional UPDATE, so a double click queues one run.
    Returns False when the job cannot run (already queued, running or finished).
    """
    from people.tasks import people_import_run

    now = timezone.now()
    claimable = Q(status__in=[ImportJob.Status.READY, ImportJob.Status.FAILED]) | Q(
        status__in=ImportJob.RUN_STATUSES, updated_at__lt=now - STALE_JOB
    )
    claimed = (
        ImportJob.objects.filter(claimable, pk=job.pk)
        .exclude(content="")
        .update(status=ImportJob.Status.QUEUED, processed_rows=0, message="", updated_at=now)
    )
    if claimed != 1:
        return False
    job_id = job.pk
    task_queue_on_commit(people_import_run, job_id)
    return True


def people_import_job_discard(*, job: ImportJob) -> bool:
    """Drop a job that has not run (its check may still be going on), and the uploaded file with it."""
    statuses = ImportJob.Status
    discardable = [*ImportJob.PREVIEW_STATUSES, statuses.READY, statuses.INVALID, statuses.FAILED]
    return bool(
        ImportJob.objects.filter(pk=job.pk, status__in=discardable).update(
            status=ImportJob.Status.DISCARDED, content="", updated_at=timezone.now()
        )
    )


def _job_update(job_id: int, **values) -> None:
    ImportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)


def people_import_job_run(*, job_id: int) -> bool:
    """Run a queued job: check every row (reporting progress), then write in one transaction.

    Progress is written between batches while checking, outside any
    transaction, so the page can show it on PostgreSQL and SQLite alike; the
    write itself is a single atomic step whose result (DONE, the counts) is
    committed together with the people. Returns True if the import was written.
    """
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.QUEUED) | Q(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.WRITING], updated_at__lt=now - STALE_JOB
    )
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportJob.Status.VALIDATING, started_at=now, processed_rows=0, updated_at=now
    )
    if claimed != 1:
        return False
    text = ImportJob.objects.values_list("content", flat=True).get(pk=job_id)
    try:
        plan = people_import_validate(
            text=text, progress=lambda processed: _job_update(job_id, processed_rows=processed)
        )
        if not plan.is_valid:
            _job_update(
                job_id,
                status=ImportJob.Status.FAILED,
                errors=[[line, message] for line, message in plan.errors],
                message="The directory changed since the preview and some rows no longer fit. Nothing was written.",
                finished_at=timezone.now(),
            )
            return False
        _job_update(job_id, status=ImportJob.Status.WRITING, total_rows=plan.row_count, processed_rows=plan.row_count)
        with transaction.atomic():
            result = people_import_apply(plan=plan)
            _job_update(
                job_id,
                status=ImportJob.Status.DONE,
                created_count=result.created,
                updated_count=result.updated,
                unchanged_count=result.unchanged,
                errors=[],
                message="",
                content="",
                finished_at=timezone.now(),
            )
        return True
    except PeopleImportConflict as exc:
        _job_update(
            job_id,
            status=ImportJob.Status.FAILED,
            errors=[[line, message] for line, message in exc.errors],
            message="The directory changed while the import ran. Nothing was written.",
            finished_at=timezone.now(),
        )
    except DatabaseError:
        logger.exception("People import %s could not be written", job_id)
        _job_update(
            job_id,
            status=ImportJob.Status.FAILED,
            message="The directory was being changed by someone else at the same time. Nothing was written; "
            "run the import again.",
            finished_at=timezone.now(),
        )
    except Exception:  # noqa: BLE001 - the job must not stay "running" forever; the error is logged
        logger.exception("People import %s failed", job_id)
        _job_update(
            job_id,
            status=ImportJob.Status.FAILED,
            message="An unexpected error stopped the import. Nothing was written.",
            finished_at=timezone.now(),
        )
    return False


# --- Self-identification -------------------------------------------------------------------

SELF_IDENTIFICATION_FIELDS = (
    "gender",
    "age_band",
    "ethnicity",
    "disability",
    "lgbtq",
    "first_generation_professional",
)


def self_identification_update(*, person: Person, data: dict) -> SelfIdentification | None:
    """Save what a person chooses to share about themselves.

    Sharing nothing at all removes the record: a withdrawn answer leaves no trace.
    """
    values = {name: (data.get(name) or "").strip() for name in SELF_IDENTIFICATION_FIELDS}
    if not any(values.values()):
        self_identification_withdraw(person=person)
        return None
    record, _ = SelfIdentification.objects.update_or_create(person=person, defaults=values)
    return record


def self_identification_withdraw(*, person: Person) -> bool:
    """Delete everything a person shared. Returns True if there was something to delete."""
    deleted, _ = SelfIdentification.objects.filter(person=person).delete()
    return bool(deleted)
