"""Mentoring sessions (scheduled, held, cancelled), their notes (shared and private),
action items, the resources a mentor recommends, personal calendar feeds, and the
state the reminder sweeps keep.

Privacy: a pairing's sessions, notes, action items and resources are read only by its
two people. ``PrivateNote`` is read only by its author: it is not registered in the
admin and no page but its author's shows it. HR sees counts and dates only.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from matching.models import Pairing

MAX_SESSION_MINUTES = 8 * 60


class Topic(models.TextChoices):
    CAREER = "career", "Career"
    SKILLS = "skills", "Skills"
    FEEDBACK = "feedback", "Feedback"
    PROJECT = "project", "Project work"
    LEADERSHIP = "leadership", "Leadership"
    WELLBEING = "wellbeing", "Wellbeing"
    NETWORKING = "networking", "Networking"
    OTHER = "other", "Other"


class SessionFormat(models.TextChoices):
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"


def user_enrollment_ids(user):
    """Subquery: the ids of the user's enrollments (any program, any role)."""
    from programs.models import Enrollment

    return Enrollment.objects.filter(person__user=user).order_by().values("pk")


def _involving(user, prefix="pairing__"):
    # On the pairing's own enrollment ids, not ``mentor__person__user``: an OR across those
    # joins made PostgreSQL join every pairing with both people before filtering.
    mine = user_enrollment_ids(user)
    return Q(**{f"{prefix}mentor_id__in": mine}) | Q(**{f"{prefix}mentee_id__in": mine})


class MentoringSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Sessions of the pairings the user is the mentor or mentee of. HR admins get no
        wider access here: they see counts and dates on the oversight page, never notes."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_involving(user), pairing__status__in=Pairing.VISIBLE_STATUSES)

    def scheduled(self):
        return self.filter(status=MentoringSession.Status.SCHEDULED)

    def held(self):
        return self.filter(status=MentoringSession.Status.HELD)


class MentoringSession(models.Model):
    """One meeting of a mentor and a mentee: planned (scheduled), then held or cancelled."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    pairing = models.ForeignKey("matching.Pairing", on_delete=models.CASCADE, related_name="sessions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_MINUTES)]
    )
    format = models.CharField(max_length=10, choices=SessionFormat.choices, default=SessionFormat.VIDEO)
    video_url = models.URLField("Video link", max_length=500, blank=True)
    place = models.CharField("Place", max_length=200, blank=True)
    agenda = models.TextField(blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The zone the time was entered in; the time itself is stored in UTC.
    scheduler_time_zone = models.CharField(max_length=64, blank=True)
    # Filled in when the session is logged as held.
    topics = models.JSONField(default=list, blank=True, help_text="Codes from Topic.")
    topics_other = models.CharField("Other topics", max_length=200, blank=True)
    shared_notes = models.TextField(blank=True)
    goals_discussed = models.ManyToManyField("goals.Goal", blank=True, related_name="sessions")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # Calendar identity: the UID never changes; SEQUENCE grows with each reschedule/cancel.
    ical_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # Reminder sweep state: the sequence whose day-before reminder went out.
    reminded_sequence = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MentoringSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_SESSION_MINUTES),
                name="session_duration_1_to_480_minutes",
            ),
        ]
        indexes = [
            models.Index(fields=["pairing", "status", "starts_at"], name="session_pairing_status_idx"),
            # Reminder sweeps and HR's page (held lately, planned): index-only for the page's sums.
            models.Index(
                fields=["status", "starts_at"],
                include=["pairing", "duration_minutes"],
                name="session_status_start_idx",
            ),
        ]

    def __str__(self):
        return f"Session #{self.pk} ({self.get_status_display()})"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        names = [labels.get(code, code) for code in self.topics if code != Topic.OTHER]
        if self.topics_other:
            names.append(self.topics_other)
        elif Topic.OTHER in self.topics:
            names.append(Topic.OTHER.label)
        return names

    @property
    def where(self) -> str:
        """The video link or the place, whichever the format uses."""
        if self.format == SessionFormat.VIDEO:
            return self.video_url or self.place
        return self.place or self.video_url


class PrivateNote(models.Model):
    """A note only its author ever reads (not the other person, not HR, not the admin)."""

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="one_private_note_per_author_and_session"),
        ]

    def __str__(self):
        return f"Private note #{self.pk}"


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class ActionItem(models.Model):
    """Something one of the two agreed to do by a date, ticked off later."""

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="action_items")
    # The session's pairing, kept here so counts per pairing need no join.
    pairing = models.ForeignKey("matching.Pairing", on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="mentoring_action_items")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Reminder sweep state: set once the owner was told the item is overdue.
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(done_at__isnull=True, overdue_notified_at__isnull=True),
                name="action_item_overdue_idx",
            ),
            # Open items per pairing (the pairing lists' counts) and of a program (HR's page).
            models.Index(
                fields=["pairing", "due_date"], condition=Q(done_at__isnull=True), name="action_item_open_idx"
            ),
            # Items done lately (HR's page counts the last 30 days).
            models.Index(fields=["done_at"], condition=Q(done_at__isnull=False), name="action_item_done_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self):
        return self.done_at is not None


class Resource(models.Model):
    """A course, book, article... the mentor recommends to the mentee."""

    class Kind(models.TextChoices):
        COURSE = "course", "Course"
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        CERTIFICATION = "certification", "Certification"
        PROJECT = "project", "Project"

    pairing = models.ForeignKey("matching.Pairing", on_delete=models.CASCADE, related_name="resources")
    goal = models.ForeignKey("goals.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="resources")
    title = models.CharField(max_length=200)
    url = models.URLField("Link", max_length=500, blank=True)
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.ARTICLE)
    note = models.TextField("Why this helps", blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_done(self):
        return self.done_at is not None


class CalendarFeed(models.Model):
    """A person's secret calendar subscription address. Only a hash of the token is kept:
    the address is shown once, when it is made; revoking deletes the row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed of user #{self.user_id}"


class InactivityNudge(models.Model):
    """A pairing was nudged for having no held session since ``since``: by the sweep (level 1
    when overdue, level 2 when long overdue, when HR is told as well: ``sessions.activity``)
    or by an HR admin's one-click nudge (``sent_by``; level 1, or 2 if long overdue then).
    The sweep reads these rows, so a pair HR nudged is not nudged again for the same spell."""

    pairing = models.ForeignKey("matching.Pairing", on_delete=models.CASCADE, related_name="inactivity_nudges")
    since = models.DateTimeField(help_text="The last held session (or the pairing's start) at the time.")
    level = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    hr_notified_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The HR admin who nudged the pair (empty: the nightly sweep).",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "since", "level"], name="one_nudge_per_pairing_quiet_spell"),
        ]
        indexes = [
            models.Index(fields=["level"], condition=Q(hr_notified_at__isnull=True), name="nudge_hr_pending_idx"),
        ]

    def __str__(self):
        return f"Nudge {self.level} for pairing #{self.pairing_id}"
