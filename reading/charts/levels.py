"""A measure's level over time, per party: steps between levels on a date axis."""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format

from measures.models import Assessment
from reading.charts.scale import LEVEL_COLOURS, LEVEL_ROWS, _Scale

Level = Assessment.Level


@dataclass(frozen=True)
class Step:
    level: str
    label: str
    colour: str
    x1: float
    x2: float
    y: float
    start: datetime.date
    assessment: Assessment | None


@dataclass(frozen=True)
class Riser:
    x: float
    y1: float
    y2: float


@dataclass(frozen=True)
class Row:
    level: str
    label: str
    y: float
    scored: bool


@dataclass
class LevelChart:
    party: object
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    rows: list
    steps: list
    risers: list
    ticks: list
    start: datetime.date
    end: datetime.date

    @property
    def current(self):
        return self.steps[-1]

    @property
    def description(self):
        parts = [f"{date_format(step.start)}: {step.label}" for step in self.steps]
        return f"Level of {self.party} over time. " + "; ".join(parts) + "."


def level_chart(history, party, *, start, end, width=560, row_height=18):
    """Geometry of the step chart of one party's level of one measure from `start` to `end`.

    `history` is what `state.assessment_history(case, as_of=end, measure=…)` returns (oldest first,
    corrections after what they correct); entries of other parties, superseded and returned ones are
    ignored. Before the first assessment the level is "not yet assessed"; of several assessments
    effective the same day, the last recorded one holds, as in the queries.
    """
    left, right = 118, width - 12
    top = 10
    rows = [
        Row(level, Level(level).label, top + i * row_height + row_height / 2, level in Assessment.SCORES)
        for i, level in enumerate(LEVEL_ROWS)
    ]
    row_y = {row.level: row.y for row in rows}
    bottom = top + len(rows) * row_height
    scale = _Scale(start, end, left, right)

    points = [(scale.start, Level.NOT_ASSESSED, None)]
    for change in history:
        assessment = change.assessment
        if not change.counts:
            continue  # withdrawn by its correction, or returned by its reviewer: never the level in force
        if assessment.party_id != party.pk or assessment.effective_date > scale.end:
            continue
        when = max(assessment.effective_date, scale.start)
        if points and points[-1][0] == when:
            points.pop()
        points.append((when, assessment.level, assessment))

    steps, risers = [], []
    for i, (when, level, assessment) in enumerate(points):
        until = points[i + 1][0] if i + 1 < len(points) else scale.end
        step = Step(
            level=level,
            label=Level(level).label,
            colour=LEVEL_COLOURS[level],
            x1=scale.x(when),
            x2=scale.x(until),
            y=row_y[level],
            start=when,
            assessment=assessment,
        )
        if steps and steps[-1].y != step.y:
            risers.append(Riser(x=step.x1, y1=steps[-1].y, y2=step.y))
        steps.append(step)
    return LevelChart(
        party=party,
        width=width,
        height=int(bottom + 26),
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        rows=rows,
        steps=steps,
        risers=risers,
        ticks=scale.ticks(max_ticks=6),
        start=scale.start,
        end=scale.end,
    )


def level_charts(history, parties, *, start, end, width=560):
    """One step chart per party, in the order of `parties`."""
    return [level_chart(history, party, start=start, end=end, width=width) for party in parties]


# Progress over time ----------------------------------------------------------------------------

# Lines by party position; the joint line is black and thicker. Each party line has its own dash
# pattern too, so the lines stay apart on a grey printout.
