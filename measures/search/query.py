"""Searching: a reader's query against the index, within the cases they may read, with filters, ranked by
the engine, each hit loaded with a snippet of its text around the terms found. A fixed number of
queries whatever the size of the data: the page of rows with the count, then one query per kind of
record on the page (and one for the cases that cite the sources found)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections

from measures.lib import languages, terms
from measures.lib.quoting import paragraph_number
from measures.search import documents
from measures.search.backends import TABLE, backend_for
from measures.search.index import prune

PER_PAGE = 20
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class HitText:
    """A snippet of a record found (terms.Snippet), in its language (a BCP 47 tag, "" unknown) and
    direction ("rtl", "ltr", or "auto" when the language is unknown); `label` says what it is when
    it is not the record's own text ("Translation")."""

    snippet: terms.Snippet
    language: str
    label: str = ""

    @property
    def dir(self):
        return languages.direction(self.language) if self.language else "auto"


@dataclass
class Hit:
    """One record found: `kind` (documents.KINDS), the record `obj`, the `case` it is shown in, and
    `texts` (HitText) around the terms found. `paragraph`: for a source, the paragraph its snippet is
    in (the reader's #para-N)."""

    kind: str
    obj: object
    case: object
    texts: list = field(default_factory=list)
    paragraph: int | None = None

    @property
    def kind_label(self):
        return documents.KINDS[self.kind][:-1]


