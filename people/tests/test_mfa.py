"""Two-factor sign-in: required for HR admins and staff (portal/mfa.py), optional for the
others, asked at every sign-in once enrolled, wrong codes refused and rate-limited."""

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client, override_settings

from people.tests.factories import PASSWORD, PersonFactory, UserFactory
from people.tests.mfa import totp_code, totp_enrol
from portal.mfa import MFA_REQUIRED_MESSAGE
from programs.tests.factories import ProgramFactory

MFA_PAGE = "/accounts/2fa/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
# One page of each HR area, the home page and IT's Django admin.
HR_PAGES = ["/", "/people/", "/people/hr-admins/", "/programs/", "/matching/", "/surveys/", "/dashboards/", "/admin/"]


def _sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _open_totp_activation(client):
    """The activation page asks for the password again first (allauth's re-authentication)."""
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302 and response.url.startswith("/accounts/reauthenticate/")
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/2fa/totp/activate/"
    return client.get(response.url)


@pytest.fixture
def new_hr(db, without_auto_mfa):
    """An HR admin who has not set up a second factor yet."""
    user = UserFactory(email="new.hr@example.com", is_hr_admin=True)
    PersonFactory(email=user.email, user=user)
    return user


def test_an_hr_admin_without_a_second_factor_opens_no_hr_page_nor_the_admin(client, new_hr):
    client.force_login(new_hr)
    for url in HR_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response.url == MFA_PAGE, url
    page = client.get(MFA_PAGE)
    assert page.status_code == 200
    assert MFA_REQUIRED_MESSAGE in page.content.decode()


def test_staff_without_a_second_factor_cannot_open_the_admin(client, db, without_auto_mfa):
    it = UserFactory(email="it@example.com", is_staff=True, is_superuser=True)
    client.force_login(it)
    assert client.get("/admin/").url == MFA_PAGE
    assert client.get("/admin/people/user/").url == MFA_PAGE


def test_the_pages_needed_to_enrol_stay_open(client, new_hr):
    client.force_login(new_hr)
    for url in (
        MFA_PAGE,
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/webauthn/add/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/healthz",
    ):
        response = client.get(url)
        assert response.status_code in (200, 503) or "/accounts/" in response.url, url
        assert getattr(response, "url", None) != MFA_PAGE, url
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").url.startswith("/accounts/login/")


def test_hr_enrols_an_authenticator_app_then_opens_hr_pages_and_gets_recovery_codes(client, new_hr):
    assert _sign_in(client, new_hr.email).url == "/"
    page = _open_totp_activation(client)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # typed by hand when the QR code cannot be scanned
    response = client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=new_hr, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=new_hr, type=Authenticator.Type.RECOVERY_CODES).exists()
    for url in HR_PAGES[:-1]:
        assert client.get(url).status_code == 200, url
    assert client.get("/accounts/2fa/recovery-codes/").status_code == 200


def test_a_wrong_activation_code_enrols_nothing(client, new_hr):
    _sign_in(client, new_hr.email)
    _open_totp_activation(client)
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=new_hr).exists()
    assert client.get("/people/").url == MFA_PAGE


def test_sign_in_asks_for_the_code_and_signs_in_only_with_it(client, hr_admin):
    response = _sign_in(client, hr_admin.email)
    assert response.status_code == 302 and response.url == AUTHENTICATE
    # The password alone signs nobody in.
    assert client.get("/people/").url.startswith("/accounts/login/")
    page = client.get(AUTHENTICATE).content.decode()
    assert "Use a security key" in page
    response = client.post(AUTHENTICATE, {"code": totp_code(hr_admin)})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/people/").status_code == 200


def test_a_wrong_code_is_refused(client, hr_admin):
    _sign_in(client, hr_admin.email)
    response = client.post(AUTHENTICATE, {"code": totp_code(hr_admin, offset_periods=10)})
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    assert client.get("/people/").url.startswith("/accounts/login/")


def test_repeated_wrong_codes_are_rate_limited_even_before_the_right_one(client, hr_admin):
    _sign_in(client, hr_admin.email)
    for _ in range(5):
        response = client.post(AUTHENTICATE, {"code": "000000"})
        assert "Incorrect code" in response.content.decode()
    response = client.post(AUTHENTICATE, {"code": totp_code(hr_admin)})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/people/").url.startswith("/accounts/login/")


