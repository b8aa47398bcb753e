"""A case's records: events, sources (full text on the detail), citations and evidence, as the pages
list them (`state.records`), paged by id, with `updated_since` for incremental pulls; and the records
deleted since a time, so that a copy kept in sync can drop them too."""

from django.db.models import F, Value
from django.db.models.functions import Length
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router

from api.endpoints.common import ERRORS, Conditional, EventInPath, Slug, SourceInPath, page_link
from api.pagination import page_by_id, page_of_list
from api.params import PageParams, RecordParams
from api.problems import Problem
from api.schemas import CitationPage, DeletionPage, EventOut, EventPage, EvidencePage, SourceDetailOut, SourcePage
from measures.lib.dates import date_text
from measures.models import Citation, Event, Evidence, Source
from measures.querysets import last_changed
from measures.state import case_citations, case_events, case_evidence, case_sources, evidence_dating

router = Router(tags=["records"])


def _changed(queryset, model, params):
    """`queryset` annotated with `updated_at`, and only the rows changed since `updated_since`."""
    queryset = queryset.annotate(updated_at=last_changed(model))
    if params.updated_since is not None:
        queryset = queryset.filter(updated_at__gte=params.updated_since)
    return queryset


# What the event list and detail read of an event (values, not model objects: a page of a hundred
# events was mostly the building of objects and their dates).
EVENT_FIELDS = (
    "id",
    "external_id",
    "date",
    "date_precision",
    "end_date",
    "title",
    "summary",
    "kind",
    "direction",
    "location",
    "fatalities",
    "external_timestamp",
    "recorded_at",
    "updated_at",
)


def _event(event, *, actors, page):
    """`event`: a dict of EVENT_FIELDS; `actors`: its parties' codes, sorted (`_actors_of`); `page`:
    the address of an event page with "0" for its id (`_record_page`)."""
    return {
        "id": event["id"],
        "event_id_cnty": event["external_id"],
        "date": event["date"],
        "date_precision": event["date_precision"],
        "end_date": event["end_date"],
        "date_text": date_text(event["date"], event["date_precision"], event["end_date"]),
        "title": event["title"],
        "summary": event["summary"],
        "kind": event["kind"],
        "direction": event["direction"],
        "actors": actors,
        "location": event["location"],
        "fatalities": event["fatalities"],
        "source_timestamp": event["external_timestamp"],
        "recorded_at": event["recorded_at"],
        "updated_at": event["updated_at"],
        "page": _filled(page, event["id"]),
    }


def _record_page(request, view, case):
    """The absolute address of a record's page (`view`: its URL name) in `case`, with 0 for the
    record's id: a list fills in each record's id (`_filled`) instead of reversing the address once
    per record."""
    return request.build_absolute_uri(reverse(view, args=[case.slug, 0]))


def _filled(page, pk):
    return "{0}/{2}/{1}".format(*page.rpartition("/0/")[::2], pk)


def _actors_of(events):
    """{event id: [its actors' codes, sorted]} in one query (a prefetch made a related manager and a
    Party object per actor of every event of the page)."""
    codes = {event["id"]: [] for event in events}
    through = Event.actors.through.objects.filter(event__in=list(codes))
    for event_id, code in through.values_list("event_id", "party__code"):
        codes[event_id].append(code)
    return {pk: sorted(found) for pk, found in codes.items()}


def _events(request, case, rows):
    actors, page = _actors_of(rows), _record_page(request, "measures:event_detail", case)
    return [_event(row, actors=actors[row["id"]], page=page) for row in rows]


@router.get("/cases/{slug}/events/", response={200: EventPage, **ERRORS}, summary="A case's events")
def event_list(request, slug: Slug, params: Query[RecordParams], response: HttpResponse):
    """Events dated up to `as_of`, on record by `known_on`, by id; ACLED's fields (event_id_cnty, date
    precision, end date, actors, fatalities, the dataset's timestamp)."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    events = _changed(case_events(found.case, as_of=params.as_of, known_on=params.known_on), Event, params)
    items, following = page_by_id(events, request, params, "events", fields=EVENT_FIELDS)
    found.stamp(response)
    return {"results": _events(request, found.case, items), "next": following}


@router.get("/cases/{slug}/events/{event_id}/", response={200: EventOut, **ERRORS}, summary="One event")
def event_detail(request, slug: Slug, event_id: EventInPath, response: HttpResponse):
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    events = _changed(case_events(found.case), Event, RecordParams())
    rows = list(events.filter(pk=event_id).values(*EVENT_FIELDS))
    if not rows:
        raise Problem("not-found", f"The case has no event {event_id}.")
    found.stamp(response)
    return _events(request, found.case, rows)[0]


# What the source list and detail read of a source (values; the full text on the detail only).
SOURCE_FIELDS = (
    "id",
    "title",
    "label",
    "publisher",
    "author",
    "url",
    "published_on",
    "date_precision",
    "kind",
    "language",
    "text_length",
    "recorded_at",
    "updated_at",
)


def _source(source, *, page):
    """`source`: a dict of SOURCE_FIELDS (and `full_text`, for the detail); `page`: the address of a
    source page of the case with "0" for its id (`_record_page`)."""
    answer = {
        "id": source["id"],
        "title": source["title"],
        "label": source["label"],
        "publisher": source["publisher"],
        "author": source["author"],
        "url": source["url"],
        "published_on": source["published_on"],
        "date_precision": source["date_precision"],
        "date_text": date_text(source["published_on"], source["date_precision"]),
        "kind": source["kind"],
        "language": source["language"],
        "text_length": source["text_length"],
        "recorded_at": source["recorded_at"],
        "updated_at": source["updated_at"],
        "page": _filled(page, source["id"]),
    }
    if "full_text" in source:
        answer["full_text"] = source["full_text"]
    return answer


def _sources(found, params):
    sources = case_sources(found.case, as_of=params.as_of, known_on=params.known_on)
    return _changed(sources, Source, params).annotate(text_length=Length("full_text"))


@router.get("/cases/{slug}/sources/", response={200: SourcePage, **ERRORS}, summary="The sources a case cites")
def source_list(request, slug: Slug, params: Query[RecordParams], response: HttpResponse):
    """The sources of the case's citations (sources are shared by cases), without their full text (the
    detail has it), by id."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    items, following = page_by_id(_sources(found, params), request, params, "sources", fields=SOURCE_FIELDS)
    page = _record_page(request, "measures:source_detail", found.case)
    found.stamp(response)
    return {"results": [_source(source, page=page) for source in items], "next": following}


