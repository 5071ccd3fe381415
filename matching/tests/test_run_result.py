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
