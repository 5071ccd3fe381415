"""Load test: the four roles at once against the production stack, in steps of users.

Usage (from the repository root; PostgreSQL and Redis running)::

    .venv/bin/python bench/load.py                         # steps of 10, 25 and 50 users, 90 s each
    .venv/bin/python bench/load.py --steps 10,25,50 --step-seconds 90 --think 1,5
    .venv/bin/python bench/load.py --rebuild               # build the data set again
    .venv/bin/python bench/load.py --build-only

The stack is the one ``deploy/`` describes: gunicorn started with ``deploy/gunicorn.conf.py``
(DEBUG off, JSON logs, collected static files), a Celery worker, PostgreSQL and Redis
(databases 7 and 8 by default, flushed at start). The data set (``bench/load_data.py``:
10,000 employees, 2,000 pairings, 50,000 sessions...) is built once with bulk inserts into
the template database ``--template`` and copied into ``--database`` for each run, so every
run starts from the same rows; pending migrations are applied to the copy.

Virtual users are threads, each with its own cookie jar, keep-alive connection and
``X-Forwarded-For`` address (the server trusts one proxy, as behind nginx). Each signs in,
does 5-15 things its role does, waiting ``--think`` seconds (uniform) before each, signs
out and starts again:

- mentee: home, pairing page, log a session (form, then post), answer the open check-in
  survey (form, then post; answers can be changed while the round is open);
- mentor: home, pairing page, log a session;
- HR admin: home, directory search (a last name, sometimes a department), the program's
  matching page, the program dashboard, the dashboards overview;
- program owner: home, the program dashboard.

Users are 35% mentees, 30% mentors, 25% HR admins, 10% owners. Steps add users (10, then
25, then 50); each step's figures are for the requests that started during it. The
baseline, measured in the same run, is ``/healthz?only=database`` (a load balancer's probe:
one ``SELECT 1``) polled once a second: its times are the server's queueing alone. A POST answered with anything
but the expected redirect, any 5xx or 4xx, a timeout or a broken connection is an error.
Redirects are not followed (a browser would load the page it is sent to).

Times are wall-clock times seen by the client, on the same 2-core machine as the server:
the load generator, the server, PostgreSQL and whatever else runs on the machine share the
cores, so figures are noisy; run it when the machine is otherwise quiet.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET_KEY = "load-bench-only-" + "s" * 60


# --- Databases and services -------------------------------------------------------------


def psql(server: str, sql: str, *, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", f"{server}/{database}", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"psql failed: {sql}\n{result.stderr}")
    return result.stdout.strip()


def database_exists(server: str, name: str) -> bool:
    return psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=3600
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def base_env(args, database: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING", "DATABASE_URL")}
    redis = args.redis.rstrip("/")
    env.update(
        DEBUG="false",
        TESTING="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{args.port}",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{args.server}/{database}",
        CELERY_BROKER_URL=f"{redis}/{args.broker_db}",
        CACHE_URL=f"{redis}/{args.cache_db}",
        ALLAUTH_TRUSTED_PROXY_COUNT="1",
        VAR_DIR=str(var_dir),
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        LOG_LEVEL="INFO",
    )
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    return env


def ensure_template(args, var_dir: Path) -> dict | None:
    """Build the data set into the template database unless it is there already."""
    if database_exists(args.server, args.template) and not args.rebuild:
        built = psql(args.server, "SELECT count(*) FROM people_person", database=args.template)
        print(f"Data set: reusing {args.template} ({int(built):,} employees)", flush=True)
        return None
    psql(args.server, f'DROP DATABASE IF EXISTS "{args.template}"')
    psql(args.server, f'CREATE DATABASE "{args.template}"')
    env = base_env(args, args.template, var_dir)
    env["DEBUG"] = "1"  # the build needs no secret and no collected static files
    print(f"Data set: building {args.template} (migrate, then bulk inserts)...", flush=True)
    manage(env, "manage.py", "migrate", "--noinput", "-v0")
    counts = json.loads(manage(env, "bench/load_data.py", "build").strip().splitlines()[-1])
    print("Data set: built in {seconds} s: ".format(**counts) + json.dumps(counts), flush=True)
    psql(args.server, "VACUUM ANALYZE", database=args.template)
    return counts


def fresh_copy(args, var_dir: Path) -> dict:
    """A copy of the template for this run, migrated, static files collected; the manifest."""
    psql(args.server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    psql(args.server, f'CREATE DATABASE "{args.database}" TEMPLATE "{args.template}"')
    env = base_env(args, args.database, var_dir)
    manage(env, "manage.py", "migrate", "--noinput", "-v0")
    manage(env, "manage.py", "collectstatic", "--noinput", "-v0")
    psql(args.server, "ANALYZE", database=args.database)
    for db in (args.broker_db, args.cache_db):
        subprocess.run(
            ["redis-cli", "-u", f"{args.redis.rstrip('/')}/{db}", "FLUSHDB"], capture_output=True, check=True
        )
    return json.loads(manage(env, "bench/load_data.py", "manifest").strip().splitlines()[-1])


class Services:
    """gunicorn (deploy/gunicorn.conf.py) and one Celery worker, each in its own process group."""

    def __init__(self, args, var_dir: Path):
        self.env = base_env(args, args.database, var_dir)
        self.port = args.port
        self.log_dir = var_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []

    def _start(self, name, command):
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)

    def start(self):
        bin_dir = Path(PYTHON).parent
        self._start("web", [str(bin_dir / "gunicorn"), "-c", "deploy/gunicorn.conf.py"])
        self._start(
            "worker",
            [str(bin_dir / "celery"), "-A", "mentorship", "worker", "--concurrency=1", "--loglevel=WARNING"],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/accounts/login/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn did not answer on port {self.port}; see {self.log_dir / 'web.log'}")

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []

    def server_errors(self) -> int:
        """Lines of the web log at level error (tracebacks of 500s, killed workers)."""
        text = (self.log_dir / "web.log").read_text(errors="replace")
        return sum(1 for line in text.splitlines() if '"level": "error"' in line or "[CRITICAL]" in line)


class ServerCpu(threading.Thread):
    """CPU seconds used by the server side (gunicorn, the Celery worker, PostgreSQL backends
    of the bench database), sampled from /proc every 2 s. On a shared machine the latencies
    depend on everyone's load; CPU per request is this stack's own cost."""

    def __init__(self, args, services: Services):
        super().__init__(daemon=True)
        self.server, self.database = args.server, args.database
        self.roots = {"gunicorn": services.processes[0].pid, "celery": services.processes[1].pid}
        self.latest: dict[tuple[str, int], float] = {}
        self.stop = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def _cpu(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick

    def _children(self) -> dict[int, str]:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
        owned = {pid: name for name, pid in self.roots.items()}
        for pid, parent in parents.items():
            if parent in owned and pid not in owned:
                owned[pid] = owned[parent]
        return owned

    def sample(self):
        processes = self._children()
        backends = psql(self.server, f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.database}'")
        for line in backends.split():
            processes[int(line)] = "postgres"
        for pid, name in processes.items():
            cpu = self._cpu(pid)
            if cpu is not None:
                self.latest[(name, pid)] = cpu

    def totals(self) -> dict[str, float]:
        self.sample()
        totals = defaultdict(float)
        for (name, _pid), cpu in self.latest.items():
            totals[name] += cpu
        return dict(totals)

    def run(self):
        while not self.stop.wait(2.0):
            self.sample()


# --- The HTTP client of one virtual user ------------------------------------------------


class FormParser(HTMLParser):
    """The POST forms of a page, with every field's default value (what a browser sends)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "radios": defaultdict(list), "checks": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "radio":
                self._form["radios"][name].append((a.get("value", "on"), "checked" in a))
            elif kind == "checkbox":
                self._form["checks"].append((name, a.get("value", "on"), "checked" in a))
            elif kind not in ("submit", "button", "file", "reset"):
                self._form["fields"].append([name, a.get("value", "")])
        elif tag == "select" and name:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None and value:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, first, selected = self._select
            self._form["fields"].append([name, selected if selected is not None else (first or "")])
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append(self._textarea)
            self._textarea = None


