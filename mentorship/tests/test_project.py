"""Project-level guarantees: migrations complete, demo data idempotent, static files local."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from people.models import Department, Location, Person, Skill, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_seed_demo_builds_a_company_and_is_idempotent(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Person.objects.count(), User.objects.count(), Department.objects.count(), Skill.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Person.objects.count(), User.objects.count(), Department.objects.count(), Skill.objects.count()) == counts

    assert Person.objects.count() >= 300
    assert Location.objects.count() >= 8
    assert Person.objects.exclude(manager=None).count() >= 299
    assert len(set(Person.objects.values_list("time_zone", flat=True))) >= 6
    assert Skill.objects.count() >= 30
    text = out.getvalue()
    for email in ("hr@demo.example", "owner@demo.example", "mentor@demo.example", "mentee@demo.example"):
        assert email in text
        response = client.post("/accounts/login/", {"login": email, "password": "demo-pass-123"})
        assert response.status_code == 302, email
        if response.url == "/accounts/2fa/authenticate/":  # the HR admin's second factor
            from people.demo import DEMO_TOTP_SECRET
            from people.tests.mfa import totp_code

            response = client.post(response.url, {"code": totp_code(DEMO_TOTP_SECRET)})
            assert response.status_code == 302 and email == "hr@demo.example", email
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")
    assert "demo-pass-123" in text
    assert User.objects.get(email="hr@demo.example").is_hr_admin


EXTERNAL_ASSET = re.compile(r'<(script|link)[^>]+(src|href)="(https?:)?//', re.IGNORECASE)


def test_templates_load_no_css_or_js_from_another_host():
    templates = list((ROOT / "templates").rglob("*.html")) + list(ROOT.glob("*/templates/**/*.html"))
    assert templates
    offenders = [str(path) for path in templates if EXTERNAL_ASSET.search(path.read_text())]
    assert offenders == []
