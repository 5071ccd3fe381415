"""Settings helpers for the test suite only (imported by settings when TESTING)."""

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES_PER_WORKER = 4
MARK = "MENTORSHIP_REDIS_PER_TEST_WORKER"


def _shift_database(url: str, by: int) -> str:
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + by
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def redis_per_test_worker() -> None:
    """Give each pytest-xdist process its own Redis databases.

    ``make test`` runs the suite in one process per core. Processes sharing a Redis
    database would clear each other's cache (``cache.clear()`` empties the whole
    database) and consume each other's Celery messages. Worker ``gwN`` moves
    ``CACHE_URL`` and ``CELERY_BROKER_URL`` (if Redis) ``4 * N`` databases up: CI's
    broker /10 and cache /11 become /14 and /15 for the second process. The new URLs
    are written back to the environment (Celery reads ``CELERY_BROKER_URL`` from it
    first), and processes the tests start inherit them without shifting again.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or os.environ.get(MARK):
        return
    index = int(worker.removeprefix("gw") or 0)
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        value = os.environ.get(name, "")
        if index and value.startswith(("redis://", "rediss://")):
            os.environ[name] = _shift_database(value, REDIS_DATABASES_PER_WORKER * index)
    os.environ[MARK] = "1"


# --- Hypothesis: fewer examples for `make test`, the full count in CI -----------------------

HYPOTHESIS_PROFILES = {"dev": 25, "ci": 100}  # examples per property at the default weight


def hypothesis_profiles_load() -> None:
    """Register the two profiles and load ``HYPOTHESIS_PROFILE`` (``dev`` unless set;
    ``.ci/run`` sets ``ci``). No deadline: a shared CI machine makes timings meaningless."""
    from hypothesis import settings

    for name, count in HYPOTHESIS_PROFILES.items():
        settings.register_profile(name, max_examples=count, deadline=None, print_blob=True)
    name = os.environ.get("HYPOTHESIS_PROFILE") or "dev"
    if name not in HYPOTHESIS_PROFILES:
        raise SystemExit(f"HYPOTHESIS_PROFILE must be one of {', '.join(HYPOTHESIS_PROFILES)}, not {name!r}")
    settings.load_profile(name)


def examples(weight: int) -> int:
    """A property's number of examples: ``weight`` in CI, scaled down for ``make test``."""
    from hypothesis import settings

    return max(5, round(weight * settings.default.max_examples / HYPOTHESIS_PROFILES["ci"]))
