"""Two-factor sign-in in the browser: a new HR admin is sent to set it up, registers a
security key (Chromium's virtual authenticator, over the DevTools protocol), then signs in
with the password and the key, and with the key alone (a passkey)."""

import pytest

from people.tests.factories import PASSWORD, PersonFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_hr(without_auto_mfa):
    user = UserFactory(email="new.hr@example.com", first_name="Nora", last_name="Neu", is_hr_admin=True)
    PersonFactory(email=user.email, first_name="Nora", last_name="Neu", user=user)
    return user


def _virtual_security_key(page):
    """A platform authenticator with a resident key and user verification (a passkey)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, found["authenticatorId"]


def _sign_out(page):
    page.click("a.dropdown-toggle")
    with page.expect_navigation():
        page.click("[data-testid=sign-out]")


def test_new_hr_admin_sets_up_a_security_key_and_signs_in_with_it(page, sign_in, screenshot, new_hr):
    from allauth.mfa.models import Authenticator

    cdp, authenticator_id = _virtual_security_key(page)

    # The password alone reaches no HR page: the two-factor page says why.
    sign_in(new_hr.email, PASSWORD)
    page.goto("/people/")
    assert page.url.endswith("/accounts/2fa/")
    assert "HR admins must set up two-factor authentication before opening HR pages" in page.content()
    screenshot("mfa-required")

    # The authenticator app's page shows a QR code and the secret (the page asks for the
    # password again first).
    page.goto("/accounts/2fa/totp/activate/")
    assert "/accounts/reauthenticate/" in page.url
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert "/accounts/2fa/totp/activate/" in page.url
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()
    screenshot("mfa-totp-activate")

    # Add a security key instead.
    page.goto("/accounts/2fa/webauthn/add/")
    assert "/accounts/2fa/webauthn/add/" in page.url
    page.fill("input[name=name]", "Laptop key")
    page.check("input[name=passwordless]")
    with page.expect_navigation():
        page.click("#mfa_webauthn_add")
    screenshot("mfa-key-added")
    assert Authenticator.objects.filter(user=new_hr, type=Authenticator.Type.WEBAUTHN).count() == 1
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1

    # Now HR pages open.
    page.goto("/people/")
    assert page.url.endswith("/people/")

    # Sign in again: password, then the key.
    _sign_out(page)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", new_hr.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert "/accounts/2fa/authenticate/" in page.url
    screenshot("mfa-authenticate")
    with page.expect_navigation():
        page.click("#mfa_webauthn_authenticate")
    page.goto("/people/")
    assert page.url.endswith("/people/")

    # And with the key alone: a passkey.
    _sign_out(page)
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.click("#passkey_login")
    page.goto("/people/")
    assert page.url.endswith("/people/")


def test_a_participant_signs_in_without_a_second_factor(page, sign_in, alice):
    sign_in(alice.email, PASSWORD)
    assert page.url.endswith("/")
    page.click("a.dropdown-toggle")
    page.click("[data-testid=nav-mfa]")
    page.wait_for_url("**/accounts/2fa/")
    assert "Authenticator App" in page.content()
