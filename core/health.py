"""What /healthz checks: the database, the cache, the broker, and a recent heartbeat
from a Celery worker. Each check answers quickly (short timeouts) and says only
"ok" or not: the page is public, so errors go to the log, never into the answer."""

import logging
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Beat sends the heartbeat every minute; three missed beats mean nobody runs tasks.
HEARTBEAT_MAX_AGE = timedelta(minutes=3)
BROKER_TIMEOUT = 2  # seconds


def worker_heartbeat_record(*, hostname: str = "") -> None:
    WorkerHeartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now(), "hostname": hostname[:200]}
    )


def _failed(name: str, error: Exception) -> dict:
    logger.warning("Health check %s failed: %s: %s", name, type(error).__name__, error)
    return {"ok": False}


def database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return _failed("database", error)
    return {"ok": True}


def cache_check() -> dict:
    """The shared cache answers. A Redis cache that is down is reported even while
    pages run on the per-process fallback (mentorship/cache.py)."""
    try:
        ping = getattr(cache, "ping", None)
        if ping is not None:
            ping()
        else:
            key = f"healthz:{uuid.uuid4().hex}"
            cache.set(key, "ok", 10)
            if cache.get(key) != "ok":
                raise RuntimeError("a value written was not read back")
            cache.delete(key)
    except Exception as error:  # noqa: BLE001
        return _failed("cache", error)
    return {"ok": True}


def broker_check() -> dict:
    from celery import current_app as app

    if app.conf.task_always_eager:
        return {"ok": True, "eager": True}
    try:
        with app.connection_for_write(connect_timeout=BROKER_TIMEOUT, transport_options={"max_retries": 0}) as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
    except Exception as error:  # noqa: BLE001
        return _failed("broker", error)
    return {"ok": True}


def worker_check(*, now=None) -> dict:
    now = now or timezone.now()
    try:
        beat_at = WorkerHeartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    except Exception as error:  # noqa: BLE001
        return _failed("worker", error)
    if beat_at is None:
        return {"ok": False, "last_heartbeat": None}
    age = (now - beat_at).total_seconds()
    return {
        "ok": age <= HEARTBEAT_MAX_AGE.total_seconds(),
        "last_heartbeat": beat_at.isoformat(),
        "age_seconds": int(age),
    }


CHECKS = {"database": database_check, "cache": cache_check, "broker": broker_check, "worker": worker_check}


def health_checks_run(names=None) -> dict[str, dict]:
    """Run the named checks (all by default); each result has ``ok``."""
    return {name: CHECKS[name]() for name in (names or CHECKS)}
