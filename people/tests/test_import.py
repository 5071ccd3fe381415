"""The HR import service: validation with line numbers, and all-or-nothing writes."""

from datetime import date
from pathlib import Path

import pytest

from people import importing
from people.models import Department, Language, Location, Person
from people.tests.factories import IMPORT_HEADER, PersonFactory, UserFactory, import_csv, import_row

SAMPLE = Path(__file__).parent / "data" / "people_sample.csv"
STATIC_SAMPLE = Path(__file__).resolve().parents[2] / "static" / "samples" / "people_import_sample.csv"

pytestmark = pytest.mark.django_db


def run(text):
    plan = importing.people_import_validate(text=text)
    assert plan.errors == []
    return importing.people_import_apply(plan=plan)


def test_sample_file_imports_with_managers_departments_and_languages():
    result = run(SAMPLE.read_text(encoding="utf-8"))

    assert result == importing.ImportResult(created=5, updated=0, unchanged=0)
    maria = Person.objects.get(email="maria.lopez@example.com")
    # Her manager comes later in the file than she does.
    assert maria.manager.email == "dana.okafor@example.com"
    assert maria.manager.manager.email == "sam.lee@example.com"
    assert maria.first_name == "María"
    assert maria.department.name == "Engineering"
    assert maria.location.name == "Berlin"
    assert maria.time_zone == "Europe/Berlin"
    assert maria.seniority == 6
    assert maria.hire_date == date(2019, 3, 4)
    assert maria.promotion_date == date(2023, 1, 1)
    assert sorted(maria.languages.values_list("name", flat=True)) == ["English", "German", "Spanish"]
    assert Person.objects.get(email="tom.becker@example.com").title == "Sales Manager, EMEA"
    assert Department.objects.count() == 3
    assert Location.objects.count() == 4


def test_downloadable_sample_is_a_valid_import():
    plan = importing.people_import_validate(text=STATIC_SAMPLE.read_text(encoding="utf-8"))
    assert plan.errors == []
    assert plan.row_count == 5


def test_reimport_updates_by_email_whatever_the_case_and_counts_unchanged():
    run(import_csv(import_row("ann.lee@example.com"), import_row("bo.chan@example.com", "ann.lee@example.com")))

    result = run(
        import_csv(
            import_row("ANN.Lee@Example.com", title="Director", languages="english;French"),
            import_row("bo.chan@example.com", "ann.lee@example.com"),
            import_row("cy.diaz@example.com", "bo.chan@example.com"),
        )
    )

    assert result == importing.ImportResult(created=1, updated=1, unchanged=1)
    assert Person.objects.count() == 3
    ann = Person.objects.get(email="ann.lee@example.com")
    assert ann.title == "Director"
    # "english" is the existing English, not a second language.
    assert sorted(ann.languages.values_list("name", flat=True)) == ["English", "French"]
    assert Language.objects.filter(name__iexact="english").count() == 1


def test_manager_change_alone_counts_as_an_update():
    run(
        import_csv(
            import_row("a.a@example.com"),
            import_row("b.b@example.com"),
            import_row("c.c@example.com", "a.a@example.com"),
        )
    )
    result = run(
        import_csv(
            import_row("a.a@example.com"),
            import_row("b.b@example.com"),
            import_row("c.c@example.com", "b.b@example.com"),
        )
    )
    assert result == importing.ImportResult(created=0, updated=1, unchanged=2)
    assert Person.objects.get(email="c.c@example.com").manager.email == "b.b@example.com"


def test_manager_may_be_someone_already_in_the_directory():
    PersonFactory(email="boss@example.com")
    run(import_csv(import_row("new.hire@example.com", "BOSS@example.com")))
    assert Person.objects.get(email="new.hire@example.com").manager.email == "boss@example.com"


def test_blank_department_location_and_manager_clear_them():
    run(import_csv(import_row("boss@example.com"), import_row("x.y@example.com", "boss@example.com")))
    run(import_csv(import_row("boss@example.com"), import_row("x.y@example.com", department="", location="")))
    person = Person.objects.get(email="x.y@example.com")
    assert (person.department, person.location, person.manager) == (None, None, None)


