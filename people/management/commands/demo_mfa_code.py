"""Print the demo HR admin's current two-factor code (demo data only: its secret is public)."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from people.demo import DEMO_HR_EMAIL, DEMO_TOTP_SECRET, demo_totp_uri
from people.mfa import mfa_enrolled
from people.models import User


class Command(BaseCommand):
    help = f"Print the current two-factor code of the demo HR admin ({DEMO_HR_EMAIL}); demo only."

    def handle(self, *args, **options):
        user = User.objects.filter(email=DEMO_HR_EMAIL).first()
        if user is None or not mfa_enrolled(user):
            raise CommandError("No demo HR admin with an authenticator app: run `manage.py seed_demo` first.")
        period = app_settings.TOTP_PERIOD
        now = int(time.time())
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // period))
        self.stdout.write(f"{DEMO_HR_EMAIL}: {code} (for {period - now % period} more seconds)")
        self.stdout.write(f"Or add this to an authenticator app: {demo_totp_uri()}")
