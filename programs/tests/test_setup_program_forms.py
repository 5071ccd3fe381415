"""HR creates and edits programs on the program form."""

import pytest
from django.urls import reverse

from people.tests.factories import PersonFactory, UserFactory
from programs.models import Program
from programs.services.setup import program_create
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("programs:program_create")


def program_data(**overrides):
    data = {
        "name": "Leadership Circle",
        "description": "Grow the next generation of leaders.",
        "objectives": ["leadership", "career"],
        "custom_objective": "",
        "mentor_expectations": "Meet every two weeks.",
        "mentee_expectations": "Come prepared.",
        "start_date": "2030-02-01",
        "end_date": "2030-08-01",
        "cadence_days": "14",
        "default_mentor_capacity": "2",
        "matching_mode": "hybrid",
        "allow_mentors": "on",
        "allow_mentees": "on",
        "max_mentees": "30",
        "max_mentors": "",
        "open_signup": "on",
        "owner_emails": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_hr_creates_a_draft_program(hr_client, owner):
    response = hr_client.post(CREATE_URL, program_data(owners=[owner.pk]))
    program = Program.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:program_detail", kwargs={"slug": "leadership-circle"})
    assert program.status == Program.Status.DRAFT
    assert program.slug == "leadership-circle"
    assert program.objectives == ["leadership", "career"]
    assert program.matching_mode == Program.MatchingMode.HYBRID
    assert (program.max_mentees, program.max_mentors, program.open_signup) == (30, None, True)
    assert list(program.owners.all()) == [owner]
    page = hr_client.get(response["Location"]).content.decode()
    assert "“Leadership Circle” was created as a draft." in page


def test_owner_can_be_added_by_the_email_of_their_directory_entry(hr_client):
    user = UserFactory(email="jane.login@example.com", first_name="Jane", last_name="Doe")
    PersonFactory(email="jane.doe@example.com", user=user)
    hr_client.post(CREATE_URL, program_data(owner_emails="JANE.DOE@example.com"))
    assert list(Program.objects.get().owners.all()) == [user]


def test_same_name_gets_a_distinct_slug_and_page_names_are_never_slugs(hr_admin):
    dates = {"start_date": "2030-01-01", "end_date": "2030-06-01"}
    first = program_create(user=hr_admin, name="Leadership Circle", **dates)
    second = program_create(user=hr_admin, name="Leadership Circle", **dates)
    new = program_create(user=hr_admin, name="New", **dates)
    nameless = program_create(user=hr_admin, name="§§§", **dates)
    assert (first.slug, second.slug) == ("leadership-circle", "leadership-circle-2")
    assert new.slug == "new-program"
    assert nameless.slug == "program"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "This field is required."),
        ({"end_date": "2030-01-01"}, "end_date", "The end date must be after the start date."),
        ({"end_date": "2030-02-01"}, "end_date", "The end date must be after the start date."),
        ({"start_date": "next week"}, "start_date", "Enter a valid date."),
        ({"default_mentor_capacity": "0"}, "default_mentor_capacity", "greater than or equal to 1"),
        ({"cadence_days": "-3"}, "cadence_days", "greater than or equal to 1"),
        ({"max_mentees": "0"}, "max_mentees", "greater than or equal to 1"),
        ({"objectives": ["custom"]}, "custom_objective", "Name the custom objective"),
        ({"objectives": ["astrology"]}, "objectives", "Select a valid choice"),
        ({"matching_mode": "lottery"}, "matching_mode", "Select a valid choice"),
        ({"owner_emails": "nobody@example.com"}, "owner_emails", "No one with an account has the email"),
    ],
)
def test_bad_input_shows_an_error_and_saves_nothing(hr_client, overrides, field, message):
    response = hr_client.post(CREATE_URL, program_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert message.split("“")[0] in response.content.decode()
    assert not Program.objects.exists()


def test_owner_without_an_account_is_explained(hr_client):
    PersonFactory(email="new.hire@example.com")
    response = hr_client.post(CREATE_URL, program_data(owner_emails="new.hire@example.com"))
    assert "new.hire@example.com is in the directory but hasn&#x27;t signed in yet" in response.content.decode()
    assert not Program.objects.exists()


def test_custom_objective_label_is_kept_only_with_the_custom_objective(hr_client):
    hr_client.post(CREATE_URL, program_data(objectives=["custom"], custom_objective="Sales excellence"))
    program = Program.objects.get()
    assert program.objective_labels == ["Sales excellence"]
    hr_client.post(
        reverse("programs:program_edit", kwargs={"slug": program.slug}),
        program_data(objectives=["technical"], custom_objective="Sales excellence"),
    )
    program.refresh_from_db()
    assert (program.objectives, program.custom_objective) == (["technical"], "")


def test_edit_saves_settings_and_keeps_the_slug(hr_client, owner, bob):
    program = ProgramFactory(name="Leadership Circle", slug="leadership-circle")
    program.owners.add(owner)
    url = reverse("programs:program_edit", kwargs={"slug": program.slug})
    page = hr_client.get(url).content.decode()
    assert 'value="Leadership Circle"' in page and 'value="2027-01-10"' in page
    response = hr_client.post(url, program_data(name="Leadership Circle 2030", owners=[bob.pk], cadence_days="7"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.slug, program.cadence_days) == ("Leadership Circle 2030", "leadership-circle", 7)
    assert list(program.owners.all()) == [bob]


def test_refused_edit_changes_nothing_and_keeps_the_saved_name_in_the_title(hr_client):
    program = ProgramFactory(name="Leadership Circle", slug="leadership-circle")
    url = reverse("programs:program_edit", kwargs={"slug": program.slug})
    response = hr_client.post(url, program_data(name="Renamed", end_date="2029-01-01"))
    assert response.status_code == 200
    assert "<title>Edit Leadership Circle" in response.content.decode()
    program.refresh_from_db()
    assert program.name == "Leadership Circle"


def test_owner_choices_show_directory_details(hr_client):
    user = UserFactory(email="maria@example.com", first_name="Maria", last_name="Lopez")
    PersonFactory(email=user.email, user=user, title="Head of Sales")
    page = hr_client.get(CREATE_URL).content.decode()
    assert "Maria Lopez · Head of Sales, Engineering (maria@example.com)" in page


def test_program_owner_cannot_edit_or_create(client, owner):
    program = ProgramFactory()
    program.owners.add(owner)
    client.force_login(owner)
    assert client.post(CREATE_URL, program_data()).status_code == 403
    assert (
        client.post(reverse("programs:program_edit", kwargs={"slug": program.slug}), program_data()).status_code == 403
    )
    assert Program.objects.count() == 1
