"""Survey reads, by subject: participants (pending invitations, own answers), lists (HR's and
owners' lists, the builder's numbers), results (the results page, from the running totals of
``surveys.tallies``) and exports (the results CSV). Every figure follows ``people.privacy``."""

from surveys.selectors.exports import (
    survey_results_csv,
)
from surveys.selectors.lists import (
    survey_anonymity_warning,
    survey_audience_size,
    survey_programs_for,
    survey_rounds,
    survey_templates,
    surveys_for_program,
)
from surveys.selectors.participants import (
    survey_answers_released,
    survey_invitations_for,
    survey_own_answers,
    survey_response_initial,
    survey_response_lines,
    surveys_pending_for,
)
from surveys.selectors.results import (
    NUMBER_STATS,
    TEXTS_SHOWN,
    _answer_cells,
    _period_label,
    _Stats,
    survey_anonymous_results_shown,
    survey_chart_data,
    survey_results,
)

__all__ = [
    "NUMBER_STATS",
    "TEXTS_SHOWN",
    "_Stats",
    "_answer_cells",
    "_period_label",
    "survey_anonymity_warning",
    "survey_anonymous_results_shown",
    "survey_answers_released",
    "survey_audience_size",
    "survey_chart_data",
    "survey_invitations_for",
    "survey_own_answers",
    "survey_programs_for",
    "survey_response_initial",
    "survey_response_lines",
    "survey_results",
    "survey_results_csv",
    "survey_rounds",
    "survey_templates",
    "surveys_for_program",
    "surveys_pending_for",
]
