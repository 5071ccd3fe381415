"""Redis (the cache behind login rate limits) down: sign-in and pages keep working on a
per-process fallback, with a warning; the limits still hold; Redis is used again when back."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache

from mentorship import cache as fallback_cache
from people.tests.factories import PASSWORD

LOGIN = "/accounts/login/"
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def redis_cache(settings, url):
    settings.CACHES = {"default": {"BACKEND": "mentorship.cache.FallbackRedisCache", "LOCATION": url}}


def _forget_fallback_entries():
    # LocMemCache keeps its entries per name for the whole process: a test's failed sign-ins
    # on the fallback would otherwise still count in the next test (found by a random order).
    from django.core.cache.backends import locmem

    for name, entries in locmem._caches.items():
        if name.startswith("fallback:"):
            entries.clear()
            locmem._expire_info[name].clear()


@pytest.fixture(autouse=True)
def _forget_outages():
    fallback_cache._down_until.clear()
    _forget_fallback_entries()
    yield
    fallback_cache._down_until.clear()
    _forget_fallback_entries()


@pytest.mark.django_db
def test_sign_in_and_pages_work_while_redis_is_down(client, alice, settings, caplog):
    redis_cache(settings, UNREACHABLE)
    with caplog.at_level(logging.WARNING, logger="mentorship.cache"):
        response = client.post(LOGIN, {"login": alice.email, "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/").status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "mentorship.cache"]
    assert len(warnings) == 1 and "127.0.0.1:1/0 unreachable" in warnings[0]


@pytest.mark.django_db
def test_failed_sign_ins_are_still_limited_while_redis_is_down(client, alice, settings):
    redis_cache(settings, UNREACHABLE)
    for _ in range(5):
        response = client.post(LOGIN, {"login": alice.email, "password": "wrong-password"})
        assert "not correct" in response.content.decode()
    response = client.post(LOGIN, {"login": alice.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    pytest.fail("redis-server did not start")


@pytest.mark.services
@pytest.mark.django_db
def test_redis_stopped_then_restarted_under_a_signed_in_session(client, alice, settings, monkeypatch):
    """A real Redis of our own (the shared one is never stopped), killed and started again."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    monkeypatch.setattr(fallback_cache, "RETRY_AFTER", 0.5)
    port = _free_port()
    server = _start_redis(port)
    try:
        redis_cache(settings, f"redis://127.0.0.1:{port}/0")
        client.post(LOGIN, {"login": alice.email, "password": "wrong-password"})
        assert not cache.is_degraded()
        assert (
            subprocess.run(["redis-cli", "-p", str(port), "dbsize"], capture_output=True, text=True).stdout.strip()
            != "0"
        )

        server.kill()
        server.wait()
        assert client.post(LOGIN, {"login": alice.email, "password": PASSWORD}).status_code == 302
        assert client.get("/").status_code == 200
        assert cache.is_degraded()

        server = _start_redis(port)
        time.sleep(0.6)  # RETRY_AFTER: then Redis is tried again
        cache.set("back", "yes")
        assert not cache.is_degraded()
        assert (
            subprocess.run(["redis-cli", "-p", str(port), "--scan"], capture_output=True, text=True)
            .stdout.strip()
            .endswith("back")
        )
    finally:
        server.kill()
        server.wait()
