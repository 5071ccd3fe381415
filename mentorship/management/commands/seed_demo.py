import random

from django.core.management.base import BaseCommand
from django.db import transaction

from people.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_directory


class Command(BaseCommand):
    help = "Build (or refresh) a believable demo company with the four demo accounts. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(20261125)
        seed_directory(rng)
        from people.models import Person

        self.stdout.write(self.style.SUCCESS(f"Demo company ready: {Person.objects.count()} employees."))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {role:<14} {email}")