def test_optional_date_columns_set_clear_or_keep_dates():
    header = IMPORT_HEADER + ",termination_date,promotion_date"
    run(import_csv(import_row("leaver@example.com") + ",2024-06-30,2022-01-01", header=header))
    person = Person.objects.get(email="leaver@example.com")
    assert (person.termination_date, person.promotion_date) == (date(2024, 6, 30), date(2022, 1, 1))

    # A file without the columns leaves the stored dates alone ...
    assert run(import_csv(import_row("leaver@example.com"))).unchanged == 1
    person.refresh_from_db()
    assert person.termination_date == date(2024, 6, 30)

    # ... a blank value in the column clears them.
    run(import_csv(import_row("leaver@example.com") + ",,", header=header))
    person.refresh_from_db()
    assert (person.termination_date, person.promotion_date) == (None, None)


def test_excel_bom_and_windows_line_endings():
    data = ("\ufeff" + import_csv(import_row("bom@example.com"), newline="\r\n")).encode("utf-8")
    text = importing.people_import_decode(data=data)
    assert run(text).created == 1
    assert Person.objects.filter(email="bom@example.com").exists()


def test_semicolon_separated_export_from_european_excel():
    header = IMPORT_HEADER.replace(",", ";")
    row = 'semi@example.com;Semi;Colon;Analyst;Data;;Paris;Europe/Paris;"French;English";4;2021-02-03'
    run(import_csv(row, header=header))
    person = Person.objects.get(email="semi@example.com")
    assert sorted(person.languages.values_list("name", flat=True)) == ["English", "French"]


def test_header_names_are_matched_loosely_and_extra_columns_ignored():
    header = (
        "Email,First Name,Last-Name,Title,Department,Manager Email,Location,Time Zone,Languages,Seniority,"
        "Hire Date,Cost centre"
    )
    plan = importing.people_import_validate(text=import_csv(import_row("loose@example.com") + ",CC-17", header=header))
    assert plan.errors == []
    assert plan.ignored_columns == ["cost_centre"]


def test_new_person_is_linked_to_an_existing_account_and_names_follow_the_hr_system():
    user = UserFactory(email="signed.up@example.com", first_name="Old", last_name="Name")
    run(import_csv(import_row("signed.up@example.com", first_name="Sig", last_name="Nup")))
    assert Person.objects.get(email="signed.up@example.com").user == user

    run(import_csv(import_row("signed.up@example.com", first_name="Signe", last_name="Nup")))
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Signe", "Nup")


BAD_ROWS = [
    pytest.param(import_row("", first_name="Anon"), "email: an email address is required", id="missing-email"),
    pytest.param(import_row("not-an-email"), "“not-an-email” is not a valid email address", id="malformed-email"),
    pytest.param(
        import_row("x.y@example.com", "ghost@example.com"),
        "ghost@example.com is not in this file or in the directory",
        id="unknown-manager",
    ),
    pytest.param(import_row("x.y@example.com", "X.Y@example.com"), "cannot be their own manager", id="self-manager"),
    pytest.param(
        import_row("x.y@example.com", time_zone="Mars/Olympus"),
        "“Mars/Olympus” is not a known time zone",
        id="time-zone",
    ),
    pytest.param(
        import_row("x.y@example.com", time_zone="europe/berlin"), "did you mean Europe/Berlin?", id="time-zone-case"
    ),
    pytest.param(
        import_row("x.y@example.com", hire_date="15/01/2020"), "hire_date: “15/01/2020” is not a date", id="bad-date"
    ),
    pytest.param(
        import_row("x.y@example.com", seniority="11"),
        "seniority: “11” is not a whole number from 1 to 10",
        id="seniority-high",
    ),
    pytest.param(import_row("x.y@example.com", seniority="0"), "seniority: “0”", id="seniority-zero"),
    pytest.param(import_row("x.y@example.com", seniority="senior"), "seniority: “senior”", id="seniority-text"),
    pytest.param(import_row("x.y@example.com", seniority=""), "seniority: required", id="seniority-blank"),
    pytest.param(import_row("x.y@example.com", last_name=""), "last_name: required", id="missing-name"),
    pytest.param(import_row("x.y@example.com", title="T" * 151), "title: longer than 150 characters", id="too-long"),
    pytest.param(
        import_row("x.y@example.com") + ",surplus", "has 12 values but the header has 11 columns", id="extra-cells"
    ),
]


@pytest.mark.parametrize(("bad_row", "message"), BAD_ROWS)
def test_every_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_written(bad_row, message):
    text = import_csv(import_row("ok.one@example.com"), bad_row, import_row("ok.two@example.com"))

    plan = importing.people_import_validate(text=text)

    assert [line for line, _ in plan.errors] == [3]
    assert message in plan.errors[0][1]
    with pytest.raises(ValueError):
        importing.people_import_apply(plan=plan)
    assert Person.objects.count() == 0


