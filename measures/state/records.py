"""A case's records as a reader sees them on a date, as known on a date: its parties, events, sources,
citations and evidence. What the API lists and the data packages write; the same selections as the
reading pages (the event list, the source list, the dashboard's evidence figures).

Each function returns a queryset (no query runs until it is read), so that callers can order, page and
annotate it. `as_of` None and `known_on` None mean no limit.
"""

from django.db.models import Q

from measures.models import Citation, Evidence, Party, Source


def case_parties(case):
    """The parties a case names: its assessed parties and the actors of its events, by code."""
    named = Q(assessed_in_cases=case) | Q(events__case=case)
    return Party.objects.filter(pk__in=Party.objects.filter(named).values("pk")).order_by("code")


def case_events(case, *, as_of=None, known_on=None):
    """The case's events dated up to `as_of` (month and approximate dates by their best-estimate day,
    as `ReportingPeriod` counts them), on record by `known_on`: the event list's selection."""
    return case.events.up_to(as_of).known_on(known_on)


def case_citations(case, *, as_of=None, known_on=None):
    """The case's citations a reader could have seen on `as_of` (dated by then by their event, else
    their source, or undated: `CitationQuerySet.visible_on`), on record with their source by
    `known_on`: the source pages' selection."""
    citations = Citation.objects.filter(case=case).known_on(known_on)
    return citations if as_of is None else citations.visible_on(as_of)


def case_sources(case, *, as_of=None, known_on=None):
    """The sources the case's citations (`case_citations`, same dates) quote: sources are shared
    between cases, and a case shows those it cites."""
    cited = case_citations(case, as_of=as_of, known_on=known_on).order_by().values("source")
    return Source.objects.filter(pk__in=cited)


def case_evidence(case, *, as_of=None, known_on=None):
    """The evidence of the case's measures that counts by `as_of` (`state.evidence_counts_from`:
    dated by then, or an undated source's put on record by then), on record by `known_on` with its
    citation and source: what the dashboard counts."""
    evidence = Evidence.objects.filter(measure__case=case)
    if as_of is None:
        return evidence.known_on(known_on)
    return evidence.counting_by(as_of, known_on)
