"""The web process never loads the matching engine: numpy and OR-Tools are imported where a
cohort is scored (the worker running a match run, a mentee's suggestions, HR locking a pair),
not by Django's start, the URLconf, the Celery app or HR's pages.

Each check runs in a fresh interpreter (this one has imported the engine for other tests).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENGINE_NOT_LOADED = """
loaded = [name for name in ("numpy", "ortools") if name in sys.modules]
assert not loaded, f"{where} imported {loaded}"
"""

START = (
    """
import sys
import django

django.setup()
from django.core.management import call_command
from django.urls import get_resolver

call_command("check")
get_resolver().url_patterns  # every app's urls, views, forms and template tags
from mentorship.celery import app

app.loader.import_default_modules()  # what a Celery worker imports at start: every tasks module
where = "manage.py check, the URLconf and the Celery app"
"""
    + ENGINE_NOT_LOADED
)

BUILD = """
import django

django.setup()
from django.core.management import call_command

call_command("migrate", verbosity=0)
from matching import services
from matching.models import MatchRun
from matching.tests.factories import matching_program, mentee, mentor
from people.tests.factories import PersonFactory, UserFactory
from people.tests.mfa import totp_enrol

hr = UserFactory(email="hr@lean.example", is_hr_admin=True)
PersonFactory(email=hr.email, user=hr)
totp_enrol(hr)  # HR admins must have a second factor (portal/mfa.py)
program = matching_program(slug="lean")
for _ in range(6):
    mentee(program)
    mentor(program, capacity=1)
run = services.match_run_start(program=program, user=hr)  # runs at once (eager tasks, no transaction)
assert MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.DONE
print(run.pk)
"""

HR_PAGES = (
    """
import sys
import django

django.setup()
from django.test import Client
from django.test.utils import setup_test_environment

from people.models import User

setup_test_environment()
client = Client()
client.force_login(User.objects.get(email="hr@lean.example"))
run = int(sys.argv[1])
pages = [
    "/",
    "/people/",
    "/people/import/",
    "/programs/",
    "/matching/",
    "/matching/programs/lean/",
    "/matching/programs/lean/pairings/",
    f"/matching/runs/{run}/",
    "/dashboards/",
]
for page in pages:
    status = client.get(page).status_code
    assert status == 200, (page, status)
where = "HR's pages (" + ", ".join(pages) + ")"
"""
    + ENGINE_NOT_LOADED
)


def _python(code: str, tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CACHE_URL", "TESTING")}
    env.update(
        DJANGO_SETTINGS_MODULE="mentorship.settings",
        SECRET_KEY="lean-imports-" + "k" * 50,
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'lean.sqlite3'}",
        VAR_DIR=str(tmp_path),
        ENV_FILE="",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_starting_django_and_celery_does_not_load_the_engine(tmp_path):
    _python(START, tmp_path)


def test_hr_pages_do_not_load_the_engine(tmp_path):
    run = _python(BUILD, tmp_path).strip().splitlines()[-1]
    _python(HR_PAGES, tmp_path, run)
