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
    clean.setdefault("ENV_FILE", "")  # a developer's .env must not change what is tested
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
        ("DATA_EXPORT_HOURS", "0"),
        ("DATA_EXPORT_HOURS", "a day"),
        ("RETENTION_LEAVERS_MONTHS", "-1"),
        ("RETENTION_LEAVERS_MONTHS", "two years"),
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


# --- The development .env file, TESTING, and folders -------------------------------------

SETTINGS_OF = "import mentorship.settings as s; print(s.DEBUG, s.TESTING)"


def test_a_dev_env_file_lets_manage_py_run_without_exporting_anything(tmp_path):
    # What `make run` leaves behind; without it, manage.py stops for want of SECRET_KEY.
    env_file = tmp_path / ".env"
    env_file.write_text("# written by make\nDEBUG=1\n")
    without = run(["manage.py", "check"], ENV_FILE="")
    assert without.stderr.strip() == "Configuration error: SECRET_KEY is required (set it in the environment)"
    result = run(["manage.py", "check"], ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nPRODUCT_NAME='Mentoring at Acme'\n")
    result = run(["-c", SETTINGS_OF + "; print(s.PRODUCT_NAME)"], ENV_FILE=str(env_file))
    assert result.stdout.split("\n")[:2] == ["True False", "Mentoring at Acme"], result.stderr
    overridden = run(["-c", SETTINGS_OF], ENV_FILE=str(env_file), DEBUG="false", SECRET_KEY="s" * 60)
    assert overridden.stdout.strip() == "False False", overridden.stderr


def test_the_test_suite_never_reads_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nPRODUCT_NAME=From the file\n")
    result = run(["-c", SETTINGS_OF + "; print(s.PRODUCT_NAME)"], ENV_FILE=str(env_file), TESTING="1")
    assert result.stdout.split("\n")[:2] == ["False True", "Mentoring"], result.stderr


def test_an_env_file_that_is_not_text_stops_with_one_line(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"DEBUG=1\n\xff\xfe\x00binary")
    result = run(["-c", SETTINGS_OF], ENV_FILE=str(env_file))
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        == f"Configuration error: ENV_FILE names {str(env_file)!r}, which is not a readable UTF-8 text file"
    )


def test_testing_is_never_guessed_from_the_modules_loaded():
    # Importing pytest first used to switch the test settings on (eager tasks, MD5 hashes).
    result = run(["-c", "import pytest; " + SETTINGS_OF], DEBUG="1")
    assert result.stdout.strip() == "True False", result.stderr


def test_importing_the_settings_creates_no_folder_and_starting_django_does(tmp_path):
    var_dir = tmp_path / "var"
    imported = run(["-c", SETTINGS_OF], DEBUG="1", VAR_DIR=str(var_dir))
    assert imported.returncode == 0, imported.stderr
    assert not var_dir.exists()
    # The embedded broker's folders too (CI's environment points the broker at Redis).
    started = run(
        ["-c", "import django; django.setup()"], DEBUG="1", VAR_DIR=str(var_dir), CELERY_BROKER_URL="filesystem://"
    )
    assert started.returncode == 0, started.stderr
    for folder in ("staticfiles", "broker/out", "broker/processed", "broker/control"):
        assert (var_dir / folder).is_dir(), folder
