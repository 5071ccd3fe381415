"""The demo's matching data: a real run in the running program, pairings in every state."""

import random
from collections import Counter

import pytest

from matching.demo import seed_matching
from matching.models import MatchingCriteria, MatchRun, Pairing
from people.demo import seed_directory
from programs.demo import LEADERSHIP_SLUG, WOMEN_IN_TECH_SLUG, seed_programs
from programs.models import Program

pytestmark = pytest.mark.django_db


def test_seed_matching_builds_believable_history_and_is_idempotent():
    rng = random.Random(7)
    seed_programs(rng, seed_directory(rng))

    seed_matching(rng)

    leadership = Program.objects.get(slug=LEADERSHIP_SLUG)
    runs = list(MatchRun.objects.filter(program=leadership).order_by("created_at"))
    assert [r.status for r in runs] == [MatchRun.Status.DONE, MatchRun.Status.PUBLISHED]
    assert runs[1].stats["matched"] > 10
    states = Counter(Pairing.objects.filter(program=leadership).values_list("status", flat=True))
    assert states[Pairing.Status.ACTIVE] > states[Pairing.Status.COMPLETED] + states[Pairing.Status.ENDED]
    assert states[Pairing.Status.PROPOSED] == 1
    assert states[Pairing.Status.COMPLETED] >= 1 and states[Pairing.Status.ENDED] >= 1
    demo = Pairing.objects.get(program=leadership, mentee__person__email="mentee@demo.example")
    assert demo.mentor.person.email == "mentor@demo.example"
    assert demo.status == Pairing.Status.ACTIVE
    for pairing in Pairing.objects.filter(program=leadership):
        assert sum(pairing.explanation.values()) == pytest.approx(pairing.score, abs=1e-9)
    women = Program.objects.get(slug=WOMEN_IN_TECH_SLUG)
    assert MatchingCriteria.objects.get(program=women).objective == MatchingCriteria.Objective.BALANCED
    assert not women.pairings.exists()

    before = set(Pairing.objects.values_list("pk", "status"))
    seed_programs(rng, seed_directory(rng))
    seed_matching(rng)
    assert set(Pairing.objects.values_list("pk", "status")) == before
    assert MatchRun.objects.count() == 2
