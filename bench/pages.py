"""Every main page of each role, timed on a small and a 10x larger PostgreSQL data set.

Usage (from the repository root; PostgreSQL running)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentorship_h5 .venv/bin/python bench/pages.py
    ... bench/pages.py --sizes small,large --repeat 5         # every page, with statistics (default)
    ... bench/pages.py --variants stats,nostats --pages heavy  # the heavy queries, also with no statistics
    ... bench/pages.py --explain                             # EXPLAIN (ANALYZE) of the heavy queries
    ... bench/pages.py --rebuild                             # build the data sets again
    ... bench/pages.py --app-dir /tmp/before                 # measure another checkout (before/after)

The data sets are built once by ``bench/load_data.py`` (bulk inserts) into the template databases
``<prefix>_small_template`` and ``<prefix>_large_template`` (the prefix is ``DATABASE_URL``'s
database name followed by ``_pages``, or ``PAGES_TEMPLATES`` to share the templates between
several runs whose copies are named after their own ``DATABASE_URL``); each measurement copies
one (``CREATE DATABASE ... TEMPLATE``), applies pending migrations to the copy and then either runs ``ANALYZE``
(``stats``: a live database) or removes every planner statistic (``nostats``: right after a bulk
load, as for a new program: ``pg_statistic`` emptied, ``pg_class`` sizes reset to "never
analysed", autovacuum off on the copy).

``large`` (``SIZES``): 10,000 employees, one running program of 5,000 participants (1,000 mentors,
4,000 mentees) with 4,000 pairings, 100,000 held sessions, two match runs of 4,000 proposals, a
monthly check-in and a post-session pulse with answers (5% of the ratings are 1 or 2), goals,
action items, 181 snapshots, and 5,000 notifications for the first HR admin. ``small`` is the
same company 10x smaller.

Each page is requested ``--repeat`` times (the median is printed) with Django's test client in
one process per data set (server time: no network, no browser), counting the SQL statements and
the bytes of the response. A page whose first request takes more than ``--slow`` seconds is not
repeated. The trivial page (allauth's change-password form: the base template and one form) is
measured in the same run; ``x trivial`` is each page's median over the trivial page's median.
The last column is the growth factor small -> large. The nightly evaluation
(``programs_evaluate``) is timed like a page. A checkout with stored pair health (issue 12) has
it computed first, as its first sweep would (timed), since HR's pages read it; its 15-minute
sweep and a full refresh are timed like the jobs.

Figures are from a shared 2-core machine: noisy; compare medians, not single runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ holds modules named like the apps (evaluation.py, matching.py): never import from it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:  # the measuring child has the measured checkout first on PYTHONPATH
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
SIZES = {
    "small": {
        "employees": 1_000,
        "mentors": 100,
        "mentees": 400,
        "sessions": 10_000,
        "runs": 2,
        "inbox": 500,
        "low_ratings": 0.05,
        "hr_admins": 10,
        "owners": 5,
    },
    "large": {
        "employees": 10_000,
        "mentors": 1_000,
        "mentees": 4_000,
        "sessions": 100_000,
        "runs": 2,
        "inbox": 5_000,
        "low_ratings": 0.05,
        "hr_admins": 10,
        "owners": 5,
    },
}
#: Pages whose SQL grew with the data before (issue 12): measured without statistics too.
HEAVY = {
    "hr: matching index",
    "hr: program dashboard",
    "hr: pairs at risk",
    "hr: pairs cooling",
    "hr: at-risk CSV",
    "owner: program dashboard",
    "job: nightly evaluation",
    "job: pair health, first computation",
    "job: pair health sweep",
    "job: pair health, full refresh",
    "trivial page",
}
JOBS = {
    "job: nightly evaluation",
    "job: reminder sweeps",
    "job: survey sweeps",
    "job: pair health, first computation",
    "job: pair health sweep",
    "job: pair health, full refresh",
    "trivial page",
}
LIMIT_TRIVIAL, LIMIT_BYTES = 5, 300_000


# --- Databases ---------------------------------------------------------------------------


def server_and_prefix(url: str | None) -> tuple[str, str]:
    """``postgres://user@host:port`` and the databases' name prefix, from ``DATABASE_URL``."""
    if not url or not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/pages.py measures PostgreSQL: set DATABASE_URL=postgres://user@host:port/name")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "mentorship"
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), f"{name}_pages"


