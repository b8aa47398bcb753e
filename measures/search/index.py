"""Keeping the search index current: every write of an indexed record calls `index` or `unindex` in its
transaction (the services do, and the admin through them; never a signal), and `rebuild` makes it
again from the data (`manage.py rebuild_search_index`, migration 0026, generated demo data)."""

from django.apps import apps as installed_apps
from django.db import connections, transaction

from measures.search import documents
from measures.search.backends import TABLE, backend_for

BATCH = 500


def _models(registry):
    return {
        name: registry.get_model("measures", name)
        for name in ("Case", "Source", "Citation", "Event", "Measure", "Assessment")
    }


def _documents(objects):
    """The documents of `objects` (model instances); a Case stands for all its records."""
    models = _models(installed_apps)
    found, sources_done = [], set()
    for obj in objects:
        if isinstance(obj, models["Source"]):
            citing = models["Citation"].objects.filter(source=obj).values_list("case_id", flat=True).distinct()
            found.append(documents.source_document(obj, set(citing)))
            # Its passages that have no language of their own are in the source's: index them again.
            inheriting = models["Citation"].objects.filter(source=obj, language="").select_related("event")
            found.extend(documents.passage_document(_with_source(c, obj)) for c in inheriting)
        elif isinstance(obj, models["Citation"]):
            found.append(documents.passage_document(obj))
            # The first passage a case quotes from a source makes the source found in that case too.
            others = models["Citation"].objects.filter(source_id=obj.source_id, case_id=obj.case_id)
            if not others.exclude(pk=obj.pk).exists() and obj.source_id not in sources_done:
                sources_done.add(obj.source_id)
                found.extend(_documents([obj.source]))
        elif isinstance(obj, models["Event"]):
            found.append(documents.event_document(obj, obj.case.working_language))
        elif isinstance(obj, models["Measure"]):
            found.append(documents.measure_document(obj, obj.case.working_language))
        elif isinstance(obj, models["Assessment"]):
            case = obj.measure.case
            found.append(documents.rationale_document(obj, case.pk, case.working_language))
        elif isinstance(obj, models["Case"]):
            found.extend(_case_documents(obj.pk, models))
    return list({doc.row_id: doc for doc in found}.values())  # one row per record


def _with_source(citation, source):
    citation.source = source  # the source in hand: its text is not read again for each passage
    return citation


def _write(docs, using):
    connection = connections[using]
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        for start in range(0, len(docs), BATCH):
            batch = docs[start : start + BATCH]
            backend.delete(cursor, [d.row_id for d in batch])
            backend.insert(cursor, batch)


def index(objects, *, using="default"):
    """Write (or write again) the index rows of `objects`: sources, citations, events, measures,
    assessments, and cases (all of a case's records). Other objects are ignored."""
    docs = _documents(objects)
    if docs:
        _write(docs, using)
    return len(docs)


def unindex(objects, *, using="default"):
    """Remove the index rows of `objects` (deleted records); objects of other kinds are ignored.

    A source keeps the tag of a case whose last citation of it is deleted until it is indexed again:
    the search then counts it but shows it nowhere (a source is shown only in a case that cites it)."""
    models = _models(installed_apps)
    kinds = {
        models["Source"]: documents.SOURCE,
        models["Citation"]: documents.PASSAGE,
        models["Event"]: documents.EVENT,
        models["Measure"]: documents.MEASURE,
        models["Assessment"]: documents.RATIONALE,
    }
    row_ids = [documents.row_id(kinds[type(obj)], obj.pk) for obj in objects if type(obj) in kinds and obj.pk]
    if row_ids:
        connection = connections[using]
        with connection.cursor() as cursor:
            backend_for(connection).delete(cursor, row_ids)


