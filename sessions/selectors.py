"""Reads for the pairing pages, "My pairings", the HR oversight page and calendar feeds.

Every page's reads are a fixed number of queries however many sessions, action items or
goals there are (``select_related``/``prefetch_related``/subquery annotations).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, DateTimeField, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from goals.models import Goal
from goals.selectors import goals_in_display_order
from matching.models import Pairing
from programs.models import Enrollment, Program, Role
from sessions import activity
from sessions.models import (
    ActionItem,
    CalendarFeed,
    MentoringSession,
    PrivateNote,
    Resource,
    user_enrollment_ids,
)
from sessions.services import calendar_feed_token_hash

Status = MentoringSession.Status
PAIRING_RELATED = ("program", "mentor__person__user", "mentee__person__user")
#: A calendar feed lists sessions from this far back onwards, so it stays small however long
#: someone mentors. Older sessions drop out of subscribed calendars at their next refresh;
#: the pairing pages keep them.
FEED_HISTORY = timedelta(days=365)


# --- Scopes ------------------------------------------------------------------------------


def pairings_for_user(*, user) -> QuerySet[Pairing]:
    """The pairings whose pages the user may open: those they are the mentor or mentee of.
    HR admins are no exception (they get counts on the oversight page, never notes)."""
    if not user.is_authenticated:
        return Pairing.objects.none()
    return _visible_pairings(user_enrollment_ids(user))


def _visible_pairings(enrollment_ids) -> QuerySet[Pairing]:
    """The visible pairings whose mentor or mentee is one of ``enrollment_ids`` (a subquery or
    a list): an index lookup per side, whatever the number of pairings."""
    return (
        Pairing.objects.filter(Q(mentor_id__in=enrollment_ids) | Q(mentee_id__in=enrollment_ids))
        .filter(status__in=Pairing.VISIBLE_STATUSES)
        .select_related(*PAIRING_RELATED)
    )


def sessions_for_user(*, user) -> QuerySet[MentoringSession]:
    return MentoringSession.objects.for_user(user).select_related(*(f"pairing__{name}" for name in PAIRING_RELATED))


def action_items_for_user(*, user) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(pairing__in=pairings_for_user(user=user).order_by().values("pk")).select_related(
        *(f"pairing__{name}" for name in PAIRING_RELATED)
    )


def resources_for_user(*, user) -> QuerySet[Resource]:
    return Resource.objects.filter(pairing__in=pairings_for_user(user=user).order_by().values("pk")).select_related(
        *(f"pairing__{name}" for name in PAIRING_RELATED)
    )


def mentee_goals(*, pairing) -> QuerySet[Goal]:
    """The goals of the pairing's mentee (they belong to the enrollment, so they outlive a rematch),
    open ones first."""
    return goals_in_display_order(Goal.objects.filter(enrollment_id=pairing.mentee_id))


def viewer_sees_goals(*, pairing, user) -> bool:
    """The mentee always; the mentor while the pairing is accepted, active or completed."""
    if pairing.mentee.person.user_id == user.pk:
        return True
    return pairing.mentor.person.user_id == user.pk and pairing.status in Pairing.CONFIRMED_STATUSES


# --- Counts shared by "My pairings", the HR page and the reminder sweeps ------------------


def _count(queryset, outer="pk"):
    return Coalesce(
        Subquery(
            queryset.filter(pairing_id=OuterRef(outer))
            .order_by()
            .values("pairing_id")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _with_activity(queryset: QuerySet[Pairing], *, now: datetime) -> QuerySet[Pairing]:
    """Annotate ``sessions_held``, ``last_session_at``, ``next_session_at``, ``open_action_items``
    and ``overdue_action_items``: one query for the whole list."""
    sessions = MentoringSession.objects.all()
    return queryset.annotate(
        sessions_held=_count(sessions.filter(status=Status.HELD)),
        last_session_at=activity.last_held_session_at(),
        next_session_at=Subquery(
            sessions.filter(pairing_id=OuterRef("pk"), status=Status.SCHEDULED, starts_at__gte=now)
            .order_by("starts_at")
            .values("starts_at")[:1],
            output_field=DateTimeField(),
        ),
        open_action_items=_count(ActionItem.objects.open()),
        overdue_action_items=_count(ActionItem.objects.open().filter(due_date__lt=now.date())),
    )


def pairing_list_for_user(*, user, now: datetime | None = None) -> list[Pairing]:
    """ "My pairings": every pairing the user is in, newest first, with its activity counts."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    # The user's enrollment ids as a list (one small query): with literal ids PostgreSQL reads
    # the two pairing indexes; with the subquery it would scan every pairing.
    enrollment_ids = list(user_enrollment_ids(user).values_list("pk", flat=True))
    if not enrollment_ids:
        return []
    pairings = list(_with_activity(_visible_pairings(enrollment_ids), now=now).order_by("-created_at", "-pk"))
    for pairing in pairings:
        pairing.viewer_role = "mentor" if pairing.mentor.person.user_id == user.pk else "mentee"
        pairing.other_person = pairing.mentee.person if pairing.viewer_role == "mentor" else pairing.mentor.person
        pairing.is_workable = pairing.status in Pairing.WORKABLE_STATUSES
    return pairings


