"""The progress chart: overall and per-party progress over time."""

from dataclasses import dataclass, field

from measures.models import Assessment
from measures.state import progress_series
from reading.charts.scale import _Scale, date_label

Level = Assessment.Level

PARTY_LINE_COLOURS = ["#1a73e8", "#c5221f", "#188038", "#9334e6", "#e8710a"]
PARTY_DASHES = ["6 3", "2 3", "8 3 2 3", "1 2", "10 4"]


@dataclass(frozen=True)
class ProgressLine:
    name: str
    colour: str
    dash: str  # SVG stroke-dasharray, "" for a solid line
    width: float
    path: str  # SVG path data: steps, broken where nothing is scored
    last: object  # state.Progress at the last point
    dots: list = field(default_factory=list)  # [(x, y)] of each point where the value changed


@dataclass(frozen=True)
class ProgressChart:
    """Geometry of the progress-over-time chart, in SVG user units. `lines` joint first, then one per
    party; `gridlines` [(y, label)] at 0, 25, 50, 75, 100 %; `ticks` [Tick] on the date axis; `points`
    the series itself (for the table under the chart); `description` the chart in one sentence."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list
    gridlines: list
    ticks: list
    points: list
    description: str


def progress_chart(series, *, width=720, height=190):
    """The progress-over-time chart (SVG drawn by the template, so it prints and goes into the PDF) of
    `state.progress_series()`: one step line for the joint progress and one per party, 0–100 %, from
    the series' first day to its last. None for an empty series."""
    if not series:
        return None
    left, right, top, bottom = 44, width - 12, 10, height - 26
    scale = _Scale(series[0].date, series[-1].date, left, right)
    last_day = series[-1].date

    def y(value):
        return round(bottom - (bottom - top) * value, 1)

    def draw(values):
        """A step line: flat until the next point, a riser where it changes, a gap where nothing is scored."""
        parts, dots, drawing, previous = [], [], False, None
        for i, (day, value) in enumerate(values):
            if value is None:
                drawing, previous = False, None
                continue
            until = values[i + 1][0] if i + 1 < len(values) else last_day
            level = y(value)
            parts.append(f"{'L' if drawing else 'M'}{scale.x(day)} {level}")
            parts.append(f"L{scale.x(until)} {level}")
            if value != previous:
                dots.append((scale.x(day), level))
            drawing, previous = True, value
        return " ".join(parts), dots

    path, dots = draw([(p.date, p.joint.value) for p in series])
    lines = [ProgressLine("Joint", "#202124", "", 3, path, series[-1].joint, dots)]
    for i, (party, _) in enumerate(series[0].parties):
        path, dots = draw([(p.date, p.parties[i][1].value) for p in series])
        lines.append(
            ProgressLine(
                party.name,
                PARTY_LINE_COLOURS[i % len(PARTY_LINE_COLOURS)],
                PARTY_DASHES[i % len(PARTY_DASHES)],
                1.75,
                path,
                series[-1].parties[i][1],
                dots,
            )
        )
    first, last = series[0], series[-1]

    def percent(progress):
        return "not scored" if progress.percent is None else f"{progress.percent}%"

    description = (
        f"Progress from {date_label(first.date)} to {date_label(last.date)}: joint {percent(first.joint)} "
        f"to {percent(last.joint)}"
        + "".join(
            f"; {party.name} {percent(first.parties[i][1])} to {percent(progress)}"
            for i, (party, progress) in enumerate(last.parties)
        )
        + "."
    )
    return ProgressChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        lines=lines,
        gridlines=[(y(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100)],
        ticks=scale.ticks(max_ticks=8),
        points=series,
        description=description,
    )


def case_progress_chart(state):
    """The progress-over-time chart of a case state: from the case's start to its as-of date (None
    before the case began), as known on the state's `known_on`, reusing its parties and measures: one
    query more."""
    case, as_of = state.case, state.as_of
    if as_of < case.start_date:
        return None
    series = progress_series(
        case,
        start=case.start_date,
        end=as_of,
        known_on=state.known_on,
        parties=state.parties,
        measures=[row.measure for row in state.rows],
        include_pending=state.include_pending,
    )
    return progress_chart(series)
