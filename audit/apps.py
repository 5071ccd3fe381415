from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who did what and when: one ``AuditEvent`` per decision, sign-in and export."""

    name = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from audit import receivers

        receivers.connect()
