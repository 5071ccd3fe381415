import random

from django.core.management.base import BaseCommand
from django.db import transaction

from people.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_directory
from people.models import Person
from programs.demo import seed_programs
from programs.models import Enrollment


class Command(BaseCommand):
    help = "Build (or refresh) a believable demo company with the four demo accounts. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(20261125)
        demo_people = seed_directory(rng)
        programs = seed_programs(rng, demo_people)

        self.stdout.write(self.style.SUCCESS(f"Demo company ready: {Person.objects.count()} employees."))
        for program in programs.values():
            count = Enrollment.objects.filter(program=program).count()
            self.stdout.write(f"  {program.name} ({program.get_status_display().lower()}): {count} enrollments")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {role:<14} {email}")
