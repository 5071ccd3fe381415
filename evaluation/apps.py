from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation and success dashboards"

    def ready(self):
        # The stored pair health follows what the apps below report (evaluation/receivers.py).
        from evaluation import receivers  # noqa: F401
