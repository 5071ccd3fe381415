"""HR admins make someone an HR admin, or remove the role, from the person's page; the
last HR admin keeps the role; giving up your own role needs a ticked box. The Django
admin is for superusers: HR admins are not sent there, and its own form keeps the rule."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Notification
from people import roles
from people.models import User
from people.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    """An employee with an account, no role."""
    user = UserFactory(email="carla@example.com", first_name="Carla", last_name="Cruz")
    return PersonFactory(email=user.email, first_name="Carla", last_name="Cruz", user=user)


@pytest.fixture
def second_admin(db):
    user = UserFactory(email="hr.two@example.com", first_name="Hanna", last_name="Holm", is_hr_admin=True)
    return PersonFactory(email=user.email, first_name="Hanna", last_name="Holm", user=user)


def _grant_url(person):
    return f"/people/{person.pk}/hr-admin/grant/"


def _revoke_url(person):
    return f"/people/{person.pk}/hr-admin/revoke/"


def _notified(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


# --- Granting -------------------------------------------------------------------------


def test_person_page_offers_make_hr_admin(hr_client, colleague):
    html = hr_client.get(f"/people/{colleague.pk}/").content.decode()
    assert 'data-testid="grant-hr-admin"' in html and _grant_url(colleague) in html


def test_grant_asks_for_confirmation_first(hr_client, colleague):
    response = hr_client.get(_grant_url(colleague))
    assert response.status_code == 200
    assert "Make Carla Cruz an HR admin?" in response.content.decode()
    assert not User.objects.get(pk=colleague.user_id).is_hr_admin


def test_confirmed_grant_makes_an_hr_admin_who_is_told(hr_client, colleague):
    response = hr_client.post(_grant_url(colleague), follow=True)
    assert response.redirect_chain == [(f"/people/{colleague.pk}/", 302)]
    assert "Carla Cruz is now an HR admin" in response.content.decode()
    user = User.objects.get(pk=colleague.user_id)
    assert user.is_hr_admin and not user.is_staff
    assert _notified(user, "hr_admin_granted") == 1
    # The new HR admin can open HR pages.
    hr_client.force_login(user)
    assert hr_client.get("/people/").status_code == 200


def test_a_double_submitted_grant_grants_and_tells_once(hr_client, colleague):
    hr_client.post(_grant_url(colleague))
    response = hr_client.post(_grant_url(colleague))
    assert "already an HR admin" in response.content.decode()
    assert _notified(User.objects.get(pk=colleague.user_id), "hr_admin_granted") == 1


def test_someone_without_an_account_cannot_be_made_hr_admin(hr_client):
    person = PersonFactory(email="noaccount@example.com", first_name="Nora")
    response = hr_client.post(_grant_url(person))
    assert response.status_code == 200
    assert "has no account yet" in response.content.decode()
    assert not User.objects.filter(is_hr_admin=True).exclude(email="hr.admin@example.com").exists()
    assert "can be made an HR admin after signing up" in hr_client.get(f"/people/{person.pk}/").content.decode()


def test_a_leaver_cannot_be_made_hr_admin(hr_client, colleague):
    colleague.termination_date = "2024-06-30"
    colleague.save()
    response = hr_client.post(_grant_url(colleague))
    assert "has left the company" in response.content.decode()
    assert not User.objects.get(pk=colleague.user_id).is_hr_admin


# --- Revoking -------------------------------------------------------------------------


def test_revoking_another_hr_admin_after_confirmation(hr_client, second_admin):
    page = hr_client.get(f"/people/{second_admin.pk}/").content.decode()
    assert 'data-testid="is-hr-admin"' in page and _revoke_url(second_admin) in page
    assert "Remove Hanna Holm's HR admin role?" in hr_client.get(_revoke_url(second_admin)).content.decode()
    response = hr_client.post(_revoke_url(second_admin), follow=True)
    assert response.redirect_chain == [(f"/people/{second_admin.pk}/", 302)]
    user = User.objects.get(pk=second_admin.user_id)
    assert not user.is_hr_admin
    assert _notified(user, "hr_admin_revoked") == 1
    hr_client.force_login(user)
    assert hr_client.get("/people/").status_code == 403


def test_the_last_hr_admin_cannot_give_up_the_role(hr_client, hr_admin):
    me = hr_admin.person
    assert "the only HR admin" in hr_client.get(f"/people/{me.pk}/").content.decode()
    response = hr_client.post(_revoke_url(me), {"understand": "on"})
    assert response.status_code == 200
    assert "the only HR admin. Make someone else an HR admin first." in response.content.decode()
    assert User.objects.get(pk=hr_admin.pk).is_hr_admin


def test_giving_up_your_own_role_needs_the_box_ticked(hr_client, hr_admin, second_admin):
    me = hr_admin.person
    page = hr_client.get(_revoke_url(me)).content.decode()
    assert "Give up your HR admin role?" in page and 'name="understand"' in page
    response = hr_client.post(_revoke_url(me))
    assert response.status_code == 200
    assert "Tick the box to give up your own HR admin role." in response.content.decode()
    assert User.objects.get(pk=hr_admin.pk).is_hr_admin

    response = hr_client.post(_revoke_url(me), {"understand": "on"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "You are no longer an HR admin." in response.content.decode()
    assert not User.objects.get(pk=hr_admin.pk).is_hr_admin
    assert hr_client.get("/people/").status_code == 403


def test_revoke_of_someone_who_is_not_hr_admin_changes_nothing(hr_client, colleague):
    response = hr_client.post(_revoke_url(colleague))
    assert response.status_code == 200
    assert "is not an HR admin" in response.content.decode()
    assert _notified(User.objects.get(pk=colleague.user_id), "hr_admin_revoked") == 0


def test_two_admins_revoking_each_other_leave_one(hr_admin, second_admin):
    # The second request is checked against the state the first one left.
    roles.hr_admin_revoke(user=second_admin.user, by=hr_admin)
    with pytest.raises(roles.HrAdminRoleError, match="no longer an HR admin"):
        roles.hr_admin_revoke(user=hr_admin, by=User.objects.get(pk=second_admin.user_id))
    assert list(roles.hr_admins()) == [hr_admin]


def test_an_inactive_account_does_not_count_as_another_hr_admin(hr_admin):
    UserFactory(email="gone.hr@example.com", is_hr_admin=True, is_active=False)
    assert roles.check_hr_admin_revoke(user=hr_admin, by=hr_admin).endswith("Make someone else an HR admin first.")


# --- Who may --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/people/hr-admins/", "grant", "revoke"])
def test_employees_who_are_not_hr_admins_are_refused(client, alice, second_admin, path):
    client.force_login(alice)
    url = {"grant": _grant_url(alice.person), "revoke": _revoke_url(second_admin)}.get(path, path)
    assert client.get(url).status_code == 403
    assert client.post(url, {"understand": "on"}).status_code == 403
    assert User.objects.get(pk=second_admin.user_id).is_hr_admin
    assert not User.objects.get(pk=alice.pk).is_hr_admin


def test_an_unknown_person_is_a_404(hr_client):
    assert hr_client.get("/people/999999/hr-admin/grant/").status_code == 404
    assert hr_client.post("/people/999999/hr-admin/revoke/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, colleague):
    response = client.post(_grant_url(colleague))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- The list -------------------------------------------------------------------------


def test_list_shows_every_active_hr_admin(hr_client, hr_admin, second_admin):
    UserFactory(email="gone.hr@example.com", is_hr_admin=True, is_active=False)
    root = User.objects.create_superuser(email="root@example.org", password="x-Very-long-pass-1")
    html = hr_client.get("/people/hr-admins/").content.decode()
    assert html.count('data-testid="hr-admin-row"') == 3
    assert "Hanna Holm" in html and "hr.admin@example.com" in html and root.email in html
    assert "gone.hr@example.com" not in html
    assert "No directory entry" in html  # the superuser has none
    assert 'data-testid="hr-admins-link"' in hr_client.get("/people/").content.decode()


def test_list_query_count_does_not_grow_with_admins(hr_client):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert hr_client.get("/people/hr-admins/").status_code == 200
        return len(context)

    for n in range(2):
        UserFactory(email=f"few{n}@example.com", is_hr_admin=True)
    few = queries()
    for n in range(20):
        user = UserFactory(email=f"many{n}@example.com", is_hr_admin=True)
        PersonFactory(email=user.email, user=user)
    assert queries() == few


# --- The Django admin -----------------------------------------------------------------


def test_hr_admins_are_not_sent_into_the_django_admin(client):
    user = UserFactory(email="hr.staff@example.com", is_hr_admin=True, is_staff=True)
    client.force_login(user)
    assert 'data-testid="nav-django-admin"' not in client.get("/").content.decode()


def test_superusers_find_the_django_admin(client):
    root = User.objects.create_superuser(email="root@example.org", password="x-Very-long-pass-1")
    client.force_login(root)
    assert 'data-testid="nav-django-admin"' in client.get("/").content.decode()
    assert client.get("/admin/people/user/").status_code == 200


def test_the_django_admin_keeps_the_last_hr_admin_too(client, hr_admin):
    root = User.objects.create_superuser(email="root@example.org", password="x-Very-long-pass-1")
    User.objects.filter(pk=root.pk).update(is_hr_admin=False)  # IT, not HR
    client.force_login(root)
    url = f"/admin/people/user/{hr_admin.pk}/change/"
    form = {
        "email": hr_admin.email,
        "first_name": hr_admin.first_name,
        "last_name": hr_admin.last_name,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "the only HR admin" in response.content.decode()
    assert User.objects.get(pk=hr_admin.pk).is_hr_admin
    UserFactory(email="hr.two@example.com", is_hr_admin=True)
    assert client.post(url, form).status_code == 302
    assert not User.objects.get(pk=hr_admin.pk).is_hr_admin
