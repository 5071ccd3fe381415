"""Configuration from the environment: bad variables stop start-up with one line;
production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "TESTING": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-key-for-tests-" + "q" * 20,
    "ALLOWED_HOSTS": "mentoring.example.com",
    "SITE_URL": "https://mentoring.example.com",
}


def run(args, **env):
    # A production process starts from a clean slate: nothing of the test run's own settings.
    inherited = ("DEBUG", "TESTING", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean.update(env)
    clean.setdefault("VAR_DIR", "/tmp/mentorship-settings-test")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def load_settings(**env):
    return run(["-c", "import mentorship.settings"], **env)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysqlish://nowhere"),
        ("DATABASE_URL", "not a url"),
        ("CACHE_URL", "bogus://x"),
        ("EMAIL_URL", "pigeon://coop"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("SITE_URL", "mentoring.example.com"),
        ("CONN_MAX_AGE", "forever"),
    ],
)
def test_malformed_variable_stops_start_up_with_one_line_naming_it(variable, value):
    env = {**PRODUCTION_ENV, variable: value}
    if variable == "CONN_MAX_AGE":
        env["DATABASE_URL"] = "postgres://u@localhost/db"
    result = load_settings(**env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable} ")


def test_secret_key_is_required_when_debug_is_off():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = load_settings(**env)
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: SECRET_KEY is required (set it in the environment)"


def test_debug_runs_without_any_variable():
    assert load_settings(DEBUG="1").returncode == 0


def test_production_settings_pass_check_deploy_with_zero_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_dev_settings_would_fail_check_deploy():
    # Proves the check above is not vacuous.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DEBUG="1")
    assert result.returncode != 0
