"""Walk the demo company's pages as each role and fail on any Content-Security-Policy
violation (the page fixture collects them), or on a link that leads to a refusal (403)
or a server error: no dead ends in what each role is shown.

The walk follows the links of each page it opens (same site, GET only), one page per
URL shape (numbers and slugs count as one), so new pages are checked without listing them.
"""

import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-123"
# Downloads, sign-out, and pages that change something on GET are not walked.
SKIP = re.compile(r"(\.csv|\.ics|\.json|/logout/|/admin/|/feed/|/calendar/|/export|/download|/open/$|/static/)")
PAGES_PER_ROLE = 70


def _shape(path: str) -> str:
    path = re.sub(r"/\d+(?=/|$)", "/N", path)
    return re.sub(r"/(programs|dashboards|matching|surveys)/[a-z0-9-]+(?=/)", r"/\1/SLUG", path)


def _walk(page, start="/"):
    seen_shapes, queue, visited = set(), [start], []
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.pop(0)
        shape = _shape(path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(path)
        assert response.status < 500 and response.status != 403, f"{path} answered {response.status}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_load_state("load")
        visited.append(path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlparse(href)
            if target.netloc or not target.path.startswith("/") or SKIP.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return visited


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


ROLES = ["hr@demo.example", "owner@demo.example", "mentee@demo.example", "mentor@demo.example"]


def test_every_page_each_role_reaches_opens_without_a_policy_violation(page, sign_in, demo, csp_violations):
    """One demo company for the four walks (seeding it is most of a walk's time)."""
    for email in ROLES:
        page.context.clear_cookies()
        sign_in(email, DEMO_PASSWORD)
        visited = _walk(page)
        assert len(visited) > 10, (email, visited)
        assert csp_violations == [], (email, csp_violations)
