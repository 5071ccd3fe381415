from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The shell on top: each person's home page and the navigation, built from every app."""

    name = "portal"
    verbose_name = "Portal: home page and navigation"
