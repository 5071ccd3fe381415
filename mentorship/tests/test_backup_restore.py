"""The README's backup and restore work: the demo company, seeded into a fresh PostgreSQL
database, survives ``pg_dump -Fc`` and ``pg_restore`` into another fresh database with
every table's row count and every sequence intact.

Runs on PostgreSQL (``DATABASE_URL``); skipped elsewhere unless REQUIRE_SERVICES=1 (CI),
where a skip would hide a broken setup."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _require_postgresql():
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("the database is not PostgreSQL (set DATABASE_URL)")
    problems += [f"{tool} is not installed" for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if problems:
        message = "; ".join(problems)
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
        pytest.skip(message)


class Server:
    """The PostgreSQL server of DATABASE_URL, for databases of this test's own."""

    def __init__(self):
        db = settings.DATABASES["default"]
        self.host, self.port = db.get("HOST") or "127.0.0.1", str(db.get("PORT") or 5432)
        self.user, self.password = db.get("USER") or "postgres", db.get("PASSWORD") or ""
        base = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "mentorship"
        self.prefix = f"{base}_backup_{os.getpid()}"

    def connect(self, name):
        return psycopg2.connect(dbname=name, host=self.host, port=self.port, user=self.user, password=self.password)

    def url(self, name):
        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{name}"

    def admin(self, sql):
        connection = self.connect("postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def run(self, args, **env):
        full_env = {**os.environ, "PGPASSWORD": self.password, **env}
        result = subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, " ".join(args) + "\n" + result.stdout + result.stderr
        return result


def table_rows_and_sequences(server, name):
    connection = server.connect(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
            tables = [row[0] for row in cursor.fetchall()]
            rows = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                rows[table] = cursor.fetchone()[0]
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            sequences = dict(cursor.fetchall())
    finally:
        connection.close()
    return rows, sequences


@pytest.mark.services
def test_seeded_database_survives_pg_dump_and_pg_restore(tmp_path):
    _require_postgresql()
    server = Server()
    source, restored = f"{server.prefix}_source", f"{server.prefix}_restored"
    dump = tmp_path / "mentoring.dump"
    for name in (source, restored):
        server.admin(f'DROP DATABASE IF EXISTS "{name}"')
    server.admin(f'CREATE DATABASE "{source}"')
    try:
        # The demo, seeded as an operator would: manage.py in its own process.
        seed_env = {"DATABASE_URL": server.url(source), "DEBUG": "1", "TESTING": "1", "VAR_DIR": str(tmp_path / "var")}
        server.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], **seed_env)
        server.run([sys.executable, "manage.py", "seed_demo"], **seed_env)

        # The README's commands.
        server.run(["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={server.url(source)}"])
        server.admin(f'CREATE DATABASE "{restored}"')
        server.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={server.url(restored)}", str(dump)])

        rows, sequences = table_rows_and_sequences(server, source)
        rows_back, sequences_back = table_rows_and_sequences(server, restored)
        assert rows_back == rows
        assert sequences_back == sequences
        # Not vacuous: the demo company is in it.
        assert rows["people_person"] >= 300 and rows["matching_pairing"] > 0 and rows["django_migrations"] > 0
        assert sum(1 for count in rows.values() if count) >= 30
    finally:
        for name in (source, restored):
            server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
