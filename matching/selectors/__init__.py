"""Reads for the matching pages, one module per subject: ``overview`` (HR's programs and a
program's matching page), ``runs`` (a run, its comparison, explanations), ``pairings`` and
``suggestions`` (self-select). The names below are what the views and tests use.
"""

from matching.selectors.overview import (
    PICKER_MATCHES,
    MatchingOverview,
    match_runs_for_program,
    pair_overrides_for_program,
    participants_matching,
    program_matching_overview,
    program_participants,
    programs_for_matching,
)
from matching.selectors.pairings import (
    InCommon,
    pairing_status_counts,
    pairings_for_participant,
    pairings_for_program,
)
from matching.selectors.runs import (
    PROPOSAL_SORTS,
    ComparisonRow,
    Rate,
    RunComparison,
    criteria_changes,
    diversity_blocked_by,
    explanation_rows,
    run_comparison,
    run_previous,
    run_proposals,
    run_unmatched_mentees,
)
from matching.selectors.suggestions import (
    Suggestion,
    Suggestions,
    mentor_places,
    mentor_suggestions,
    requests_for_mentee,
    requests_for_mentor,
    self_select_enrollments,
)

__all__ = [
    "ComparisonRow",
    "InCommon",
    "MatchingOverview",
    "PICKER_MATCHES",
    "PROPOSAL_SORTS",
    "Rate",
    "RunComparison",
    "Suggestion",
    "Suggestions",
    "criteria_changes",
    "diversity_blocked_by",
    "explanation_rows",
    "match_runs_for_program",
    "mentor_places",
    "mentor_suggestions",
    "pair_overrides_for_program",
    "pairing_status_counts",
    "pairings_for_participant",
    "pairings_for_program",
    "participants_matching",
    "program_matching_overview",
    "program_participants",
    "programs_for_matching",
    "requests_for_mentee",
    "requests_for_mentor",
    "run_comparison",
    "run_previous",
    "run_proposals",
    "run_unmatched_mentees",
    "self_select_enrollments",
]
