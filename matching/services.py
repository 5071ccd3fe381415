"""Writes for matching: criteria, match runs and publishing, HR's overrides,
pairing states, and self-select requests.

Services refuse changes the rules don't allow by raising ``MatchingError``
(its message is meant for the person who tried). State changes are
conditional UPDATEs (``... WHERE status = <the state we saw>``), so a double
click, two HR admins or a job that runs twice change things once and notify once.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.jobs import task_queue_on_commit
from core.notifications import notification_emails_queue, notification_send, notifications_send_bulk
from matching import signals
from matching.models import MatchingCriteria, MatchProposal, MatchRun, MentorshipRequest, Pairing, PairOverride
from programs.models import Enrollment, Program, Role

logger = logging.getLogger(__name__)

#: Programs whose HR runs the optimiser.
RUN_MODES = (Program.MatchingMode.ADMIN, Program.MatchingMode.HYBRID)
#: Programs whose mentees pick a mentor themselves, and when.
SELF_SELECT_MODES = (Program.MatchingMode.SELF_SELECT, Program.MatchingMode.HYBRID)
SELF_SELECT_STATUSES = (Program.Status.MATCHING, Program.Status.RUNNING)
#: A queued or running run older than this belongs to a worker that died: it no longer blocks a new run.
STALE_RUN = timedelta(minutes=15)
CRITERIA_FIELDS = [
    f.name for f in MatchingCriteria._meta.get_fields() if f.concrete and f.name not in ("id", "program", "updated_at")
]


class MatchingError(ServiceError):
    """A matching action the rules don't allow. The message is shown to the user."""


def _pairing_signal_on_commit(signal, pairing: Pairing) -> None:
    """Tell the apps above (pair health) that a pairing started or finished, once it commits."""
    pairing_id, program_id = pairing.pk, pairing.program_id
    transaction.on_commit(lambda: signal.send_robust(sender=Pairing, pairing_id=pairing_id, program_id=program_id))


def _program_pairings_signal_on_commit(program: Program) -> None:
    program_id = program.pk
    transaction.on_commit(lambda: signals.program_pairings_changed.send_robust(sender=Program, program_id=program_id))


# --- Criteria ---------------------------------------------------------------------------


def matching_criteria_get_or_create(*, program: Program) -> MatchingCriteria:
    """The program's criteria, created with the defaults on first use."""
    criteria, _ = MatchingCriteria.objects.get_or_create(program=program)
    return criteria


def matching_criteria_update(*, criteria: MatchingCriteria, user, **fields) -> MatchingCriteria:
    for name, value in fields.items():
        if name not in CRITERIA_FIELDS:
            raise ValueError(f"Unknown matching criterion {name!r}")
        setattr(criteria, name, value)
    criteria.full_clean(exclude=["program"])
    criteria.save()
    logger.info("Matching criteria of program %s changed by user %s", criteria.program_id, user.pk)
    return criteria


def matching_criteria_snapshot(*, criteria: MatchingCriteria) -> dict:
    return model_to_dict(criteria, fields=CRITERIA_FIELDS)


def matching_criteria_from_snapshot(*, program: Program, snapshot: dict) -> MatchingCriteria:
    """An unsaved ``MatchingCriteria`` as a run used it (defaults for anything added since)."""
    known = {k: v for k, v in (snapshot or {}).items() if k in CRITERIA_FIELDS}
    return MatchingCriteria(program=program, **known)


# --- Match runs -------------------------------------------------------------------------


def match_run_blockers(*, program: Program) -> list[str]:
    """Why HR can't start a run for ``program`` now (empty: they can)."""
    blockers = []
    if program.matching_mode not in RUN_MODES:
        blockers.append(
            f"{program.name} is a self-select program: mentees choose their mentor, so there is nothing to run. "
            "Switch the matching mode to admin-matched or hybrid in the program settings to run matching."
        )
    # A running program can be matched again: late joiners and mentees whose proposal was declined.
    if program.status not in (Program.Status.MATCHING, Program.Status.RUNNING):
        blockers.append(
            f"{program.name} is {program.get_status_display().lower()}. Move it to Matching on its lifecycle page "
            "to run matching."
        )
    in_progress = MatchRun.objects.filter(
        program=program,
        status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING],
        created_at__gte=timezone.now() - STALE_RUN,
    )
    if in_progress.exists():
        blockers.append("A match run for this program is in progress. Wait for it to finish.")
    return blockers