def psql(server: str, sql: str, *, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", f"{server}/{database}", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"psql failed: {sql[:200]}\n{result.stderr}")
    return result.stdout.strip()


def database_exists(server: str, name: str) -> bool:
    return psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def child_env(server: str, database: str, app_dir: Path = ROOT) -> dict:
    from bench.load_data import PROGRAM_SLUG  # the parent's: the measuring child may be another checkout

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "CACHE_URL")}
    env.update(
        DATABASE_URL=f"{server}/{database}",
        DEBUG="0",
        TESTING="1",  # the test client's host, in-memory cache, plain static storage, no HTTPS redirect
        SECRET_KEY="pages-bench-only-" + "p" * 60,
        CELERY_TASK_ALWAYS_EAGER="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(app_dir), str(ROOT)]),
        PAGES_PROGRAM=PROGRAM_SLUG,
    )
    return env


def run_child(env: dict, args: list[str], *, cwd: Path = ROOT, timeout: int = 7200) -> str:
    result = subprocess.run([PYTHON, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result.stdout


def ensure_template(server: str, prefix: str, size: str, *, rebuild: bool) -> str:
    """The data set of ``size`` in its template database, built now unless it is there."""
    template = f"{os.environ.get('PAGES_TEMPLATES') or prefix}_{size}_template"
    if database_exists(server, template) and not rebuild:
        return template
    psql(server, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    psql(server, f'CREATE DATABASE "{template}"')
    env = child_env(server, template)
    print(f"Building the {size} data set into {template} (migrate, then bulk inserts)...", flush=True)
    run_child(env, ["manage.py", "migrate", "--noinput", "-v0"])
    counts = json.loads(
        run_child(env, ["bench/load_data.py", "build", "--sizes", json.dumps(SIZES[size])]).strip().splitlines()[-1]
    )
    print(f"  built in {counts.pop('seconds')} s: {json.dumps(counts)}", flush=True)
    psql(server, "VACUUM ANALYZE", database=template)
    return template


FORGET_STATISTICS = """
DELETE FROM pg_statistic WHERE starelid IN (
    SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r');
UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i');
"""


def fresh_copy(server: str, template: str, database: str, *, variant: str, app_dir: Path) -> None:
    """A copy of the template, migrated by the code measured, with or without statistics."""
    psql(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(server, f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    run_child(child_env(server, database, app_dir), ["manage.py", "migrate", "--noinput", "-v0"], cwd=app_dir)
    if variant == "stats":
        psql(server, "ANALYZE", database=database)
        return
    tables = psql(
        server,
        "SELECT string_agg(quote_ident(relname), ',') FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'",
        database=database,
    ).split(",")
    psql(server, "; ".join(f"ALTER TABLE {t} SET (autovacuum_enabled = off)" for t in tables), database=database)
    psql(server, FORGET_STATISTICS, database=database)


# --- The pages (run in the child, with Django set up on the copy) --------------------------


def discover() -> dict:
    """The people and objects the pages are about: the first HR admin (the long inbox), an
    owner, an active pair whose mentee has the open check-in to answer, their latest session."""
    try:
        from goals.models import Goal
    except ImportError:  # a checkout from before goals became their own app (--app-dir)
        from programs.models import Goal
    from matching.models import MatchRun, Pairing
    from people.models import User
    from programs.models import Program
    from surveys.models import Survey, SurveyInvitation

    program = Program.objects.get(slug=os.environ["PAGES_PROGRAM"])
    invitation = (
        SurveyInvitation.objects.filter(
            instance__survey__program=program,
            instance__survey__trigger="program_every",
            instance__status="open",
            answered=False,
            role="mentee",
            enrollment__pairings_as_mentee__status="active",
        )
        .select_related("enrollment__person")
        .order_by("pk")
        .first()
    )
    mentee = invitation.enrollment
    pairing = Pairing.objects.filter(mentee=mentee, status="active").select_related("mentor__person").get()
    return {
        "program": program,
        "hr": User.objects.filter(is_hr_admin=True).order_by("pk").first(),
        "owner": program.owners.order_by("pk").first(),
        "mentor": pairing.mentor.person.user,
        "mentee": mentee.person.user,
        "pairing": pairing,
        "mentee_enrollment": mentee,
        "mentor_enrollment": pairing.mentor,
        "invitation": invitation,
        "session": pairing.sessions.filter(status="held").order_by("-starts_at").first(),
        "goal": Goal.objects.filter(enrollment=mentee).order_by("pk").first(),
        "run": MatchRun.objects.filter(program=program).order_by("-created_at", "-pk").first(),
        "checkin": Survey.objects.get(program=program, trigger="program_every"),
        "pulse": Survey.objects.get(program=program, trigger="session_held"),
    }


def page_list(ctx: dict) -> list[tuple[str, str, str]]:
    """(role, label, path) of every main GET page and CSV of each role."""
    from django.urls import reverse

    slug = ctx["program"].slug
    mentee_enrollment, mentor_enrollment = ctx["mentee_enrollment"], ctx["mentor_enrollment"]
    pages = [
        ("mentee", "trivial page", reverse("account_change_password")),
        # HR admin
        ("hr", "home", reverse("home")),
        ("hr", "notifications (5,000 in the large set)", reverse("notification_list")),
        ("hr", "failed emails", reverse("failed_email_list")),
        ("hr", "directory", reverse("people:directory")),
        ("hr", "directory search", reverse("people:directory") + "?q=Smith"),
        ("hr", "person", reverse("people:person_detail", args=[mentee_enrollment.person_id])),
        ("hr", "HR admins", reverse("people:hr_admin_list")),
        ("hr", "self-identification overview", reverse("people:self_identification_overview")),
        ("hr", "import upload", reverse("people:import_upload")),
        ("hr", "programs", reverse("programs:program_list")),
        ("hr", "program", reverse("programs:program_detail", args=[slug])),
        ("hr", "participants", reverse("programs:participant_list", args=[slug])),
        ("hr", "participant", reverse("programs:participant_detail", args=[slug, mentee_enrollment.pk])),
        ("hr", "questions", reverse("programs:program_question_list", args=[slug])),
        ("hr", "training", reverse("programs:training_module_list", args=[slug])),
        ("hr", "training completion", reverse("programs:training_completion", args=[slug])),
        ("hr", "goal templates", reverse("programs:goal_template_list", args=[slug])),
        ("hr", "matching index", reverse("matching:index")),
        ("hr", "program matching", reverse("matching:program", args=[slug])),
        ("hr", "program pairings", reverse("matching:pairing_list", args=[slug])),
        ("hr", "match run", reverse("matching:run_detail", args=[ctx["run"].pk])),
        ("hr", "mentoring oversight", reverse("mentoring_sessions:oversight")),
        ("hr", "survey programs", reverse("surveys:program_list")),
        ("hr", "program surveys", reverse("surveys:survey_list", args=[slug])),
        ("hr", "survey", reverse("surveys:survey_detail", args=[ctx["checkin"].pk])),
        ("hr", "check-in results", reverse("surveys:survey_results", args=[ctx["checkin"].pk])),
        ("hr", "pulse results", reverse("surveys:survey_results", args=[ctx["pulse"].pk])),
        ("hr", "check-in results CSV", reverse("surveys:survey_results_csv", args=[ctx["checkin"].pk])),
        ("hr", "dashboards", reverse("evaluation:overview")),
        ("hr", "dashboards CSV", reverse("evaluation:overview_export")),
        ("hr", "program dashboard", reverse("evaluation:program", args=[slug])),
        ("hr", "pairs at risk", reverse("evaluation:health", args=[slug])),
        ("hr", "pairs cooling", reverse("evaluation:health", args=[slug]) + "?status=cooling"),
        ("hr", "outcomes", reverse("evaluation:outcomes", args=[slug])),
        ("hr", "diversity", reverse("evaluation:diversity", args=[slug])),
    ]
    from evaluation.exports import PROGRAM_TABLES

    pages += [
        ("hr", f"{table} CSV", reverse("evaluation:program_export", args=[slug, table])) for table in PROGRAM_TABLES
    ]
    pages += [
        # Program owner
        ("owner", "home", reverse("home")),
        ("owner", "my programs", reverse("programs:owned_program_list")),
        ("owner", "owned program", reverse("programs:owned_program_detail", args=[slug])),
        ("owner", "dashboards", reverse("evaluation:overview")),
        ("owner", "program dashboard", reverse("evaluation:program", args=[slug])),
        ("owner", "outcomes", reverse("evaluation:outcomes", args=[slug])),
        ("owner", "mentoring oversight", reverse("mentoring_sessions:oversight")),
        ("owner", "survey programs", reverse("surveys:program_list")),
        ("owner", "check-in results", reverse("surveys:survey_results", args=[ctx["checkin"].pk])),
        # Mentor
        ("mentor", "home", reverse("home")),
        ("mentor", "my mentoring", reverse("mentoring_sessions:pairing_list")),
        ("mentor", "pairing", reverse("mentoring_sessions:pairing_detail", args=[ctx["pairing"].pk])),
        ("mentor", "session", reverse("mentoring_sessions:session_detail", args=[ctx["session"].pk])),
        ("mentor", "my match", reverse("matching:my_match")),
        ("mentor", "requests", reverse("matching:request_list")),
        ("mentor", "my surveys", reverse("surveys:invitation_list")),
        ("mentor", "enrollment", reverse("programs:enrollment_detail", args=[mentor_enrollment.pk])),
        ("mentor", "notifications", reverse("notification_list")),
        ("mentor", "calendar", reverse("mentoring_sessions:calendar_settings")),
        # Mentee
        ("mentee", "home", reverse("home")),
        ("mentee", "my mentoring", reverse("mentoring_sessions:pairing_list")),
        ("mentee", "pairing", reverse("mentoring_sessions:pairing_detail", args=[ctx["pairing"].pk])),
        ("mentee", "goals", reverse("goals:goal_list", args=[mentee_enrollment.pk])),
        ("mentee", "goal", reverse("goals:goal_detail", args=[ctx["goal"].pk])),
        ("mentee", "find a mentor", reverse("matching:find_mentor")),
        ("mentee", "my surveys", reverse("surveys:invitation_list")),
        ("mentee", "answer the check-in", reverse("surveys:invitation_answer", args=[ctx["invitation"].pk])),
        ("mentee", "training", reverse("programs:enrollment_training", args=[mentee_enrollment.pk])),
        ("mentee", "my profile", reverse("people:my_profile")),
    ]
    return pages


class QueryCounter:  # bench/djangobench.py's, here so that another checkout can be measured
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _rolled_back(job):
    """Run a sweep and roll its writes back (each run finds the same work; nothing is queued)."""
    from django.db import transaction

    with transaction.atomic():
        result = job()
        transaction.set_rollback(True)
    return result


def _timeout_on_connect(seconds: int):
    from django.db.backends.signals import connection_created

    def set_timeout(sender, connection, **kwargs):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = '{int(seconds)}s'")

    connection_created.connect(set_timeout, weak=False)


def _one(fn) -> tuple[float, int, int, str]:
    """(seconds, queries, bytes, status) of one call of ``fn`` (a page's response, or a job)."""
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        try:
            response = fn()
        except Exception as error:  # noqa: BLE001 - a timed-out page is a figure, not a crash
            return time.perf_counter() - started, counter.count, 0, type(error).__name__
        if not hasattr(response, "status_code"):  # a job, not a page
            return time.perf_counter() - started, counter.count, 0, "done"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - started
    return elapsed, counter.count, len(body), str(response.status_code)


def measure(args) -> dict:
    """Child process: time every page (or the heavy ones) on the database of DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from evaluation.services import programs_evaluate
    from sessions.reminders import reminders_send_all
    from surveys.services import surveys_sweep

    setup_test_environment()
    _timeout_on_connect(args.statement_timeout)
    ctx = discover()
    clients = {}
    for role in ("hr", "owner", "mentor", "mentee"):
        clients[role] = Client()
        clients[role].force_login(ctx[role])
        clients[role].get("/")  # warm up: imports, URL resolver, template loading
    jobs = [
        ("job", "nightly evaluation", programs_evaluate),
        ("job", "reminder sweeps", lambda: _rolled_back(reminders_send_all)),
        ("job", "survey sweeps", lambda: _rolled_back(surveys_sweep)),
    ]
    pages = [(role, label, lambda c=clients[role], p=path: c.get(p)) for role, label, path in page_list(ctx)]
    rows = []
    try:  # stored pair health (issue 12): the pages read it, so it is computed first, as the first sweep does
        from evaluation.services import pair_health_refresh, pair_health_sweep
    except ImportError:  # the code before it: the pages compute health themselves
        pair_health_sweep = None
    if pair_health_sweep is not None:
        seconds, queries, _, status = _one(pair_health_sweep)
        rows.append(
            {
                "name": "job: pair health, first computation",
                "ms": seconds * 1000,
                "runs": 1,
                "queries": queries,
                "bytes": 0,
                "status": status,
            }
        )
        jobs += [
            ("job", "pair health sweep", pair_health_sweep),
            ("job", "pair health, full refresh", lambda: pair_health_refresh(program=ctx["program"])),
        ]
    for role, label, call in pages + jobs:
        name = label if label == "trivial page" else f"{role}: {label}"
        if args.pages == "heavy" and name not in HEAVY or args.pages == "jobs" and name not in JOBS:
            continue
        if args.only and name not in args.only and name != "trivial page":
            continue
        runs = []
        for _ in range(args.repeat):
            runs.append(_one(call))
            if runs[0][0] > args.slow or not runs[-1][3].isdigit() and runs[-1][3] != "done":
                break
        rows.append(
            {
                "name": name,
                "ms": statistics.median(r[0] for r in runs) * 1000,
                "runs": len(runs),
                "queries": statistics.median(r[1] for r in runs),
                "bytes": runs[-1][2],
                "status": runs[-1][3],
            }
        )
        print(f"  {name}: {rows[-1]['ms']:.0f} ms ({len(runs)} runs, status {rows[-1]['status']})", file=sys.stderr)
    return {"rows": rows}


# --- EXPLAIN (ANALYZE) of the heavy queries -------------------------------------------------


def explain_queries() -> list[tuple[str, object]]:
    """The SQL of the matching index and of pair health over a program's active pairings (the
    HR list's index, the dashboard and the nightly job), in the measured checkout's version."""
    from django.utils import timezone

    from matching.selectors import programs_for_matching
    from programs.models import Program

    program = Program.objects.get(slug=os.environ["PAGES_PROGRAM"])
    try:
        from evaluation.health import FACTS, pairing_health_facts

        health = pairing_health_facts(program=program, moment=timezone.now()).values_list("pk", *FACTS)
    except ImportError:  # the code before issue 12: the rule in SQL
        from evaluation.health import pairings_with_health

        health = pairings_with_health(program=program).order_by("quiet_since", "pk").values_list("pk", "health_level")
    return [("matching index", programs_for_matching()[:50]), ("pair health", health)]


def explain(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    import django

    django.setup()
    from django.db import connection

    _timeout_on_connect(args.statement_timeout)
    plans = []
    for label, queryset in explain_queries():
        sql, params = queryset.query.sql_with_params()
        started = time.perf_counter()
        try:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
        except Exception as error:  # noqa: BLE001 - a plan that takes too long is a finding
            plan = f"({type(error).__name__} after {time.perf_counter() - started:.0f} s: --statement-timeout)"
        plans.append({"label": label, "plan": plan})
    return {"plans": plans}


# --- The parent: data sets, copies, the table -------------------------------------------------


def measure_copies(
    *,
    sizes: list[str],
    variants: list[str],
    pages: str,
    repeat: int = 5,
    slow: float = 20.0,
    timeout: int = 600,
    only: list[str] | None = None,
    app_dir: Path = ROOT,
    rebuild: bool = False,
    explain: bool = False,
    progress: Path | None = None,
) -> tuple[dict, dict]:
    """Measure on a fresh copy of each data set (built first if missing), per variant; returns
    the figures and the plans by ``(size, variant)``. The ``nostats`` variant measures the heavy
    pages only (unless ``pages`` is ``jobs``)."""
    server, prefix = server_and_prefix(os.environ.get("DATABASE_URL"))
    templates = {size: ensure_template(server, prefix, size, rebuild=rebuild) for size in sizes}
    results, plans = {}, {}
    for variant in variants:
        chosen = "heavy" if variant == "nostats" and pages == "all" else pages
        for size in sizes:
            database = f"{prefix}_{size}"
            fresh_copy(server, templates[size], database, variant=variant, app_dir=app_dir)
            env = child_env(server, database, app_dir)
            common = ["--repeat", str(repeat), "--slow", str(slow), "--statement-timeout", str(timeout)]
            common += ["--pages", chosen] + [f"--only={name}" for name in only or []]
            print(f"Measuring {size} ({variant}, {chosen} pages)...", flush=True)
            started = time.perf_counter()
            output = run_child(env, [str(HERE / "pages.py"), "measure", *common], cwd=app_dir)
            results[(size, variant)] = json.loads(output.strip().splitlines()[-1])
            print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
            if progress:
                progress.write_text(json.dumps({f"{s}/{v}": value for (s, v), value in results.items()}, indent=1))
            if explain:
                output = run_child(env, [str(HERE / "pages.py"), "explain", *common], cwd=app_dir)
                plans[(size, variant)] = json.loads(output.strip().splitlines()[-1])["plans"]
            psql(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return results, plans


def jobs_report(*, jobs: list[str], sizes: list[str], variants: list[str], repeat: int = 3) -> list[str]:
    """The given jobs (``"job: nightly evaluation"``...) timed on the data sets, as printable lines
    (``bench/evaluation.py`` and ``bench/reminders.py`` print them on PostgreSQL)."""
    results, _ = measure_copies(sizes=sizes, variants=variants, pages="jobs", repeat=repeat, only=jobs)
    lines = []
    for variant in variants:
        title = "with statistics" if variant == "stats" else "without statistics (right after a bulk load)"
        lines.append(f"\n== bench/pages.py data sets, {title}: median of {repeat}, queries")
        lines += report(results, sizes, variant)
    return lines


def report(results: dict, sizes: list[str], variant: str) -> list[str]:
    lines = []
    by_size = {size: {row["name"]: row for row in results[(size, variant)]["rows"]} for size in sizes}
    names = list(by_size[sizes[0]])
    trivial = {size: by_size[size].get("trivial page", {}).get("ms") for size in sizes}
    head = f"{'page':<46}" + "".join(f"{size + ' ms':>11}{'q':>6}" for size in sizes)
    head += f"{'KB':>8}{'x trivial':>11}" + (f"{'growth':>8}" if len(sizes) > 1 else "") + "  flags"
    lines += [head, "-" * len(head)]
    for name in names:
        row = ""
        for size in sizes:
            found = by_size[size].get(name)
            ms = f"{found['ms']:.0f}" + ("*" if found["runs"] < 3 else "") if found else "-"
            row += f"{ms:>11}{found['queries'] if found else '-':>6}"
        last = by_size[sizes[-1]].get(name)
        flags = []
        times = trivial[sizes[-1]] and last and last["ms"] / trivial[sizes[-1]]
        if last and not name.startswith("job:") and name != "trivial page":
            if times and times > LIMIT_TRIVIAL:
                flags.append(f">{LIMIT_TRIVIAL}x trivial")
            if last["bytes"] > LIMIT_BYTES:
                flags.append(f">{LIMIT_BYTES // 1000} KB")
        if last and last["status"] not in ("200", "done"):
            flags.append(f"status {last['status']}")
        row += f"{(last['bytes'] / 1000 if last else 0):>8.0f}{(times or 0):>11.1f}"
        if len(sizes) > 1:
            first = by_size[sizes[0]].get(name)
            growth = last["ms"] / first["ms"] if first and last and first["ms"] else None
            row += f"{(f'{growth:.1f}' if growth else '-'):>8}"
        lines.append(f"{name[:45]:<46}{row}  {', '.join(flags)}")
    lines.append("(* fewer than 3 runs: the first one took longer than --slow)")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "measure", "explain"])
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--variants", default="stats", help="stats, nostats or both (comma-separated)")
    parser.add_argument("--pages", default="all", choices=["all", "heavy", "jobs"])
    parser.add_argument("--only", action="append", help="measure only this page or job (and the trivial page)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slow", type=float, default=20.0, help="seconds: a slower first run is not repeated")
    parser.add_argument("--statement-timeout", type=int, default=600, help="seconds per SQL statement")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE) plans of the heavy queries")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose code is measured")
    parser.add_argument("--json", type=Path, help="also write the figures to this file (after each data set)")
    args = parser.parse_args(argv)

    if args.command in ("measure", "explain"):
        print(json.dumps(measure(args) if args.command == "measure" else explain(args)))
        return 0

    sizes = [s for s in args.sizes.split(",") if s]
    variants = [v for v in args.variants.split(",") if v]
    app_dir = args.app_dir.resolve()
    if args.build_only:
        server, prefix = server_and_prefix(os.environ.get("DATABASE_URL"))
        for size in sizes:
            ensure_template(server, prefix, size, rebuild=args.rebuild)
        return 0
    print(f"Measured code: {app_dir}", flush=True)
    results, plans = measure_copies(
        sizes=sizes,
        variants=variants,
        pages=args.pages,
        repeat=args.repeat,
        slow=args.slow,
        timeout=args.statement_timeout,
        only=args.only,
        app_dir=app_dir,
        rebuild=args.rebuild,
        explain=args.explain,
        progress=args.json,
    )
    for variant in variants:
        title = "with statistics (ANALYZE)" if variant == "stats" else "without statistics (right after a bulk load)"
        print(f"\n== {', '.join(sizes)}: {title}; median of {args.repeat}, server time, queries, response size")
        print("\n".join(report(results, sizes, variant)))
    for (size, variant), found in plans.items():
        for plan in found:
            print(f"\n== EXPLAIN (ANALYZE) {plan['label']} -- {size}, {variant}\n{plan['plan']}")
    if args.json:
        args.json.write_text(
            json.dumps({f"{size}/{variant}": value for (size, variant), value in results.items()}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
