"""How much memory a warm web worker holds, and whether it loaded the matching engine.

Usage (from the repository root)::

    .venv/bin/python bench/web_memory.py                 # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring .venv/bin/python bench/web_memory.py

Builds the demo company (``seed_demo``: 324 employees, two programs, a real match run) in a
throwaway database (a new database on the server of a PostgreSQL ``DATABASE_URL``, dropped
afterwards), starts gunicorn with ``deploy/gunicorn.conf.py`` and one worker (DEBUG off,
collected static files), signs in as each demo role in turn and has it open its pages (HR:
people, import, matching, a run, dashboards; the mentor and the mentee: home, their
mentoring, *Find a mentor* where it applies), then reads the worker's resident memory
(``VmRSS``, and its peak ``VmHWM``) from ``/proc`` and which of numpy and OR-Tools it has
loaded (their shared libraries in ``/proc/<pid>/maps``).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.djangobench import is_postgresql, postgresql_throwaway  # noqa: E402

PYTHON = sys.executable
PASSWORD = "demo-pass-123"
PAGES = {
    "hr@demo.example": [
        "/",
        "/people/",
        "/people/import/",
        "/matching/",
        "/programs/",
        "/dashboards/",
        "/notifications/",
    ],
    "owner@demo.example": ["/", "/dashboards/"],
    "mentor@demo.example": ["/", "/matching/my/", "/matching/requests/", "/mentoring/"],
    "mentee@demo.example": ["/", "/matching/my/", "/mentoring/", "/matching/find/"],
}
LIBRARIES = {"numpy": "numpy", "OR-Tools": "ortools"}


class Browser:
    """One signed-in visitor: its cookies, on a fresh connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        with closing(http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)) as connection:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", text

    def sign_in(self, email: str) -> None:
        _, _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        status, location, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1) if token else "", "login": email, "password": PASSWORD},
        )
        if status != 302 or "login" in location:
            raise SystemExit(f"signing in as {email} failed ({status} {location})")


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise SystemExit("gunicorn started no worker")


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of the process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"{key}:\s+(\d+) kB", status).group(1)) // 1024 for key in ("VmRSS", "VmHWM")}


def loaded(pid: int) -> dict[str, bool]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {label: f"/{path}/" in maps or f"/{path}." in maps for label, path in LIBRARIES.items()}


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="bench-web-memory-") as workdir:
        if is_postgresql(url):
            with postgresql_throwaway(url, "web_memory") as database:
                measure(database, Path(workdir))
        else:
            measure(f"sqlite:///{Path(workdir) / 'web.sqlite3'}", Path(workdir))


def measure(database: str, workdir: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING")}
    env.update(
        DEBUG="false",
        TESTING="false",
        SECRET_KEY="bench-only-" + "k" * 60,
        DATABASE_URL=database,
        VAR_DIR=str(workdir),
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        GUNICORN_ACCESS_LOG="",
        ALLAUTH_TRUSTED_PROXY_COUNT="1",
    )
    env.pop("CELERY_BROKER_URL", None)  # the demo's match run goes to the embedded broker, never a shared Redis
    env.pop("CACHE_URL", None)
    started = time.perf_counter()
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    print(f"== demo company built in {time.perf_counter() - started:.0f} s ({database.split(':')[0]})")
    log = open(workdir / "web.log", "w")  # noqa: SIM115 - closed below
    gunicorn = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                if Browser(port).request("GET", "/accounts/login/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn did not answer; see {workdir / 'web.log'}")
        pid = worker_pid(gunicorn.pid)
        print(f"   after its first page:  {memory(pid)['VmRSS']:4} MB  loaded: {fmt(loaded(pid))}")
        statuses = []
        for email, pages in PAGES.items():
            browser = Browser(port)
            browser.sign_in(email)
            for path in pages * 2:  # twice: warm
                status, _, _ = browser.request("GET", path)
                statuses.append((email, path, status))
            if email.startswith("hr@"):
                _, _, index = browser.request("GET", "/matching/")
                for path in dict.fromkeys(re.findall(r'href="(/matching/(?:programs/[\w-]+/|runs/\d+/))"', index)):
                    statuses.append((email, path, browser.request("GET", path)[0]))
            rss = memory(pid)
            print(f"   after {email:20} {rss['VmRSS']:4} MB  loaded: {fmt(loaded(pid))}")
        bad = [entry for entry in statuses if entry[2] >= 400]
        rss = memory(pid)
        print(
            f"   warm worker after {len(statuses)} pages: VmRSS {rss['VmRSS']} MB (peak VmHWM {rss['VmHWM']} MB); "
            f"loaded: {fmt(loaded(pid))}" + (f"; pages answering >= 400: {bad}" if bad else "")
        )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        log.close()


def fmt(found: dict[str, bool]) -> str:
    return ", ".join(f"{label} {'yes' if yes else 'no'}" for label, yes in found.items())


if __name__ == "__main__":
    main()
