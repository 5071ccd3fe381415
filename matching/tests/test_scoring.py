"""The scoring adapter on a random cohort (no database): explanations computed for many pairs
at once, HR's locks around the engine, and the blocked pairs kept as index lists."""

import datetime
import random

import numpy as np
import pytest

from matching.features import MatchSettings, Profile, cohort_build, management_chains
from matching.models import MatchingCriteria
from matching.scoring import cohort_assign, cohort_score

AT = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)


def _cohort(seed: int, n_mentees: int = 40, n_mentors: int = 15):
    rng = random.Random(seed)
    people = n_mentees + n_mentors
    managers = {p: rng.randrange(p) if p and rng.random() < 0.5 else None for p in range(people)}
    chains = management_chains(person_ids=range(people), managers=managers)

    def profile(k, *, is_mentor):
        return Profile(
            enrollment_id=100 + k,
            person_id=k,
            seniority=rng.choice([None, *range(1, 11)]),
            department_id=rng.choice([None, 1, 2, 3]),
            location_id=rng.choice([None, 1, 2]),
            time_zone=rng.choice(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
            languages=frozenset(rng.sample([1, 2, 3], rng.randint(0, 2))),
            meeting_format=rng.choice(["video", "in_person", "either"]),
            availability_hours=rng.randint(1, 10),
            objectives=frozenset(rng.sample(["leadership", "technical", "career"], rng.randint(0, 2))),
            skills={skill: rng.randint(1, 5) for skill in rng.sample(range(1, 40), rng.randint(0, 4))},
            working_style={code: rng.randint(1, 5) for code in ("structure", "feedback") if rng.random() < 0.8},
            management_chain=chains[k],
            free_capacity=rng.randint(1, 3) if is_mentor else 0,
        )

    mentees = [profile(k, is_mentor=False) for k in range(n_mentees)]
    mentors = [profile(n_mentees + k, is_mentor=True) for k in range(n_mentors)]
    pairs = [(a.enrollment_id, b.enrollment_id) for a in mentees for b in mentors]
    cohort = cohort_build(
        mentees=mentees,
        mentors=mentors,
        previous_pairs=rng.sample(pairs, 5),
        declined_pairs=rng.sample(pairs, 3),
        excluded_pairs=rng.sample(pairs, 3),
        at=AT,
    )
    criteria = MatchingCriteria(weight_meeting_format=0.5, department_preference="different")
    return cohort, MatchSettings.from_criteria(criteria)


@pytest.mark.parametrize("seed", range(3))
def test_explanations_of_many_pairs_are_those_of_each_pair(seed):
    cohort, settings = _cohort(seed)
    scored = cohort_score(cohort=cohort, settings=settings)
    pairs = [(i, j) for i in range(len(cohort.mentees)) for j in range(len(cohort.mentors)) if scored.allowed(i, j)]
    assert len(pairs) > 100
    explained = scored.explained(pairs)
    for (i, j), (score, explanation) in zip(pairs, explained, strict=True):
        assert explanation == scored.explanation(i, j)
        assert score == scored.score(i, j)
        assert score == pytest.approx(scored.scores[i, j], abs=0.05 * len(explanation) + 1e-9)
        assert list(explanation) == list(scored.max_points)
    assert scored.explained([]) == []


def test_blocked_pairs_are_index_lists_and_score_minus_infinity():
    cohort, settings = _cohort(1)
    scored = cohort_score(cohort=cohort, settings=settings)
    assert set(cohort.blocked) == {"management_chain", "paired_before", "declined_request", "excluded"}
    for name, pairs in cohort.blocked.items():
        assert len(pairs) == pairs.rows.size == pairs.cols.size
        for i, j in zip(pairs.rows.tolist(), pairs.cols.tolist(), strict=True):
            assert pairs[i, j]
            assert np.isneginf(scored.scores[i, j])
            assert name in {k for k, other in cohort.blocked.items() if other[i, j]}
    assert len(cohort.blocked["excluded"]) == 3
    i, j = next((i, j) for i in range(40) for j in range(15) if not any(p[i, j] for p in cohort.blocked.values()))
    assert not cohort.blocked["excluded"][i, j]


def test_locks_are_kept_and_the_score_matrix_is_left_as_it_was():
    cohort, settings = _cohort(2)
    scored = cohort_score(cohort=cohort, settings=settings)
    before = scored.scores.copy()
    allowed = [(i, j) for i in range(len(cohort.mentees)) for j in range(len(cohort.mentors)) if scored.allowed(i, j)]
    (i1, j1), (i2, j2) = allowed[0], next(p for p in allowed if p[0] != allowed[0][0])
    locks = [
        (cohort.mentees[i1].enrollment_id, cohort.mentors[j1].enrollment_id),
        (cohort.mentees[i2].enrollment_id, cohort.mentors[j2].enrollment_id),
    ]

    assignment = cohort_assign(scored=scored, locks=locks)

    assert np.array_equal(scored.scores, before)
    assert (i1, j1, True) in assignment.pairs and (i2, j2, True) in assignment.pairs
    rows = [i for i, _, _ in assignment.pairs]
    assert len(rows) == len(set(rows))  # one mentor per mentee, the locked ones included
    for i, j, _ in assignment.pairs:
        assert np.isfinite(scored.scores[i, j])
    taken = np.bincount([j for _, j, _ in assignment.pairs], minlength=len(cohort.mentors))
    assert (taken <= cohort.capacities).all()
    # Without the locks the engine alone decides: as many mentees matched (places permitting).
    free = cohort_assign(scored=scored)
    assert len(free.pairs) == len(assignment.pairs) == min(int(cohort.capacities.sum()), len(cohort.mentees))
