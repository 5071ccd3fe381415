"""End-to-end harness: Playwright drives Debian's Chromium against pytest-django's live server.

Journeys sign in as real users through the real pages. Each app adds its journeys here.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM
# calls (creating fixtures) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; install it with apt-get install chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Chromium logs every Content-Security-Policy violation on the console; the init script
# also reports the securitypolicyviolation events (inline style set from script, etc.).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline code")
    + " in " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or text.startswith("CSP violation:")


@pytest.fixture
def csp_violations():
    """Every CSP violation seen in the test's browser; the test fails if any is left."""
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    def record_violation(message):
        if _is_csp_violation(message.text):
            csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_REPORTER)
    context.on("console", record_violation)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


def totp_code_unused(email: str) -> str:
    """The code the account's authenticator app shows now. allauth takes each code once: if
    this one was used already (a second sign-in within 30 seconds), wait for the next one."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.cache import cache

    from people.tests.mfa import totp_code

    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    while True:
        code = totp_code(authenticator.user)
        if cache.get(TOTP(authenticator)._get_used_cache_key(code)) is None:
            return code
        time.sleep(30 - time.time() % 30 + 0.2)


@pytest.fixture
def sign_in(page):
    """Sign in through the sign-in page; an account with an authenticator app (HR admins and
    staff have one, see conftest.py) then enters its current code on the two-factor page."""

    def _sign_in(email, password):
        page.goto("/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        if "/accounts/2fa/authenticate/" in page.url:
            page.fill("input[name=code]", totp_code_unused(email))
            with page.expect_navigation():
                page.press("input[name=code]", "Enter")
        return page

    return _sign_in


@pytest.fixture
def screenshot(page):
    """Save a screenshot when SCREENSHOT_DIR is set (for looking at pages by eye)."""

    def _shot(name):
        directory = os.environ.get("SCREENSHOT_DIR")
        if directory:
            os.makedirs(directory, exist_ok=True)
            page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)

    return _shot
