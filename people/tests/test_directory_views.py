"""The HR directory: list with search, filters and pages; a person's page with their chain."""

from datetime import date

import pytest
from django.urls import reverse

from people.models import Person
from people.tests.factories import (
    DepartmentFactory,
    LocationFactory,
    PersonFactory,
    SelfIdentificationFactory,
)
from programs.models import Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory

DIRECTORY = reverse("people:directory")


def rows(response):
    return response.content.decode().count('data-testid="directory-row"')


@pytest.fixture
def org(db):
    sales, legal = DepartmentFactory(name="Sales"), DepartmentFactory(name="Legal")
    paris, lima = LocationFactory(name="Paris"), LocationFactory(name="Lima")
    ceo = PersonFactory(email="ceo@example.com", first_name="Carmen", last_name="Ortiz", title="CEO", department=legal)
    vp = PersonFactory(email="vp@example.com", first_name="Victor", last_name="Perez", manager=ceo, department=sales)
    rep = PersonFactory(
        email="rep@example.com", first_name="Rita", last_name="Quinn", manager=vp, department=sales, location=paris
    )
    PersonFactory(email="lima@example.com", first_name="Luis", last_name="Soto", manager=vp, location=lima)
    PersonFactory(email="gone@example.com", first_name="Gina", last_name="Old", termination_date=date(2024, 1, 31))
    return {"ceo": ceo, "vp": vp, "rep": rep, "sales": sales, "paris": paris}


def test_directory_lists_current_employees_with_their_details(hr_client, org):
    response = hr_client.get(DIRECTORY)
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(response) == 5  # four in the org and the HR admin; the leaver is not shown
    assert "Rita Quinn" in html and "rep@example.com" in html
    assert "Gina Old" not in html
    # The manager links to their page.
    assert reverse("people:person_detail", args=[org["vp"].pk]) in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rita", ["Rita Quinn"]),
        ("QUINN", ["Rita Quinn"]),
        ("rep@example", ["Rita Quinn"]),
        ("victor perez", ["Victor Perez"]),
        ("victor quinn", []),
    ],
)
def test_search_by_name_or_email(hr_client, org, query, expected):
    response = hr_client.get(DIRECTORY, {"q": query})
    html = response.content.decode()
    assert rows(response) == len(expected)
    for name in expected:
        assert name in html
    if not expected:
        assert 'data-testid="directory-empty"' in html
        assert "Nobody matches these filters." in html


def test_filter_by_department_and_location(hr_client, org):
    response = hr_client.get(DIRECTORY, {"department": org["sales"].pk})
    assert rows(response) == 2
    response = hr_client.get(DIRECTORY, {"department": org["sales"].pk, "location": org["paris"].pk})
    assert rows(response) == 1
    assert "Rita Quinn" in response.content.decode()


def test_leavers_can_be_listed(hr_client, org):
    response = hr_client.get(DIRECTORY, {"status": "leavers"})
    assert rows(response) == 1
    assert "Gina Old" in response.content.decode()
    assert rows(hr_client.get(DIRECTORY, {"status": "all"})) == 6


@pytest.mark.parametrize(
    "params",
    [
        {"department": "abc"},
        {"department": "99999"},
        {"location": "1 OR 1=1"},
        {"status": "everything"},
        {"q": "x" * 500},
        {"page": "zzz"},
        {"page": "-4"},
        {"page": "99999"},
    ],
)
def test_bad_url_parameters_never_break_the_page(hr_client, org, params):
    response = hr_client.get(DIRECTORY, params)
    assert response.status_code == 200
    assert rows(response) >= 1


def test_unknown_department_is_explained(hr_client, org):
    response = hr_client.get(DIRECTORY, {"department": "99999"})
    assert "Select a valid choice" in response.content.decode()
    assert rows(response) == 5  # the invalid filter is ignored


def test_pagination_keeps_the_filters(hr_client, db):
    sales = DepartmentFactory(name="Sales")
    for number in range(55):
        PersonFactory(email=f"s{number:02}@example.com", last_name=f"Seller{number:02}", department=sales)
    response = hr_client.get(DIRECTORY, {"department": sales.pk})
    html = response.content.decode()
    assert rows(response) == 50
    assert "Page 1 of 2" in html
    assert f"?department={sales.pk}&amp;page=2" in html
    assert rows(hr_client.get(DIRECTORY, {"department": sales.pk, "page": 2})) == 5


def test_empty_directory_says_what_to_do(hr_client):
    Person.objects.all().delete()
    html = hr_client.get(DIRECTORY).content.decode()
    assert "The directory is empty" in html
    assert reverse("people:import_upload") in html


