from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company `make run` seeds (``manage.py seed_demo``), from every app's demo data."""

    name = "demo"
    verbose_name = "Demo data"