def match_run_start(*, program: Program, user) -> MatchRun:
    """Queue a match run with the program's current criteria; the task starts after commit."""
    from matching.tasks import match_run_execute

    blockers = match_run_blockers(program=program)
    if blockers:
        raise MatchingError(" ".join(blockers))
    # Runs whose worker went away will never finish: say so instead of leaving them "running".
    MatchRun.objects.filter(
        program=program,
        status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING],
        created_at__lt=timezone.now() - STALE_RUN,
    ).update(status=MatchRun.Status.FAILED, message="Stopped: the worker running it went away.")
    criteria = matching_criteria_get_or_create(program=program)
    run = MatchRun.objects.create(
        program=program,
        started_by=user,
        criteria=matching_criteria_snapshot(criteria=criteria),
        message="Waiting for a worker…",
    )
    task_queue_on_commit(match_run_execute, run.pk)
    logger.info("Match run %s of program %s queued by user %s", run.pk, program.pk, user.pk)
    return run


def _run_progress(run_id: int, progress: int, message: str) -> None:
    MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.RUNNING).update(progress=progress, message=message)


def match_run_execute(*, run_id: int) -> bool:
    """Compute a queued run's proposals. Returns False (and does nothing) when the
    run doesn't exist or isn't queued: a task delivered twice runs once."""
    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, progress=5, message="Loading participants…"
    )
    if claimed != 1:
        return False
    run = MatchRun.objects.select_related("program").get(pk=run_id)
    try:
        with _gc_paused():
            _match_run_compute(run)
    except Exception:
        logger.exception("Match run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.RUNNING).update(
            status=MatchRun.Status.FAILED,
            message="Matching failed because of an internal error. It has been logged; try again or contact support.",
            finished_at=timezone.now(),
        )
        return False
    return True


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while a run builds hundreds of thousands of small objects
    (rows, profiles, explanations, proposals): the collector's repeated passes over them cost
    about a third of loading a large cohort. They hold no reference cycles; collection resumes
    after the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _match_run_compute(run: MatchRun) -> None:
    """Load, score, solve, explain, write: the engine's numbers only for the chosen pairs."""
    # numpy and OR-Tools: imported by the worker that runs matching, never by the web process.
    from matching.features import MatchSettings, cohort_load
    from matching.scoring import cohort_assign, cohort_score

    started = time.monotonic()
    program = run.program
    criteria = matching_criteria_from_snapshot(program=program, snapshot=run.criteria)
    settings = MatchSettings.from_criteria(criteria)
    cohort = cohort_load(program=program)
    _run_progress(run.pk, 30, f"Scoring {len(cohort.mentees)} mentees against {len(cohort.mentors)} mentors…")
    scored = cohort_score(cohort=cohort, settings=settings)
    locks = list(
        PairOverride.objects.filter(program=program, kind=PairOverride.Kind.LOCK)
        .order_by("created_at", "pk")
        .values_list("mentee_id", "mentor_id")
    )
    _run_progress(run.pk, 60, "Finding the best assignment…")
    assignment = cohort_assign(scored=scored, locks=locks)
    _run_progress(run.pk, 90, "Saving proposals…")
    # Explanations for the proposals only: a few thousand pairs, not the millions scored.
    explained = scored.explained([(i, j) for i, j, _ in assignment.pairs])
    _match_run_save(run, scored=scored, assignment=assignment, explained=explained, started=started)


def _match_run_save(run: MatchRun, *, scored, assignment, explained, started: float) -> None:
    """Write the proposals and the run's figures, and mark it done (one transaction)."""
    cohort = scored.cohort
    mentee_ids = [p.enrollment_id for p in cohort.mentees]
    mentor_ids = [p.enrollment_id for p in cohort.mentors]
    proposals = [
        (mentee_ids[i], mentor_ids[j], score, explanation, locked)
        for (i, j, locked), (score, explanation) in zip(assignment.pairs, explained, strict=True)
    ]
    scores = [score for _, _, score, _, _ in proposals]
    n = len(cohort.mentees)
    stats = {
        "mentees": n,
        "mentors": len(cohort.mentors),
        "places": int(cohort.capacities.sum()),
        "matched": len(proposals),
        "matched_pct": round(100 * len(proposals) / n, 1) if n else 0.0,
        "avg_score": round(sum(scores) / len(scores), 1) if scores else None,
        "min_score": min(scores) if scores else None,
        "locked": sum(1 for *_, locked in proposals if locked),
        "no_possible_mentor": scored.mentees_without_option(),
        "left_out": cohort.left_out,
        "skipped_locks": [
            {"mentee": s.mentee_id, "mentor": s.mentor_id, "reason": s.reason} for s in assignment.skipped_locks
        ],
        "max_points": scored.max_points,
        "mentee_ids": mentee_ids,
        "seconds": round(time.monotonic() - started, 2),
    }
    message = _run_summary(stats)
    with transaction.atomic():
        _proposals_insert(run_id=run.pk, proposals=proposals)
        finished = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.RUNNING).update(
            status=MatchRun.Status.DONE, progress=100, message=message, stats=stats, finished_at=timezone.now()
        )
        if finished != 1:
            raise RuntimeError(f"Match run {run.pk} changed state while it was computed")


