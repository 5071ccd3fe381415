from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def var_folders_create() -> None:
    """The folders the embedded defaults write to: VAR_DIR, the collected static files
    (whitenoise looks there before the first collectstatic) and the filesystem broker's.
    Created when Django starts, not when the settings are imported."""
    folders = [settings.VAR_DIR, settings.STATIC_ROOT]
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    folders += [
        options[key]
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        if key in options
    ]
    for folder in folders:
        Path(folder).mkdir(parents=True, exist_ok=True)


class CoreConfig(AppConfig):
    """The bottom layer: notifications and their emails, permissions, queueing work after
    commit, one-time form tokens, health checks and shared lookups.

    Its label stays ``mentorship`` (the name the code had before it became its own app), so
    its tables (``mentorship_notification``, ...) and migration history are unchanged."""

    name = "core"
    label = "mentorship"
    verbose_name = "Core: notifications and shared services"

    def ready(self):
        from core import logs, lookups  # noqa: F401 - lookups registers itself

        logs.connect_signals()
        var_folders_create()