def test_all_problems_of_all_rows_are_listed_in_line_order():
    text = import_csv(
        import_row("good@example.com"),
        "",  # blank lines are skipped but still counted
        import_row("bad@", seniority="x"),
        import_row("also.bad@example.com", hire_date="yesterday"),
    )
    plan = importing.people_import_validate(text=text)
    assert [line for line, _ in plan.errors] == [4, 4, 5]
    assert plan.row_count == 3


def test_duplicate_email_in_file_names_the_first_line():
    plan = importing.people_import_validate(
        text=import_csv(import_row("dup@example.com"), import_row("other@example.com"), import_row("DUP@example.com"))
    )
    assert plan.errors == [(4, "email: dup@example.com appears more than once (first on line 2)")]


def test_manager_cycle_in_the_file_is_reported_on_each_member():
    plan = importing.people_import_validate(
        text=import_csv(
            import_row("a@example.com", "b@example.com"),
            import_row("b@example.com", "c@example.com"),
            import_row("c@example.com", "a@example.com"),
            import_row("d@example.com", "a@example.com"),
        )
    )
    assert [line for line, _ in plan.errors] == [2, 3, 4]
    assert "manager cycle: a@example.com → b@example.com → c@example.com → a@example.com" in plan.errors[0][1]


def test_manager_cycle_through_the_directory_is_found():
    boss = PersonFactory(email="boss@example.com")
    PersonFactory(email="deputy@example.com", manager=boss)
    # The file makes the boss report to the deputy, who reports to the boss in the directory.
    plan = importing.people_import_validate(text=import_csv(import_row("boss@example.com", "deputy@example.com")))
    assert len(plan.errors) == 1
    assert plan.errors[0][0] == 2
    assert "manager cycle" in plan.errors[0][1]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (IMPORT_HEADER.replace(",time_zone", ""), "Missing required column(s): time_zone"),
        (IMPORT_HEADER.replace("email,first_name", "mail,first_name"), "Missing required column(s): email"),
        (IMPORT_HEADER + ",title", "Column(s) appear more than once: title"),
    ],
)
def test_bad_header_is_reported_on_line_one(header, message):
    plan = importing.people_import_validate(text=import_csv(import_row("x@example.com"), header=header))
    assert plan.errors == [(1, message)]
    assert plan.rows == []


def test_header_without_rows_is_an_error():
    plan = importing.people_import_validate(text=import_csv())
    assert plan.errors == [(1, "The file has a header row but no people in it.")]


def test_too_many_rows_is_an_error(settings):
    settings.PEOPLE_IMPORT_MAX_ROWS = 2
    plan = importing.people_import_validate(text=import_csv(*(import_row(f"p{n}@example.com") for n in range(3))))
    assert plan.errors == [(4, "Too many rows: one file may hold at most 2 people.")]


def test_default_limits_take_a_company_of_100000_people():
    row = import_row("someone.with.a.long.name@example-company.com", "manager@example-company.com", title="T" * 60)
    data = import_csv(*[row] * 100_000).encode()

    assert len(importing.people_import_decode(data=data)) == len(data)


def test_100000_columns_are_refused_before_parsing():
    data = ",".join(f"c{n}" for n in range(100_000)).encode() + b"\n" + b"," * 99_999 + b"\n"
    assert 600_000 < len(data) < 800_000

    with pytest.raises(importing.PeopleImportFileError) as refused:
        importing.people_import_decode(data=data)

    assert str(refused.value) == (
        "The header line has 100,000 columns; an export may have at most 100. "
        "Export only the columns the import reads and try again."
    )


@pytest.mark.parametrize(
    ("limit", "data", "at", "message"),
    [
        (
            "PEOPLE_IMPORT_MAX_ROWS",
            import_csv(*(import_row(f"p{n}@example.com") for n in range(4))),
            4,
            "The file has 5 lines: one file may hold at most 3 people",
        ),
        (
            "PEOPLE_IMPORT_MAX_COLUMNS",
            import_csv(import_row("a@example.com"), header=IMPORT_HEADER + ",x,y"),
            13,
            "The header line has 13 columns; an export may have at most 12.",
        ),
        (
            "PEOPLE_IMPORT_MAX_LINE_LENGTH",
            import_csv(import_row("a@example.com", title="T" * 1100)),
            len(import_row("a@example.com", title="T" * 1100)),
            "Line 2 is 1,1",
        ),
    ],
)
def test_each_limit_refuses_one_over_and_accepts_the_limit_itself(settings, limit, data, at, message):
    setattr(settings, limit, at - 1)
    with pytest.raises(importing.PeopleImportFileError) as refused:
        importing.people_import_decode(data=data.encode())
    assert str(refused.value).startswith(message)

    setattr(settings, limit, at)
    assert importing.people_import_decode(data=data.encode()) == data


