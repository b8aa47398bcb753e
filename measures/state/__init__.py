"""The state calculus, read by the dashboard, the measure pages, the report, the exports and the admin.

Everything derived from assessments and evidence is defined here, once, and nowhere else:

- the **period** (`ReportingPeriod`): `since` and `as_of` both included; "what changed" compares the
  state at the end of the day before `since` (the baseline) with the state at `as_of`;
- the **level in force** per party on a date, optionally **as known on** an earlier date
  (`AssessmentQuerySet.in_force`): corrected assessments are withdrawn;
- the **joint level** of a measure over the parties it applies to, **progress** with its coverage,
  **direction of travel** per party and jointly, the **stale**, **no evidence yet** and **contested**
  flags, the **latest evidence** with its date precision;
- the **path** of a measure over a period (`level_paths`): every level in force during it, per party
  and jointly, with its reversals and the lowest level reached; direction of travel, "moved" and
  **what changed** in a period (every change of the level in force inside it) are read from it;
- **recorded since** a date (`recorded_since`): new assessments, corrections with the level they
  replace, new evidence and events, and which of them moved the headline figure;
- the period's **default** (`default_since`: the whole crisis for a closed case, the last seven days
  for an active one) and the one message for an as-of date before a case began (`before_start_message`);
- the **commitments** of a case on a date, with their outcome in force (`commitment_calendar`; read as
  values for a page that shows some of them: `commitment_outline`);
- the **assessment history** of a measure, numbered, with corrections marked and parties recorded
  together grouped;
- **cases compared** on the catalogue of measure types (`compare`): the matrix's cells, the days from
  a case's start to each level and to the first evidence of progress, their median and range across
  cases, and who lags and since when.

Each function runs a fixed number of queries whatever the size of the case (stated in its docstring).
"""

from measures.state.case import (
    CaseState,
    Change,
    MeasureStatus,
    PartyCell,
    case_state,
)
from measures.state.commitments import (
    STATUS_LABELS,
    CommitmentCalendar,
    CommitmentOutline,
    CommitmentStatus,
    commitment_calendar,
    commitment_outline,
)
from measures.state.compare import (
    STEPS,
    CaseColumn,
    Comparison,
    Lag,
    MeasureComparison,
    PartyStanding,
    Reached,
    StepComparison,
    StepSummary,
    TypeRow,
    as_of_expression,
    compare_cases,
    evidence_of,
    lags_in,
    step_comparisons,
    summarise,
)
from measures.state.evidence import (
    EvidenceDate,
    evidence_counts_from,
    evidence_date,
    evidence_dating,
    newest_evidence,
    newest_evidence_by_stance,
)
from measures.state.history import (
    RECORDED_TOGETHER_SECONDS,
    HistoryEntry,
    assessment_history,
    changes_in_period,
    evidence_changes,
    history_entries,
    history_outline,
    history_row,
    newest_assessments,
    with_assessments,
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
from measures.state.overview import cases_overview
from measures.state.path import (
    LevelPath,
    MeasurePath,
    Reversal,
    Step,
    level_paths,
    path_direction,
)
from measures.state.period import (
    RECENT,
    RECENT_DAYS,
    WHOLE_CRISIS,
    PeriodDefault,
    ReportingPeriod,
    before_start_message,
    default_since,
    reporting_period,
)
from measures.state.recorded import (
    RecordedAssessment,
    RecordedSince,
    recorded_since,
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
    "STATUS_LABELS",
    "CommitmentCalendar",
    "CommitmentOutline",
    "CommitmentStatus",
    "commitment_calendar",
    "commitment_outline",
    "Level",
    "CONFIDENCE_RANK",
    "CaseColumn",
    "CaseState",
    "Change",
    "Comparison",
    "Direction",
    "EvidenceDate",
    "HistoryEntry",
    "LEVEL_ORDER",
    "Lag",
    "LEVEL_RANK",
    "LevelPath",
    "MeasurePath",
    "Reversal",
    "Step",
    "level_paths",
    "path_direction",
    "MeasureComparison",
    "MeasureStatus",
    "PartyCell",
    "PartyStanding",
    "Progress",
    "ProgressPoint",
    "RECORDED_TOGETHER_SECONDS",
    "Reached",
    "ReportingPeriod",
    "PeriodDefault",
    "RECENT",
    "RECENT_DAYS",
    "RecordedAssessment",
    "RecordedSince",
    "WHOLE_CRISIS",
    "before_start_message",
    "default_since",
    "recorded_since",
    "SCORED_LEVELS",
    "SETBACK_LEVELS",
    "STEPS",
    "StepComparison",
    "StepSummary",
    "TypeRow",
    "as_of_expression",
    "assessment_history",
    "case_citations",
    "case_events",
    "case_evidence",
    "case_parties",
    "case_sources",
    "case_state",
    "cases_overview",
    "changes_in_period",
    "compare_cases",
    "direction",
    "evidence_counts_from",
    "evidence_date",
    "evidence_dating",
    "evidence_changes",
    "evidence_of",
    "history_entries",
    "history_outline",
    "history_row",
    "joint_level",
    "newest_assessments",
    "newest_evidence_by_stance",
    "lags_in",
    "level_score",
    "newest_evidence",
    "progress",
    "progress_series",
    "reporting_period",
    "step_comparisons",
    "summarise",
    "with_assessments",
]
