"""Surveys: a program's survey definitions and their questions, the rounds in
which a survey is open (``SurveyInstance``), who was asked (``SurveyInvitation``)
and what came back (``SurveyResponse`` and its ``SurveyAnswer`` rows).

A survey with no program is a ready-made template from the library
(``surveys.library``); HR copies it into a program and edits the copy.

Anonymity is a storage rule, not a display rule (see ``surveys.anonymity``): the
answers of an anonymous survey are first kept sealed (``SealedSurveyResponse``,
encrypted with a key the database does not hold), then join the results in
batches of at least ``PRIVACY_MIN_GROUP``, as ``SurveyResponse`` rows linked to
the survey, its program-wide round and a reporting group only. The invitation
records *that* the person answered, nothing else.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from programs.models import Role


class Audience(models.TextChoices):
    MENTORS = "mentors", "Mentors"
    MENTEES = "mentees", "Mentees"
    BOTH = "both", "Mentors and mentees"


AUDIENCE_ROLES = {
    Audience.MENTORS: [Role.MENTOR],
    Audience.MENTEES: [Role.MENTEE],
    Audience.BOTH: [Role.MENTOR, Role.MENTEE],
}


class Trigger(models.TextChoices):
    """When a survey opens a round. Program-wide triggers ask every approved
    participant of the audience at once; pairing triggers ask the two people
    of one pairing."""

    SESSION_HELD = "session_held", "After each held session (both people of the pairing)"
    PAIRING_ENDED = "pairing_ended", "When a pairing ends early"
    PAIRING_DAY = "pairing_day", "A number of days after each pairing starts"
    PAIRING_MIDPOINT = "pairing_midpoint", "Halfway between a pairing's start and the program's end"
    PAIRING_EVERY = "pairing_every", "Every few days during each pairing"
    PROGRAM_DAY = "program_day", "A number of days after the program starts"
    PROGRAM_MIDPOINT = "program_midpoint", "At the program's midpoint"
    PROGRAM_END = "program_end", "Shortly before the program ends"
    PROGRAM_EVERY = "program_every", "Every few days during the program"
    MANUAL = "manual", "Only when HR sends it"


PROGRAM_WIDE_TRIGGERS = (
    Trigger.PROGRAM_DAY,
    Trigger.PROGRAM_MIDPOINT,
    Trigger.PROGRAM_END,
    Trigger.PROGRAM_EVERY,
    Trigger.MANUAL,
)
EVENT_TRIGGERS = (Trigger.SESSION_HELD, Trigger.PAIRING_ENDED)
PAIRING_SCHEDULE_TRIGGERS = (Trigger.PAIRING_DAY, Trigger.PAIRING_MIDPOINT, Trigger.PAIRING_EVERY)
PROGRAM_SCHEDULE_TRIGGERS = (Trigger.PROGRAM_DAY, Trigger.PROGRAM_MIDPOINT, Trigger.PROGRAM_END, Trigger.PROGRAM_EVERY)
# Triggers whose ``days`` field means something, and what it means.
TRIGGER_DAYS_MEANING = {
    Trigger.PAIRING_DAY: "days after the pairing starts",
    Trigger.PAIRING_EVERY: "days between rounds",
    Trigger.PROGRAM_DAY: "days after the program starts",
    Trigger.PROGRAM_END: "days before the program ends",
    Trigger.PROGRAM_EVERY: "days between rounds",
}


class SurveyQuerySet(models.QuerySet):
    def templates(self):
        return self.filter(program__isnull=True)

    def in_programs(self):
        return self.filter(program__isnull=False)

    def results_visible_to(self, user):
        """Program surveys whose results ``user`` may read: HR admins all, owners their programs'."""
        if not user.is_authenticated:
            return self.none()
        if user.is_hr_admin:
            return self.in_programs()
        return self.filter(program__owners=user)


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Sending"
        PAUSED = "paused", "Paused"

    program = models.ForeignKey(
        "programs.Program",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
        help_text="Blank for a template of the library.",
    )
    template_key = models.SlugField(
        max_length=60, blank=True, help_text="Library templates only: the stable name the installer updates by."
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies", editable=False
    )
    title = models.CharField(max_length=150)
    description = models.TextField("Introduction", blank=True, help_text="Shown to participants above the questions.")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    anonymous = models.BooleanField(
        default=False,
        help_text="Answers are stored without any link to the person; results show only groups of 5 or more.",
    )
    trigger = models.CharField("Send", max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For the triggers that count days: how many."
    )
    open_days = models.PositiveSmallIntegerField(
        "Open for (days)", default=14, help_text="How long each round accepts answers."
    )
    reminder_days = models.PositiveSmallIntegerField(
        "Remind (days before closing)",
        default=3,
        help_text="People who have not answered get one reminder this many days before the round closes.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template_key"], condition=Q(program__isnull=True), name="one_library_template_per_key"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_template(self):
        return self.program_id is None

    @property
    def roles(self):
        return AUDIENCE_ROLES[self.audience]

    @property
    def is_program_wide(self):
        return self.trigger in PROGRAM_WIDE_TRIGGERS

    @property
    def schedule_label(self):
        """The trigger in words, with its number of days: "30 days after each pairing starts"."""
        if self.trigger in TRIGGER_DAYS_MEANING and self.days is not None:
            meaning = TRIGGER_DAYS_MEANING[self.trigger]
            if self.trigger in (Trigger.PAIRING_EVERY, Trigger.PROGRAM_EVERY):
                scope = "each pairing" if self.trigger == Trigger.PAIRING_EVERY else "the program"
                return f"Every {self.days} days during {scope}"
            if self.trigger == Trigger.PAIRING_DAY:
                return f"{self.days} days after each pairing starts"
            return f"{self.days} {meaning}"
        return self.get_trigger_display()


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", "Rating 1-5"
        NPS = "nps", "Recommendation 0-10 (NPS)"
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TEXT = "text", "Free text"

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
    NUMBER_KINDS = (Kind.RATING, Kind.NPS)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RATING)
    text = models.CharField("Question", max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True, help_text="The options of a choice question.")
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def scale(self) -> list[int]:
        """The numbers a rating or NPS question offers."""
        if self.kind == self.Kind.RATING:
            return list(range(1, 6))
        if self.kind == self.Kind.NPS:
            return list(range(0, 11))
        return []


class SurveyInstanceQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=SurveyInstance.Status.OPEN)


class SurveyInstance(models.Model):
    """One round of a survey: for the whole program (e.g. "day 30") or for one
    pairing (a session pulse, an exit survey, a pairing's 30-day check-in).

    ``occurrence`` names the round within its survey ("program-day:30",
    "session:812", "pairing:41:every:3"); it is unique per survey, so a sweep
    or an event hook that runs twice opens the round once.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="instances")
    occurrence = models.CharField(max_length=80)
    pairing = models.ForeignKey(
        "matching.Pairing", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_instances"
    )
    # The held session that opened a pulse. An id, not a foreign key: the sessions
    # app owns that table, and a pulse's answers outlive a deleted session.
    session_id = models.PositiveBigIntegerField(null=True, blank=True)
    occurs_on = models.DateField(help_text="The day the round is for; results are charted over it.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    remind_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyInstanceQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "occurrence"], name="one_round_per_survey_occurrence"),
        ]
        indexes = [
            models.Index(fields=["status", "closes_at"], name="survey_instance_closing_idx"),
        ]

    def __str__(self):
        return f"{self.survey} · {self.occurs_on:%d %b %Y}"

    def is_open_at(self, now) -> bool:
        return self.status == self.Status.OPEN and self.closes_at > now


class SurveyInvitationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Only the user's own invitations (HR admins included: nobody answers for another)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(enrollment__person__user=user)


class SurveyInvitation(models.Model):
    """One person asked in one round. ``answered`` is all it knows about the
    answer: for an anonymous survey the response is stored apart."""

    instance = models.ForeignKey(SurveyInstance, on_delete=models.CASCADE, related_name="invitations")
    enrollment = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="survey_invitations")
    role = models.CharField(max_length=10, choices=Role.choices)
    answered = models.BooleanField(default=False)
    # Claims for the sweep: set by a conditional UPDATE just before the notification is sent.
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["instance", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "enrollment"], name="one_invitation_per_person_and_round"),
        ]

    def __str__(self):
        return f"Invitation #{self.pk} to {self.instance}"


class SurveyResponse(models.Model):
    """What one person answered in one round (attributed), or one released anonymous answer.

    Attributed surveys: ``invitation`` names the person; ``role``, ``department`` and
    ``submitted_on`` describe them and the day they answered.

    Anonymous surveys: no invitation, no department. ``instance`` is a program-wide
    round (never one pairing's), or empty for answers pooled over the whole survey;
    ``role`` is the reporting group ("" when the round's roles are too small to tell
    apart); ``submitted_on`` is the day the batch joined the results, not the day the
    person answered. ``edit_key_hash`` is the hash of a key held only in the
    respondent's browser, so they can read their answers back. The primary key is a
    random UUID and a batch is written in random order, so neither says who answered
    when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    instance = models.ForeignKey(
        SurveyInstance, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.CASCADE, related_name="response"
    )
    edit_key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    department = models.CharField(max_length=120, blank=True)
    submitted_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(invitation__isnull=False) | ~Q(edit_key_hash=""), name="response_is_attributed_or_keyed"
            ),
            models.CheckConstraint(
                condition=Q(invitation__isnull=False) | Q(department=""), name="anonymous_response_has_no_department"
            ),
        ]

    def __str__(self):
        return f"Response to {self.survey}"


