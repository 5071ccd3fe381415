"""`manage.py import_people FILE [--dry-run]`."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from people.models import Person
from people.tests.factories import import_csv, import_row

SAMPLE = Path(__file__).parent / "data" / "people_sample.csv"

pytestmark = pytest.mark.django_db


def import_people(*args):
    out, err = StringIO(), StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, content, name="export.csv"):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return str(path)


def test_valid_file_is_imported_and_counts_printed():
    out, _ = import_people(str(SAMPLE))
    assert "Imported 5 rows: 5 created, 0 updated, 0 unchanged." in out
    assert Person.objects.count() == 5

    out, _ = import_people(str(SAMPLE))
    assert "0 created, 0 updated, 5 unchanged." in out


def test_dry_run_writes_nothing():
    out, _ = import_people(str(SAMPLE), "--dry-run")
    assert "Dry run: 5 rows are valid (5 to create, 0 to update, 0 unchanged). Nothing was written." in out
    assert Person.objects.count() == 0


def test_invalid_file_lists_every_problem_and_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        import_csv(
            import_row("good@example.com"),
            import_row("bad-email"),
            import_row("late@example.com", "nobody@example.com", seniority="12"),
        ),
    )
    err = StringIO()
    with pytest.raises(CommandError, match="Import aborted: 3 problems on 2 lines. Nothing was written."):
        call_command("import_people", path, stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == "export.csv, line 3: email: “bad-email” is not a valid email address"
    assert any(line.startswith("export.csv, line 4: seniority:") for line in lines)
    assert any("line 4: manager_email: nobody@example.com is not in this file" in line for line in lines)
    assert Person.objects.count() == 0


def test_invalid_file_in_dry_run_also_fails(tmp_path):
    path = write(tmp_path, import_csv(import_row("a@example.com", time_zone="Nowhere")))
    with pytest.raises(CommandError):
        import_people(path, "--dry-run")


def test_exit_status_is_non_zero_on_errors(tmp_path, capsys, monkeypatch):
    # run_from_argv closes every connection when it ends; keep the test's own one open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    path = write(tmp_path, import_csv(import_row("a@example.com", hire_date="2020-02-30")))
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "import_people", path])
    assert excinfo.value.code == 1
    captured = capsys.readouterr()
    assert "line 2: hire_date: “2020-02-30” is not a date" in captured.err
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Nom,Prénom\n".encode("latin-1"), "is not UTF-8 text"),
        (b"\x00\x01\x02\x03binary", "binary file"),
        (b"", "The file is empty."),
    ],
)
def test_unreadable_files_give_a_clear_error(tmp_path, content, message):
    with pytest.raises(CommandError, match=message):
        import_people(write(tmp_path, content))


def test_file_with_100000_columns_is_refused_and_nothing_is_written(tmp_path):
    content = ",".join(f"c{n}" for n in range(100_000)).encode() + b"\n" + b"," * 99_999 + b"\n"

    with pytest.raises(CommandError) as refused:
        import_people(write(tmp_path, content))

    assert str(refused.value) == (
        f"{tmp_path / 'export.csv'}: The header line has 100,000 columns; an export may have at most 100. "
        "Export only the columns the import reads and try again."
    )
    assert Person.objects.count() == 0


def test_file_with_a_nul_character_is_refused_naming_the_line(tmp_path):
    content = import_csv(import_row("ann@example.com"), import_row("bo@example.com", title="Eng\x00ineer"))
    with pytest.raises(CommandError, match="line 3 contains a NUL character"):
        import_people(write(tmp_path, content))
    assert Person.objects.count() == 0


def test_missing_file_gives_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        import_people(str(tmp_path / "nope.csv"))
