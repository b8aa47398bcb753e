"""Chart geometry: pure functions from data to coordinates. Templates only draw what these return.

The charts are SVG drawn by `templates/measures/partials/events_timeline.html` and `level_chart.html`,
so they work without JavaScript, print, and go into the PDF unchanged. Colours are never the only
carrier of meaning: shapes, dash patterns and text labels say the same thing in greyscale.
"""

from reading.charts.levels import (
    LevelChart,
    Riser,
    Row,
    Step,
    level_chart,
    level_charts,
)
from reading.charts.progress import (
    PARTY_DASHES,
    PARTY_LINE_COLOURS,
    ProgressChart,
    ProgressLine,
    case_progress_chart,
    progress_chart,
)
from reading.charts.scale import (
    APPROXIMATE_DAYS,
    CHAR_WIDTH,
    DIRECTION_STYLE,
    FONT_SIZE,
    LEVEL_COLOURS,
    LEVEL_ROWS,
    MAX_LABEL_CHARS,
    Tick,
    date_label,
    date_range,
)
from reading.charts.timeline import (
    EventMarker,
    Timeline,
    events_timeline,
    group_crowded,
)

__all__ = [
    "APPROXIMATE_DAYS",
    "CHAR_WIDTH",
    "DIRECTION_STYLE",
    "EventMarker",
    "FONT_SIZE",
    "LEVEL_COLOURS",
    "LEVEL_ROWS",
    "LevelChart",
    "MAX_LABEL_CHARS",
    "PARTY_DASHES",
    "PARTY_LINE_COLOURS",
    "ProgressChart",
    "ProgressLine",
    "Riser",
    "Row",
    "Step",
    "Tick",
    "Timeline",
    "case_progress_chart",
    "date_label",
    "date_range",
    "events_timeline",
    "group_crowded",
    "level_chart",
    "level_charts",
    "progress_chart",
]