def test_the_limit_counts_per_account_not_per_browser(hr_admin):
    for _ in range(5):
        browser = Client()
        _sign_in(browser, hr_admin.email)
        browser.post(AUTHENTICATE, {"code": "000000"})
    fresh = Client()
    _sign_in(fresh, hr_admin.email)
    response = fresh.post(AUTHENTICATE, {"code": totp_code(hr_admin)})
    assert "Too many failed login attempts" in response.content.decode()


def test_a_recovery_code_signs_in_once_only(client, hr_admin):
    codes = RecoveryCodes.activate(hr_admin).get_unused_codes()
    _sign_in(client, hr_admin.email)
    response = client.post(AUTHENTICATE, {"code": codes[0]})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/people/").status_code == 200
    client.post("/accounts/logout/")

    _sign_in(client, hr_admin.email)
    response = client.post(AUTHENTICATE, {"code": codes[0]})
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    response = client.post(AUTHENTICATE, {"code": codes[1]})
    assert response.status_code == 302 and response.url == "/"


def test_a_participant_is_not_forced_and_may_enrol(client, alice):
    assert _sign_in(client, alice.email).url == "/"
    assert client.get("/").status_code == 200
    assert client.get(MFA_PAGE).status_code == 200
    client.post("/accounts/logout/")
    totp_enrol(alice)
    assert _sign_in(client, alice.email).url == AUTHENTICATE  # once enrolled, asked like anyone


@pytest.fixture
def program_owner(db, owner):
    ProgramFactory(name="Owned", slug="owned").owners.add(owner)
    return owner


def test_an_owner_is_forced_only_with_the_setting(client, program_owner):
    client.force_login(program_owner)
    assert client.get("/").status_code == 200
    with override_settings(MFA_REQUIRED_FOR_OWNERS=True):
        response = client.get("/")
        assert response.status_code == 302 and response.url == MFA_PAGE
        assert "Program owners must set up two-factor authentication" in client.get(MFA_PAGE).content.decode()
        totp_enrol(program_owner)
        assert client.get("/").status_code == 200


def test_with_the_setting_someone_who_owns_nothing_is_not_forced(client, alice):
    client.force_login(alice)
    with override_settings(MFA_REQUIRED_FOR_OWNERS=True):
        assert client.get("/").status_code == 200


def test_recovery_codes_alone_do_not_count_as_a_second_factor(client, new_hr):
    RecoveryCodes.activate(new_hr)
    client.force_login(new_hr)
    assert client.get("/people/").url == MFA_PAGE


def test_the_user_menu_links_to_two_factor_authentication(client, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'data-testid="nav-mfa"' in html and 'href="/accounts/2fa/"' in html


def test_the_password_page_links_to_two_factor_authentication(client, alice):
    client.force_login(alice)
    html = client.get("/accounts/password/change/").content.decode()
    assert 'data-testid="mfa-link"' in html and "signs you out everywhere else" in html


def test_the_sign_in_page_offers_a_passkey(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "Sign in with a passkey" in html


def test_the_demo_hr_admin_has_the_documented_secret_and_the_command_prints_its_code(db):
    from io import StringIO

    from django.core.management import call_command

    from people.demo import DEMO_HR_EMAIL, DEMO_TOTP_SECRET, demo_totp_enrol
    from people.tests.mfa import totp_secret

    user = UserFactory(email=DEMO_HR_EMAIL, is_hr_admin=True)  # enrolled with the tests' secret
    demo_totp_enrol(user)
    demo_totp_enrol(user)  # again: the same one row
    assert totp_secret(user) == DEMO_TOTP_SECRET
    assert Authenticator.objects.filter(user=user).count() == 1
    out = StringIO()
    call_command("demo_mfa_code", stdout=out)
    printed = out.getvalue()
    assert any(totp_code(DEMO_TOTP_SECRET, offset_periods=n) in printed for n in (-1, 0))
    assert f"secret={DEMO_TOTP_SECRET}" in printed
