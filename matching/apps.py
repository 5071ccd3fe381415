from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching and pairings"

    def ready(self):
        # Receivers of what the apps below report (matching/receivers.py).
        from matching import receivers  # noqa: F401
