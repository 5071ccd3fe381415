"""/healthz: public, plain http allowed, 200 or 503 with a JSON body covering the database,
the cache, the broker and the worker heartbeat; and recovery from dropped connections."""

import io
from datetime import timedelta

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.utils import timezone

from core.models import WorkerHeartbeat
from core.tasks import worker_heartbeat
from mentorship.tests.broker import broker_down
from mentorship.tests.services import require_postgresql, terminate_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive():
    worker_heartbeat.delay()  # what beat sends every minute


def test_healthy_when_everything_answers(client, worker_alive):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "broker": True,
        "worker": True,
    }
    assert body["checks"]["worker"]["age_seconds"] < 60
    assert response["Cache-Control"] == "no-store"


def test_503_when_the_broker_is_down(client, worker_alive):
    with broker_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == {"ok": False}
    assert body["checks"]["database"]["ok"] and body["checks"]["worker"]["ok"]
    assert "127.0.0.1" not in response.content.decode()  # the page is public: no addresses, no errors


def test_503_when_no_worker_has_run_the_heartbeat_lately(client):
    assert client.get("/healthz").json()["checks"]["worker"] == {"ok": False, "last_heartbeat": None}
    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now() - timedelta(minutes=4))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_503_when_the_cache_is_down_but_a_database_only_probe_passes(client, worker_alive, settings):
    settings.CACHES = {
        "default": {"BACKEND": "mentorship.cache.FallbackRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["cache"] == {"ok": False}
    response = client.get("/healthz", {"only": "database"})
    assert response.status_code == 200 and list(response.json()["checks"]) == ["database"]


def test_503_not_500_when_the_database_fails(client, worker_alive):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False}


def test_unknown_check_names_are_a_400(client):
    response = client.get("/healthz", {"only": "database,dns"})
    assert response.status_code == 400 and "dns" in response.json()["error"]


def test_no_https_redirect_for_healthz_only(client, worker_alive, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    response = client.get("/")
    assert response.status_code == 301 and response.url.startswith("https://")


def _wsgi_get(path: str, cookie: str = "") -> int:
    """A request through Django's real WSGI handler: unlike the test client, it runs
    close_old_connections at the start of each request, as gunicorn's workers do."""
    environ = RequestFactory().get(path, HTTP_COOKIE=cookie).environ
    environ["wsgi.input"] = io.BytesIO(b"")
    status = []
    response = WSGIHandler()(environ, lambda code, headers, exc_info=None: status.append(code))
    response.close()
    return int(status[0].split()[0])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_after_the_database_drops_the_connection_the_next_request_is_200(client, alice):
    require_postgresql()
    worker_heartbeat.delay()
    client.force_login(alice)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    assert _wsgi_get("/", cookie) == 200  # the web worker now holds a persistent connection

    terminate_backend(connection.connection.get_backend_pid())
    assert _wsgi_get("/", cookie) == 200

    terminate_backend(connection.connection.get_backend_pid())
    assert _wsgi_get("/healthz") == 200

    # The same without CONN_HEALTH_CHECKS: the first request after the drop fails.
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        assert _wsgi_get("/", cookie) == 200
        terminate_backend(connection.connection.get_backend_pid())
        assert _wsgi_get("/", cookie) == 500
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()