def prune(*, using="default"):
    """Remove the index rows whose record is gone: deleted around the services (`.delete()` in a shell,
    a bulk delete), which left them behind. Search calls it when a record of its page is gone (so
    that the count no longer promises it), `rebuild` makes the whole index again. Reads every row id
    of the index and every primary key of the indexed models once: for a rare repair, never a page's
    ordinary work. The cases of the rows removed have their data version bumped (every case when a
    source's row goes: a source belongs to the cases citing it), so that no page or ranking kept in
    the cache for their old data (reading.views.search) is served again. Returns how many rows it removed."""
    from measures.services.base import touch_cases  # the services write the index: imported when used

    models = _models(installed_apps)
    tables = {
        documents.SOURCE: models["Source"],
        documents.PASSAGE: models["Citation"],
        documents.EVENT: models["Event"],
        documents.MEASURE: models["Measure"],
        documents.RATIONALE: models["Assessment"],
    }
    connection = connections[using]
    backend = backend_for(connection)
    gone, cases = [], set()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for kind, model in tables.items():
            first, last = documents.row_range(kind)
            rows_of_kind = f"SELECT {backend.ROW}, case_id FROM {TABLE} WHERE {backend.ROW} BETWEEN %s AND %s"
            cursor.execute(rows_of_kind, [first, last])
            rows = cursor.fetchall()
            if not rows:
                continue
            existing = set(model._default_manager.using(using).values_list("pk", flat=True))
            for row, case_id in rows:
                if row - first not in existing:
                    gone.append(row)
                    cases.add(case_id)
        if gone:
            backend.delete(cursor, gone)
            if None in cases:
                cases = set(models["Case"]._default_manager.using(using).values_list("pk", flat=True))
            touch_cases(cases)
    return len(gone)


def _case_documents(case_id, models, *, chunk=2000):
    """Every document of the case `case_id` (None: of every case), sources left out, in batches."""
    cases = models["Case"].objects.all() if case_id is None else models["Case"].objects.filter(pk=case_id)
    languages = dict(cases.values_list("pk", "working_language"))
    if not languages:
        return
    in_cases = {"case_id__in": list(languages)}
    for measure in models["Measure"].objects.filter(**in_cases).only("pk", "case_id", "title", "description"):
        yield documents.measure_document(measure, languages[measure.case_id])
    events = models["Event"].objects.filter(**in_cases).only("pk", "case_id", "date", "title", "summary", "location")
    for event in events.order_by("pk").iterator(chunk_size=chunk):
        yield documents.event_document(event, languages[event.case_id])
    citations = (
        models["Citation"]
        .objects.filter(**in_cases)
        .select_related("source", "event")
        .only(
            "pk",
            "case_id",
            "quote",
            "passage_parts",
            "translation",
            "language",
            "source__language",
            "source__published_on",
            "event__date",
        )
    )
    for citation in citations.order_by("pk").iterator(chunk_size=chunk):
        yield documents.passage_document(citation)
    assessments = (
        models["Assessment"]
        .objects.filter(measure__case_id__in=list(languages))
        .select_related("measure")
        .only("pk", "rationale", "rationale_language", "effective_date", "measure__case_id")
    )
    for assessment in assessments.order_by("pk").iterator(chunk_size=chunk):
        case = assessment.measure.case_id
        yield documents.rationale_document(assessment, case, languages[case])


def index_case(case, *, sources=(), using="default"):
    """Write again the index rows of everything of `case` (measures, events, citations, rationales),
    in batches, and of `sources`: after a case file is loaded (the sources it stored or found), or
    its working language changed."""
    _write_all(_case_documents(case.pk, _models(installed_apps)), using)
    sources = list(sources)
    if sources:
        index(sources, using=using)


def _write_all(docs, using):
    batch = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            _write(batch, using)
            batch = []
    if batch:
        _write(batch, using)


def rebuild(*, using="default", models=None):
    """Empty the index and fill it from the data: every source, measure, event, citation and
    assessment. `models` is an app registry (a migration's historical models); default the installed
    models. Returns the number of documents written."""
    models = _models(models or installed_apps)
    connection = connections[using]
    with connection.cursor() as cursor:
        backend_for(connection).clear(cursor)
    count = 0

    def counted(docs):
        nonlocal count
        for doc in docs:
            count += 1
            yield doc

    citing = {}
    for source_id, case_id in models["Citation"].objects.values_list("source_id", "case_id").distinct():
        citing.setdefault(source_id, set()).add(case_id)
    sources = models["Source"].objects.only(
        "pk", "title", "label", "publisher", "author", "language", "published_on", "full_text"
    )
    sources = sources.order_by("pk").iterator(chunk_size=200)
    _write_all(counted(documents.source_document(s, citing.get(s.pk, ())) for s in sources), using)
    _write_all(counted(_case_documents(None, models)), using)
    return count