def form_of(html: str, must_have: str) -> dict | None:
    """The first POST form with a field named ``must_have`` (or starting with it, for ``q_*``)."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        names = {name for name, _ in form["fields"]} | set(form["radios"]) | {n for n, _, _ in form["checks"]}
        if any(name == must_have or (must_have.endswith("_") and name.startswith(must_have)) for name in names):
            return form
    return None


@dataclass
class Result:
    page: str
    started: float
    seconds: float
    error: str | None = None


class Client:
    """One browser: a keep-alive connection, a cookie jar, its own client address."""

    def __init__(self, port: int, address: str, timeout: float):
        self.port, self.address, self.timeout = port, address, timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | list | None = None):
        headers = {"X-Forwarded-For": self.address, "User-Agent": "bench/load.py"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = None
        if body is not None:
            payload = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closed an idle keep-alive connection: a browser opens a new one.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value in ('""', "") or "max-age=0" in value.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        return response.status, response.getheader("Location") or "", text

    def close(self):
        if self.connection is not None:
            self.connection.close()


# --- Virtual users ----------------------------------------------------------------------

ROLE_PATTERN = ["mentee", "mentor", "hr", "mentee", "mentor", "owner", "mentee", "hr", "mentor", "mentee"] * 2
ROLE_PATTERN[19] = "hr"  # 7 mentees, 6 mentors, 5 HR, 2 owners in every 20
TASKS = {
    "mentee": [("home", 3), ("pairing", 3), ("log", 1), ("survey", 2)],
    "mentor": [("home", 3), ("pairing", 3), ("log", 2)],
    "hr": [("home", 1), ("directory", 3), ("matching", 2), ("dashboard", 2), ("overview", 1)],
    "owner": [("home", 1), ("dashboard", 3)],
}


@dataclass
class Run:
    port: int
    manifest: dict
    think: tuple[float, float]
    timeout: float
    stop: threading.Event = field(default_factory=threading.Event)
    results: list[Result] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, result: Result):
        with self.lock:
            self.results.append(result)


class VirtualUser(threading.Thread):
    def __init__(self, run: Run, index: int, seed: int):
        super().__init__(daemon=True)
        self.run_ = run
        self.index = index
        self.rng = random.Random(seed)
        self.role = ROLE_PATTERN[index % len(ROLE_PATTERN)]
        pool = {
            "mentee": run.manifest["mentees"],
            "mentor": run.manifest["mentors"],
            "hr": [{"email": e} for e in run.manifest["hr"]],
            "owner": [{"email": e} for e in run.manifest["owners"]],
        }[self.role]
        self.account = pool[(index // len(ROLE_PATTERN) * 7 + index) % len(pool)]
        self.client = Client(run.port, f"10.{index // 250}.{index % 250}.{1 + index % 200}", run.timeout)
        self.sessions_logged = 0

    # One timed request; returns (status, location, text) or None after an error.
    def hit(self, page: str, method: str, path: str, body=None, expect=(200,)):
        started = time.monotonic()
        try:
            status, location, text = self.client.request(method, path, body)
        except Exception as exc:  # noqa: BLE001 - any failure is a recorded error
            self.run_.record(Result(page, started, time.monotonic() - started, type(exc).__name__))
            self.client.close()
            self.client.connection = None
            return None
        seconds = time.monotonic() - started
        error = None if status in expect else f"HTTP {status}" + (f" to {urlsplit(location).path}" if location else "")
        if error is None and status == 302 and "/accounts/login/" in location and page != "sign-out":
            error = "signed out"
        self.run_.record(Result(page, started, seconds, error))
        return (status, location, text) if error is None else None

    def think(self):
        low, high = self.run_.think
        self.run_.stop.wait(self.rng.uniform(low, high))

    def sign_in(self) -> bool:
        got = self.hit("sign-in (form)", "GET", "/accounts/login/")
        if got is None:
            return False
        form = form_of(got[2], "login")
        if form is None:
            self.run_.record(Result("sign-in", time.monotonic(), 0, "no sign-in form"))
            return False
        data = dict(form["fields"])
        data.update(login=self.account["email"], password=self.run_.manifest["password"])
        self.think()
        return self.hit("sign-in", "POST", "/accounts/login/", data, expect=(302,)) is not None

    def post_form(self, page: str, path: str, must_have: str, fill) -> None:
        got = self.hit(f"{page} (form)", "GET", path)
        if got is None:
            return
        form = form_of(got[2], must_have)
        if form is None:
            self.run_.record(Result(page, time.monotonic(), 0, "form not found"))
            return
        data = [(name, value) for name, value in form["fields"]]
        for name, options in form["radios"].items():
            checked = [value for value, is_checked in options if is_checked]
            data.append((name, checked[0] if checked else self.rng.choice(options)[0]))
        data += [(name, value) for name, value, is_checked in form["checks"] if is_checked]
        data = fill(data, form)
        self.think()  # filling the form in
        self.hit(page, "POST", form["action"] or path, data, expect=(302,))

    def fill_session(self, data, form):
        self.sessions_logged += 1
        day = date.today() - timedelta(days=1 + (self.index * 7 + self.sessions_logged) % 100)
        values = dict(data)
        values.update(
            date=day.isoformat(),
            start_time=f"{6 + self.sessions_logged % 12:02d}:{(self.index * 5) % 60:02d}",
            duration_minutes="45",
            shared_notes="Went through the project plan; next: the stakeholder map.",
        )
        topics = [value for name, value, _ in form["checks"] if name == "topics"][:2]
        return [(k, v) for k, v in values.items() if k != "topics"] + [("topics", t) for t in topics]

    def fill_survey(self, data, form):
        values = []
        for name, value in data:
            if not value and name.startswith("q_"):
                value = "The sessions help me plan my next role."
            values.append((name, value))
        return values

    def task(self, name: str):
        manifest = self.run_.manifest
        slug = manifest["program"]
        if name == "home":
            self.hit("home", "GET", "/")
        elif name == "pairing":
            self.hit("pairing page", "GET", f"/mentoring/pairings/{self.account['pairing']}/")
        elif name == "log":
            self.post_form(
                "log a session", f"/mentoring/pairings/{self.account['pairing']}/log/", "start_time", self.fill_session
            )
        elif name == "survey":
            self.post_form(
                "answer a survey",
                f"/surveys/invitations/{self.account['invitation']}/",
                "q_",
                self.fill_survey,
            )
        elif name == "directory":
            query = {"q": self.rng.choice(manifest["last_names"])}
            if self.rng.random() < 0.3:
                query["department"] = self.rng.choice(manifest["departments"])
            self.hit("directory search", "GET", "/people/?" + urlencode(query))
        elif name == "matching":
            self.hit("matching page", "GET", f"/matching/programs/{slug}/")
        elif name == "dashboard":
            self.hit("program dashboard", "GET", f"/dashboards/programs/{slug}/")
        elif name == "overview":
            self.hit("dashboards overview", "GET", "/dashboards/")

    def run(self):
        names = [name for name, _ in TASKS[self.role]]
        weights = [weight for _, weight in TASKS[self.role]]
        self.run_.stop.wait(self.rng.uniform(0, 5))  # users do not all arrive in the same second
        while not self.run_.stop.is_set():
            self.client.cookies.clear()
            if not self.sign_in():
                self.think()
                continue
            for _ in range(self.rng.randint(5, 15)):
                self.think()
                if self.run_.stop.is_set():
                    break
                self.task(self.rng.choices(names, weights)[0])
            # The navigation's sign-out button: a POST with the page's CSRF token.
            token = self.client.cookies.get("csrftoken", "")
            self.hit("sign-out", "POST", "/accounts/logout/", {"csrfmiddlewaretoken": token}, expect=(302,))
        self.client.close()


class Baseline(threading.Thread):
    """The load balancer's probe once a second: the server's queueing time on a page that does nothing."""

    def __init__(self, run: Run):
        super().__init__(daemon=True)
        self.run_ = run
        self.client = Client(run.port, "10.255.255.1", run.timeout)

    def run(self):
        while not self.run_.stop.wait(1.0):
            started = time.monotonic()
            try:
                status, _, _ = self.client.request("GET", "/healthz?only=database")
                error = None if status == 200 else f"HTTP {status}"
            except Exception as exc:  # noqa: BLE001
                error = type(exc).__name__
                self.client.close()
                self.client.connection = None
            self.run_.record(Result("healthz (baseline)", started, time.monotonic() - started, error))


# --- Reporting --------------------------------------------------------------------------

PAGE_ORDER = [
    "sign-in",
    "home",
    "pairing page",
    "log a session",
    "answer a survey",
    "directory search",
    "matching page",
    "program dashboard",
    "dashboards overview",
    "sign-in (form)",
    "log a session (form)",
    "answer a survey (form)",
    "sign-out",
    "healthz (baseline)",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def report(step_users: int, results: list[Result], seconds: float, cpu: dict[str, float]) -> tuple[str, dict]:
    by_page = defaultdict(list)
    for result in results:
        by_page[result.page].append(result)
    total = sum(len(v) for k, v in by_page.items() if k != "healthz (baseline)")
    errors = sum(1 for r in results if r.error)
    lines = [
        f"== {step_users} users: {total:,} requests in {seconds:.0f} s = {total / seconds:.1f} requests/s, "
        f"{errors} errors",
        f"   {'page':<24} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}",
    ]
    summary = {}
    pages = [p for p in PAGE_ORDER if p in by_page] + sorted(set(by_page) - set(PAGE_ORDER))
    for page in pages:
        times = [r.seconds * 1000 for r in by_page[page] if not r.error]
        page_errors = [r.error for r in by_page[page] if r.error]
        p50, p95, p99 = (percentile(times, p) for p in (50, 95, 99))
        top = max(times) if times else float("nan")
        figures = f"{p50:>8.0f} {p95:>8.0f} {p99:>8.0f} {top:>8.0f}"
        lines.append(f"   {page:<24} {len(by_page[page]):>8} {figures} {len(page_errors):>7}")
        summary[page] = {"p50": p50, "p95": p95, "p99": p99, "errors": len(page_errors)}
    used = sum(cpu.values())
    every = len(results)
    parts = ", ".join(f"{name} {value:.0f} s" for name, value in sorted(cpu.items()))
    lines.append(
        f"   server CPU: {used:.0f} s ({parts}) = {1000 * used / max(every, 1):.0f} ms per request"
        f" ({every} with the baseline); 2 idle cores would serve about {2 * every / max(used, 0.001):.0f} requests/s"
    )
    kinds = defaultdict(int)
    for result in results:
        if result.error:
            kinds[f"{result.page}: {result.error}"] += 1
    for kind, count in sorted(kinds.items(), key=lambda item: -item[1])[:10]:
        lines.append(f"   error {count:>5} x {kind}")
    return "\n".join(lines), summary


def verdict(summary: dict) -> list[str]:
    """The goals: no errors; p95 under 1 s for every page, sign-in under 2 s."""
    problems = []
    for page, figures in summary.items():
        if figures["errors"]:
            problems.append(f"{page}: {figures['errors']} errors")
        limit = 2000 if page == "sign-in" else 1000
        if figures["p95"] == figures["p95"] and figures["p95"] > limit:
            problems.append(f"{page}: p95 {figures['p95']:.0f} ms > {limit} ms")
    return problems


def hash_cost() -> str:
    """One password verify at the configured hasher's cost, beside Django's default PBKDF2."""
    env = {k: v for k, v in os.environ.items() if k != "TESTING"}
    env.update(DEBUG="1", TESTING="false", VAR_DIR=tempfile.gettempdir() + "/mentorship-load-hash")
    result = subprocess.run(
        [PYTHON, "bench/load_data.py", "hash-cost"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return result.stdout.strip().splitlines()[-1] if result.returncode == 0 else result.stderr.strip()[-300:]


def run_steps(args, manifest: dict, cpu: ServerCpu) -> list[dict]:
    think = tuple(float(x) for x in args.think.split(","))
    run = Run(port=args.port, manifest=manifest, think=think, timeout=args.timeout)
    users: list[VirtualUser] = []
    baseline = Baseline(run)
    baseline.start()
    summaries = []
    step_starts = []
    for target in [int(x) for x in args.steps.split(",")]:
        step_started = time.monotonic()
        while len(users) < target:
            user = VirtualUser(run, len(users), seed=1000 + len(users))
            users.append(user)
            user.start()
        step_starts.append((target, step_started))
        cpu_before = cpu.totals()
        time.sleep(args.step_seconds)
        step_ended = time.monotonic()
        cpu_after = cpu.totals()
        used = {name: cpu_after.get(name, 0) - cpu_before.get(name, 0) for name in cpu_after}
        with run.lock:
            window = [r for r in run.results if step_started <= r.started < step_ended]
        text, summary = report(target, window, step_ended - step_started, used)
        print(text, flush=True)
        summaries.append({"users": target, "pages": summary})
    run.stop.set()
    for user in users:
        user.join(timeout=args.timeout + 5)
    baseline.join(timeout=args.timeout + 5)
    return summaries


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL, no database")
    parser.add_argument("--template", default="mentorship_h4_load_template", help="the built data set")
    parser.add_argument("--database", default="mentorship_h4_load", help="the copy each run uses")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--broker-db", type=int, default=7)
    parser.add_argument("--cache-db", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--steps", default="10,25,50")
    parser.add_argument("--step-seconds", type=float, default=90)
    parser.add_argument("--think", default="1,5", help="seconds before each action: low,high")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: the config's)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (default: the config's)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args(argv)
    for tool in ("psql", "redis-cli"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (PostgreSQL and Redis clients)")
    if not urlsplit(args.server).scheme.startswith("postgres"):
        raise SystemExit("--server must be a postgres:// URL without a database")

    var_dir = Path(tempfile.gettempdir()) / "mentorship-load"
    var_dir.mkdir(exist_ok=True)
    print(f"Machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start", flush=True)
    print(f"Password hash, one verify: {hash_cost()}", flush=True)
    ensure_template(args, var_dir)
    if args.build_only:
        return 0
    manifest = fresh_copy(args, var_dir)
    print(
        f"Virtual users from: {len(manifest['mentees']):,} mentees, {len(manifest['mentors']):,} mentors, "
        f"{len(manifest['hr'])} HR admins, {len(manifest['owners'])} owners; think {args.think} s; "
        f"steps {args.steps} users, {args.step_seconds:.0f} s each",
        flush=True,
    )
    services = Services(args, var_dir)
    services.start()
    try:
        workers = subprocess.run(
            [PYTHON, "-c", "exec(open('deploy/gunicorn.conf.py').read()); print(workers, threads)"],
            cwd=ROOT,
            env=services.env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        print(f"gunicorn: {workers[0]} workers x {workers[1]} threads (deploy/gunicorn.conf.py)", flush=True)
        cpu = ServerCpu(args, services)
        cpu.start()
        summaries = run_steps(args, manifest, cpu)
        cpu.stop.set()
    finally:
        services.stop()
    print(f"Server log lines at level error: {services.server_errors()} (logs in {services.log_dir})")
    problems = verdict(summaries[-1]["pages"]) if summaries else ["no step ran"]
    print(f"Load average {os.getloadavg()[0]:.2f} at the end.")
    if problems:
        print(f"Goals NOT met at {summaries[-1]['users'] if summaries else 0} users: " + "; ".join(problems))
    else:
        print(f"Goals met at {summaries[-1]['users']} users: 0 errors, p95 < 1 s (sign-in < 2 s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
