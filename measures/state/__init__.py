"""The state calculus, read by the dashboard, the measure pages, the report, the exports and the admin.

Everything derived from assessments and evidence is defined here, once, and nowhere else:

- the **period** (`ReportingPeriod`): `since` and `as_of` both included; "what changed" compares the
  state at the end of the day before `since` (the baseline) with the state at `as_of`;
- the **level in force** per party on a date, optionally **as known on** an earlier date
  (`AssessmentQuerySet.in_force`): corrected assessments are withdrawn;
- the **joint level** of a measure over the parties it applies to, **progress** with its coverage,
  **direction of travel** per party and jointly, the **stale**, **no evidence yet** and **contested**
  flags, the **latest evidence** with its date precision;
- **what changed** in a period (the difference of two states) and the **assessment history** of a
  measure, numbered, with corrections marked and parties recorded together grouped.

Each function runs a fixed number of queries whatever the size of the case (stated in its docstring).
"""

from measures.state.case import (
    CaseState,
    Change,
    MeasureStatus,
    PartyCell,
    case_state,
    cases_overview,
)
from measures.state.evidence import (
    EvidenceDate,
    evidence_counts_from,
    evidence_date,
    evidence_dating,
)
from measures.state.history import (
    RECORDED_TOGETHER_SECONDS,
    HistoryEntry,
    assessment_history,
    changes_in_period,
    history_entries,
)
from measures.state.levels import (
    CONFIDENCE_RANK,
    LEVEL_ORDER,
    LEVEL_RANK,
    SCORED_LEVELS,
    SETBACK_LEVELS,
    Direction,
    Level,
    Progress,
    direction,
    joint_level,
    level_score,
    progress,
)
from measures.state.period import (
    ReportingPeriod,
    reporting_period,
)
from measures.state.records import (
    case_citations,
    case_events,
    case_evidence,
    case_parties,
    case_sources,
)
from measures.state.series import (
    ProgressPoint,
    progress_series,
)

__all__ = [
    "Level",
    "CONFIDENCE_RANK",
    "CaseState",
    "Change",
    "Direction",
    "EvidenceDate",
    "HistoryEntry",
    "LEVEL_ORDER",
    "LEVEL_RANK",
    "MeasureStatus",
    "PartyCell",
    "Progress",
    "ProgressPoint",
    "RECORDED_TOGETHER_SECONDS",
    "ReportingPeriod",
    "SCORED_LEVELS",
    "SETBACK_LEVELS",
    "assessment_history",
    "case_citations",
    "case_events",
    "case_evidence",
    "case_parties",
    "case_sources",
    "case_state",
    "cases_overview",
    "changes_in_period",
    "direction",
    "evidence_counts_from",
    "evidence_date",
    "evidence_dating",
    "history_entries",
    "joint_level",
    "level_score",
    "progress",
    "progress_series",
    "reporting_period",
]