def goal_enrollments_for_user(*, user) -> list[Enrollment]:
    """The user's approved mentee enrollments, each with its number of goals (for "My goals")."""
    return list(
        Enrollment.objects.approved()
        .filter(person__user=user, role=Role.MENTEE)
        .select_related("program")
        .annotate(goal_count=Count("goals"))
        .order_by("-program__start_date", "pk")
    )


# --- The pairing page --------------------------------------------------------------------


#: Past sessions shown per page of a pairing's history ("Older sessions" pages on).
TIMELINE_PER_PAGE = 10
#: Planned sessions listed on the pairing page (upcoming, and past ones waiting to be logged);
#: the rest are counted, and the calendar feed lists them all.
PLANNED_SHOWN = 5
#: Open action items listed on the pairing page, the earliest due first; each session's page
#: lists its own.
OPEN_ITEMS_SHOWN = 20


@dataclass
class PairingPage:
    pairing: Pairing
    viewer_role: str
    other_person: object
    is_workable: bool
    upcoming: list[MentoringSession]
    to_log: list[MentoringSession]
    #: one page of held and cancelled sessions, the latest first
    timeline: Page
    goals: list[Goal] | None
    open_action_items: list[ActionItem]
    resources: list[Resource]
    stats: dict = field(default_factory=dict)

    @property
    def next_session(self):
        return self.upcoming[0] if self.upcoming else None


def held_sessions_prefetch(*, user) -> list:
    """What a session's card shows: its action items, the goals it discussed, and the
    viewer's own private note (never anyone else's)."""
    return [
        Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
        Prefetch("goals_discussed", queryset=Goal.objects.only("pk", "title", "enrollment_id")),
        Prefetch("private_notes", queryset=PrivateNote.objects.filter(author=user), to_attr="my_private_notes"),
    ]


