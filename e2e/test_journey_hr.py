"""Journeys of an HR admin: set up a program and open it; import people from the HR system."""

import pytest

from people.models import Person
from people.tests.factories import PASSWORD
from programs.models import Program

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hr_sets_up_a_program_and_opens_enrollment(page, sign_in, screenshot, hr_admin):
    sign_in(hr_admin.email, PASSWORD)
    page.click('[data-testid="nav-hr"]')
    page.click("text=New program")
    page.fill("input[name=name]", "Sales Mentoring Spring")
    page.check("input[name=objectives][value=career]")
    page.fill("textarea[name=mentor_expectations]", "Meet every two weeks.")
    page.fill("textarea[name=mentee_expectations]", "Bring an agenda.")
    page.fill("input[name=start_date]", "2030-03-01")
    page.fill("input[name=end_date]", "2030-09-01")
    screenshot("hr-program-form")
    with page.expect_navigation():
        page.click('[data-testid="save-program"]')
    assert page.locator("h1", has_text="Sales Mentoring Spring").is_visible()

    page.click('[data-testid="program-tabs"] >> text=Lifecycle')
    with page.expect_navigation():
        page.click('[data-testid="action-enrolling"] button')
    screenshot("hr-program-enrolling")
    assert Program.objects.get(name="Sales Mentoring Spring").status == Program.Status.ENROLLING


def test_hr_program_form_shows_errors_and_saves_nothing(page, sign_in, hr_admin):
    sign_in(hr_admin.email, PASSWORD)
    page.goto("/programs/new/")
    page.fill("input[name=name]", "Backwards")
    page.fill("input[name=start_date]", "2030-09-01")
    page.fill("input[name=end_date]", "2030-03-01")
    with page.expect_navigation():
        page.click('[data-testid="save-program"]')
    assert page.locator(".invalid-feedback, .alert-danger").first.is_visible()
    assert not Program.objects.filter(name="Backwards").exists()


def test_hr_imports_people_from_a_csv_export(page, sign_in, screenshot, hr_admin, tmp_path):
    header = (
        "email,first_name,last_name,title,department,manager_email,location,time_zone,languages,seniority,hire_date"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{header}\nana@example.com,Ana,Silva,Engineer,Eng,boss@nowhere.example,Lisbon,Europe/Lisbon,English,3,2020-01-01\n"
    )
    good = tmp_path / "good.csv"
    good.write_text(
        f"{header}\n"
        "ana@example.com,Ana,Silva,Engineer,Eng,boss@example.com,Lisbon,Europe/Lisbon,English;Portuguese,3,2020-01-01\n"
        "boss@example.com,Bea,Boss,Director,Eng,,Lisbon,Europe/Lisbon,English,8,2015-06-01\n"
    )
    sign_in(hr_admin.email, PASSWORD)
    page.goto("/people/import/")
    page.set_input_files('[data-testid="import-file"]', str(bad))
    with page.expect_navigation():
        page.click('[data-testid="import-upload-submit"]')
    page.wait_for_selector('[data-testid="import-error"]')  # the check runs in the background; the page follows it
    error = page.locator('[data-testid="import-error"]')
    assert error.count() == 1
    assert error.locator("td").first.inner_text().strip() == "2"  # the file's line number
    assert "boss@nowhere.example" in error.inner_text()
    assert not Person.objects.filter(email="ana@example.com").exists()

    page.goto("/people/import/")
    page.set_input_files('[data-testid="import-file"]', str(good))
    with page.expect_navigation():
        page.click('[data-testid="import-upload-submit"]')
    page.wait_for_selector('[data-testid="planned-created"]')
    assert page.locator('[data-testid="planned-created"]').inner_text() == "2"
    page.click('[data-testid="import-commit"]')
    page.wait_for_selector('[data-testid="import-result"]')
    screenshot("hr-import-done")
    assert Person.objects.get(email="ana@example.com").manager.email == "boss@example.com"
