"""Every response carries a strict Content-Security-Policy, and no template contains what
it would block (inline script, inline event handlers, style attributes). The browser
side is checked by the e2e journeys, which fail on any violation (e2e/conftest.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _policy(response) -> dict:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_sign_in_page_has_the_policy(client):
    assert _policy(client.get("/accounts/login/")) == EXPECTED


def test_pages_behind_sign_in_have_the_policy(hr_client):
    for path in ("/", "/people/", "/programs/", "/notifications/"):
        response = hr_client.get(path)
        assert response.status_code == 200, path
        assert _policy(response) == EXPECTED, path


def test_error_pages_have_the_policy(client, alice):
    client.force_login(alice)
    assert _policy(client.get("/people/")) == EXPECTED  # 403
    assert _policy(client.get("/no-such-page/")) == EXPECTED  # 404


def _templates():
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        path for path in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in path.parts
    ]
    for root in roots:
        yield from root.rglob("*.html")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style[\s>]", re.I)


def test_no_template_has_inline_script_handlers_or_styles():
    found = []
    for template in _templates():
        text = template.read_text()
        for name, pattern in (("inline script", INLINE_SCRIPT), ("event handler", EVENT_HANDLER), ("style", STYLE)):
            found += [f"{template.relative_to(settings.BASE_DIR)}: {name}" for _ in pattern.finditer(text)]
    assert found == []


def test_the_check_would_catch_each_kind():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="data" type="application/json">{}</script>')
    assert EVENT_HANDLER.search('<form method="post" onsubmit="return confirm()">')
    assert STYLE.search('<div class="x" style="width: 5%">') and STYLE.search("<style>p{}</style>")
