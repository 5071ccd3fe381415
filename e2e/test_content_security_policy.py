"""Every page is served with a strict Content-Security-Policy, and the journeys fail on
any violation (e2e/conftest.py). This proves the watcher sees one."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_violation_in_the_browser_is_caught(page, csp_violations):
    response = page.goto("/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    # What an injected payload would try: an inline script and an inline style.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.appendChild(script);
          document.body.setAttribute("style", "background: red");
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in text for text in csp_violations), csp_violations
    assert any("style-src" in text for text in csp_violations), csp_violations
    csp_violations.clear()  # seen and expected: the page fixture fails on any left over


def test_the_sign_in_page_runs_with_no_violation(page, csp_violations):
    page.goto("/accounts/login/")
    page.wait_for_load_state("load")
    assert csp_violations == []


def test_the_django_admin_runs_without_violations(page, sign_in, csp_violations):
    from allauth.account.models import EmailAddress

    from people.models import User

    root = User.objects.create_superuser(email="root@example.org", password="x-Very-long-pass-1")
    EmailAddress.objects.create(user=root, email=root.email, verified=True, primary=True)
    sign_in(root.email, "x-Very-long-pass-1")
    for path in ("/admin/", "/admin/people/user/", f"/admin/people/user/{root.pk}/change/", "/admin/people/person/"):
        assert page.goto(path).status == 200, path
        page.wait_for_load_state("load")
    assert csp_violations == []