def test_a_long_line_and_a_large_file_say_which_and_how_to_fix_it(settings):
    settings.PEOPLE_IMPORT_MAX_LINE_LENGTH = 1024
    with pytest.raises(
        importing.PeopleImportFileError,
        match=r"Line 3 is 1,085 characters long; a line may have at most 1,024\. Check that",
    ):
        importing.people_import_decode(
            data=import_csv(import_row("a@example.com"), import_row("b@example.com", title="T" * 1000)).encode()
        )
    settings.PEOPLE_IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(importing.PeopleImportFileError, match="larger than 1 MB"):
        importing.people_import_decode(data=b"x" * (1024 * 1024 + 1))


def test_nul_character_in_a_file_names_its_line():
    data = import_csv(import_row("a@example.com"), import_row("b@example.com", first_name="B\x00b")).encode()
    with pytest.raises(
        importing.PeopleImportFileError, match="binary file, not a CSV text file: line 3 contains a NUL"
    ):
        importing.people_import_decode(data=data)


def test_unreadable_csv_quote_is_an_error_with_its_line():
    plan = importing.people_import_validate(text=import_csv(import_row("ok@example.com"), '"unterminated,' + "x" * 10))
    # An unterminated quote swallows the rest of the file into one cell: reported, not crashed.
    assert plan.errors
    assert plan.errors[0][0] == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00binary", "This is an Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        (
            IMPORT_HEADER.encode() + b"\nj\xf6rg@example.com,J\xf6rg",
            "not UTF-8 text (first unreadable character on line 2)",
        ),
    ],
)
def test_files_that_are_not_csv_text_are_refused_clearly(data, message):
    with pytest.raises(importing.PeopleImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        importing.people_import_decode(data=data)


def test_utf16_export_is_read():
    data = import_csv(import_row("zoë@example.com".replace("ë", "e"), first_name="Zoë")).encode("utf-16")
    assert "Zoë" in importing.people_import_decode(data=data)


def test_validate_reports_counts_and_changes_without_writing():
    PersonFactory(email="known@example.com", first_name="Known", last_name="Tester", title="Engineer")
    plan = importing.people_import_validate(
        text=import_csv(import_row("known@example.com", title="Lead"), import_row("new@example.com"))
    )
    assert (plan.to_create, plan.to_update, plan.unchanged) == (1, 1, 0)
    assert {change["action"] for change in plan.changes} == {"create", "update"}
    assert "title" in next(c for c in plan.changes if c["action"] == "update")["fields"]
    assert not Person.objects.filter(email="new@example.com").exists()


def test_manager_who_left_the_directory_after_the_check_aborts_the_write():
    boss = PersonFactory(email="boss@example.com")
    plan = importing.people_import_validate(text=import_csv(import_row("new@example.com", "boss@example.com")))
    boss.delete()

    with pytest.raises(importing.PeopleImportConflict) as excinfo:
        importing.people_import_apply(plan=plan)

    assert excinfo.value.errors[0][0] == 2
    assert not Person.objects.filter(email="new@example.com").exists()


def test_progress_is_reported_while_checking_and_writing():
    text = import_csv(*(import_row(f"p{n}@example.com") for n in range(5)))
    checked, written = [], []
    plan = importing.people_import_validate(text=text, progress=checked.append)
    importing.people_import_apply(plan=plan, progress=written.append)
    assert checked[-1] == 5
    assert written[-1] == 5


def csv_of(size):
    rows = [import_row("ceo@example.com", languages="English")]
    rows += [
        import_row(f"p{n}@example.com", "ceo@example.com", department=f"Dept {n % 7}", location=f"Site {n % 3}")
        for n in range(size)
    ]
    return import_csv(*rows)


@pytest.mark.parametrize("size", [10, 300])
def test_import_is_set_based_not_per_row(size, django_assert_max_num_queries):
    # The same small budget for 10 and 300 rows (a per-row import needs 5+ queries a row):
    # only the number of batches grows, and SQLite's batches are small.
    plan = importing.people_import_validate(text=csv_of(size))
    with django_assert_max_num_queries(30):
        assert importing.people_import_apply(plan=plan).created == size + 1
    plan = importing.people_import_validate(text=csv_of(size).replace("Engineer", "Senior Engineer"))
    with django_assert_max_num_queries(30):
        assert importing.people_import_apply(plan=plan).updated == size + 1
