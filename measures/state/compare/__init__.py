"""Comparing cases on the shared catalogue of measure types: the matrix, how soon each step came, and
who lags.

Definitions (each used by the matrix, a type's page, its exports, the dashboard and the report):

- **Level in a cell**: the level in force of each measure of the type in that case, per party and
  jointly, exactly as the case's dashboard shows it (`AssessmentQuerySet.in_force`, `joint_level`),
  each case as of its own default date (`Case.default_as_of`) unless one date is asked for.
- **Days to a level** (minimal, intermediate, full): the days from the case's start (`Case.start_date`,
  the day the crisis began) to the first day on which the level in force reached that level or a
  higher one on the Peace Accords Matrix scale, per party and jointly (the joint level of that day,
  over the parties the measure applies to). A step straight to full has reached minimal and
  intermediate on the same day. A level reached and later lost still counts as reached, on its first
  day. Only what counts by the as-of date, as known on `known_on`, is read
  (`AssessmentQuerySet.counting`: corrected assessments never count).
- **Days to the first evidence of progress**: from the case's start to the date the earliest
  evidence of the measure with the stance "shows progress" speaks of (`state.evidence_date`), among
  the evidence that counts by the as-of date; undated evidence is left out, since it cannot be
  placed in time. Negative when the evidence is dated before the case began.
- **Across cases, per type**: a case's days to a level are those of the first of its measures of
  the type to reach it; the summary gives how many cases have a measure of the type, how many
  reached the level, and the median, shortest and longest days of those that did.
- **Who lags**: on a measure, an applicable party lags when its level in force ranks below another
  applicable party's (reversed < not initiated < minimal < intermediate < full; parties not yet
  assessed or for which the step is not applicable are not compared). *Since* is the first day of
  the unbroken stretch, up to the as-of date, on which it has ranked below another party.

One module per part (`figures`, `paths`, `matrix`, `lags`); this package re-exports them. Each
function runs a fixed number of queries, whatever the number of cases, measures and
assessments (stated in its docstring): one query per kind of data, grouped in Python.
"""

from measures.state.compare.figures import (
    MIN_OTHER_CASES,
    STEPS,
    CaseColumn,
    Comparison,
    MeasureComparison,
    PartyStanding,
    Reached,
    StepSummary,
    TypeRow,
    summarise,
)
from measures.state.compare.lags import Lag, StepComparison, lags_in, step_comparisons
from measures.state.compare.matrix import compare_cases, evidence_of
from measures.state.compare.paths import as_of_expression

__all__ = [
    "MIN_OTHER_CASES",
    "STEPS",
    "CaseColumn",
    "Comparison",
    "Lag",
    "MeasureComparison",
    "PartyStanding",
    "Reached",
    "StepComparison",
    "StepSummary",
    "TypeRow",
    "as_of_expression",
    "compare_cases",
    "evidence_of",
    "lags_in",
    "step_comparisons",
    "summarise",
]
