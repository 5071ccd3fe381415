"""Match runs: starting one, computing it in the background (load, score, solve, explain,
save), and publishing its proposals as proposed pairings (set-based: a bulk INSERT of the
pairings and the bulk notifications)."""

from __future__ import annotations

import gc
import io
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent
from core.jobs import task_queue_on_commit
from core.models import Notification
from matching.models import MatchProposal, MatchRun, MentorshipRequest, Pairing, PairOverride
from matching.services.base import RUN_MODES, STALE_RUN, MatchingError, _pairings_notify_both
from matching.services.criteria import (
    matching_criteria_from_snapshot,
    matching_criteria_get_or_create,
    matching_criteria_snapshot,
)
from programs.models import Enrollment, Program

logger = logging.getLogger(__name__)

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
    audit.record(action=AuditEvent.Action.MATCH_RUN_STARTED, actor=user, target=run, program=program)
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
        audit.record(
            action=AuditEvent.Action.MATCH_RUN_PUBLISHED,
            actor=user,
            target=run,
            program=program,
            details={"created": len(result.created), "skipped": len(result.skipped)},
        )
    logger.info("Match run %s published by user %s: %s pairings", run.pk, user.pk, len(result.created))
    return result


def _notify_pairings_proposed(pairings: list[Pairing], *, program: Program) -> None:
    _pairings_notify_both(
        pairings,
        kind=Notification.Kind.PAIRING_PROPOSED,
        title=lambda me, partner: f"You have a proposed {partner.role} in {program.name}",
        body=lambda me, partner: (
            f"{partner.person.full_name} is proposed as your {partner.role}. Please confirm or decline the match."
        ),
    )
