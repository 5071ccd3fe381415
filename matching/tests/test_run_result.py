"""The result of a whole match run, pinned: the same proposals, scores and explanations
whatever is done to make a run faster (loading, scoring, explaining, writing).

The program is ``bench/match_run.py``'s (people with management chains, skills, languages,
mapped questions, training, earlier pairings, declined requests, exclusions and locks),
at 600 mentees x 150 mentors. Its dates are fixed, so the time-zone offsets (taken when the
program starts) do not follow the calendar's daylight saving.
"""

import datetime
import hashlib
import json

import pytest

from bench.match_run import build
from matching import services
from matching.models import MatchRun
from matching.services import runs
from programs.models import Enrollment, Program

pytestmark = pytest.mark.django_db

#: sha256 of the run's proposals and figures (see ``_result``), computed before the run was made faster.
PINNED = "0b71160abc7b8500db10de8d3d84e1d7011df698ed9ee81b9ea47208c21c55cc"


def _result(run: MatchRun) -> dict:
    """The run's proposals and figures, with participants named by their place in the program
    (enrollment ids differ from one test database to the next)."""
    enrollments = Enrollment.objects.filter(program=run.program).order_by("pk").values_list("pk", flat=True)
    rank = {pk: k for k, pk in enumerate(enrollments)}
    proposals = sorted(
        (rank[mentee], rank[mentor], score, sorted(explanation.items()), locked)
        for mentee, mentor, score, explanation, locked in run.proposals.values_list(
            "mentee_id", "mentor_id", "score", "explanation", "locked"
        )
    )
    stats = dict(run.stats)
    del stats["seconds"]
    stats["mentee_ids"] = [rank[pk] for pk in stats["mentee_ids"]]
    for lock in stats["skipped_locks"]:
        lock["mentee"], lock["mentor"] = rank[lock["mentee"]], rank[lock["mentor"]]
    return {"proposals": proposals, "stats": stats, "message": run.message}


def test_a_run_of_the_bench_program_gives_the_pinned_proposals():
    program = build(600, 150, seed=3)
    Program.objects.filter(pk=program.pk).update(
        start_date=datetime.date(2099, 1, 15), end_date=datetime.date(2099, 7, 15)
    )
    program.refresh_from_db()
    criteria = services.matching_criteria_snapshot(criteria=services.matching_criteria_get_or_create(program=program))
    run = MatchRun.objects.create(program=program, criteria=criteria)

    assert services.match_run_execute(run_id=run.pk)

    run.refresh_from_db()
    result = _result(run)
    stats = result["stats"]
    assert (stats["mentees"], stats["mentors"], stats["places"]) == (573, 140, 418)
    assert (stats["matched"], stats["avg_score"], stats["min_score"], stats["locked"]) == (418, 68.9, 35.1, 1)
    digest = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    assert digest == PINNED


def test_proposals_are_written_as_given_whatever_their_explanations_hold():
    """The COPY on PostgreSQL (multi-row INSERTs elsewhere) keeps every value as it was."""
    program = build(6, 3, seed=1)
    run = MatchRun.objects.create(program=program, criteria={})
    enrollments = Enrollment.objects.filter(program=program).order_by("pk")
    mentees = list(enrollments.filter(role="mentee").values_list("pk", flat=True))
    mentors = list(enrollments.filter(role="mentor").values_list("pk", flat=True))
    odd = {"skills": 12.3, "a\tb": 0.1, "back\\slash": 1e-05, "line\nbreak\r": 76.45, 'quote"d': -0.0}
    given = [(mentees[0], mentors[0], 88.8, odd, True), (mentees[1], mentors[1], 1 / 3, {}, False)]

    runs._proposals_insert(run_id=run.pk, proposals=given)

    stored = list(run.proposals.order_by("pk").values_list("mentee_id", "mentor_id", "score", "explanation", "locked"))
    assert stored == given
