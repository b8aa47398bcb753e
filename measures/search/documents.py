"""What the search index holds: one document per source, cited passage, event, measure and rationale
(an assessment's), with its kind, case, language and date, and its terms (measures.lib.terms).

What a search is narrowed to (the cases a reader may read, a kind, a language) is indexed as *tags*:
terms of their own column, made with a private-use character that no word's term holds, so that the
engine narrows a search as fast as it finds a word (a filter read from each matching row took most
of a search's time at 100× the data). A source is tagged with every case that cites it, and a source
no case cites yet (in the library only) with UNCITED_TAG: found by who may read the library
(`Filters.uncited_sources`), never by a search limited to cases.

Built from the models' fields only (no model methods), so that a migration can build them from its
historical models too.
"""

from dataclasses import dataclass

from measures.intake.language import detect_language, main_script
from measures.lib import languages
from measures.lib import terms as term_rules

SOURCE, PASSAGE, EVENT, MEASURE, RATIONALE = "source", "passage", "event", "measure", "rationale"
KINDS = {
    PASSAGE: "Passages",
    SOURCE: "Sources",
    EVENT: "Events",
    RATIONALE: "Rationales",
    MEASURE: "Measures",
}
_KIND_NUMBER = {SOURCE: 1, PASSAGE: 2, EVENT: 3, MEASURE: 4, RATIONALE: 5}
TAG = "\ue000"  # private use: never in a term of a text (measures.lib.terms keeps letters, marks, digits)


def case_tag(case_id):
    return f"{TAG}c{case_id}"


# A source that no case cites (its document carries no case's tag). Letters a case tag never starts with.
UNCITED_TAG = f"{TAG}uncited"


def kind_tag(kind):
    return f"{TAG}k{kind}"


def language_tag(tag):
    """The tag of a language: its language subtag ("ur" for "ur-PK"), "und" when not known."""
    return f"{TAG}l{languages.primary(tag) or 'und'}"


_ROW_ID_STEP = 1 << 40  # primary keys stay far below a trillion


def row_id(kind, pk):
    """The index row of record `pk` of `kind`: one row per record, found without a scan."""
    return _KIND_NUMBER[kind] * _ROW_ID_STEP + int(pk)


def row_range(kind):
    """(first, last) index row ids a record of `kind` may have: a kind's rows are read as a range."""
    start = _KIND_NUMBER[kind] * _ROW_ID_STEP
    return start, start + _ROW_ID_STEP - 1


def record_of(row):
    """(kind, primary key) of index row `row` (an int made by row_id); ValueError for another number."""
    number, pk = divmod(int(row), _ROW_ID_STEP)
    for kind, kind_number in _KIND_NUMBER.items():
        if kind_number == number:
            return kind, pk
    raise ValueError(f"{row} is not a search index row.")


def kind_order_sql(column):
    """An SQL expression (SQLite and PostgreSQL) of the index row `column` that sorts rows by their
    kind's name, as "kind, object_id" would: with the row id after it, the ranking's tie-break read
    from the row id alone (FTS5 reads the row id for nothing, an UNINDEXED column from its table)."""
    whens = " ".join(f"WHEN {_KIND_NUMBER[kind]} THEN {place}" for place, kind in enumerate(sorted(_KIND_NUMBER)))
    return f"CASE {column} / {_ROW_ID_STEP} {whens} END"


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    case_id: int | None  # None for a source: sources are shared, a case shows those it cites
    language: str
    day: object  # datetime.date or None
    title: tuple  # terms, weighted above the body's
    body: tuple
    citing_cases: tuple = ()  # for a source: the cases that cite it

    @property
    def row_id(self):
        return row_id(self.kind, self.object_id)

    @property
    def tags(self):
        """Its kind, language and case(s) (a source no case cites: UNCITED_TAG), as terms of the tags column."""
        cases = (self.case_id,) if self.case_id is not None else self.citing_cases
        uncited = (UNCITED_TAG,) if self.kind == SOURCE and not cases else ()
        return (kind_tag(self.kind), language_tag(self.language), *(case_tag(pk) for pk in sorted(cases)), *uncited)


def _terms(*texts):
    return tuple(term for text in texts if text for term in term_rules.terms(text))


def source_document(source, citing_cases):
    """`citing_cases`: the ids of the cases that cite the source (it is found in those; with none, by
    who may read the library: UNCITED_TAG)."""
    return Document(
        SOURCE,
        source.pk,
        None,
        source.language,
        source.published_on,
        _terms(source.title, source.label, source.publisher, source.author),
        _terms(source.full_text),
        tuple(sorted(citing_cases)),
    )


def passage_document(citation):
    """A cited passage is found by the source's characters it quotes (never by the analyst's
    bracketed words) and by its translation. Needs `source` and `event` loaded (without the
    source's text)."""
    parts = citation.passage_parts
    quoted = " ".join(text for kind, text in parts if kind == "source") if parts else citation.quote
    day = citation.event.date if citation.event_id else citation.source.published_on
    return Document(
        PASSAGE,
        citation.pk,
        citation.case_id,
        citation.language or citation.source.language,
        day,
        (),
        _terms(quoted, citation.translation),
    )


def event_language(event, working_language):
    """The language an event's text (title, summary, location) is in, for the index's language filter and
    the `lang`/`dir` of its snippet: events carry no language of their own (an imported row has none), so
    the case's working language, unless the text is mostly in a script other than Latin or the working
    language is written right to left; then the language detected in it (measures.intake.language), or the
    working language when none can be told. An Urdu summary in an English case is "ur", right to left."""
    text = " ".join(part for part in (event.title, event.summary, event.location) if part)
    if main_script(text) in ("LATIN", "") and languages.direction(working_language) == "ltr":
        return working_language
    return detect_language(text) or working_language


def event_document(event, working_language):
    return Document(
        EVENT,
        event.pk,
        event.case_id,
        event_language(event, working_language),
        event.date,
        _terms(event.title),
        _terms(event.summary, event.location),
    )


def measure_document(measure, working_language):
    return Document(
        MEASURE, measure.pk, measure.case_id, working_language, None, _terms(measure.title), _terms(measure.description)
    )


def rationale_document(assessment, case_id, working_language):
    return Document(
        RATIONALE,
        assessment.pk,
        case_id,
        assessment.rationale_language or working_language,
        assessment.effective_date,
        (),
        _terms(assessment.rationale),
    )
