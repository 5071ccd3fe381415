"""Reading an HR export: the file's limits (checked before any parsing), its encoding,
delimiter and header, and each row's values with every problem and its line number."""

import codecs
import csv
import functools
import io
import logging
import re
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.errors import ServiceError

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
