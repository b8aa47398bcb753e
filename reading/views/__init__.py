"""Reading pages: case list, dashboard, measure, events and sources, cases compared (the matrix), search.

Each view parses its parameters (the period through `PeriodForm`), calls `queries.*`, renders.
Every page runs a fixed number of queries whatever the size of the case.

One module per page family; this package re-exports the views.
"""

from reading.views.base import (
    EVENTS_PER_PAGE,
    EXPORT_FORMATS,
    SOURCES_PER_PAGE,
    STANCE_ORDER,
    CitedPassage,
    can_assess,
)
from reading.views.cases import (
    case_list,
    dashboard,
)
from reading.views.events import (
    event_detail,
    event_list,
)
from reading.views.matrix import (
    matrix,
    measure_type,
)
from reading.views.measures import (
    measure_detail,
)
from reading.views.packages import (
    all_cases_package,
    case_package,
)
from reading.views.search import search
from reading.views.share import shared_link
from reading.views.sources import (
    source_detail,
    source_list,
    source_original,
    source_reader,
)

__all__ = [
    "CitedPassage",
    "EVENTS_PER_PAGE",
    "EXPORT_FORMATS",
    "SOURCES_PER_PAGE",
    "STANCE_ORDER",
    "all_cases_package",
    "can_assess",
    "case_package",
    "case_list",
    "dashboard",
    "event_detail",
    "event_list",
    "matrix",
    "measure_detail",
    "measure_type",
    "search",
    "shared_link",
    "source_detail",
    "source_list",
    "source_original",
    "source_reader",
]