@pytest.mark.parametrize("size", [3, 30])
def test_directory_query_count_does_not_grow_with_people(hr_client, size, django_assert_num_queries):
    boss = PersonFactory(email="boss@example.com", department=DepartmentFactory(name="Ops"))
    for number in range(size):
        person = PersonFactory(
            email=f"p{number}@example.com",
            manager=boss,
            department=DepartmentFactory(name=f"Dept {number % 4}"),
            location=LocationFactory(name=f"Site {number % 3}"),
        )
        SelfIdentificationFactory(person=person, gender="woman")
    hr_client.get(DIRECTORY)  # warm the session
    with django_assert_num_queries(11):
        response = hr_client.get(DIRECTORY, {"q": "example"})
    assert rows(response) == size + 2  # with the boss and the HR admin


def test_person_page_shows_profile_chain_and_reports(hr_client, org):
    response = hr_client.get(reverse("people:person_detail", args=[org["vp"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="person-name">Victor Perez<' in html
    chain = html.split('data-testid="management-chain"')[1].split('data-testid="direct-reports"')[0]
    assert "Carmen Ortiz" in chain
    reports = html.split('data-testid="direct-reports"')[1]
    assert "Rita Quinn" in reports and "Luis Soto" in reports

    rep_html = hr_client.get(reverse("people:person_detail", args=[org["rep"].pk])).content.decode()
    chain = rep_html.split('data-testid="management-chain"')[1].split('data-testid="direct-reports"')[0]
    assert chain.index("Victor Perez") < chain.index("Carmen Ortiz")
    assert "Nobody reports to Rita." in rep_html


def test_person_page_survives_a_management_cycle(hr_client, org):
    # A bad HR export: the CEO reports to someone who (indirectly) reports to her.
    Person.objects.filter(pk=org["ceo"].pk).update(manager=org["rep"])
    response = hr_client.get(reverse("people:person_detail", args=[org["rep"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    chain = html.split('data-testid="management-chain"')[1].split('data-testid="direct-reports"')[0]
    # The chain goes up once around the loop and stops: each manager shown once, in order.
    assert chain.count("Victor Perez") == 1 and chain.count("Carmen Ortiz") == 1
    assert chain.index("Victor Perez") < chain.index("Carmen Ortiz")
    assert 'data-testid="person-name">Rita Quinn<' in html
    # The loop closes through Rita: Carmen now shows as reporting to her.
    assert "Carmen Ortiz" in html.split('data-testid="direct-reports"')[1]
    # Showing the page repairs nothing: the bad export stays as it was stored.
    assert Person.objects.get(pk=org["ceo"].pk).manager_id == org["rep"].pk


def test_person_page_never_shows_self_identification(hr_client, org):
    SelfIdentificationFactory(
        person=org["rep"], gender="non_binary", ethnicity="Zanzibari-Quechua", lgbtq="yes", disability="yes"
    )
    for url in (reverse("people:person_detail", args=[org["rep"].pk]), DIRECTORY):
        html = hr_client.get(url).content.decode()
        assert "Zanzibari-Quechua" not in html
        assert "Non-binary" not in html
        assert "LGBTQ" not in html


def test_unknown_person_is_404(hr_client):
    assert hr_client.get(reverse("people:person_detail", args=[999999])).status_code == 404


@pytest.fixture
def mentor_mentee_owner(owner, alice, bob):
    program = ProgramFactory()
    program.owners.add(owner)
    EnrollmentFactory(program=program, person=alice.person, role=Role.MENTEE)
    EnrollmentFactory(program=program, person=bob.person, role=Role.MENTOR)
    return [owner, alice, bob]


def test_non_hr_people_get_403_on_directory_pages(client, mentor_mentee_owner):
    urls = [
        DIRECTORY,
        reverse("people:person_detail", args=[mentor_mentee_owner[1].person.pk]),
        reverse("people:self_identification_overview"),
    ]
    for user in mentor_mentee_owner:
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)


def test_navigation_shows_people_and_import_to_hr_only(client, hr_client, alice):
    html = hr_client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-people"' in html
    # Import is one click from the directory.
    assert 'data-testid="import-link"' in hr_client.get(reverse("people:directory")).content.decode()
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-people"' not in html


@pytest.mark.parametrize("reports", [2, 12])
def test_person_page_query_count_does_not_grow_with_reports(hr_client, reports, django_assert_num_queries):
    ceo = PersonFactory(email="ceo@example.com")
    manager = PersonFactory(email="manager@example.com", manager=ceo)
    for number in range(reports):
        PersonFactory(email=f"r{number}@example.com", manager=manager, location=LocationFactory(name=f"L{number}"))
    url = reverse("people:person_detail", args=[manager.pk])
    hr_client.get(url)
    with django_assert_num_queries(12):
        response = hr_client.get(url)
    assert response.content.decode().split('data-testid="direct-reports"')[1].count("<li") == reports
