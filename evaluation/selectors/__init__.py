"""Reads for the success dashboards, one module per subject:

- ``metrics``: a program's figures "as of" a day, what the nightly job stores;
- ``dashboard``: which programs a user may open, the overview, a program's dashboard;
- ``health``: pair health for HR's pages (the stored rows, a page at a time);
- ``outcomes``: participants against comparable colleagues.

The diversity view is ``evaluation.diversity``. Every read is a fixed number of queries
whatever the number of participants, pairings or sessions; every threshold comes from
``people.privacy``. The names below are what the views, services and tests use.
"""

from evaluation.selectors.dashboard import (
    HEADLINES,
    STATUS_ORDER,
    TREND_SERIES,
    Dashboard,
    FunnelStep,
    Headline,
    ObjectiveGoals,
    OverviewRow,
    dashboard_programs_for,
    program_dashboard,
    program_goals_by_objective,
    program_snapshots,
    programs_overview,
    snapshot_before,
    snapshot_funnel,
    snapshot_headlines,
    trend_chart_data,
)
from evaluation.selectors.health import (
    PAIR_HEALTH_LIST_FIELDS,
    PairHealthRow,
    PairHealthSummary,
    pair_health_as_of,
    pair_health_list,
    pair_health_rows,
    pairing_for_nudge,
    program_pair_health,
    site_today,
)
from evaluation.selectors.metrics import (
    APPROVED,
    AT_RISK_PREVIEW,
    COMPARE_DAYS,
    DEFAULT_TREND_MONTHS,
    SENIORITY_BANDS,
    SESSION_WINDOW_DAYS,
    TREND_MONTHS,
    backfill_days,
    matched_q,
    months_before,
    program_snapshot_compute,
)
from evaluation.selectors.outcomes import (
    OutcomeRow,
    Outcomes,
    Rates,
    program_outcomes,
    seniority_band_label,
)

__all__ = [
    "APPROVED",
    "AT_RISK_PREVIEW",
    "COMPARE_DAYS",
    "DEFAULT_TREND_MONTHS",
    "Dashboard",
    "FunnelStep",
    "HEADLINES",
    "Headline",
    "ObjectiveGoals",
    "OutcomeRow",
    "Outcomes",
    "OverviewRow",
    "PAIR_HEALTH_LIST_FIELDS",
    "PairHealthRow",
    "PairHealthSummary",
    "Rates",
    "SENIORITY_BANDS",
    "SESSION_WINDOW_DAYS",
    "STATUS_ORDER",
    "TREND_MONTHS",
    "TREND_SERIES",
    "backfill_days",
    "dashboard_programs_for",
    "matched_q",
    "months_before",
    "pair_health_as_of",
    "pair_health_list",
    "pair_health_rows",
    "pairing_for_nudge",
    "program_dashboard",
    "program_goals_by_objective",
    "program_outcomes",
    "program_pair_health",
    "program_snapshot_compute",
    "program_snapshots",
    "programs_overview",
    "seniority_band_label",
    "site_today",
    "snapshot_before",
    "snapshot_funnel",
    "snapshot_headlines",
    "trend_chart_data",
]