@router.get(
    "/cases/{slug}/sources/{source_id}/", response={200: SourceDetailOut, **ERRORS}, summary="One source, full text"
)
def source_detail(request, slug: Slug, source_id: SourceInPath, response: HttpResponse):
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    source = _sources(found, RecordParams()).filter(pk=source_id).values(*SOURCE_FIELDS, "full_text").first()
    if source is None:
        raise Problem("not-found", f"The case cites no source {source_id}.")
    found.stamp(response)
    return _source(source, page=_record_page(request, "measures:source_detail", found.case))


def _citation(request, case, citation):
    dating = evidence_dating(citation)
    path = reverse("measures:source_detail", args=[case.slug, citation.source_id])
    return {
        "id": citation.pk,
        "source": citation.source_id,
        "event": citation.event_id,
        "passage": citation.passage,
        "quote": citation.quote,
        "language": citation.language,
        "translation": citation.translation,
        "translator": citation.translator,
        "translated_on": citation.translated_on,
        "locator": citation.locator,
        "place": citation.place,
        "paragraph": citation.paragraph,
        "spans": citation.spans or [],
        "evidence_date": dating.date if dating else None,
        "recorded_at": citation.recorded_at,
        "updated_at": citation.updated_at,
        "page": page_link(request, path) + f"#{citation.anchor}",
    }


@router.get("/cases/{slug}/citations/", response={200: CitationPage, **ERRORS}, summary="A case's citations")
def citation_list(request, slug: Slug, params: Query[RecordParams], response: HttpResponse):
    """Passages quoted from the sources, with where they are in the source's full text (offsets,
    paragraph), those a reader could see on `as_of`, on record by `known_on`, by id."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    citations = case_citations(found.case, as_of=params.as_of, known_on=params.known_on)
    citations = _changed(citations, Citation, params).with_source().defer("source__full_text")
    items, following = page_by_id(citations, request, params, "citations")
    found.stamp(response)
    return {"results": [_citation(request, found.case, citation) for citation in items], "next": following}


@router.get("/cases/{slug}/evidence/", response={200: EvidencePage, **ERRORS}, summary="A case's evidence")
def evidence_list(request, slug: Slug, params: Query[RecordParams], response: HttpResponse):
    """Citations attached to measures with their stance, those that count by `as_of` (as the dashboard
    counts them), on record by `known_on`, by id."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    evidence = case_evidence(found.case, as_of=params.as_of, known_on=params.known_on)
    evidence = _changed(evidence, Evidence, params).select_related("measure")
    items, following = page_by_id(evidence, request, params, "evidence")
    found.stamp(response)
    results = [
        {
            "id": item.pk,
            "measure": item.measure.number,
            "citation": item.citation_id,
            "stance": item.stance,
            "note": item.note,
            "recorded_at": item.recorded_at,
            "updated_at": item.updated_at,
        }
        for item in items
    ]
    return {"results": results, "next": following}


@router.get("/cases/{slug}/deleted/", response={200: DeletionPage, **ERRORS}, summary="Records deleted from a case")
def deletion_list(request, slug: Slug, params: Query[PageParams], response: HttpResponse):
    """Events, citations and evidence deleted from the case (at or after `updated_since`), oldest
    first, from the records' history: what a copy kept in sync with `updated_since` drops."""
    found = Conditional.of(request, slug)
    if found.unchanged:
        return found.unchanged
    case = found.case
    kinds = (
        ("event", Event.history.filter(case=case), "external_id"),
        ("citation", Citation.history.filter(case=case), None),
        ("evidence", Evidence.history.filter(measure__case=case), None),
    )
    deleted = []
    for kind, history, external in kinds:
        rows = history.filter(history_type="-")
        if params.updated_since is not None:
            rows = rows.filter(history_date__gte=params.updated_since)
        rows = rows.annotate(external=Value("") if external is None else F(external))
        deleted += [
            {
                "record": kind,
                "id": row["id"],
                "event_id_cnty": row["external"] or None,
                "deleted_at": row["history_date"],
            }
            for row in rows.values("id", "external", "history_date", "history_id")
        ]
    deleted.sort(key=lambda item: (item["deleted_at"], item["record"], item["id"]))

    def position(item):
        return (item["deleted_at"].isoformat(timespec="microseconds"), item["record"], item["id"])

    items, following = page_of_list(deleted, request, params, "deleted", position, (str, str, int))
    found.stamp(response)
    return {"results": items, "next": following}