def pairing_page(*, pairing: Pairing, user, now: datetime | None = None, page_number=None) -> PairingPage:
    """What the pairing page shows, bounded whatever the pairing's age: the first planned
    sessions, one page of its history (``page_number``, the latest first; junk means the
    first page, past the end the last), counts over all sessions, the earliest-due open
    action items. A fixed number of queries."""
    now = now or timezone.now()
    role = "mentor" if pairing.mentor.person.user_id == user.pk else "mentee"
    sessions = MentoringSession.objects.filter(pairing=pairing)
    counts = sessions.aggregate(
        held=Count("pk", filter=Q(status=Status.HELD)),
        minutes=Sum("duration_minutes", filter=Q(status=Status.HELD)),
        last_held_at=Max("starts_at", filter=Q(status=Status.HELD)),
        upcoming=Count("pk", filter=Q(status=Status.SCHEDULED, starts_at__gt=now)),
        to_log=Count("pk", filter=Q(status=Status.SCHEDULED, starts_at__lte=now)),
        past=Count("pk", filter=Q(status__in=[Status.HELD, Status.CANCELLED])),
    )
    scheduled = sessions.filter(status=Status.SCHEDULED).order_by("starts_at", "pk")
    # A planned session is "to log" from the moment it started.
    upcoming = list(scheduled.filter(starts_at__gt=now)[:PLANNED_SHOWN])
    to_log = list(scheduled.filter(starts_at__lte=now)[:PLANNED_SHOWN])
    history = (
        sessions.filter(status__in=[Status.HELD, Status.CANCELLED])
        .select_related("logged_by", "cancelled_by")
        .prefetch_related(*held_sessions_prefetch(user=user))
        .order_by("-starts_at", "-pk")
    )
    paginator = Paginator(history, TIMELINE_PER_PAGE)
    paginator.count = counts["past"]  # counted above with the rest: no COUNT query of its own
    timeline = paginator.get_page(page_number)
    goals = None
    if viewer_sees_goals(pairing=pairing, user=user):
        goals = list(mentee_goals(pairing=pairing).prefetch_related("milestones"))
    open_items = list(
        ActionItem.objects.open()
        .filter(pairing=pairing)
        .select_related("owner", "session")
        .order_by("due_date", "pk")[: OPEN_ITEMS_SHOWN + 1]
    )
    resources = list(Resource.objects.filter(pairing=pairing).select_related("goal"))
    stats = {
        "held": counts["held"],
        "minutes": counts["minutes"] or 0,
        "last_held_at": counts["last_held_at"],
        "more_upcoming": counts["upcoming"] - len(upcoming),
        "more_to_log": counts["to_log"] - len(to_log),
        "more_open_items": len(open_items) > OPEN_ITEMS_SHOWN,
    }
    return PairingPage(
        pairing=pairing,
        viewer_role=role,
        other_person=pairing.mentee.person if role == "mentor" else pairing.mentor.person,
        is_workable=pairing.status in Pairing.WORKABLE_STATUSES,
        upcoming=upcoming,
        to_log=to_log,
        timeline=timeline,
        goals=goals,
        open_action_items=open_items[:OPEN_ITEMS_SHOWN],
        resources=resources,
        stats=stats,
    )


def session_page(*, session: MentoringSession, user) -> MentoringSession:
    """One session with what its page shows (the viewer's own private note only)."""
    return (
        MentoringSession.objects.filter(pk=session.pk)
        .select_related("logged_by", "cancelled_by", "scheduled_by", *(f"pairing__{n}" for n in PAIRING_RELATED))
        .prefetch_related(*held_sessions_prefetch(user=user))
        .get()
    )


# --- HR and program owners: counts and dates, never note text -----------------------------


def programs_for_oversight(*, user) -> QuerySet[Program]:
    """HR admins see every program, owners the ones they own."""
    return Program.objects.owned_by(user).order_by("-start_date", "name")


