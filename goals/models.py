"""A mentee's development goals: milestones, progress, comments and their history.

Goals hang off the mentee's enrollment (programs), not the pairing, so a rematch keeps them
and the new mentor sees them; who may read them follows the pairing (matching). HR suggests
goal templates in the program's setup (``programs.GoalTemplate``).

The models moved here from ``programs`` and kept their tables (``db_table``)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from matching.models import Pairing
from programs.models import Enrollment, GoalTemplate

# --- Goals: a mentee's development goals. They hang off the mentee's enrollment, not the
# pairing, so a rematch keeps them and the new mentor sees them.


def _mentor_of_goal_enrollment(user, statuses):
    return models.Exists(
        Pairing.objects.filter(
            mentee_id=models.OuterRef("enrollment_id"), status__in=statuses, mentor__person__user=user
        )
    )


class GoalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Goals a user may read: their own (as the mentee) and those of the mentees they
        mentor in an accepted, active or completed pairing. HR admins and program owners get
        no special access: goals are personal, HR sees counts only."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(enrollment__person__user=user) | _mentor_of_goal_enrollment(user, Pairing.CONFIRMED_STATUSES)
        )

    def commentable_by(self, user):
        """The mentee, and the mentor of a pairing that is still going."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(enrollment__person__user=user) | _mentor_of_goal_enrollment(user, Pairing.WORKABLE_STATUSES)
        )

    def owned_by(self, user):
        """Goals the user may change: only the mentee's own."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(enrollment__person__user=user)


class Goal(models.Model):
    """A development goal a mentee sets in a program, adopted from a template or their own."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="goals")
    template = models.ForeignKey(
        GoalTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="adopted_goals"
    )
    title = models.CharField(max_length=200)
    description = models.TextField("Why it matters", blank=True)
    success_measure = models.TextField("How you will know you got there", blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(100)])
    progress_from_milestones = models.BooleanField(
        "Progress follows the milestones", default=False, help_text="Progress is the share of milestones done."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        db_table = "programs_goal"
        ordering = ["enrollment", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="goal_progress_at_most_100"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS)


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "programs_milestone"
        ordering = ["goal", "order", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_done(self):
        return self.done_at is not None


class GoalComment(models.Model):
    """A remark on a goal by the mentee or their mentor (both read all of them)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "programs_goalcomment"
        ordering = ["goal", "created_at", "pk"]

    def __str__(self):
        return f"Comment on goal #{self.goal_id}"


class GoalEvent(models.Model):
    """One line of a goal's history, written by the goal services (never edited)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        PROGRESS = "progress", "Progress changed"
        STATUS = "status", "Status changed"
        MILESTONE_ADDED = "milestone_added", "Milestone added"
        MILESTONE_DONE = "milestone_done", "Milestone done"
        MILESTONE_REOPENED = "milestone_reopened", "Milestone reopened"
        COMMENT = "comment", "Comment"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey(GoalComment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "programs_goalevent"
        ordering = ["goal", "-created_at", "-pk"]

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        """The event in words, e.g. "Progress changed from 20% to 50%"."""
        statuses = dict(Goal.Status.choices)
        Kind = self.Kind
        if self.kind == Kind.CREATED:
            return f"Goal created{f' from the template “{self.to_value}”' if self.to_value else ''}"
        if self.kind == Kind.EDITED:
            return f"Details edited ({self.to_value})" if self.to_value else "Details edited"
        if self.kind == Kind.PROGRESS:
            return f"Progress changed from {self.from_value}% to {self.to_value}%"
        if self.kind == Kind.STATUS:
            before = statuses.get(self.from_value, self.from_value)
            after = statuses.get(self.to_value, self.to_value)
            return f"Status changed from {before} to {after}"
        if self.kind == Kind.MILESTONE_ADDED:
            return f"Milestone added: {self.to_value}"
        if self.kind == Kind.MILESTONE_DONE:
            return f"Milestone done: {self.to_value}"
        if self.kind == Kind.MILESTONE_REOPENED:
            return f"Milestone reopened: {self.to_value}"
        if self.kind == Kind.COMMENT:
            return "Comment"
        return self.get_kind_display()
