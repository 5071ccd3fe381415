from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self):
        # Receivers of what the apps below report (surveys/receivers.py).
        from surveys import receivers  # noqa: F401
