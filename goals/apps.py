from django.apps import AppConfig


class GoalsConfig(AppConfig):
    """A mentee's goals: above matching (who may read them follows the pairing), below
    sessions (sessions discuss goals and link resources to them)."""

    name = "goals"
    verbose_name = "Goals"
