"""People's rights over their data: the downloads they asked for, the erasures HR (or the
retention rule) carried out, and the nightly retention runs.

None of these rows holds a name or an email: a download belongs to an account, an erasure
names the directory entry by its id (the entry itself is anonymised, never deleted, so
that the figures built on it stay the same).
"""

from django.conf import settings
from django.db import models


class DataExport(models.Model):
    """One "Download my data": built by a background job, kept for ``DATA_EXPORT_HOURS``."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be built"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired and deleted"

    #: Still being made: a second request while one of these exists gets the same export.
    PENDING_STATUSES = (Status.QUEUED, Status.BUILDING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    # The zip itself, in the database: never under static or a public media URL.
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Data export #{self.pk} ({self.get_status_display()})"

    @property
    def is_pending(self):
        return self.status in self.PENDING_STATUSES


class Erasure(models.Model):
    """A directory entry anonymised everywhere (by HR, or by the retention rule)."""

    class Reason(models.TextChoices):
        HR = "hr", "Erased by HR"
        RETENTION = "retention", "Retention period over"

    person = models.OneToOneField(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="data_erasure"
    )
    # The entry's id, kept if the row itself is ever deleted.
    person_number = models.PositiveIntegerField(db_index=True)
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.HR)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pairings_ended = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="What was anonymised or deleted, by kind.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Erasure of person #{self.person_number}"


class RetentionRun(models.Model):
    """One nightly pass of the retention rule: how many leavers it erased, by id."""

    ran_at = models.DateTimeField(auto_now_add=True)
    months = models.PositiveIntegerField()
    left_before = models.DateField()
    erased_ids = models.JSONField(default=list, blank=True)
    skipped_ids = models.JSONField(default=list, blank=True, help_text="Leavers not erased (a live pairing, HR admin).")

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self):
        return f"Retention run {self.ran_at:%Y-%m-%d} ({len(self.erased_ids)} erased)"
