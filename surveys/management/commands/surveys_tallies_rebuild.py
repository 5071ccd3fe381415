"""Recompute the running totals of survey results from the rows (what the nightly job does),
for every program survey or one (``--survey ID``)."""

from django.core.management.base import BaseCommand, CommandError

from surveys import tallies
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Recompute the running totals that the survey lists and results read, from the "
        "invitations and answers, for every program survey (or --survey ID). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--survey", type=int, metavar="ID", help="Only this survey.")

    def handle(self, *args, survey=None, **options):
        if survey is not None and not Survey.objects.in_programs().filter(pk=survey).exists():
            raise CommandError(f"No program survey with the id {survey}.")
        count = tallies.surveys_tallies_rebuild(survey_id=survey)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the totals of {count} survey{'s' if count != 1 else ''}."))
