"""Reads for program pages, a module per subject like ``programs/services``: ``setup`` (the
program lists, setup counts, HR's next steps, owner candidates), ``enrollment`` (enrollment
counts) and ``training`` (training summary and completion). Callers import this package
(``from programs import selectors``)."""

from programs.selectors.enrollment import (
    ROLE_STATUS_COUNTS,
    EnrollmentCounts,
    program_enrollment_counts,
    programs_with_enrollment_counts,
)
from programs.selectors.setup import (
    PARTICIPANTS_URL_NAME,
    NextStep,
    owner_candidates,
    program_next_steps,
    program_participants_url,
    program_setup_counts,
    programs_for_hr_list,
    programs_owned_by,
)
from programs.selectors.training import (
    MISSING_REQUIRED,
    TrainingSummary,
    program_training_summary,
    training_completion_modules,
    training_completion_participants,
    training_completion_rows,
)

__all__ = [
    "MISSING_REQUIRED",
    "PARTICIPANTS_URL_NAME",
    "ROLE_STATUS_COUNTS",
    "EnrollmentCounts",
    "NextStep",
    "TrainingSummary",
    "owner_candidates",
    "program_enrollment_counts",
    "program_next_steps",
    "program_participants_url",
    "program_setup_counts",
    "program_training_summary",
    "programs_for_hr_list",
    "programs_owned_by",
    "programs_with_enrollment_counts",
    "training_completion_modules",
    "training_completion_participants",
    "training_completion_rows",
]
