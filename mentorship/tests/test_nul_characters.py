"""A NUL character anywhere in a request is a 400, never a 500, and changes nothing.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"),
so before ``RefuseUnstorableTextMiddleware`` a ``%00`` in a search box, a filter, a sort
parameter, a form field or a URL was a 500 there (SQLite stored it). CI runs this module on
PostgreSQL; it runs on SQLite too.
"""

import logging
from urllib.parse import quote, urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mentorship.tests import url_walk
from people.models import ImportJob, Person

NUL = "\x00"

# Every query parameter a page of the app reads, by page: searches, filters, sorts, pages.
FILTER_PAGES = [
    ("people:directory", {}, ["q", "department", "location", "status", "page"], "hr_admin"),
    ("programs:program_list", {}, ["status", "page"], "hr_admin"),
    (
        "programs:participant_list",
        {"slug": "engineering-leadership-circle"},
        ["search", "role", "status", "page"],
        "hr_admin",
    ),
    ("programs:participant_invite", {"slug": "women-in-tech-mentoring-2027"}, ["q"], "hr_admin"),
    ("programs:enrollment_profile", "mentee-enrollment", ["role"], "mentee"),
    ("matching:index", {}, ["page"], "hr_admin"),
    ("matching:pairing_list", {"slug": "engineering-leadership-circle"}, ["status", "page"], "hr_admin"),
    ("matching:run_detail", "latest-run", ["sort", "page"], "hr_admin"),
    ("mentoring_sessions:oversight", {}, ["program", "quiet", "page"], "hr_admin"),
    ("notification_list", {}, ["page"], "hr_admin"),
    ("evaluation:program", {"slug": "engineering-leadership-circle"}, ["months"], "hr_admin"),
    ("evaluation:health", {"slug": "engineering-leadership-circle"}, ["status", "page"], "hr_admin"),
    (
        "evaluation:program_export",
        {"slug": "engineering-leadership-circle", "table": "at-risk"},
        ["status", "months"],
        "hr_admin",
    ),
    ("admin:people_person_changelist", {}, ["q", "o", "p"], "superuser"),
]


@pytest.fixture
def quiet_logs():
    logging.disable(logging.CRITICAL)  # each 400 logs a warning
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture
def hr(world):
    return signed_in(world, "hr_admin")


def signed_in(world, role) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def table_counts() -> dict:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _kwargs(world, spec):
    if spec == "mentee-enrollment":
        return world.kwargs["programs:enrollment_detail"][0]
    if spec == "latest-run":
        return world.kwargs["matching:run_detail"][-1]
    return spec


def test_a_search_with_a_nul_character_is_a_400_with_a_page_that_says_why(hr, db, quiet_logs):
    response = hr.get("/people/?q=ann%00")

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert "invisible control character" in response.content.decode()


@pytest.mark.parametrize(("name", "kwargs", "parameters", "role"), FILTER_PAGES, ids=[page[0] for page in FILTER_PAGES])
def test_nul_in_each_filter_search_sort_and_page_parameter_is_a_400(
    world, db, quiet_logs, name, kwargs, parameters, role
):
    client = signed_in(world, role)
    path = reverse(name, kwargs=_kwargs(world, kwargs))
    assert client.get(path).status_code == 200
    for parameter in parameters:
        for value in (NUL, f"a{NUL}", f"{NUL}b"):
            assert client.get(f"{path}?{urlencode({parameter: value})}").status_code == 400, (path, parameter)
        assert client.get(f"{path}?{urlencode({f'{parameter}{NUL}': 'x'})}").status_code == 400, (path, parameter)


def test_nul_in_the_query_string_path_and_posted_form_of_every_url_is_a_400_and_writes_nothing(
    world, routes, db, quiet_logs
):
    clients = {role: Client() for role in ("anonymous", "hr_admin", "mentee")}
    for role, client in clients.items():
        if world.users[role] is not None:
            client.force_login(world.users[role])
    before = table_counts()
    answers = {}
    for route in routes:
        for kwargs in url_walk.route_kwargs(route, world):
            path = url_walk.route_path(route, kwargs)
            query = urlencode(dict.fromkeys(url_walk.KNOWN_QUERY_PARAMETERS, NUL))
            for role, client in clients.items():
                answers[("GET ?", role, path)] = client.get(f"{path}?{query}").status_code
                fields = dict.fromkeys(url_walk.GENERIC_POST_FIELDS, f"x{NUL}")
                answers[("POST", role, path)] = client.post(path, fields).status_code
            for _argument, _value, forged in url_walk.forged_paths(route, kwargs):
                if quote(NUL) in forged:
                    answers[("GET path", "hr_admin", forged)] = clients["hr_admin"].get(forged).status_code

    assert {key: status for key, status in answers.items() if status != 400} == {}
    assert len(answers) > 800
    assert table_counts() == before


def test_nul_in_every_form_the_pages_show_is_a_400_and_writes_nothing(world, routes, db, quiet_logs):
    """The real forms, with their real field names: one field at a time holds a NUL."""
    client = Client()
    forms = {}
    for role in ("hr_admin", "mentee"):  # the mentor's forms are the pairing's, as the mentee's
        client.force_login(world.users[role])
        for route in routes:
            if route.is_admin:
                continue
            for kwargs in url_walk.route_kwargs(route, world):
                path = url_walk.route_path(route, kwargs)
                response = client.get(path)
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    for action, names in url_walk.post_forms(path, response.content.decode()):
                        forms.setdefault((role, action), names)
    before = table_counts()

    refused = []
    for (role, action), names in forms.items():
        client.force_login(world.users[role])
        for name in names:
            data = dict.fromkeys(names, "1")
            data[name] = f"text{NUL}"
            refused.append(client.post(action, data).status_code)

    assert len(refused) > 100 and set(refused) == {400}
    assert table_counts() == before


def test_nul_in_a_cookie_or_a_multipart_field_is_a_400(hr, db, quiet_logs):
    jobs = ImportJob.objects.count()
    upload = SimpleUploadedFile("export.csv", b"email\n", "text/csv")
    assert hr.post(reverse("people:import_upload"), {"file": upload, "note": NUL}).status_code == 400
    assert ImportJob.objects.count() == jobs

    hr.cookies["sessionid"] = f"abc{NUL}def"
    assert hr.get("/").status_code == 400


def test_a_csv_upload_holding_nul_bytes_is_a_form_error_not_a_400(hr, db):
    """The middleware reads form fields and file names; a file's content is the import's to
    judge, and it says which line is wrong."""
    content = b"email,first_name\nann@example.com,A\x00nn\n"
    people, jobs = Person.objects.count(), ImportJob.objects.count()

    response = hr.post(reverse("people:import_upload"), {"file": SimpleUploadedFile("export.csv", content, "text/csv")})

    assert response.status_code == 200
    assert "line 2 contains a NUL character" in response.context["form"].errors["file"][0]
    assert ImportJob.objects.count() == jobs and Person.objects.count() == people
