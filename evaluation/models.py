"""Dated snapshots of each program's success metrics, so dashboards can draw trends; and
each active pairing's stored health (``PairHealth``), so HR's pages read a page of rows.

A snapshot stores counts (and the few averages that cannot be rebuilt from counts);
percentages are properties computed from the counts, so a figure and its parts can
never disagree. One row per program and day: the nightly job, "Recompute now" and
``manage.py evaluate_programs`` all update the same row when they run twice a day.
"""

from django.db import models

from people import privacy


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


class ProgramSnapshot(models.Model):
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField(help_text="The day the figures are for (as of the end of that day, or now for today).")
    computed_at = models.DateTimeField()

    # Enrollment (approved participants by role) and the mentee funnel.
    mentors_enrolled = models.PositiveIntegerField(default=0)
    mentees_enrolled = models.PositiveIntegerField(default=0)
    mentees_matched = models.PositiveIntegerField(
        default=0, help_text="Approved mentees with an accepted pairing or one that started."
    )
    mentees_started = models.PositiveIntegerField(default=0, help_text="... whose pairing became active.")
    mentees_completed = models.PositiveIntegerField(default=0, help_text="... with a completed pairing.")

    # Pairings, and the health of the active ones (see evaluation/health.py).
    pairings_active = models.PositiveIntegerField(default=0)
    pairings_healthy = models.PositiveIntegerField(default=0)
    pairings_cooling = models.PositiveIntegerField(default=0)
    pairings_at_risk = models.PositiveIntegerField(default=0)
    pairings_completed = models.PositiveIntegerField(default=0)
    pairings_ended = models.PositiveIntegerField(default=0, help_text="Ended early.")

    # Meeting rhythm.
    sessions_held_30_days = models.PositiveIntegerField(default=0)
    days_since_session_median = models.FloatField(null=True, blank=True)
    days_since_session_avg = models.FloatField(null=True, blank=True)

    # Goals, action items, training.
    goals_total = models.PositiveIntegerField(default=0)
    goals_achieved = models.PositiveIntegerField(default=0)
    action_items_total = models.PositiveIntegerField(default=0)
    action_items_done = models.PositiveIntegerField(default=0)
    training_expected = models.PositiveIntegerField(default=0)
    training_done = models.PositiveIntegerField(default=0)

    # Surveys (aggregates only).
    survey_invited = models.PositiveIntegerField(default=0)
    survey_answered = models.PositiveIntegerField(default=0)
    rating_answers = models.PositiveIntegerField(default=0)
    rating_average = models.FloatField(null=True, blank=True, help_text="Average of all 1-5 rating answers.")
    nps_answers = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["program", "date"]
        get_latest_by = "date"
        constraints = [
            models.UniqueConstraint(fields=["program", "date"], name="one_snapshot_per_program_and_day"),
        ]

    def __str__(self):
        return f"{self.program} on {self.date:%Y-%m-%d}"

    @property
    def matched_percent(self) -> float | None:
        return _percent(self.mentees_matched, self.mentees_enrolled)

    @property
    def sessions_per_pairing_month(self) -> float | None:
        """Held sessions in the 30 days up to the snapshot, per active pairing."""
        return round(self.sessions_held_30_days / self.pairings_active, 2) if self.pairings_active else None

    @property
    def goal_completion_percent(self) -> float | None:
        return _percent(self.goals_achieved, self.goals_total)

    @property
    def action_items_done_percent(self) -> float | None:
        return _percent(self.action_items_done, self.action_items_total)

    @property
    def training_percent(self) -> float | None:
        return _percent(self.training_done, self.training_expected)

    @property
    def survey_response_rate(self) -> float | None:
        return _percent(self.survey_answered, self.survey_invited)

    @property
    def satisfaction(self) -> float | None:
        """The average rating, once enough answers make it meaningful (and anonymous)."""
        if not privacy.is_shown(self.rating_answers) or self.rating_average is None:
            return None
        return round(self.rating_average, 2)

    @property
    def nps(self) -> int | None:
        """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), -100..100."""
        if not privacy.is_shown(self.nps_answers):
            return None
        return round(100 * (self.nps_promoters - self.nps_detractors) / self.nps_answers)


class PairHealth(models.Model):
    """An active pairing's health as the rule (``evaluation/health.py``) last found it, with the
    facts it read, so that HR's pages read a page of rows instead of classifying every pair.

    Written only by ``evaluation.services.pair_health_refresh`` (set-based, see there), which
    keeps one row per active pairing of a program and deletes the rows of pairings no longer
    active. ``due_at`` is the moment the answer would change with no new fact (the pair
    becomes overdue, long overdue, or reaches the goal grace period): the sweep recomputes a
    row then. ``computed_at`` is when the row last changed; how fresh a program's rows are is
    ``ProgramHealthState.checked_at``.
    """

    pairing = models.OneToOneField(
        "matching.Pairing", on_delete=models.CASCADE, primary_key=True, related_name="pair_health"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="pair_health")
    level = models.PositiveSmallIntegerField(help_text="0 healthy, 1 cooling, 2 at risk (health.HEALTH_LEVELS).")
    reasons = models.JSONField(default=list, blank=True, help_text="Reason codes, in the order they are shown.")
    # The facts the rule read.
    health_start = models.DateTimeField(help_text="The pairing's start (else its creation).")
    last_session_at = models.DateTimeField(null=True, blank=True, help_text="The last held session, if any.")
    quiet_since = models.DateTimeField(help_text="The last held session, else the start: the list's sort key.")
    mentor_low_rating = models.BooleanField(default=False)
    mentee_low_rating = models.BooleanField(default=False)
    has_goal = models.BooleanField(default=False)
    goal_moved = models.BooleanField(default=False)
    cadence_days = models.PositiveSmallIntegerField(help_text="The program's cadence the rule used.")
    due_at = models.DateTimeField(null=True, blank=True, help_text="When time alone changes the answer (or never).")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # HR's lists: one program and status, quietest first; and the counts per status.
            models.Index(fields=["program", "level", "quiet_since", "pairing"], name="pairhealth_list_idx"),
            # The sweep: rows whose answer time has changed.
            models.Index(fields=["program", "due_at"], name="pairhealth_due_idx"),
        ]

    def __str__(self):
        return f"Pairing {self.pairing_id}: level {self.level}"

    # The signs ``health.health_reasons`` reads, as on a pairing from ``pairings_with_health``.
    @property
    def sign_long_overdue(self) -> bool:
        return "long_overdue" in self.reasons

    @property
    def sign_overdue(self) -> bool:
        return "overdue" in self.reasons or self.sign_long_overdue

    @property
    def sign_low_rating(self) -> bool:
        return "low_rating" in self.reasons

    @property
    def sign_no_goals(self) -> bool:
        return "no_goals" in self.reasons

    @property
    def sign_no_progress(self) -> bool:
        return "no_progress" in self.reasons


class ProgramHealthState(models.Model):
    """How fresh a program's stored pair health is. No row (or no ``checked_at``) means its
    pair health was never computed: the pages say so rather than show empty lists."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, primary_key=True, related_name="health_state"
    )
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="Every active pairing's stored health was current at this moment."
    )
    recomputed_at = models.DateTimeField(
        null=True, blank=True, help_text="The last full recompute (nightly, Recompute now, the first sweep)."
    )

    def __str__(self):
        return f"Pair health of {self.program_id} checked at {self.checked_at}"