#: The columns ``_proposals_insert`` writes, by field name.
_PROPOSAL_FIELDS = ("run", "mentee", "mentor", "score", "explanation", "locked")


def _proposals_insert(*, run_id: int, proposals: list[tuple]) -> None:
    """Insert a run's ``(mentee id, mentor id, score, explanation, locked)`` proposals.

    On PostgreSQL one ``COPY``: a large run writes thousands of proposals, and the server
    takes rows of text in bulk about twice as fast as the same rows as INSERT statements.
    Elsewhere plain multi-row INSERTs (``bulk_create`` spends about 50 µs a row building
    model instances and preparing six plain values). The values are all plain: ids, a float,
    a bool and the explanation's JSON text."""
    meta = MatchProposal._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _PROPOSAL_FIELDS)
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", None)
        if connection.vendor == "postgresql" and hasattr(raw, "copy_expert"):
            rows = io.StringIO()
            for mentee_id, mentor_id, score, explanation, locked in proposals:
                text = _copy_text(json.dumps(explanation))
                rows.write(f"{run_id}\t{mentee_id}\t{mentor_id}\t{float(score)!r}\t{text}\t{'t' if locked else 'f'}\n")
            rows.seek(0)
            raw.copy_expert(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN", rows)
            return
        max_params = connection.features.max_query_params or 6000
        batch = max(1, min(1000, max_params // len(_PROPOSAL_FIELDS)))
        row = "(" + ", ".join(["%s"] * len(_PROPOSAL_FIELDS)) + ")"
        insert = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
        for start in range(0, len(proposals), batch):
            chunk = proposals[start : start + batch]
            params = []
            for mentee_id, mentor_id, score, explanation, locked in chunk:
                params += (run_id, mentee_id, mentor_id, score, json.dumps(explanation), locked)
            cursor.execute(insert + ", ".join([row] * len(chunk)), params)


def _copy_text(value: str) -> str:
    """A value in COPY's text format: backslashes, tabs and line breaks escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _run_summary(stats: dict) -> str:
    if not stats["mentees"]:
        return "No mentee is waiting for a match: nothing to propose."
    if not stats["mentors"]:
        return f"{stats['mentees']} mentees wait for a match, but no mentor has a free place."
    text = f"{stats['matched']} of {stats['mentees']} mentees matched ({stats['matched_pct']}%)."
    if stats["skipped_locks"]:
        text += f" {len(stats['skipped_locks'])} locked pair(s) could not be used."
    return text


@dataclass
class PublishResult:
    created: list[Pairing] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


PUBLISH_BATCH = 1000


def match_run_publish(*, run: MatchRun, user) -> PublishResult:
    """Turn a finished run's proposals into proposed pairings and tell both people.

    The run is claimed with a conditional UPDATE, so publishing twice creates
    nothing the second time. Mentor rows are locked while places are counted, and
    a proposal whose people were paired meanwhile (or whose mentor filled up) is skipped.
    """
    program = run.program
    if program.status not in (Program.Status.MATCHING, Program.Status.RUNNING):
        raise MatchingError(
            f"{program.name} is {program.get_status_display().lower()}: proposals can be published while it is "
            "matching or running."
        )
    now = timezone.now()
    result = PublishResult()
    with transaction.atomic():
        claimed = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.DONE).update(
            status=MatchRun.Status.PUBLISHED, published_at=now
        )
        if claimed != 1:
            run.refresh_from_db(fields=["status"])
            if run.status == MatchRun.Status.PUBLISHED:
                raise MatchingError("This run was already published.")
            raise MatchingError("Only a finished run can be published.")
        proposals = list(
            run.proposals.select_related("mentee__person__user", "mentor__person__user").order_by(
                "-locked", "-score", "pk"
            )
        )
        mentor_ids = {p.mentor_id for p in proposals}
        mentee_ids = {p.mentee_id for p in proposals}
        mentors = {e.pk: e for e in Enrollment.objects.select_for_update().filter(pk__in=mentor_ids).order_by("pk")}
        live = Pairing.objects.live()
        used = dict(
            live.filter(mentor_id__in=mentor_ids)
            .order_by()
            .values("mentor")
            .annotate(n=Count("pk"))
            .values_list("mentor", "n")
        )
        paired = set(live.filter(mentee_id__in=mentee_ids).values_list("mentee_id", flat=True))
        before = set(Pairing.objects.filter(program=program).values_list("mentee_id", "mentor_id"))
        approved = set(
            Enrollment.objects.filter(pk__in=mentor_ids | mentee_ids, status=Enrollment.Status.APPROVED).values_list(
                "pk", flat=True
            )
        )
        for proposal in proposals:
            mentor = mentors.get(proposal.mentor_id)
            who = f"{proposal.mentee.person} with {proposal.mentor.person}"
            if proposal.mentee_id not in approved or proposal.mentor_id not in approved or mentor is None:
                result.skipped.append(f"{who}: one of them is no longer an approved participant.")
            elif proposal.mentee_id in paired:
                result.skipped.append(f"{who}: the mentee was paired meanwhile.")
            elif (proposal.mentee_id, proposal.mentor_id) in before:
                result.skipped.append(f"{who}: they were paired before.")
            elif used.get(mentor.pk, 0) >= (mentor.mentor_capacity or program.default_mentor_capacity):
                result.skipped.append(f"{who}: the mentor has no free place any more.")
            else:
                pairing = Pairing(
                    program=program,
                    mentor=proposal.mentor,
                    mentee=proposal.mentee,
                    status=Pairing.Status.PROPOSED,
                    source=Pairing.Source.ADMIN,
                    score=proposal.score,
                    explanation=proposal.explanation,
                    match_run=run,
                )
                used[mentor.pk] = used.get(mentor.pk, 0) + 1
                paired.add(proposal.mentee_id)
                result.created.append(pairing)
        # One INSERT per thousand pairings (their ids come back), then the notifications in bulk.
        Pairing.objects.bulk_create(result.created, batch_size=PUBLISH_BATCH)
        # Mentees matched by HR no longer wait for a self-select answer.
        MentorshipRequest.objects.filter(
            mentee_id__in=[p.mentee_id for p in result.created], status=MentorshipRequest.Status.PENDING
        ).update(status=MentorshipRequest.Status.WITHDRAWN, decided_at=now)
        stats = dict(run.stats or {})
        stats["published"] = {"created": len(result.created), "skipped": result.skipped[:200]}
        MatchRun.objects.filter(pk=run.pk).update(stats=stats)
        _notify_pairings_proposed(result.created, program=program)
    logger.info("Match run %s published by user %s: %s pairings", run.pk, user.pk, len(result.created))
    return result


def _my_match_url() -> str:
    return reverse("matching:my_match")


def _pairing_notify_both(pairing: Pairing, *, kind: str, title, body) -> None:
    """Tell both people of ``pairing`` (those with an account), once each per event.

    ``title`` and ``body`` are called with (recipient's enrollment, partner's enrollment)."""
    for me, partner in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor)):
        recipient = me.person.user
        if recipient is None:
            continue
        notification_send(
            recipient=recipient,
            kind=kind,
            title=title(me, partner),
            body=body(me, partner),
            url=_my_match_url(),
            key=f"{kind.replace('_', '-')}:{pairing.pk}:{recipient.pk}",
        )


def _notify_pairings_proposed(pairings: list[Pairing], *, program: Program) -> None:
    """Tell both people of each new proposed pairing (those with an account): the bulk path
    the sweeps use, a few queries per thousand notifications and one email task per 200."""
    url = _my_match_url()
    items = (
        {
            "recipient_id": me.person.user_id,
            "kind": "pairing_proposed",
            "title": f"You have a proposed {partner.role} in {program.name}",
            "body": (
                f"{partner.person.full_name} is proposed as your {partner.role}. Please confirm or decline the match."
            ),
            "url": url,
            "key": f"pairing-proposed:{pairing.pk}:{me.person.user_id}",
        }
        for pairing in pairings
        for me, partner in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor))
        if me.person.user_id is not None
    )
    notification_emails_queue(notifications_send_bulk(items))


# --- HR's overrides ---------------------------------------------------------------------


def pair_override_set(*, program: Program, mentee: Enrollment, mentor: Enrollment, kind: str, user) -> PairOverride:
    """Lock a pair (it will be matched in the next runs, using a place of the mentor's)
    or exclude it (never matched). A lock must respect every hard rule."""
    if kind not in PairOverride.Kind.values:
        raise MatchingError("Choose lock or exclude.")
    if mentee.program_id != program.pk or mentor.program_id != program.pk:
        raise MatchingError("Both people must take part in this program.")
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
        raise MatchingError("Pick a mentee and a mentor, in that order.")
    if kind == PairOverride.Kind.LOCK:
        problem = _lock_problem(program=program, mentee=mentee, mentor=mentor)
        if problem:
            raise MatchingError(f"{mentee.person} can't be locked with {mentor.person}: {problem}.")
    with transaction.atomic():
        if kind == PairOverride.Kind.LOCK:
            # One lock per mentee: a new lock replaces the old one.
            PairOverride.objects.filter(program=program, mentee=mentee, kind=PairOverride.Kind.LOCK).exclude(
                mentor=mentor
            ).delete()
        override, _ = PairOverride.objects.update_or_create(
            program=program, mentee=mentee, mentor=mentor, defaults={"kind": kind, "created_by": user}
        )
    logger.info("Pair override %s (%s) set by user %s", override.pk, kind, user.pk)
    return override


def _lock_problem(*, program: Program, mentee: Enrollment, mentor: Enrollment) -> str:
    # Scoring loads numpy: only when HR locks a pair, never for a page.
    from matching.features import MatchSettings, cohort_load
    from matching.scoring import cohort_score

    criteria = matching_criteria_get_or_create(program=program)
    cohort = cohort_load(program=program, mentee_ids=[mentee.pk])
    i, j = cohort.mentee_index().get(mentee.pk), cohort.mentor_index().get(mentor.pk)
    if i is None:
        return "the mentee isn't waiting for a match (already paired, training not done, or not approved)"
    if j is None:
        return "the mentor has no free place or can't take part yet (training not done, or not approved)"
    scored = cohort_score(cohort=cohort, settings=MatchSettings.from_criteria(criteria))
    return "; ".join(scored.reasons(i, j))


def pair_override_delete(*, override: PairOverride, user) -> None:
    logger.info("Pair override %s removed by user %s", override.pk, user.pk)
    override.delete()


# --- Pairing states ---------------------------------------------------------------------


def _pairing_side(pairing: Pairing, user) -> str:
    if pairing.mentor.person.user_id == user.pk:
        return "mentor"
    if pairing.mentee.person.user_id == user.pk:
        return "mentee"
    raise MatchingError("This match isn't yours.")


def pairing_confirm(*, pairing: Pairing, user) -> Pairing:
    """The mentor or mentee agrees to a proposed match. Both agreed: accepted
    (and active at once when the program is running)."""
    side = _pairing_side(pairing, user)
    if pairing.status != Pairing.Status.PROPOSED:
        raise MatchingError("This match is no longer waiting for confirmation.")
    now = timezone.now()
    field_name = f"{side}_confirmed_at"
    Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.PROPOSED, **{f"{field_name}__isnull": True}).update(
        **{field_name: now, "updated_at": now}
    )
    accepted = Pairing.objects.filter(
        pk=pairing.pk,
        status=Pairing.Status.PROPOSED,
        mentor_confirmed_at__isnull=False,
        mentee_confirmed_at__isnull=False,
    ).update(status=Pairing.Status.ACCEPTED, updated_at=now)
    pairing.refresh_from_db()
    other = pairing.mentee if side == "mentor" else pairing.mentor
    if accepted:
        if pairing.program.status == Program.Status.RUNNING:
            pairing_activate(pairing=pairing)
        _pairing_notify_both(
            pairing,
            kind="pairing_accepted",
            title=lambda me, partner: f"Your match with {partner.person.full_name} is confirmed",
            body=lambda me, partner: (
                f"You both confirmed the match in {pairing.program.name}. Time to plan your first meeting."
            ),
        )
    elif other.person.user_id:
        notification_send(
            recipient=other.person.user,
            kind="pairing_confirmed",
            title=f"{user.get_full_name() or user.email} confirmed your proposed match",
            body=f"Confirm the match in {pairing.program.name} too, so you can start.",
            url=_my_match_url(),
            key=f"pairing-confirmed:{pairing.pk}:{other.person.user_id}",
        )
    return pairing


def pairing_decline(*, pairing: Pairing, user, reason: str = "") -> Pairing:
    """The mentor or mentee turns a proposed match down. The mentee goes back to the
    pool for the next run, never with this mentor again."""
    side = _pairing_side(pairing, user)
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.PROPOSED).update(
        status=Pairing.Status.DECLINED,
        ended_at=now,
        ended_by=user,
        end_reason=reason.strip() or f"Declined by the {side}.",
        updated_at=now,
    )
    if changed != 1:
        raise MatchingError("This match is no longer waiting for confirmation.")
    pairing.refresh_from_db()
    other = pairing.mentee if side == "mentor" else pairing.mentor
    if other.person.user_id:
        notification_send(
            recipient=other.person.user,
            kind="pairing_declined",
            title=f"Your proposed match in {pairing.program.name} won't go ahead",
            body="The match was declined. HR will look for a new match for you."
            if side == "mentor"
            else "The match was declined. Your place is free again.",
            url=_my_match_url(),
            key=f"pairing-declined:{pairing.pk}:{other.person.user_id}",
        )
    logger.info("Pairing %s declined by the %s (user %s)", pairing.pk, side, user.pk)
    return pairing


def pairing_activate(*, pairing: Pairing) -> bool:
    """An accepted pairing starts (the program is running). True if it changed."""
    if pairing.program.status != Program.Status.RUNNING:
        return False
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.ACCEPTED).update(
        status=Pairing.Status.ACTIVE, started_at=now, updated_at=now
    )
    if changed:
        pairing.refresh_from_db(fields=["status", "started_at", "updated_at"])
        _pairing_signal_on_commit(signals.pairing_started, pairing)
    return bool(changed)


def program_pairings_activate(*, program: Program) -> int:
    """When a program starts running: its accepted pairings become active."""
    if program.status != Program.Status.RUNNING:
        return 0
    now = timezone.now()
    started = Pairing.objects.filter(program=program, status=Pairing.Status.ACCEPTED).update(
        status=Pairing.Status.ACTIVE, started_at=now, updated_at=now
    )
    if started:
        _program_pairings_signal_on_commit(program)
    return started


def pairing_end(*, pairing: Pairing, user, reason: str) -> Pairing:
    """End a live pairing early (HR, or a participant leaving), with a reason both people are told."""
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError("Say why the pairing ends; both people will see it.")
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status__in=Pairing.LIVE_STATUSES).update(
        status=Pairing.Status.ENDED, ended_at=now, ended_by=user, end_reason=reason, updated_at=now
    )
    if changed != 1:
        raise MatchingError("This pairing has already ended.")
    pairing.refresh_from_db()
    _pairing_signal_on_commit(signals.pairing_finished, pairing)
    _pairing_notify_both(
        pairing,
        kind="pairing_ended",
        title=lambda me, partner: f"Your mentoring with {partner.person.full_name} has ended",
        body=lambda me, partner: f"The pairing in {pairing.program.name} has ended: {reason}",
    )
    # The early-exit survey, if the program has one (surveys; it goes out after commit).
    signals.pairing_ended.send(sender=Pairing, pairing_id=pairing.pk)
    logger.info("Pairing %s ended by user %s", pairing.pk, user.pk)
    return pairing


def pairing_complete(*, pairing: Pairing, user) -> Pairing:
    """HR marks an accepted or active pairing as completed."""
    now = timezone.now()
    changed = Pairing.objects.filter(pk=pairing.pk, status__in=[Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE]).update(
        status=Pairing.Status.COMPLETED, ended_at=now, ended_by=user, updated_at=now
    )
    if changed != 1:
        raise MatchingError("Only an accepted or active pairing can be completed.")
    pairing.refresh_from_db()
    _pairing_signal_on_commit(signals.pairing_finished, pairing)
    return pairing


def program_pairings_complete(*, program: Program) -> dict[str, int]:
    """When a program closes: accepted and active pairings complete; proposals nobody
    confirmed end. Safe to call twice."""
    now = timezone.now()
    completed = Pairing.objects.filter(
        program=program, status__in=[Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE]
    ).update(status=Pairing.Status.COMPLETED, ended_at=now, updated_at=now)
    ended = Pairing.objects.filter(program=program, status=Pairing.Status.PROPOSED).update(
        status=Pairing.Status.ENDED,
        ended_at=now,
        end_reason="The program closed before both people confirmed the match.",
        updated_at=now,
    )
    MentorshipRequest.objects.filter(program=program, status=MentorshipRequest.Status.PENDING).update(
        status=MentorshipRequest.Status.WITHDRAWN, decided_at=now
    )
    if completed:
        _program_pairings_signal_on_commit(program)
    return {"completed": completed, "ended": ended}


def pairings_follow_program_status() -> dict[str, int]:
    """Bring pairings in line with their program's stage: accepted pairings of running
    programs become active, live pairings of closed programs complete (or end, if never
    confirmed). The hourly safety net behind the lifecycle hooks; idempotent."""
    activated = 0
    running = Program.objects.filter(status=Program.Status.RUNNING, pairings__status=Pairing.Status.ACCEPTED)
    for program in running.distinct():
        activated += program_pairings_activate(program=program)
    completed = ended = 0
    closed = Program.objects.filter(status=Program.Status.CLOSED, pairings__status__in=Pairing.LIVE_STATUSES)
    for program in closed.distinct():
        counts = program_pairings_complete(program=program)
        completed += counts["completed"]
        ended += counts["ended"]
    return {"activated": activated, "completed": completed, "ended": ended}


# --- Self-select ------------------------------------------------------------------------


def mentorship_request_create(*, mentee: Enrollment, mentor_id: int, message: str, user) -> MentorshipRequest:
    """A mentee asks one of their current suggestions to be their mentor.

    One pending request at a time; the mentor must still be among the mentee's
    suggestions (free place, under their exposure limit, no hard rule against it).
    """
    from matching.selectors import mentor_suggestions

    if mentee.person.user_id != user.pk:
        raise MatchingError("This enrollment isn't yours.")
    suggestions = mentor_suggestions(enrollment=mentee)
    if suggestions.blocker:
        raise MatchingError(suggestions.blocker)
    chosen = next((s for s in suggestions.items if s.mentor.pk == mentor_id), None)
    if chosen is None:
        raise MatchingError("This mentor is no longer available. Pick another one from your suggestions.")
    criteria = matching_criteria_get_or_create(program=mentee.program)
    now = timezone.now()
    try:
        with transaction.atomic():
            request = MentorshipRequest.objects.create(
                program=mentee.program,
                mentee=mentee,
                mentor=chosen.mentor,
                message=message.strip(),
                score=chosen.score,
                explanation=chosen.explanation,
                expires_at=now + timedelta(days=criteria.request_expiry_days),
            )
    except IntegrityError:
        raise MatchingError("You already have a request waiting for an answer.") from None
    mentor_user = chosen.mentor.person.user
    if mentor_user is not None:
        notification_send(
            recipient=mentor_user,
            kind="mentorship_request",
            title=f"{mentee.person.full_name} would like you as their mentor",
            body=(message.strip()[:500] or f"A mentee in {mentee.program.name} asked you to be their mentor.")
            + f"\n\nPlease answer by {timezone.localtime(request.expires_at):%d %b %Y}.",
            url=reverse("matching:request_list"),
            key=f"mentorship-request:{request.pk}:{mentor_user.pk}",
        )
    logger.info("Mentorship request %s created by user %s", request.pk, user.pk)
    return request


def _mentor_of_request(request: MentorshipRequest, user) -> None:
    if request.mentor.person.user_id != user.pk:
        raise MatchingError("This request isn't addressed to you.")


def mentorship_request_accept(*, request: MentorshipRequest, user) -> Pairing:
    """The mentor says yes: an accepted pairing (active if the program runs).

    The mentor's enrollment row is locked while their live pairings are counted,
    so two accepts at the same moment can't overfill them.
    """
    _mentor_of_request(request, user)
    program = request.program
    if program.status not in SELF_SELECT_STATUSES:
        raise MatchingError(f"{program.name} is {program.get_status_display().lower()}: requests can't be accepted.")
    now = timezone.now()
    with transaction.atomic():
        mentor = Enrollment.objects.select_for_update().get(pk=request.mentor_id)
        claimed = MentorshipRequest.objects.filter(
            pk=request.pk, status=MentorshipRequest.Status.PENDING, expires_at__gt=now
        ).update(status=MentorshipRequest.Status.ACCEPTED, decided_at=now)
        if claimed != 1:
            raise MatchingError("This request is no longer waiting for an answer.")
        capacity = mentor.mentor_capacity or program.default_mentor_capacity
        live = Pairing.objects.live().filter(mentor=mentor).count()
        if live >= capacity:
            raise MatchingError(
                f"You already mentor {live} {'person' if live == 1 else 'people'}, your limit in this program. "
                "Decline the request, or ask HR to raise your limit."
            )
        if Pairing.objects.live().filter(mentee_id=request.mentee_id).exists():
            raise MatchingError("This mentee has been matched with someone else meanwhile.")
        if Pairing.objects.filter(program=program, mentee_id=request.mentee_id, mentor=mentor).exists():
            raise MatchingError("You were paired with this mentee before in this program.")
        pairing = Pairing.objects.create(
            program=program,
            mentor=mentor,
            mentee_id=request.mentee_id,
            status=Pairing.Status.ACCEPTED,
            source=Pairing.Source.SELF_SELECT,
            score=request.score,
            explanation=request.explanation,
            mentor_confirmed_at=now,
            mentee_confirmed_at=now,
        )
        full = live + 1 >= capacity
    pairing_activate(pairing=pairing)
    mentee_user = request.mentee.person.user
    if mentee_user is not None:
        notification_send(
            recipient=mentee_user,
            kind="mentorship_request_accepted",
            title=f"{mentor.person.full_name} accepted your request",
            body=f"{mentor.person.full_name} is your mentor in {program.name}. Time to plan your first meeting.",
            url=_my_match_url(),
            key=f"mentorship-request-accepted:{request.pk}:{mentee_user.pk}",
        )
    if full:
        _requests_decline_for_full_mentor(mentor=mentor, program=program)
    logger.info("Mentorship request %s accepted: pairing %s", request.pk, pairing.pk)
    return pairing


def _requests_decline_for_full_mentor(*, mentor: Enrollment, program: Program) -> None:
    """A mentor with no place left can't accept anyone else: free the mentees waiting on them."""
    reason = "The mentor has no free place any more. Please choose another mentor."
    for pending in MentorshipRequest.objects.filter(
        mentor=mentor, status=MentorshipRequest.Status.PENDING
    ).select_related("mentee__person__user"):
        _request_close(pending, status=MentorshipRequest.Status.DECLINED, reason=reason, program=program)


def _request_close(request: MentorshipRequest, *, status: str, reason: str, program: Program) -> bool:
    now = timezone.now()
    changed = MentorshipRequest.objects.filter(pk=request.pk, status=MentorshipRequest.Status.PENDING).update(
        status=status, decided_at=now, decline_reason=reason
    )
    if changed != 1:
        return False
    mentee_user = request.mentee.person.user
    if mentee_user is not None:
        expired = status == MentorshipRequest.Status.EXPIRED
        notification_send(
            recipient=mentee_user,
            kind="mentorship_request_expired" if expired else "mentorship_request_declined",
            title=f"Your mentor request in {program.name} "
            + ("expired without an answer" if expired else "was declined"),
            body=(reason + "\n\n" if reason else "") + "You can request another mentor from your suggestions.",
            url=reverse("matching:find_mentor"),
            key=f"mentorship-request-{status}:{request.pk}:{mentee_user.pk}",
        )
    return True


def mentorship_request_decline(*, request: MentorshipRequest, user, reason: str = "") -> MentorshipRequest:
    """The mentor says no (optionally why); the mentee is told and may ask someone else."""
    _mentor_of_request(request, user)
    if not _request_close(
        request, status=MentorshipRequest.Status.DECLINED, reason=reason.strip(), program=request.program
    ):
        raise MatchingError("This request is no longer waiting for an answer.")
    request.refresh_from_db()
    return request


def mentorship_request_withdraw(*, request: MentorshipRequest, user) -> MentorshipRequest:
    if request.mentee.person.user_id != user.pk:
        raise MatchingError("This request isn't yours.")
    changed = MentorshipRequest.objects.filter(pk=request.pk, status=MentorshipRequest.Status.PENDING).update(
        status=MentorshipRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )
    if changed != 1:
        raise MatchingError("This request is no longer waiting for an answer.")
    request.refresh_from_db()
    return request


def mentorship_requests_expire(*, now=None, limit: int = 1000) -> int:
    """Expire pending requests past their date and tell each mentee once.

    Each request is claimed with a conditional UPDATE: two copies of the job
    running at once expire (and notify about) each request once.
    """
    now = now or timezone.now()
    due = list(
        MentorshipRequest.objects.filter(status=MentorshipRequest.Status.PENDING, expires_at__lte=now)
        .select_related("program", "mentee__person__user", "mentor__person")
        .order_by("expires_at", "pk")[:limit]
    )
    expired = 0
    for request in due:
        reason = f"{request.mentor.person.full_name} didn't answer in time."
        if _request_close(request, status=MentorshipRequest.Status.EXPIRED, reason=reason, program=request.program):
            expired += 1
    return expired


def enrollment_pairings_end(*, enrollment, user, reason: str) -> int:
    """A participant leaves the program (or HR removes them): end their live pairings.

    Their partners are told and go back to the pool for the next run."""
    live = (
        Pairing.objects.live()
        .filter(Q(mentor=enrollment) | Q(mentee=enrollment))
        .select_related("program", "mentor__person__user", "mentee__person__user")
    )
    ended = 0
    for pairing in live:
        pairing_end(pairing=pairing, user=user, reason=reason)
        ended += 1
    return ended
