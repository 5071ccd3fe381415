"""Store today's snapshot of every running program (what the nightly job does), or of one
program; optionally back-fill monthly snapshots computed "as of" earlier days."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation import services
from evaluation.selectors import backfill_days
from programs.models import Program

MAX_BACKFILL_MONTHS = 36


class Command(BaseCommand):
    help = (
        "Store the success metrics of every running program (or --program SLUG) as of today "
        "(or --date). Safe to run again: the same day's row is updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--program", metavar="SLUG", help="Only this program (any status).")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="Compute as of this day (default: today).")
        parser.add_argument(
            "--backfill-months",
            type=int,
            default=0,
            metavar="N",
            help=f"Also store monthly snapshots for the N months before (0-{MAX_BACKFILL_MONTHS}).",
        )

    def handle(self, *args, program=None, date=None, backfill_months=0, **options):
        today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
        as_of = self._parse_date(date, today) if date else today
        if not 0 <= backfill_months <= MAX_BACKFILL_MONTHS:
            raise CommandError(f"--backfill-months must be between 0 and {MAX_BACKFILL_MONTHS}.")
        if program:
            found = Program.objects.filter(slug=program).first()
            if found is None:
                known = ", ".join(Program.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none"
                raise CommandError(f"No program with the slug {program!r}. Known programs: {known}.")
            programs = [found]
        else:
            programs = services.programs_to_evaluate()
            if not programs:
                self.stdout.write("No running program to evaluate.")
                return
        for item in programs:
            days = backfill_days(program=item, until=as_of, months=backfill_months) if backfill_months else []
            services.program_backfill(program=item, days=days)
            snapshot = services.program_evaluate(program=item, as_of=as_of)
            self.stdout.write(
                f"{item.name}: {snapshot.pairings_active} active pairings "
                f"({snapshot.pairings_at_risk} at risk, {snapshot.pairings_cooling} cooling) as of {as_of:%Y-%m-%d}"
                + (f"; {len(days)} earlier snapshot{'s' if len(days) != 1 else ''}" if backfill_months else "")
            )
        self.stdout.write(self.style.SUCCESS(f"Evaluated {len(programs)} program{'s' if len(programs) != 1 else ''}."))

    @staticmethod
    def _parse_date(value: str, today: date) -> date:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--date must be a day as YYYY-MM-DD, not {value!r}.") from None
        if day > today:
            raise CommandError(f"--date {value} is in the future: there is nothing to measure yet.")
        return day
