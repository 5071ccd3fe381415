"""The production recipe in deploy/ works as written: the environment example lists every
variable, gunicorn's config loads, the systemd units are valid, and production logs are
JSON lines that follow a request without naming anyone."""

import ast
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import structlog

from core.logs import logging_config
from mentorship.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# Files whose environment variables an operator sets in /etc/mentoring/env.
READERS = [ROOT / "mentorship" / "settings.py", ROOT / "mentorship" / "config.py", DEPLOY / "gunicorn.conf.py"]
VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _variable_name(call: ast.Call) -> str | None:
    """``NAME`` for env.str("NAME"), env.db_url("NAME"), os.environ.get("NAME"), os.getenv("NAME"), _int("NAME")."""
    if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
        return None
    name = call.args[0].value
    func = call.func
    reads = (
        (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("env", "os"))
        or (isinstance(func, ast.Attribute) and ast.unparse(func.value) == "os.environ")
        or (isinstance(func, ast.Name) and func.id in ("env", "_int"))
    )
    return name if reads and VARIABLE.match(name) else None


def variables_read() -> set[str]:
    names = set()
    for path in READERS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and (name := _variable_name(node)):
                names.add(name)
            elif (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.slice, ast.Constant)
            ):
                names.add(node.slice.value)
    return names


def variables_listed() -> set[str]:
    listed = set()
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if match := re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line):
            listed.add(match.group(1))
    return listed


def test_env_example_lists_every_variable_the_settings_read():
    read = variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "WEB_CONCURRENCY"} <= read  # the scan finds them
    missing = sorted(read - variables_listed())
    assert missing == [], f"add these to deploy/.env.example: {missing}"


def _clean_env(**env):
    inherited = ("DEBUG", "TESTING", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean.setdefault("VAR_DIR", "/tmp/mentorship-deploy-test")
    clean.setdefault("ENV_FILE", "")  # a developer's .env must not change what is tested
    clean.update(env)
    return clean


def test_gunicorn_config_loads_the_app():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=_clean_env(DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_config_sizes_itself_and_reloads_gracefully(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    config = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)
    assert config["wsgi_app"] == "mentorship.wsgi:application"
    assert config["worker_class"] == "gthread"
    assert config["workers"] == os.cpu_count() + 1
    assert config["timeout"] == 30
    # With preload_app, SIGHUP would restart workers on the old code.
    assert config["preload_app"] is False
    assert "%({x-request-id}i)s" in config["access_log_format"]
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)
    assert config["workers"] == 7


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert [unit.name for unit in units] == [
        "mentoring-beat.service",
        "mentoring-web.service",
        "mentoring-worker.service",
    ]
    # verify checks that ExecStart's program exists: point the units at this checkout.
    for unit in units:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/mentoring", str(ROOT)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / unit.name) for unit in units]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    # Unknown keys and bad values are only warnings for systemd: any line about our units fails.
    ours = [line for line in output.splitlines() if str(tmp_path) in line or "mentoring-" in line]
    assert result.returncode == 0 and ours == [], output


def test_celery_worker_logs_task_ids():
    from django_structlog.celery.steps import DjangoStructLogInitStep

    assert DjangoStructLogInitStep in celery_app.steps["worker"]


@pytest.fixture
def json_log():
    """What the production formatter writes, while the test runs (root logger, INFO)."""
    formatter_config = dict(logging_config(json_lines=True, level="INFO")["formatters"]["structured"])
    formatter = formatter_config.pop("()")(**formatter_config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    structlog.contextvars.clear_contextvars()
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_a_request_logs_one_json_line_with_request_id_and_user_id_and_no_email(client, hr_admin, json_log):
    client.force_login(hr_admin)
    response = client.get("/people/?q=alice@example.com", HTTP_X_REQUEST_ID="req-from-nginx-42")
    assert response.status_code == 200
    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    finished = [line for line in lines if line.get("event") == "request_finished"]
    assert len(finished) == 1, lines
    assert finished[0]["request_id"] == "req-from-nginx-42"
    assert finished[0]["user_id"] == hr_admin.pk
    assert finished[0]["request"] == "GET /people/"  # no query string: a search is a name
    assert finished[0]["level"] == "info" and "timestamp" in finished[0]
    text = json_log.getvalue()
    for personal in ("alice@example.com", hr_admin.email, hr_admin.first_name, hr_admin.last_name):
        assert personal not in text


def test_signing_in_logs_the_user_id_never_the_email(client, alice, json_log):
    alice.set_password("a-long-password-1")
    alice.save()
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": "a-long-password-1"})
    assert response.status_code == 302
    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.strip()]
    finished = [line for line in lines if line.get("event") == "request_finished"]
    assert finished and finished[-1]["user_id"] == alice.pk and finished[-1]["request_id"]
    assert "alice@example.com" not in json_log.getvalue()


@pytest.mark.parametrize(("debug", "json_lines"), [("1", False), ("false", True)])
def test_logs_are_json_in_production_and_readable_in_development(debug, json_lines):
    env = _clean_env(
        DEBUG=debug,
        TESTING="false",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="mentoring.example.com",
        SITE_URL="https://mentoring.example.com",
    )
    script = "import mentorship.settings as s; print(s.LOG_JSON)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(json_lines)