def pairings_for_oversight(*, programs: QuerySet[Program], now: datetime | None = None) -> QuerySet[Pairing]:
    """Pairings of the given programs with counts and dates only: the queryset never loads
    a note, an agenda, an action item's title, a goal's title or a resource."""
    now = now or timezone.now()
    queryset = (
        Pairing.objects.filter(program__in=programs, status__in=Pairing.VISIBLE_STATUSES)
        .select_related("program", "mentor__person", "mentee__person")
        .only(
            "pk",
            "status",
            "started_at",
            "created_at",
            "ended_at",
            "program__name",
            "program__slug",
            "program__cadence_days",
            "mentor__person__first_name",
            "mentor__person__last_name",
            "mentee__person__first_name",
            "mentee__person__last_name",
        )
    )
    goals = Goal.objects.filter(enrollment_id=OuterRef("mentee_id")).order_by().values("enrollment_id")
    return _with_activity(queryset, now=now).annotate(
        quiet_since=activity.quiet_since(),
        nudge_level=activity.nudge_level_for_quiet_spell(),
        goals_total=Coalesce(Subquery(goals.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0),
        goals_achieved=Coalesce(
            Subquery(
                goals.filter(status=Goal.Status.ACHIEVED).annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def pairings_quiet(*, pairings: QuerySet[Pairing]) -> QuerySet[Pairing]:
    """Active pairings nudged for their current quiet spell (no session logged since)."""
    return pairings.filter(status=Pairing.Status.ACTIVE, nudge_level__isnull=False)


OVERSIGHT_PER_PAGE = 50
OVERSIGHT_ORDER = ("program__name", "mentee__person__last_name", "pk")


def oversight_page(*, programs: QuerySet[Program], quiet_only=False, page_number=None, now=None) -> Page:
    """One page of the HR page's table, in two steps: the page's pairing ids, sorted by
    program and mentee with nothing else joined or computed, then those pairings with their
    counts. Sorting every pairing with the people, the program and the counts' subqueries
    in one query read twice as much."""
    now = now or timezone.now()
    pairings = pairings_for_oversight(programs=programs, now=now)
    if quiet_only:
        pairings = pairings_quiet(pairings=pairings)
    page = Paginator(pairings.order_by(*OVERSIGHT_ORDER).values_list("pk", flat=True), OVERSIGHT_PER_PAGE).get_page(
        page_number
    )
    ids = list(page.object_list)
    rows = pairings_for_oversight(programs=programs, now=now).filter(pk__in=ids).order_by()
    found = {pairing.pk: pairing for pairing in rows}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


#: The HR page's cards count the sessions held and the action items done in this window, so
#: their cost follows the programs' activity, not their whole history.
SUMMARY_WINDOW = timedelta(days=30)


def oversight_summary(*, programs: QuerySet[Program], now: datetime | None = None, every_program=False) -> dict:
    """Totals for the HR page's cards, in four queries that read index ranges: pairings by
    status, the sessions held in the last 30 days, those planned, the open action items and
    those done in the last 30 days. ``every_program`` (HR's "All programs") reads the
    tables without the program filter, which would filter nothing but cost a join."""
    now = now or timezone.now()
    since = now - SUMMARY_WINDOW
    pairings = Pairing.objects.all() if every_program else Pairing.objects.filter(program__in=programs)
    in_programs = {} if every_program else {"pairing_id__in": pairings.order_by().values("pk")}
    by_status = dict(
        pairings.filter(status__in=Pairing.VISIBLE_STATUSES).order_by().values_list("status").annotate(n=Count("pk"))
    )
    # Two queries, each an index-only range scan of session_status_start_idx (one with an OR
    # of both ranges reads the table's rows: four times slower at 100,000 sessions).
    sessions = MentoringSession.objects.filter(**in_programs).order_by()
    held = sessions.filter(status=Status.HELD, starts_at__gte=since).aggregate(
        n=Count("*"), minutes=Sum("duration_minutes")
    )
    upcoming = sessions.filter(status=Status.SCHEDULED, starts_at__gte=now).count()
    open_items, done = Q(done_at__isnull=True), Q(done_at__gte=since)
    items = (
        ActionItem.objects.filter(**in_programs)
        .filter(open_items | done)
        .aggregate(
            open=Count("pk", filter=open_items),
            overdue=Count("pk", filter=open_items & Q(due_date__lt=now.date())),
            done=Count("pk", filter=done),
        )
    )
    return {
        "active": by_status.get("active", 0),
        "accepted": by_status.get("accepted", 0),
        "finished": by_status.get("completed", 0) + by_status.get("ended", 0),
        "window_days": SUMMARY_WINDOW.days,
        "held_last_30_days": held["n"],
        "hours_last_30_days": round((held["minutes"] or 0) / 60, 1),
        "upcoming": upcoming,
        "items_open": items["open"],
        "items_overdue": items["overdue"],
        "items_done_last_30_days": items["done"],
    }


# --- Calendar feeds ----------------------------------------------------------------------


def calendar_feed_for_user(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    """The live feed for a secret token, or None (unknown, revoked, or its owner deactivated)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=calendar_feed_token_hash(token), user__is_active=True)
        .first()
    )


def sessions_for_feed(*, user, now: datetime | None = None) -> QuerySet[MentoringSession]:
    """The person's sessions in all their pairings, from a year back."""
    now = now or timezone.now()
    return (
        MentoringSession.objects.for_user(user)
        .filter(starts_at__gte=now - FEED_HISTORY)
        .select_related("scheduled_by", *(f"pairing__{n}" for n in PAIRING_RELATED))
        .order_by("starts_at", "pk")
    )