@dataclass
class Results:
    query: terms.Query
    total: int
    hits: list
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self):
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self):
        return min(self.total, self.page * self.per_page)


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to: `cases` (a queryset of the cases the reader may read, perhaps
    narrowed to one), `kind` (documents.KINDS), `language` (a BCP 47 tag: its language subtag is
    compared, so "en" finds "en-GB"), `date_from`/`date_to` (dates, both included; undated records
    are then left out), `hidden_rationales` (ids of assessments whose rationales are left out: those
    no reviewer approved, for a searcher who is not of the team). Cases, kind and language are tags of
    the index; dates are read from the rows that match, and the hidden rationales by their rows' ids.
    `uncited_sources`: also the sources no case cites yet (the library's), for a reader who may read
    the library (reading.views.search decides), shown with no case."""

    cases: object
    kind: str = ""
    language: str = ""
    date_from: object = None
    date_to: object = None
    hidden_rationales: tuple = ()
    uncited_sources: bool = False


def _tag_groups(filters):
    """The tags a document must carry besides its case, one of each group: the kind, the language."""
    groups = []
    if filters.kind:
        groups.append([documents.kind_tag(filters.kind)])
    if filters.language:
        groups.append([documents.language_tag(filters.language)])
    return groups


def _where(backend, query, case_ids, filters):
    match_sql, params = backend.match(query, case_ids, _tag_groups(filters), uncited=filters.uncited_sources)
    conditions = [match_sql]
    if filters.date_from is not None:
        conditions.append("day >= %s")
        params.append(backend.day_parameter(filters.date_from))
    if filters.date_to is not None:
        conditions.append("day <= %s")
        params.append(backend.day_parameter(filters.date_to))
    if filters.hidden_rationales:
        conditions.append(f"{backend.ROW} NOT IN ({', '.join(['%s'] * len(filters.hidden_rationales))})")
        params.extend(documents.row_id(documents.RATIONALE, pk) for pk in filters.hidden_rationales)
    return " AND ".join(conditions), params


def search(text, filters, *, page=1, per_page=PER_PAGE, using="default", remember=None):
    """The records matching `text` (what the reader typed: measures.lib.terms.parse_query) within
    `filters` (Filters), best first: Results with the hits of page `page` (1-based; a page past the
    last gives no hits). An empty query (no words), or no case to search in, finds nothing.

    `remember(key, compute)`, if given, returns what `compute()` returns for `key` (a text naming the
    engine's query, its parameters and the page), or an answer it kept for that key: the caller's
    cache of the ranked page (the count and the page's (kind, object id) pairs), valid as long as
    the data it keeps it for (reading.views.search keys it on the cases' data version).

    One query gives the page and the count: the rows found with their scores are gathered once (a
    materialised CTE: the engine finds and ranks every match, however few are shown), counted, and
    the page taken from them, ties in score ordered by kind and record. Only a page past the last
    asks for the count again. The records of the page and their snippets are read afresh every time."""
    query = terms.parse_query(text)
    if not query:
        return Results(query, 0, [], page, per_page)
    case_ids = list(filters.cases.order_by().values_list("pk", flat=True))
    if not case_ids and not filters.uncited_sources:
        return Results(query, 0, [], page, per_page)
    connection = connections[using]
    backend = backend_for(connection)
    where, params = _where(backend, query, case_ids, filters)
    rank_sql, rank_params = backend.rank(query)
    page_sql = (
        f"WITH found AS MATERIALIZED (SELECT {backend.ROW} AS row_id, {rank_sql} AS score FROM {TABLE} WHERE {where}) "
        f"SELECT row_id, (SELECT count(*) FROM found) FROM found "
        f"ORDER BY score, {documents.kind_order_sql('row_id')}, row_id LIMIT %s OFFSET %s"
    )
    page_params = [*rank_params, *params, per_page, (page - 1) * per_page]
    count_sql = f"SELECT count(*) FROM {TABLE} WHERE {where}"

    def ranked():
        with connection.cursor() as cursor:
            found = []
            if page >= 1:
                cursor.execute(page_sql, page_params)
                found = cursor.fetchall()
            if found:
                total = found[0][1]
            elif page == 1:
                total = 0
            else:  # a page past the last (or before the first): how many there are
                cursor.execute(count_sql, params)
                total = cursor.fetchone()[0]
        return total, [documents.record_of(row) for row, _ in found]

    if remember is None:
        total, rows = ranked()
    else:
        key = "\x1f".join([connection.vendor, page_sql, *map(repr, page_params)])
        total, rows = remember(key, ranked)
    hits, gone = _hits(rows, query, case_ids, filters.uncited_sources)
    if gone:
        # A record of the page was deleted around the services (a shell): the index still had it, so the
        # count promised it. Remove every such row and rank again, not from the cache (index.prune).
        prune(using=using)
        total, rows = ranked()
        hits, gone = _hits(rows, query, case_ids, filters.uncited_sources)
    return Results(query, total, hits, page, per_page)


def _hits(rows, query, case_ids, uncited=False):
    """(the Hits of `rows`, how many of the rows' records are gone: deleted without the index)."""
    from measures.models import Assessment, Case, Citation, Event, Measure, Source

    wanted = defaultdict(list)
    for kind, object_id in rows:
        wanted[kind].append(object_id)
    loaded = {}
    if wanted[documents.PASSAGE]:
        citations = (
            Citation.objects.filter(pk__in=wanted[documents.PASSAGE])
            .select_related("case", "source", "event")
            .defer("source__full_text")
        )
        loaded.update({(documents.PASSAGE, c.pk): c for c in citations})
    if wanted[documents.SOURCE]:
        loaded.update({(documents.SOURCE, s.pk): s for s in Source.objects.filter(pk__in=wanted[documents.SOURCE])})
    if wanted[documents.EVENT]:
        events = Event.objects.filter(pk__in=wanted[documents.EVENT]).select_related("case")
        loaded.update({(documents.EVENT, e.pk): e for e in events})
    if wanted[documents.MEASURE]:
        measures = Measure.objects.filter(pk__in=wanted[documents.MEASURE]).select_related("case")
        loaded.update({(documents.MEASURE, m.pk): m for m in measures})
    if wanted[documents.RATIONALE]:
        # With its review (if any): the team finds rationales no reviewer approved, marked as such.
        assessments = Assessment.objects.filter(pk__in=wanted[documents.RATIONALE]).select_related(
            "measure__case", "party", "review"
        )
        loaded.update({(documents.RATIONALE, a.pk): a for a in assessments})
    # A source is shown in a case that cites it, among the cases searched (the first by name): the
    # pairs come from the citations' source index, the cases' names in one more query.
    source_cases = {}
    if wanted[documents.SOURCE]:
        searched = set(case_ids)
        pairs = (
            Citation.objects.filter(source_id__in=wanted[documents.SOURCE])
            .order_by()
            .values_list("source_id", "case_id")
            .distinct()
        )
        citing = defaultdict(set)
        for source_id, case_id in pairs:
            if case_id in searched:
                citing[source_id].add(case_id)
        shown = {pk for pks in citing.values() for pk in pks}
        cases = list(Case.objects.filter(pk__in=shown).only("pk", "slug", "name", "working_language"))
        cases.sort(key=lambda case: (case.name, case.pk))
        for source_id, pks in citing.items():
            source_cases[source_id] = next(case for case in cases if case.pk in pks)
        if uncited:  # a source no case cites (by any case, searched or not) is shown with none
            cited = {source_id for source_id, _ in pairs}
            source_cases.update({pk: None for pk in wanted[documents.SOURCE] if pk not in cited})
    hits, gone = [], 0
    for kind, object_id in rows:
        obj = loaded.get((kind, object_id))
        if obj is None:
            gone += 1  # removed since it was indexed, around the services
            continue
        hit = _hit(kind, obj, query.terms, source_cases)
        if hit is not None:
            hits.append(hit)
    return hits, gone


def _text(text, query_terms, language, label=""):
    return HitText(terms.snippet(text, query_terms, width=SNIPPET_CHARS), language, label)


def _hit(kind, obj, query_terms, source_cases):
    if kind == documents.SOURCE:
        if obj.pk not in source_cases:
            return None  # cited only by cases not searched (the tag of a citation deleted since)
        case = source_cases[obj.pk]  # None: cited by no case, found in the library
        found = _text(obj.full_text, query_terms, obj.language)
        return Hit(kind, obj, case, [found], paragraph_number(obj.full_text, found.snippet.start))
    if kind == documents.PASSAGE:
        texts = [_text(obj.passage, query_terms, obj.lang)]
        if obj.translation and any(term in query_terms for term in terms.terms(obj.translation)):
            texts.append(_text(obj.translation, query_terms, obj.case.working_language, "Translation"))
        return Hit(kind, obj, obj.case, texts)
    if kind == documents.EVENT:
        text = f"{obj.title}. {obj.summary}" if obj.summary else obj.title
        language = documents.event_language(obj, obj.case.working_language)
        return Hit(kind, obj, obj.case, [_text(text, query_terms, language)])
    if kind == documents.MEASURE:
        return Hit(kind, obj, obj.case, [_text(obj.description, query_terms, obj.case.working_language)])
    case = obj.measure.case
    return Hit(kind, obj, case, [_text(obj.rationale, query_terms, obj.rationale_language or case.working_language)])
