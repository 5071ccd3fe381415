"""Programs, their lifecycle and setup, enrollment and the participant's profile,
training, and goal templates."""

import secrets
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Objective(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership"
    TECHNICAL = "technical", "Technical skills"
    CAREER = "career", "Career progression"
    ONBOARDING = "onboarding", "Onboarding"
    KNOWLEDGE_TRANSFER = "knowledge_transfer", "Knowledge transfer / succession"
    DIVERSITY = "diversity", "Diversity & inclusion"
    CUSTOM = "custom", "Custom"


class Role(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


class MeetingFormat(models.TextChoices):
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    EITHER = "either", "Either"


class WorkingStyleItem(NamedTuple):
    """One item of the enrollment working-style questionnaire, answered 1..5
    (1 leans to ``low``, 5 to ``high``); matching compares the answers."""

    code: str
    question: str
    low: str
    high: str


WORKING_STYLE_ITEMS = (
    WorkingStyleItem("structure", "How do you like to work together?", "Clear structure", "Flexibility"),
    WorkingStyleItem("feedback", "How do you like feedback to be given?", "Direct and candid", "Gentle and careful"),
    WorkingStyleItem("meetings", "How do you like to meet?", "Planned in advance", "Ad hoc, when needed"),
    WorkingStyleItem("focus", "Where do conversations help you most?", "The big picture", "The details"),
    WorkingStyleItem("approach", "In mentoring conversations you prefer…", "Listening, questions", "Advice, answers"),
)


def new_signup_token():
    return secrets.token_urlsafe(24)


class ProgramQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Programs a user may read: all for HR admins, owned ones for owners,
        and the ones the person takes part in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_hr_admin:
            return self
        return self.filter(Q(owners=user) | Q(enrollments__person__user=user)).distinct()

    def owned_by(self, user):
        if user.is_hr_admin:
            return self
        return self.filter(owners=user)


class Program(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ENROLLING = "enrolling", "Enrolling"
        MATCHING = "matching", "Matching"
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    class MatchingMode(models.TextChoices):
        ADMIN = "admin", "Admin-matched"
        SELF_SELECT = "self_select", "Mentee self-selects"
        HYBRID = "hybrid", "Hybrid"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    description = models.TextField(blank=True)
    objectives = models.JSONField(default=list, blank=True, help_text="Codes from Objective.")
    custom_objective = models.CharField(max_length=200, blank=True)
    mentor_expectations = models.TextField(
        "Mentor charter", blank=True, help_text="What mentors agree to when they enrol."
    )
    mentee_expectations = models.TextField(
        "Mentee charter", blank=True, help_text="What mentees agree to when they enrol."
    )
    start_date = models.DateField()
    end_date = models.DateField()
    cadence_days = models.PositiveSmallIntegerField(
        "Meeting cadence (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Pairs should meet at least this often. A pair with no session for longer is nudged; "
        "at twice as long, again and HR is told. Pair health uses the same rule.",
    )
    #: No longer read: nudges follow the cadence (``sessions.activity``). Kept one release so the
    #: previous release's code keeps working during an upgrade (README *Upgrade*); dropped next.
    inactivity_threshold_days = models.PositiveSmallIntegerField(default=14, editable=False)
    default_mentor_capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    matching_mode = models.CharField(max_length=20, choices=MatchingMode.choices, default=MatchingMode.ADMIN)
    allow_mentors = models.BooleanField("Mentors may enrol", default=True)
    allow_mentees = models.BooleanField("Mentees may enrol", default=True)
    max_mentees = models.PositiveIntegerField(
        null=True, blank=True, help_text="Approved mentees beyond this go to the waitlist. Blank: no limit."
    )
    max_mentors = models.PositiveIntegerField(
        null=True, blank=True, help_text="Approved mentors beyond this go to the waitlist. Blank: no limit."
    )
    open_signup = models.BooleanField(
        default=False, help_text="Anyone in the company may apply through the program's sign-up link."
    )
    signup_token = models.CharField(max_length=64, unique=True, default=new_signup_token, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="owned_programs")
    cloned_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="program_ends_after_start"),
            models.CheckConstraint(condition=Q(default_mentor_capacity__gte=1), name="program_capacity_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def objective_labels(self):
        labels = dict(Objective.choices)
        return [
            self.custom_objective if code == Objective.CUSTOM and self.custom_objective else labels.get(code, code)
            for code in self.objectives
        ]

    @property
    def allowed_roles(self):
        return [
            role for role, allowed in ((Role.MENTOR, self.allow_mentors), (Role.MENTEE, self.allow_mentees)) if allowed
        ]

    @property
    def profiles_editable(self):
        """Participants may edit their profile until matching starts."""
        return self.status in (self.Status.DRAFT, self.Status.ENROLLING)


class ProgramQuestion(models.Model):
    """A custom enrollment question HR defines for one program and one audience."""

    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        SCALE = "scale", "Scale 1-5"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    audience = models.CharField(max_length=10, choices=Role.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True, help_text="Options for choice questions.")
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    maps_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mapped_from",
        help_text="For a mentee question: the mentor question whose answer it is matched against.",
    )

    class Meta:
        ordering = ["program", "audience", "order", "pk"]

    def __str__(self):
        return self.text


class TrainingModule(models.Model):
    class Audience(models.TextChoices):
        MENTORS = "mentors", "Mentors"
        MENTEES = "mentees", "Mentees"
        BOTH = "both", "Mentors and mentees"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training_modules")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    url = models.URLField("Link", blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "order", "pk"]

    def __str__(self):
        return self.title

    def applies_to(self, role):
        return self.audience == self.Audience.BOTH or self.audience == f"{role}s"


class GoalTemplate(models.Model):
    """A suggested goal HR defines for a program; mentees can adopt it later."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="goal_templates")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    objective = models.CharField(max_length=30, choices=Objective.choices, blank=True)
    suggested_milestones = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "order", "pk"]

    def __str__(self):
        return self.title


class EnrollmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_hr_admin:
            return self
        return self.filter(person__user=user)

    def approved(self):
        return self.filter(status=Enrollment.Status.APPROVED)


class Enrollment(models.Model):
    """One person's participation in one program, in one role, with their profile."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        APPLIED = "applied", "Applied"
        APPROVED = "approved", "Approved"
        WAITLISTED = "waitlisted", "Waitlisted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    # The profile used for matching.
    objectives = models.JSONField(default=list, blank=True)
    goals_text = models.TextField("Goals", blank=True)
    meeting_format = models.CharField(max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.EITHER)
    availability_hours = models.PositiveSmallIntegerField(
        "Availability (hours per month)", default=2, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    mentor_capacity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Mentors only: how many mentees at once. Blank: the program default.",
    )
    working_style = models.JSONField(default=dict, blank=True, help_text="Item code -> 1..5.")
    answers = models.JSONField(default=dict, blank=True, help_text="Question id -> answer.")
    charter_agreed_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    invitation_message = models.TextField(blank=True, help_text="HR's personal note in the invitation.")
    # Set when the invitation email to a person without an account was claimed for sending.
    invitation_emailed_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["program", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "person"], name="one_enrollment_per_person_and_program"),
        ]
        # Counts per program, status and role (the matching index) read this index alone.
        indexes = [models.Index(fields=["program", "status", "role"], name="enrollment_program_state_idx")]

    def __str__(self):
        return f"{self.person} in {self.program} ({self.get_role_display() or 'no role yet'})"

    @property
    def capacity(self):
        return self.mentor_capacity or self.program.default_mentor_capacity


class EnrollmentSkill(models.Model):
    class Direction(models.TextChoices):
        HAS = "has", "Has"
        WANTS = "wants", "Wants to develop"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey("people.Skill", on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=5, choices=Direction.choices)
    level = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "skill", "direction"], name="one_skill_entry_per_direction"),
        ]

    def __str__(self):
        return f"{self.skill} ({self.get_direction_display()}, level {self.level})"


class TrainingCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="training_completions")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="one_completion_per_module"),
        ]

    def __str__(self):
        return f"{self.module} completed"
