"""What the Django benchmarks share: a throwaway database and a query counter.

``bench/matching.py`` and ``bench/import_people.py`` need neither and stand alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def django_workdir(name: str, *, debug: bool = True, test_client: bool = False):
    """Set Django up on a temporary SQLite file (or ``DATABASE_URL`` if set) and clean up after.

    ``debug=False`` keeps Django from storing every query in memory, which matters for
    benchmarks that send hundreds of thousands of them."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    os.environ["DEBUG"] = "1" if debug else "0"
    if not debug:
        os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    os.environ["VAR_DIR"] = str(workdir)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / f'bench-{name}.sqlite3'}")
    try:
        import django

        django.setup()
        if test_client:
            from django.test.utils import setup_test_environment

            setup_test_environment()  # the test client's host, in-memory email
        yield workdir
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)


class QueryCounter:
    """Counts the statements sent to the database (without keeping them).

    Use as ``with connection.execute_wrapper(counter): ...``."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
