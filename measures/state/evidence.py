"""The date a piece of evidence speaks for (its event's or its source's), with its precision."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from measures.lib import dates
from measures.models import Assessment, Event, Evidence
from measures.querysets import EVIDENCE_NEWEST_FIRST, figures_or_none

Level = Assessment.Level
Precision = Event.Precision


# Evidence dates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceDate:
    """When a piece of evidence speaks of, with how precisely that is known (`Event.Precision`, or
    `Source.DatePrecision`), and the last day of an event that lasted several days."""

    date: datetime.date
    precision: str = Precision.DAY
    end: datetime.date | None = None

    @property
    def approximate(self):
        return self.precision != Precision.DAY

    def __str__(self):
        return dates.date_text(self.date, self.precision, self.end)


def evidence_dating(citation):
    """EvidenceDate of a citation: the date of the event it reports, else its source's publication
    date with the source's date precision; None if neither."""
    if citation.event_id is not None:
        event = citation.event
        return EvidenceDate(event.date, event.date_precision, event.end_date)
    source = citation.source
    if source.published_on is None:
        return None
    return EvidenceDate(source.published_on, source.date_precision)


def evidence_date(citation):
    """When a piece of evidence speaks of (a date, or None): `evidence_dating(citation).date`."""
    dating = evidence_dating(citation)
    return dating.date if dating else None


def evidence_counts_from(citation):
    """The first as-of date on which a piece of evidence counts (a date, never None).

    The rule (docs/dashboard.md, "Undated evidence"): evidence counts from the date it speaks of
    (`evidence_date`; a source dated only by month or year is stored on the last day of it); an
    undated source's evidence counts from the day the source was put on record here
    (`Source.recorded_at`, in the site's time zone), the first day we know it existed, so it never
    shows in a view of a date before the source could exist.
    """
    when = evidence_date(citation)
    if when is not None:
        return when
    return timezone.localdate(citation.source.recorded_at)


# Evidence figures of a measure ------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFigures:
    """What a state shows of a measure's evidence that counts: how many pieces, the newest dated one
    (EvidenceDate or None) and the date of the newest dated setback (or None)."""

    count: int = 0
    latest: EvidenceDate | None = None
    newest_setback: datetime.date | None = None


def evidence_figures_of(evidence):
    """EvidenceFigures of a measure's evidence objects (those that count), for the detailed state."""
    dated = [(evidence_dating(item.citation), item.stance) for item in evidence]
    dated = [(d, stance) for d, stance in dated if d is not None]
    setbacks = [d.date for d, stance in dated if stance == Evidence.Stance.SETBACK]
    return EvidenceFigures(
        count=len(evidence),
        latest=max((d for d, _ in dated), key=lambda d: d.date) if dated else None,
        newest_setback=max(setbacks, default=None),
    )


def grouped_evidence_figures(figures, measure_id):
    """EvidenceFigures of a measure from `EvidenceQuerySet.figures_by_measure`'s answer."""
    return _figures(*figures_or_none(figures, measure_id))


def _figures(count, newest_on, precision, end, newest_setback):
    latest = EvidenceDate(newest_on, precision, end) if newest_on is not None else None
    return EvidenceFigures(count=count, latest=latest, newest_setback=newest_setback)


# The evidence a summary quotes --------------------------------------------------------------------


def newest_evidence(measure_ids, *, as_of, known_on=None, limit, case=None):
    """{measure pk: [Evidence, newest first]}: of each measure in `measure_ids`, the `limit` newest
    pieces of evidence that count by `as_of` (on record by `known_on`), and the newest of each stance
    (progress, setback, context) when it is older, so that a summary never hides the only setback
    behind newer progress. Newest by the date the evidence speaks of (`evidence_date`), undated pieces
    last, ties in the order they were recorded: the order of `MeasureStatus.evidence`, of which this
    is a part. Each with its citation, the citation's source (without its full text), event and case.

    Chosen in SQL (a row number over each measure, and over each measure and stance), then loaded:
    two queries, whatever the number of pieces; `limit` must be at least 1 (ValueError otherwise).

    `case`: the measures' case, when the caller has it. A piece of evidence quotes a citation of its
    measure's case (`Evidence.clean`), so the answer is the same; the choice then reads that case's
    citations only, which PostgreSQL reads by index rather than hashing every citation on record
    (docs/performance.md, “Figures behind the code”)."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    ids = list(measure_ids)
    if not ids:
        return {}
    evidence = Evidence.objects.filter(measure__in=ids)
    if case is not None:
        evidence = evidence.filter(citation__case=case)
    ranked = (
        evidence.counting_by(as_of, known_on)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("measure_id")], order_by=EVIDENCE_NEWEST_FIRST),
            stance_rank=Window(
                RowNumber(), partition_by=[F("measure_id"), F("stance")], order_by=EVIDENCE_NEWEST_FIRST
            ),
        )
        .order_by()  # not the model's ordering, whose joins the choice does not need
    )
    # The `limit` newest, and the newest of each stance (at most one a stance), in one pass.
    rank_of = dict(ranked.filter(Q(rank__lte=limit) | Q(stance_rank=1)).values_list("pk", "rank"))
    chosen = Evidence.objects.filter(pk__in=list(rank_of)).with_passage().order_by()
    by_measure = {pk: [] for pk in ids}
    for item in chosen:
        by_measure[item.measure_id].append(item)
    for items in by_measure.values():
        items.sort(key=lambda item: rank_of[item.pk])
    return by_measure


# The newest evidence of a measure, a few per stance ----------------------------------------------


def newest_evidence_by_stance(measure, *, as_of, shown):
    """The newest `shown` pieces of evidence of `measure` for each stance, among those that count by
    `as_of` (a date; `evidence_counts_from`) or, when `as_of` is None, among every piece on record
    whatever its date (the team's page: the evidence list it links to counts those), with the number
    of pieces of each stance:
    {stance: ([Evidence], total)} for every value of `Evidence.Stance`, a stance without evidence
    giving ([], 0). Within a stance, newest first by `evidence_date` (undated last, then by id), the
    order of `case_state`'s detailed rows; each citation comes with its source (not its full text),
    event and case. `shown`: a whole number, at least 1 (ValueError otherwise).

    For a page that lists a measure's evidence and links to the rest (the workspace's measure page):
    two queries whatever the number of pieces, and no more objects than it shows."""
    if shown < 1:
        raise ValueError("shown must be at least 1")
    by_stance = Window(RowNumber(), partition_by=[F("stance")], order_by=EVIDENCE_NEWEST_FIRST)
    # Ranked as narrow rows, then the few shown loaded whole: sorting the joined rows (passages, the
    # case's summary, the event's) for the window took longer than the second query.
    evidence = Evidence.objects.filter(measure=measure)
    evidence = evidence.dated() if as_of is None else evidence.counting_by(as_of)
    ranked = (
        evidence.annotate(rank=by_stance, stance_total=Window(Count("pk"), partition_by=[F("stance")]))
        .filter(rank__lte=shown)
        .values_list("pk", "stance_total", "rank")
    )
    place = {pk: (total, rank) for pk, total, rank in ranked}
    loaded = Evidence.objects.filter(pk__in=list(place)).with_passage()
    grouped = {stance: ([], 0) for stance in Evidence.Stance.values}
    for item in sorted(loaded, key=lambda item: place[item.pk][1]):
        items, _ = grouped[item.stance]
        items.append(item)
        grouped[item.stance] = (items, place[item.pk][0])
    return grouped
