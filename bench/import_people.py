"""Benchmark the people import against a naive per-row import.

Usage (from the repository root)::

    .venv/bin/python bench/import_people.py                  # 1,000 and 10,000 rows, 3 runs each
    .venv/bin/python bench/import_people.py --sizes 10000 --repeat 5
    .venv/bin/python bench/import_people.py --keep-csv /tmp/exports   # also write the generated files

A realistic HR export is generated per size (deterministic: a management tree
up to six levels deep, rows shuffled so most managers come *after* their
reports, 10 departments, 11 offices with their time zones and languages,
seniority by depth). Each run starts from a fresh state of a throw-away SQLite
database in a temporary directory (never the project's database), and is timed
end to end: reading the text, checking it and writing it.

Two scenarios per size:

* ``initial``  -- an empty directory: everyone is created.
* ``re-import`` -- the directory already holds the file; 10% of the rows have a
  new title, department or manager (what a weekly HR sync looks like).

Implementations:

* ``ours``  -- ``people_import_validate`` + ``people_import_apply`` (what
  ``manage.py import_people`` and the web import run).
* ``naive`` -- per row ``update_or_create`` + ``languages.set`` (get_or_create
  for departments, locations, languages), then a second pass for managers;
  inside one transaction so the comparison is about queries, not fsyncs. It
  validates nothing.

The median of ``--repeat`` runs is printed with the number of database calls
(``queries``) and of SQL statements they executed (``stmts``: an
``executemany`` call is one query running one UPDATE per row).

Then the web page's two steps for the ``initial`` file: the upload request
(``people_import_job_create``: store the file, queue the check) and the check
that makes the preview (``people_import_job_preview``, a background job; run
here, eagerly, when the upload's transaction commits). Before, the upload
request itself ran the whole check.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OFFICES = [
    ("Berlin", "Europe/Berlin", ["German", "English"]),
    ("London", "Europe/London", ["English"]),
    ("Paris", "Europe/Paris", ["French", "English"]),
    ("New York", "America/New_York", ["English", "Spanish"]),
    ("San Francisco", "America/Los_Angeles", ["English", "Spanish", "Mandarin"]),
    ("Toronto", "America/Toronto", ["English", "French"]),
    ("São Paulo", "America/Sao_Paulo", ["Portuguese", "English", "Spanish"]),
    ("Bangalore", "Asia/Kolkata", ["English", "Hindi", "Kannada"]),
    ("Singapore", "Asia/Singapore", ["English", "Mandarin", "Malay"]),
    ("Sydney", "Australia/Sydney", ["English"]),
    ("Lisbon", "Europe/Lisbon", ["Portuguese", "English"]),
]
DEPARTMENTS = {
    "Engineering": ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "Engineering Manager"],
    "Product": ["Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher"],
    "Data": ["Data Analyst", "Data Scientist", "Data Engineer", "Analytics Manager"],
    "Sales": ["Account Executive", "Sales Development Rep", "Sales Engineer", "Sales Manager"],
    "Marketing": ["Marketing Specialist", "Content Strategist", "Growth Marketer", "Brand Manager"],
    "Customer Success": ["Customer Success Manager", "Support Specialist", "Onboarding Lead"],
    "Finance": ["Financial Analyst", "Accountant", "Controller", "FP&A Manager"],
    "People": ["HR Business Partner", "Recruiter", "People Operations Specialist", "L&D Specialist"],
    "Operations": ["Operations Analyst", "Program Manager", "Procurement Specialist"],
    "Legal": ["Legal Counsel", "Paralegal", "Compliance Officer"],
}
FIRST = [
    "Aisha",
    "Ben",
    "Chen",
    "Dara",
    "Elif",
    "Femi",
    "Gabriel",
    "Hana",
    "Ivan",
    "Jonas",
    "Kofi",
    "Lea",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoë",
]
LAST = [
    "Adeyemi",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fernández",
    "Gupta",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "López",
    "Müller",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Rossi",
    "Silva",
    "Tanaka",
    "Umar",
    "Varga",
    "Wang",
    "Yilmaz",
    "Zhou",
]
HEADER = [
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
]


def ascii_email(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def generate_rows(size: int, seed: int = 7) -> list[dict]:
    """An organisation of ``size`` people: a tree up to six levels deep, in shuffled order."""
    rng = random.Random(seed)
    people: list[dict] = []
    managers_by_level: dict[int, list[int]] = {0: []}
    for index in range(size):
        if index == 0:
            level = 0
        else:
            level = min(1 + int(rng.expovariate(0.45)), 5)
            while not managers_by_level.get(level - 1):
                level -= 1
        department = rng.choice(list(DEPARTMENTS))
        office, zone, languages = rng.choice(OFFICES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append(
            {
                "email": ascii_email(f"{first}.{last}.{index}@example.com"),
                "first_name": first,
                "last_name": last,
                "title": "Chief Executive Officer" if index == 0 else rng.choice(DEPARTMENTS[department]),
                "department": department,
                "manager_email": "" if index == 0 else people[rng.choice(managers_by_level[level - 1])]["email"],
                "location": office,
                "time_zone": zone,
                "languages": ";".join(rng.sample(languages, k=rng.randint(1, len(languages)))),
                "seniority": str(max(1, 10 - level * 2 - rng.randint(0, 1))),
                "hire_date": (date(2005, 1, 1) + timedelta(days=rng.randint(0, 7000))).isoformat(),
            }
        )
        # Only some people manage others, as in a real company.
        if level < 5 and (index == 0 or rng.random() < 0.25):
            managers_by_level.setdefault(level, []).append(index)
    rng.shuffle(people)
    return people


def changed_rows(rows: list[dict], seed: int = 11) -> list[dict]:
    """The same export a week later: 10% of the people changed title, department or manager."""
    rng = random.Random(seed)
    changed = [dict(row) for row in rows]
    managers = sorted({row["manager_email"] for row in rows if row["manager_email"]})
    reports_of: dict[str, str] = {row["email"]: row["manager_email"] for row in rows}

    def is_above(candidate: str, person: str) -> bool:
        # True if ``person`` is in ``candidate``'s management chain (so no cycle is made).
        seen = set()
        while candidate and candidate not in seen:
            if candidate == person:
                return True
            seen.add(candidate)
            candidate = reports_of.get(candidate, "")
        return False

    for row in rng.sample(changed, k=len(changed) // 10):
        kind = rng.choice(["title", "department", "manager"])
        if kind == "title":
            row["title"] = "Senior " + row["title"]
        elif kind == "department":
            row["department"] = rng.choice(list(DEPARTMENTS))
        elif row["manager_email"]:
            candidate = rng.choice(managers)
            if candidate != row["email"] and not is_above(candidate, row["email"]):
                row["manager_email"] = candidate
                reports_of[row["email"]] = candidate
    return changed


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def setup_django(database_url: str | None, workdir: str) -> None:
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("DEBUG", "1")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class QueryCounter:
    """Database calls, and statements executed (an ``executemany`` call runs one per row)."""

    def __init__(self):
        self.count = 0
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        if many:
            params = list(params)
            self.statements += len(params)
        else:
            self.statements += 1
        self.count += 1
        return execute(sql, params, many, context)


def reset_directory() -> None:
    from people.models import Department, Language, Location, Person, SelfIdentification

    for model in (Person.languages.through, SelfIdentification, Person, Department, Location, Language):
        queryset = model.objects.all()
        queryset._raw_delete(queryset.db)


def import_ours(text: str):
    from people import importing

    plan = importing.people_import_validate(text=text)
    if not plan.is_valid:
        raise SystemExit(f"generated file is invalid: {plan.errors[:3]}")
    result = importing.people_import_apply(plan=plan)
    return result.created, result.updated


def import_naive(text: str):
    from django.db import transaction

    from people.models import Department, Language, Location, Person

    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    created = updated = 0
    with transaction.atomic():
        for row in rows:
            department = Department.objects.get_or_create(name=row["department"])[0] if row["department"] else None
            location = Location.objects.get_or_create(name=row["location"])[0] if row["location"] else None
            person, was_created = Person.objects.update_or_create(
                email=row["email"].lower(),
                defaults={
                    "first_name": row["first_name"],
                    "last_name": row["last_name"],
                    "title": row["title"],
                    "department": department,
                    "location": location,
                    "time_zone": row["time_zone"],
                    "seniority": int(row["seniority"]),
                    "hire_date": date.fromisoformat(row["hire_date"]) if row["hire_date"] else None,
                },
            )
            person.languages.set(
                [Language.objects.get_or_create(name=name)[0] for name in row["languages"].split(";") if name]
            )
            created += was_created
            updated += not was_created
        for row in rows:
            manager = Person.objects.get(email=row["manager_email"].lower()) if row["manager_email"] else None
            Person.objects.filter(email=row["email"].lower()).update(manager=manager)
    return created, updated


def web_upload_and_preview(text: str) -> tuple[float, float, str]:
    """Seconds of the upload request and of the background check, and the job's status."""
    from django.db import transaction

    from people import importing
    from people.models import ImportJob

    with transaction.atomic():  # the upload request (ATOMIC_REQUESTS); its commit queues the check
        started = time.perf_counter()
        job = importing.people_import_job_create(text=text, file_name="bench.csv", user=None)
        request = time.perf_counter() - started
        started = time.perf_counter()
    check = time.perf_counter() - started  # the eager task ran on commit
    status = ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).delete()
    return request, check, status