class SealedSurveyResponse(models.Model):
    """Anonymous answers waiting to join the results (``surveys.anonymity``).

    ``sealed`` is the answers encrypted (AES-GCM) with a key derived from the
    project's secret key, which the database does not hold: someone reading the
    database sees that a person answered (their invitation says so) and that a
    sealed row exists, but not what it says. Once the round's reporting group has
    ``PRIVACY_MIN_GROUP`` sealed answers they are released together, in random
    order, and these rows are deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sealed_responses")
    instance = models.ForeignKey(
        SurveyInstance, null=True, blank=True, on_delete=models.CASCADE, related_name="sealed_responses"
    )
    group = models.CharField(max_length=10, choices=Role.choices, blank=True)
    edit_key_hash = models.CharField(max_length=64, db_index=True)
    sealed = models.TextField()

    def __str__(self):
        return f"Sealed answers to {self.survey}"


class SurveyAnswer(models.Model):
    """One answer to one question. A multiple-choice answer is one row per chosen option."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "number"], name="survey_answer_number_idx")]

    def __str__(self):
        return f"Answer to {self.question_id}"


class SurveyTally(models.Model):
    """Running totals of a survey's rounds for one period, kept with every write
    (``surveys.tallies``) so that lists and results read a few rows instead of counting
    every invitation: rounds opened, people invited, invitations answered, and responses
    in the results (released ones only, for an anonymous survey).

    ``period`` is how the results chart the rounds: the round's day for a program-wide
    survey, the first of its month for pairing rounds, empty for anonymous answers
    pooled over the whole survey. A period may have several rows (summed when read).
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(null=True, blank=True)
    rounds = models.IntegerField(default=0)
    invited = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    responses = models.IntegerField(default=0)

    def __str__(self):
        return f"Tally of {self.survey_id} for {self.period}"


class SurveyAnswerTally(models.Model):
    """Running totals of a survey's answers in the results, by question, period, role,
    department (always "" for an anonymous survey) and value (``number`` or ``choice``):
    ``n`` answers, of which ``written`` are non-empty texts. A row with ``per_person``
    counts the people who answered a multiple-choice question (whose answers are one row
    per chosen option), not options. Bounded by questions x options x roles x departments
    x periods, never by the number of answers. Only answers in the results are counted:
    sealed anonymous answers join when their batch is released."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(null=True, blank=True)
    role = models.CharField(max_length=10, blank=True)
    department = models.CharField(max_length=120, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    per_person = models.BooleanField(default=False)
    n = models.IntegerField(default=0)
    written = models.IntegerField(default=0)

    def __str__(self):
        return f"Answer tally of question {self.question_id}"
