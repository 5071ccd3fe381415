"""The audit trail's one table. Rows are only ever added (by ``audit.services.record``) and
deleted when older than ``AUDIT_RETENTION_DAYS``; nothing in the product or the admin edits one."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        # The registry of what is recorded: a new kind of event gets a value here.
        PROGRAM_CREATED = "program.created", "Program created"
        PROGRAM_CHANGED = "program.changed", "Program settings changed"
        PROGRAM_STATUS_CHANGED = "program.status_changed", "Program status changed"
        ENROLLMENT_APPROVED = "enrollment.approved", "Enrollment approved"
        ENROLLMENT_DECLINED = "enrollment.declined", "Enrollment declined"
        ENROLLMENT_WAITLISTED = "enrollment.waitlisted", "Enrollment waitlisted"
        ENROLLMENT_WITHDRAWN = "enrollment.withdrawn", "Enrollment withdrawn"
        CRITERIA_CHANGED = "matching.criteria_changed", "Matching criteria changed"
        MATCH_RUN_STARTED = "matching.run_started", "Match run started"
        MATCH_RUN_PUBLISHED = "matching.run_published", "Match run published"
        OVERRIDE_SET = "matching.override_set", "Pair locked or excluded"
        OVERRIDE_REMOVED = "matching.override_removed", "Pair lock or exclusion removed"
        PAIRING_ENDED = "matching.pairing_ended", "Pairing ended"
        HR_ROLE_GRANTED = "people.hr_role_granted", "HR admin role granted"
        HR_ROLE_REVOKED = "people.hr_role_revoked", "HR admin role revoked"
        PEOPLE_IMPORTED = "people.imported", "People imported"
        EXPORT_DOWNLOADED = "export.downloaded", "Export downloaded"
        SIGNED_IN = "account.signed_in", "Signed in"
        SIGN_IN_FAILED = "account.sign_in_failed", "Sign-in failed"
        MFA_ADDED = "account.mfa_added", "Second factor added"
        MFA_REMOVED = "account.mfa_removed", "Second factor removed"
        MFA_RESET = "account.mfa_reset", "Recovery codes regenerated"
        MFA_FAILED = "account.mfa_failed", "Second factor refused"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The account goes (SET_NULL) but the label, as it was at the time, stays.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=300, blank=True, help_text="name <email> at the time")
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=60, blank=True, help_text="app_label.model")
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    # Not a foreign key: the audit app sits below programs, and the trail outlives a deleted program.
    program_id = models.BigIntegerField(null=True, blank=True)
    program_label = models.CharField(max_length=200, blank=True)
    # Codes, ids, counts and field names only: never a person's free text.
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_created"),
            models.Index(fields=["program_id", "-created_at"], name="audit_program_created"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_created"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'}: {self.get_action_display()}"
