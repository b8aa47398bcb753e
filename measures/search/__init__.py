"""Search across sources and evidence, in every script: one interface over the databases' own full-text
engines (SQLite FTS5, PostgreSQL text search with a GIN index: backends), fed with terms made by the
matching rule of quotes (measures.lib.terms), so that spelling variants, dashes, ligatures, invisible
characters and decomposed letters find the same records, and words of scripts written without spaces
are found as words.

- `index(objects)` / `unindex(objects)`: called by every write of an indexed record, in its
  transaction (measures.services; the admin and the loaders through them);
- `index_case(case, sources=…)`, `rebuild()`: after a case file is loaded; `manage.py rebuild_search_index`;
- `prune()`: the rows of records deleted around the services removed (search calls it on meeting one);
- `search(text, Filters(cases=…, kind=…, language=…, date_from=…, date_to=…), page=…)`: the reading
  pages' search (/search/), within the cases the reader may read.
"""

from measures.search.documents import EVENT, KINDS, MEASURE, PASSAGE, RATIONALE, SOURCE
from measures.search.index import index, index_case, prune, rebuild, unindex
from measures.search.query import PER_PAGE, Filters, Hit, Results, search

__all__ = [
    "EVENT",
    "Filters",
    "Hit",
    "KINDS",
    "MEASURE",
    "PASSAGE",
    "PER_PAGE",
    "RATIONALE",
    "Results",
    "SOURCE",
    "index",
    "index_case",
    "prune",
    "rebuild",
    "search",
    "unindex",
]
