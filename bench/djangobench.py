"""What the Django benchmarks share: a throwaway database and a query counter.

``bench/matching.py`` and ``bench/import_people.py`` need neither and stand alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def is_postgresql(url: str | None) -> bool:
    return bool(url) and url.startswith(("postgres://", "postgresql://"))


@contextmanager
def postgresql_throwaway(url: str, name: str):
    """A fresh database on the server of ``url``, named after it (``<name of url>_bench_<name>``),
    dropped afterwards: a bench never writes into the database ``DATABASE_URL`` names."""
    import psycopg2

    parts = urlsplit(url)
    database = f"{parts.path.lstrip('/') or 'mentorship'}_bench_{name}"
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))

    def run(sql):
        connection = psycopg2.connect(admin_url)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    run(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    run(f'CREATE DATABASE "{database}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))
    finally:
        from django.db import connections

        connections.close_all()
        run(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextmanager
def django_workdir(name: str, *, debug: bool = True, test_client: bool = False):
    """Set Django up on a throwaway database and clean up after: a temporary SQLite file, or,
    when ``DATABASE_URL`` points to PostgreSQL, a new database on that server (so the figures
    printed are PostgreSQL's).

    ``debug=False`` keeps Django from storing every query in memory, which matters for
    benchmarks that send hundreds of thousands of them."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    os.environ["DEBUG"] = "1" if debug else "0"
    if not debug:
        os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    os.environ["VAR_DIR"] = str(workdir)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    url = os.environ.get("DATABASE_URL")
    try:
        if is_postgresql(url):
            with postgresql_throwaway(url, name) as throwaway:
                os.environ["DATABASE_URL"] = throwaway
                yield _setup(workdir, test_client)
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{workdir / f'bench-{name}.sqlite3'}"
            yield _setup(workdir, test_client)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
        if url is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = url


def _setup(workdir: Path, test_client: bool) -> Path:
    import django

    django.setup()
    if test_client:
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host, in-memory email
    return workdir


class QueryCounter:
    """Counts the statements sent to the database (without keeping them).

    Use as ``with connection.execute_wrapper(counter): ...``."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
