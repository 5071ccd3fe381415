import random

from django.core.management.base import BaseCommand
from django.db import transaction

from evaluation.demo import seed_evaluation
from evaluation.receivers import health_refresh_paused
from matching.demo import seed_matching
from people.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_totp_uri, seed_directory
from people.models import Person
from programs.demo import seed_programs
from programs.models import Enrollment
from sessions.demo import seed_sessions
from surveys.demo import seed_surveys


class Command(BaseCommand):
    help = "Build (or refresh) a believable demo company with the four demo accounts. Safe to run again."

    def handle(self, *args, **options):
        # The nightly evaluation at the end recomputes every pair's health: no refresh per
        # seeded answer, session or goal (they would run after the commit, one pair at a time).
        with health_refresh_paused(), transaction.atomic():
            self.seed()

    def seed(self):
        # One seeded generator, and each app's demo in the order its data depends on the others':
        # people -> programs -> pairings -> sessions and goals -> survey answers -> snapshots.
        rng = random.Random(20261125)
        demo_people = seed_directory(rng)
        programs = seed_programs(rng, demo_people)
        matching = seed_matching(rng)
        sessions = seed_sessions(rng)
        answers = seed_surveys(rng)
        evaluation = seed_evaluation(rng)

        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo company ready: {Person.objects.count()} employees."))
        for program in programs.values():
            count = Enrollment.objects.filter(program=program).count()
            write(f"  {program.name} ({program.get_status_display().lower()}): {count} enrollments")
        write(f"  {matching['pairings']} pairings, {sessions['sessions']} sessions, {sessions['goals']} goals")
        write(f"  {answers} survey answers, {evaluation['snapshots']} dashboard snapshots")
        write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in DEMO_ACCOUNTS.items():
            write(f"  {role:<14} {email}")
        write(f"The HR admin signs in with a second factor too: add {demo_totp_uri()} to an authenticator")
        write(f"app (secret {DEMO_TOTP_SECRET}), or run `python manage.py demo_mfa_code` for the current code.")