def measure(function, text: str, prepare, repeat: int):
    from django.db import connection

    times, queries, outcome = [], (0, 0), None
    for _ in range(repeat):
        reset_directory()
        prepare()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            outcome = function(text)
            times.append(time.perf_counter() - started)
        queries = (counter.count, counter.statements)
    return statistics.median(times), min(times), max(times), queries, outcome


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="Comma-separated row counts (default 1000,10000).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement; the median is shown.")
    parser.add_argument("--skip-naive", action="store_true", help="Only time our import.")
    parser.add_argument("--keep-csv", metavar="DIR", help="Also write the generated CSV files to DIR.")
    parser.add_argument(
        "--database-url",
        help="Benchmark on this database instead of a temporary SQLite file. Its directory tables are EMPTIED.",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    with tempfile.TemporaryDirectory(prefix="bench-import-") as workdir:
        setup_django(args.database_url, workdir)
        from django.db import connection

        version = connection.Database.sqlite_version if connection.vendor == "sqlite" else ""
        print(
            f"Database: {connection.vendor} {version}  ·  median of {args.repeat} runs  ·  "
            f"Python {sys.version.split()[0]}"
        )
        header = (
            f"{'rows':>7}  {'scenario':<10} {'impl':<6} {'median s':>9} {'min–max s':>12} {'queries':>8} "
            f"{'(stmts)':>9} {'created':>8} {'updated':>8}"
        )
        print(header)
        print("-" * len(header))
        for size in sizes:
            rows = generate_rows(size)
            initial, weekly = to_csv(rows), to_csv(changed_rows(rows))
            if args.keep_csv:
                Path(args.keep_csv).mkdir(parents=True, exist_ok=True)
                Path(args.keep_csv, f"people_{size}.csv").write_text(initial, encoding="utf-8")
                Path(args.keep_csv, f"people_{size}_changed.csv").write_text(weekly, encoding="utf-8")
            scenarios = [
                ("initial", initial, lambda: None),
                ("re-import", weekly, lambda text=initial: import_ours(text)),
            ]
            for scenario, text, prepare in scenarios:
                results = {}
                implementations = [("ours", import_ours)] + ([] if args.skip_naive else [("naive", import_naive)])
                for name, function in implementations:
                    median, low, high, (queries, statements), (created, updated) = measure(
                        function, text, prepare, args.repeat
                    )
                    results[name] = median
                    print(
                        f"{size:>7,}  {scenario:<10} {name:<6} {median:>9.2f} {f'{low:.2f}–{high:.2f}':>12} "
                        f"{queries:>8,} {f'({statements:,})':>9} {created:>8,} {updated:>8,}"
                    )
                if "naive" in results:
                    print(f"{'':>7}  {'':<10} {'':<6} ours is {results['naive'] / results['ours']:.1f}× faster")
            reset_directory()
            web = [web_upload_and_preview(initial) for _ in range(args.repeat)]
            request, check = statistics.median(w[0] for w in web), statistics.median(w[1] for w in web)
            print(
                f"{size:>7,}  web page: upload request {request * 1000:.0f} ms (stores the file, queues the check); "
                f"the preview's check in the background {check:.2f} s ({web[-1][2]})"
            )
        reset_directory()


if __name__ == "__main__":
    main()
