"""Writes for matching, one module per subject: ``criteria``, ``runs`` (start, compute,
publish), ``overrides`` (HR's locks and exclusions), ``pairings`` (their states and the
program's lifecycle) and ``requests`` (self-select); ``base`` holds what they share.

Services refuse changes the rules don't allow by raising ``MatchingError`` (its message is
meant for the person who tried). State changes are conditional UPDATEs (``... WHERE status
= <the state we saw>``), so a double click, two HR admins or a job that runs twice change
things once and notify once. The names below are what views, tasks, receivers and tests use.
"""

from matching.services.base import (
    CRITERIA_FIELDS,
    RUN_MODES,
    SELF_SELECT_MODES,
    SELF_SELECT_STATUSES,
    STALE_RUN,
    MatchingError,
)
from matching.services.criteria import (
    matching_criteria_from_snapshot,
    matching_criteria_get_or_create,
    matching_criteria_snapshot,
    matching_criteria_update,
)
from matching.services.overrides import (
    pair_override_delete,
    pair_override_set,
)
from matching.services.pairings import (
    enrollment_pairings_end,
    pairing_activate,
    pairing_complete,
    pairing_confirm,
    pairing_decline,
    pairing_end,
    pairings_follow_program_status,
    program_pairings_activate,
    program_pairings_complete,
)
from matching.services.requests import (
    mentorship_request_accept,
    mentorship_request_create,
    mentorship_request_decline,
    mentorship_request_withdraw,
    mentorship_requests_expire,
)
from matching.services.runs import (
    PUBLISH_BATCH,
    PublishResult,
    match_run_blockers,
    match_run_execute,
    match_run_publish,
    match_run_start,
)

__all__ = [
    "CRITERIA_FIELDS",
    "MatchingError",
    "PUBLISH_BATCH",
    "PublishResult",
    "RUN_MODES",
    "SELF_SELECT_MODES",
    "SELF_SELECT_STATUSES",
    "STALE_RUN",
    "enrollment_pairings_end",
    "match_run_blockers",
    "match_run_execute",
    "match_run_publish",
    "match_run_start",
    "matching_criteria_from_snapshot",
    "matching_criteria_get_or_create",
    "matching_criteria_snapshot",
    "matching_criteria_update",
    "mentorship_request_accept",
    "mentorship_request_create",
    "mentorship_request_decline",
    "mentorship_request_withdraw",
    "mentorship_requests_expire",
    "pair_override_delete",
    "pair_override_set",
    "pairing_activate",
    "pairing_complete",
    "pairing_confirm",
    "pairing_decline",
    "pairing_end",
    "pairings_follow_program_status",
    "program_pairings_activate",
    "program_pairings_complete",
]
