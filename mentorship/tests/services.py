"""Skips for tests that need the real services (PostgreSQL, Redis), or failures when
REQUIRE_SERVICES=1 (CI), where a skip would hide a broken setup."""

import os

import psycopg2
import pytest
from django.conf import settings
from django.db import connection


def _missing(problem: str):
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {problem}")
    pytest.skip(problem)


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        _missing(f"database is {connection.vendor}, not PostgreSQL (set DATABASE_URL)")


def require_redis_broker() -> str:
    """The broker URL, if it is Redis."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        _missing("broker is not Redis (set CELERY_BROKER_URL)")
    return settings.CELERY_BROKER_URL


def terminate_backend(pid: int) -> None:
    """Kill one PostgreSQL backend from another connection, as a failover or an idle
    timeout in a pooler would: the Django connection using it is dead from then on."""
    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
    )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        admin.close()
