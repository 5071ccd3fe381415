"""Matching criteria, match runs and their proposals, overrides, self-select
requests, and pairings with their states."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

WEIGHT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


class MatchingCriteria(models.Model):
    """How a program scores candidate pairs; edited by HR, one row per program."""

    class DepartmentPreference(models.TextChoices):
        ANY = "any", "No preference"
        SAME = "same", "Prefer the same department"
        DIFFERENT = "different", "Prefer a different department"

    class Objective(models.TextChoices):
        PARTICIPATION = "participation", "Most people matched"
        QUALITY = "quality", "Only good matches (minimum score)"
        BALANCED = "balanced", "Most matched, then the best worst match"

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="matching_criteria")
    weight_skills = models.FloatField(default=3, validators=WEIGHT_VALIDATORS)
    weight_objectives = models.FloatField(default=2, validators=WEIGHT_VALIDATORS)
    weight_seniority = models.FloatField(default=1, validators=WEIGHT_VALIDATORS)
    weight_department = models.FloatField(default=1, validators=WEIGHT_VALIDATORS)
    weight_time_zone = models.FloatField(default=1, validators=WEIGHT_VALIDATORS)
    weight_location = models.FloatField(default=0.5, validators=WEIGHT_VALIDATORS)
    weight_meeting_format = models.FloatField(default=0.5, validators=WEIGHT_VALIDATORS)
    weight_working_style = models.FloatField(default=1, validators=WEIGHT_VALIDATORS)
    weight_availability = models.FloatField(default=0.5, validators=WEIGHT_VALIDATORS)
    weight_custom_questions = models.FloatField(default=1, validators=WEIGHT_VALIDATORS)
    seniority_gap_min = models.SmallIntegerField(
        default=1,
        validators=[MinValueValidator(-9), MaxValueValidator(9)],
        help_text="The mentor is at least this many levels above the mentee.",
    )
    seniority_gap_max = models.SmallIntegerField(
        default=5,
        validators=[MinValueValidator(-9), MaxValueValidator(9)],
        help_text="The mentor is at most this many levels above the mentee.",
    )
    enforce_seniority_gap = models.BooleanField(
        "Never pair outside this seniority range",
        default=False,
        help_text="Off: the range is a preference (pairs outside it score lower). On: a hard rule.",
    )
    department_preference = models.CharField(
        max_length=10, choices=DepartmentPreference.choices, default=DepartmentPreference.DIFFERENT
    )
    forbid_same_department = models.BooleanField("Never pair people from the same department", default=False)
    objective = models.CharField(max_length=15, choices=Objective.choices, default=Objective.PARTICIPATION)
    min_score = models.FloatField(null=True, blank=True, help_text="For 'only good matches': 0-100.")
    request_expiry_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Self-select: a mentor's unanswered request expires after this many days.",
    )
    suggestions_shown = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    exposure_multiple = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Self-select: a mentor is suggested to at most this many mentees per free place at once.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "matching criteria"

    def __str__(self):
        return f"Matching criteria of {self.program}"


class MatchRun(models.Model):
    """One optimisation of a program's cohort, run by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        PUBLISHED = "published", "Published"

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="match_runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    criteria = models.JSONField(default=dict, help_text="The weights and objective this run used.")
    stats = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # A program's latest run (the matching index, the program's matching page).
        indexes = [models.Index(fields=["program", "-created_at"], name="matchrun_program_created_idx")]

    def __str__(self):
        return f"Match run #{self.pk} of {self.program}"

    @property
    def is_stale(self) -> bool:
        """Queued or running for longer than any worker may take: its worker went away."""
        from matching.services import STALE_RUN

        unfinished = self.status in (self.Status.QUEUED, self.Status.RUNNING)
        return unfinished and self.created_at is not None and self.created_at < timezone.now() - STALE_RUN


class MatchProposal(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.JSONField(default=dict, help_text="Criterion -> points; the parts add up to the score.")
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "mentee"], name="one_proposal_per_mentee_per_run")]
        # A page of a run's proposals, best first (the run page's default order), without a sort.
        indexes = [models.Index(fields=["run", "-score", "id"], name="proposal_run_score_idx")]

    def __str__(self):
        return f"Proposal {self.mentee_id} -> {self.mentor_id} ({self.score:.1f})"


class PairOverride(models.Model):
    """HR's hand on the optimiser: a locked pair is a hard pre-assignment, an excluded one never happens."""

    class Kind(models.TextChoices):
        LOCK = "lock", "Locked"
        EXCLUDE = "exclude", "Excluded"

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="pair_overrides")
    mentee = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "mentee", "mentor"], name="one_override_per_pair"),
            models.UniqueConstraint(fields=["program", "mentee"], condition=Q(kind="lock"), name="one_lock_per_mentee"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.mentee_id} -> {self.mentor_id}"


class PairingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Pairings a user may open: their own (as mentor or mentee); HR admins see all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_hr_admin:
            return self
        return self.filter(Q(mentor__person__user=user) | Q(mentee__person__user=user))

    def involving(self, user):
        """Only the user's own pairings, whatever their role (HR included)."""
        return self.filter(Q(mentor__person__user=user) | Q(mentee__person__user=user))

    def live(self):
        return self.filter(status__in=Pairing.LIVE_STATUSES)


class Pairing(models.Model):
    """A mentor and a mentee in one program: proposed, confirmed by both, active, then done."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended early"

    class Source(models.TextChoices):
        ADMIN = "admin", "Matched by HR"
        SELF_SELECT = "self_select", "Chosen by the mentee"

    # The status sets other apps ask about (one owner: here).
    #: Not finished: proposed, or confirmed and not yet over.
    LIVE_STATUSES = (Status.PROPOSED, Status.ACCEPTED, Status.ACTIVE)
    #: Confirmed by both and going: the two people can schedule, log, comment and add things.
    WORKABLE_STATUSES = (Status.ACCEPTED, Status.ACTIVE)
    #: Confirmed by both and not ended early: the mentor may read the mentee's goals.
    CONFIRMED_STATUSES = (Status.ACCEPTED, Status.ACTIVE, Status.COMPLETED)
    #: Confirmed once: its page opens for the two people (and stays open after it is over).
    VISIBLE_STATUSES = (Status.ACCEPTED, Status.ACTIVE, Status.COMPLETED, Status.ENDED)

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="pairings")
    mentor = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="pairings_as_mentor")
    mentee = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="pairings_as_mentee")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.ADMIN)
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    match_run = models.ForeignKey(MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings")
    mentor_confirmed_at = models.DateTimeField(null=True, blank=True)
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=["proposed", "accepted", "active"]),
                name="one_live_pairing_per_mentee",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="pairing_program_status_idx")]

    def __str__(self):
        return f"{self.mentor.person} mentors {self.mentee.person} ({self.get_status_display()})"

    @property
    def is_live(self):
        return self.status in self.LIVE_STATUSES


class MentorshipRequest(models.Model):
    """Self-select: a mentee asks a mentor; the mentor accepts or declines before it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the mentor"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="mentorship_requests")
    mentee = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="requests_sent")
    mentor = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="requests_received")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="pending"), name="one_pending_request_per_mentee"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="request_expiry_idx")]

    def __str__(self):
        return f"Request {self.mentee_id} -> {self.mentor_id} ({self.status})"
