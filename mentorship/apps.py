from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "mentorship"
    verbose_name = "Mentorship platform"

    def ready(self):
        from mentorship import logs, lookups  # noqa: F401 - lookups registers itself

        logs.connect_signals()
