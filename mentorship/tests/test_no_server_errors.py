"""No 500 on any input: every URL pattern of the app (allauth's and the admin's included),
as every role, with real and junk path values, junk query values, and junk posted to
every URL and to every form its pages show. Runs on SQLite and on PostgreSQL.

What each role's walk requests (see ``url_walk`` for the values):

1. every URL with real values, and each page that answers with junk in every known
   query parameter;
2. each path argument replaced by each junk value: GET where the real page answered,
   POST where the URL only takes POST. A URL that refuses the role (403, or the sign-in
   page) refuses it before reading any argument, so it is not walked with junk. Paths
   the URL resolver itself refuses (``-1`` for an ``<int:pk>``) all get the same 404
   without reaching a view: one of each junk value is requested per role;
3. junk posted to every URL the role may use and to each form its pages show.

The admin is walked by a signed-out visitor, the (non-staff) HR admin and the superuser;
its object pages share one lookup, so only its change pages get junk paths. The
superuser's app pages are the HR admin's: walked with real values and their forms only.
"""

import logging

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from mentorship.tests import url_walk


def test_every_url_pattern_has_real_values_for_the_walk(world, routes, db):
    missing = [route.name for route in routes if not url_walk.route_kwargs(route, world)]
    assert missing == [], "add these URL names to url_walk.build_world()'s kwargs"
    assert len(routes) > 250  # the app's, allauth's and the admin's


class Walk:
    def __init__(self, role, user):
        self.role = role
        self.client = Client(raise_request_exception=True)
        if user is not None:
            self.client.force_login(user)
        self.failures = []
        self.requests = 0

    def request(self, method, path, data=None):
        self.requests += 1
        try:
            response = getattr(self.client, method)(path, data or {})
        except Exception as exc:  # noqa: BLE001 - every crash is collected and reported together
            self.failures.append(f"{method.upper()} {path[:160]} -> {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500 and not _health_check_says_down(path, response):
            self.failures.append(f"{method.upper()} {path[:160]} -> {response.status_code}")
        return response


def _health_check_says_down(path, response) -> bool:
    # /healthz answers 503 by design while a dependency is down (no worker runs in tests).
    return path.startswith("/healthz") and response.status_code == 503


def _last_if_logout(item):
    return "logout" in item[0]


@pytest.fixture
def quiet_logs():
    # Thousands of 400s and 404s would each log a warning.
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


# The admin's staff check comes first in every admin view: a signed-out visitor and the
# HR admin (not staff) stand for everyone who is not staff; the superuser goes deep.
ADMIN_ROLES = ("anonymous", "hr_admin", "superuser")


def _reads_query(route) -> bool:
    # Of the admin's pages, the lists (search, filters, sort, page) and forms read the query.
    return not route.is_admin or route.name.endswith(("_changelist", "_change", "_add"))


def _with_junk(role, route) -> bool:
    # The superuser's app pages are the HR admin's (walked with junk there); what differs
    # is having no directory entry, whatever the arguments: they get real values and the
    # forms they show. Its admin pages get junk.
    return role != "superuser" or route.is_admin


@pytest.mark.parametrize("role", url_walk.ROLES)
def test_no_url_answers_5xx_to_any_role(role, world, routes, db, quiet_logs):
    walk = Walk(role, world.users[role])
    shift = url_walk.ROLES.index(role)
    pages = [
        (route, kwargs, url_walk.route_path(route, kwargs))
        for route in routes
        if role in ADMIN_ROLES or not route.is_admin
        for kwargs in url_walk.route_kwargs(route, world)
    ]

    # 1. Every page with real values, then with junk in every query parameter.
    usable, forms = [], {}
    for index, (route, kwargs, path) in enumerate(pages):
        response = walk.request("get", path)
        if response is None:
            continue
        if not _refused(response):
            usable.append((route, kwargs, path, response.status_code))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for action, names in url_walk.post_forms(path, response.content.decode()):
                forms.setdefault((_route_of(action), names), []).append(action)
        if response.status_code == 200 and _with_junk(role, route) and _reads_query(route):
            walk.request("get", f"{path}?{url_walk.junk_query(index + shift)}")

    # 2. Junk in every path argument.
    refused_by_resolver = set()
    for route, kwargs, _, status in usable:
        method = "post" if status == 405 else "get" if status < 400 else None
        if method is None or not _with_junk(role, route):
            continue
        if route.is_admin and not route.name.endswith("_change"):
            continue
        for _argument, value, path in url_walk.forged_paths(route, kwargs):
            try:
                resolve(path)
            except Resolver404:
                if value in refused_by_resolver:
                    continue
                refused_by_resolver.add(value)
            walk.request(method, path, url_walk.junk_post(url_walk.GENERIC_POST_FIELDS, shift))

    # 3. Junk posted to every URL the role may use, and to each kind of form its pages show
    # (a page with one form per row, like a match run's proposals, gets two of them posted).
    posts = [(path, url_walk.GENERIC_POST_FIELDS) for route, _, path, _ in usable if _with_junk(role, route)]
    posts += [(action, names) for (_, names), actions in forms.items() for action in actions[:2]]
    posts = [(path, names) for path, names in posts if not _admin_delete(path)]
    posts.sort(key=_last_if_logout)
    for index, (path, names) in enumerate(posts):
        walk.request("post", path, url_walk.junk_post(names, index + shift))

    assert not walk.failures, "\n".join(walk.failures)


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _refused(response) -> bool:
    """The role may not use this URL at all: the answer comes before any argument is used."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATHS)


def _route_of(path) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _admin_delete(path) -> bool:
    # Any non-empty POST to the admin's delete page confirms the deletion (Django's design):
    # posting there would delete the objects the rest of the walk reads.
    match = resolve(path.split("?")[0])
    return match.namespace == "admin" and match.url_name.endswith("_delete")
