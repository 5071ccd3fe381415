"""Property tests over random small cohorts, through our features and scoring layer
(no database): no hard constraint is ever violated, no mentor gets more mentees
than their free places, and every explanation adds up to its score."""

import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.features import MatchSettings, Profile, cohort_build, management_chains
from matching.models import MatchingCriteria
from matching.scoring import cohort_assign, cohort_score
from mentorship.testing import examples

AT = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)
TIME_ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
OBJECTIVES = ["leadership", "technical", "career"]


@st.composite
def cohorts(draw):
    n_mentees = draw(st.integers(0, 7))
    n_mentors = draw(st.integers(0, 5))
    people = n_mentees + n_mentors
    # A random management forest: each person's manager is someone listed before them.
    managers = {p: draw(st.one_of(st.none(), st.integers(0, p - 1))) if p else None for p in range(people)}
    chains = management_chains(person_ids=range(people), managers=managers)

    def profile(k, *, is_mentor):
        return Profile(
            enrollment_id=100 + k,
            person_id=k,
            seniority=draw(st.one_of(st.none(), st.integers(1, 10))),
            department_id=draw(st.sampled_from([None, 1, 2])),
            location_id=draw(st.sampled_from([None, 1, 2])),
            time_zone=draw(st.sampled_from(TIME_ZONES)),
            languages=frozenset(draw(st.sets(st.integers(1, 3), max_size=2))),
            meeting_format=draw(st.sampled_from(["video", "in_person", "either"])),
            availability_hours=draw(st.integers(1, 10)),
            objectives=frozenset(draw(st.sets(st.sampled_from(OBJECTIVES), max_size=2))),
            skills=draw(st.dictionaries(st.integers(1, 4), st.integers(1, 5), max_size=3)),
            working_style=draw(st.dictionaries(st.sampled_from(["structure", "feedback"]), st.integers(1, 5))),
            answers={},
            management_chain=chains[k],
            training_complete=draw(st.booleans()) or draw(st.booleans()),
            free_capacity=draw(st.integers(0, 3)) if is_mentor else 0,
            is_paired=(not is_mentor) and draw(st.integers(0, 4)) == 0,
        )

    mentees = [profile(k, is_mentor=False) for k in range(n_mentees)]
    mentors = [profile(n_mentees + k, is_mentor=True) for k in range(n_mentors)]
    all_pairs = [(a.enrollment_id, b.enrollment_id) for a in mentees for b in mentors]
    subset = st.lists(st.sampled_from(all_pairs), max_size=4) if all_pairs else st.just([])
    criteria = MatchingCriteria(
        weight_skills=draw(st.sampled_from([0, 1, 3])),
        weight_objectives=draw(st.sampled_from([0, 2])),
        weight_department=draw(st.sampled_from([0, 1])),
        weight_meeting_format=draw(st.sampled_from([0, 0.5])),
        department_preference=draw(st.sampled_from(["any", "same", "different"])),
        forbid_same_department=draw(st.booleans()),
        enforce_seniority_gap=draw(st.booleans()),
        seniority_gap_min=draw(st.integers(-2, 2)),
        seniority_gap_max=draw(st.integers(2, 6)),
        objective=draw(st.sampled_from(["participation", "quality", "balanced"])),
        min_score=draw(st.sampled_from([None, 30.0, 60.0])),
    )
    return {
        "mentees": mentees,
        "mentors": mentors,
        "previous": draw(subset),
        "declined": draw(subset),
        "excluded": draw(subset),
        "locks": draw(subset),
        "criteria": criteria,
    }


def _violations(case, mentee: Profile, mentor: Profile) -> list[str]:
    criteria = case["criteria"]
    pair = (mentee.enrollment_id, mentor.enrollment_id)
    problems = []
    if not mentee.training_complete or not mentor.training_complete:
        problems.append("training")
    if mentee.is_paired:
        problems.append("mentee already paired")
    if mentor.person_id in mentee.management_chain or mentee.person_id in mentor.management_chain:
        problems.append("management chain")
    if mentee.languages and mentor.languages and not mentee.languages & mentor.languages:
        problems.append("language")
    if pair in case["previous"] or pair in case["declined"] or pair in case["excluded"]:
        problems.append("blocked pair")
    if criteria.forbid_same_department and mentee.department_id and mentee.department_id == mentor.department_id:
        problems.append("same department")
    if criteria.enforce_seniority_gap and mentee.seniority is not None and mentor.seniority is not None:
        low, high = sorted((criteria.seniority_gap_min, criteria.seniority_gap_max))
        if not low <= mentor.seniority - mentee.seniority <= high:
            problems.append("seniority gap")
    return problems


@settings(max_examples=examples(80), suppress_health_check=[HealthCheck.too_slow])
@given(cohorts())
def test_assignments_never_break_a_hard_rule_or_overfill_a_mentor(case):
    cohort = cohort_build(
        mentees=case["mentees"],
        mentors=case["mentors"],
        previous_pairs=case["previous"],
        declined_pairs=case["declined"],
        excluded_pairs=case["excluded"],
        at=AT,
    )
    settings_ = MatchSettings.from_criteria(case["criteria"])
    scored = cohort_score(cohort=cohort, settings=settings_)
    assignment = cohort_assign(scored=scored, locks=case["locks"])

    rows = [i for i, _, _ in assignment.pairs]
    assert len(rows) == len(set(rows)), "a mentee got two mentors"
    load: dict[int, int] = {}
    for i, j, locked in assignment.pairs:
        mentee, mentor = cohort.mentees[i], cohort.mentors[j]
        assert _violations(case, mentee, mentor) == []
        load[mentor.enrollment_id] = load.get(mentor.enrollment_id, 0) + 1
        explanation = scored.explanation(i, j)
        assert sum(explanation.values()) == pytest.approx(scored.score(i, j), abs=1e-9)
        assert 0 <= scored.score(i, j) <= 100
        if not locked and settings_.min_score is not None:
            assert scored.scores[i, j] >= settings_.min_score
    originals = {p.enrollment_id: p for p in case["mentors"]}
    for mentor_id, taken in load.items():
        assert taken <= originals[mentor_id].free_capacity
    # A lock is either used or reported, never silently dropped.
    used = {(cohort.mentees[i].enrollment_id, cohort.mentors[j].enrollment_id) for i, j, lk in assignment.pairs if lk}
    skipped = {(s.mentee_id, s.mentor_id) for s in assignment.skipped_locks}
    for lock in case["locks"]:
        assert lock in used or lock in skipped


@settings(max_examples=examples(40))
@given(cohorts())
def test_forbidden_pairs_score_minus_infinity_and_allowed_ones_sum_their_parts(case):
    cohort = cohort_build(
        mentees=case["mentees"],
        mentors=case["mentors"],
        previous_pairs=case["previous"],
        declined_pairs=case["declined"],
        excluded_pairs=case["excluded"],
        at=AT,
    )
    scored = cohort_score(cohort=cohort, settings=MatchSettings.from_criteria(case["criteria"]))
    for i, mentee in enumerate(cohort.mentees):
        for j, mentor in enumerate(cohort.mentors):
            forbidden = bool(_violations(case, mentee, mentor))
            assert (not np.isfinite(scored.scores[i, j])) == forbidden
            if not forbidden:
                (parts,) = scored.pair_parts([(i, j)])
                assert sum(parts.values()) == pytest.approx(scored.scores[i, j], abs=1e-9)
                for name, points in parts.items():
                    assert -1e-9 <= points <= scored.max_points[name] + 0.05
