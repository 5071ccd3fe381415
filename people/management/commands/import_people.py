"""Import the employee directory from an HR-system CSV export.

    python manage.py import_people export.csv --dry-run   # check only
    python manage.py import_people export.csv             # check, then write

Any invalid row aborts the whole import: every problem is listed with its line
number, nothing is written, and the command exits with status 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from people import importing


class Command(BaseCommand):
    help = "Import people from a CSV export of the HR system (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and show the counts; write nothing.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        try:
            text = importing.people_import_decode(data=data)
        except importing.PeopleImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from None

        plan = importing.people_import_validate(text=text)
        if plan.ignored_columns:
            self.stdout.write(f"Ignored unknown column(s): {', '.join(plan.ignored_columns)}")
        if not plan.is_valid:
            self._write_errors(path, plan.errors)
            raise CommandError(f"Import aborted: {self._problems(plan.errors)}. Nothing was written.")

        counts = f"{plan.to_create} to create, {plan.to_update} to update, {plan.unchanged} unchanged"
        if dry_run:
            self.stdout.write(f"Dry run: {plan.row_count} rows are valid ({counts}). Nothing was written.")
            return
        try:
            result = importing.people_import_apply(plan=plan)
        except importing.PeopleImportConflict as exc:
            self._write_errors(path, exc.errors)
            raise CommandError("Import aborted: the directory changed while importing. Nothing was written.") from None
        except DatabaseError as exc:
            raise CommandError(
                f"Import aborted: the directory was changed by someone else at the same time ({exc}). "
                "Nothing was written; run the command again."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {plan.row_count} rows: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )

    def _write_errors(self, path, errors):
        for line, message in errors:
            self.stderr.write(f"{path.name}, line {line}: {message}")

    @staticmethod
    def _problems(errors):
        lines = len({line for line, _ in errors})
        return f"{len(errors)} problem{'s' if len(errors) != 1 else ''} on {lines} line{'s' if lines != 1 else ''}"
