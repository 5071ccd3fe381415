from django.conf import settings
from django.db import models


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something the product told a person: shown in-app, and emailed.

    ``idempotency_key`` is unique: whoever creates a notification names the
    event it is about (e.g. ``session-reminder:42:user:7``), so a job that runs
    twice, or a worker that dies and is retried, cannot tell anyone twice.
    """

    class Kind(models.TextChoices):
        """Every kind of notification the product sends (``notification_send`` refuses others).
        Named for the event; the value is stored and part of idempotency keys: never rename one."""

        # people
        HR_ADMIN_GRANTED = "hr_admin_granted", "HR admin role granted"
        HR_ADMIN_REVOKED = "hr_admin_revoked", "HR admin role revoked"
        # programs
        PROGRAM_STATUS = "program_status", "Program status changed"
        PROGRAM_INVITATION = "program_invitation", "Invited to a program"
        ENROLLMENT_APPROVED = "enrollment_approved", "Application approved"
        ENROLLMENT_WAITLISTED = "enrollment_waitlisted", "Application waitlisted"
        ENROLLMENT_DECLINED = "enrollment_declined", "Application declined"
        # matching
        MENTORSHIP_REQUEST = "mentorship_request", "Mentorship request received"
        MENTORSHIP_REQUEST_ACCEPTED = "mentorship_request_accepted", "Mentorship request accepted"
        MENTORSHIP_REQUEST_DECLINED = "mentorship_request_declined", "Mentorship request declined"
        MENTORSHIP_REQUEST_EXPIRED = "mentorship_request_expired", "Mentorship request expired"
        PAIRING_PROPOSED = "pairing_proposed", "Match proposed"
        PAIRING_ACCEPTED = "pairing_accepted", "Match accepted by the other person"
        PAIRING_CONFIRMED = "pairing_confirmed", "Match confirmed"
        PAIRING_DECLINED = "pairing_declined", "Match declined"
        PAIRING_ENDED = "pairing_ended", "Pairing ended"
        # goals
        GOAL_COMMENT = "goal_comment", "Comment on a goal"
        # sessions
        SESSION_SCHEDULED = "session_scheduled", "Session scheduled"
        SESSION_RESCHEDULED = "session_rescheduled", "Session rescheduled"
        SESSION_CANCELLED = "session_cancelled", "Session cancelled"
        SESSION_LOGGED = "session_logged", "Session logged"
        SESSION_REMINDER = "session_reminder", "Session reminder"
        RESOURCE_RECOMMENDED = "resource_recommended", "Resource recommended"
        ACTION_ITEM_OVERDUE = "action_item_overdue", "Action item overdue"
        INACTIVITY_NUDGE = "inactivity_nudge", "No session for a while"
        INACTIVITY_HR = "inactivity_hr", "Quiet pairs (HR)"
        HEALTH_NUDGE = "health-nudge", "Nudge from the program team"
        # surveys
        SURVEY_INVITATION = "survey_invitation", "Survey to answer"
        SURVEY_REMINDER = "survey_reminder", "Survey reminder"

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"  # to send (again, from email_retry_at if set)
        SENDING = "sending", "Sending"  # claimed by a worker at email_claimed_at
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # every attempt failed: shown to HR until retried
        SKIPPED = "skipped", "Not emailed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_claim = models.UUIDField(null=True, blank=True)  # which delivery call holds the claim
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_retry_at = models.DateTimeField(null=True, blank=True)
    email_last_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["email_status", "email_claimed_at"], name="notification_email_idx"),
            # A person's newest first (the list's pages, the home page's five): read in order, not sorted.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_newest_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class DeferredTask(models.Model):
    """A background task the broker refused after its write was committed (Redis down).

    ``core.jobs.task_queue`` keeps it here instead of failing the request;
    ``deferred_tasks_requeue`` sends it when the broker is back. ``args`` are
    primary keys only, like every task argument."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return f"{self.task_name}{tuple(self.args)!r}"


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran ``worker_heartbeat`` (beat sends it every minute):
    /healthz reads it as proof that beat, the broker and a worker all work."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class FormSubmission(models.Model):
    """A create form's one-time token, claimed by the first POST that carried it
    (``core.submissions.submit_once``); a repeat gets ``response_url``, the
    first POST's redirect, instead of a second row. Kept for a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    response_url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="form_submission_once")]

    def __str__(self):
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"
