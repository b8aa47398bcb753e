"""Reusable read logic, as QuerySet methods that bundle their joins so callers cannot forget them."""

import datetime

from django.db import models
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Concat, LPad, RowNumber, TruncDate

# Separators that cannot occur in a party's name or code, to pack per-party levels in one column.
_UNIT, _RECORD = "\x1f", "\x1e"
# Above every row id: an id counted down from it sorts the first recorded row last, as text.
_ID_BOUND = 10**15


class MeasureQuerySet(models.QuerySet):
    def for_case(self, case):
        return self.filter(case=case).select_related("case", "type").order_by("number")

    def with_list_figures(self, *, as_of, include_pending=False):
        """Annotate `current_levels`, `latest_evidence` and `citation_count` in the list's own query.

        `current_levels` packs name, code and level in force of each assessed party (read it with
        `Measure.party_levels()`); the ordering is `AssessmentQuerySet.latest_per_pair`'s and the
        evidence dates are `state.evidence_date`'s, in subqueries: one query whatever the length.
        """
        dated = self._evidence_dates(as_of)
        latest_evidence = dated.exclude(when__isnull=True).order_by("-when").values("when")[:1]
        citation_count = dated.order_by().values("measure").annotate(n=Count("pk")).values("n")
        return self.annotate(
            current_levels=Subquery(self._levels_in_force(as_of, include_pending)),
            latest_evidence=Subquery(latest_evidence),
            citation_count=Coalesce(Subquery(citation_count, output_field=IntegerField()), 0),
        )

    def list_figures(self, *, as_of, include_pending=False):
        """{measure id: {"current_levels", "latest_evidence", "citation_count"}} for the measures of
        this queryset, the figures `with_list_figures` annotates, in two queries whatever their
        number: the levels in force per measure, then the evidence figures grouped by measure in one
        pass over the measures' evidence. (The two correlated subqueries of `with_list_figures` each
        walk every evidence row of a measure with its citation, event and source: a page of 100
        measures at 100× the data took twice as long.) Measures without evidence get None and 0."""
        evidence = self.model._meta.get_field("evidence").related_model
        levels = self.annotate(current_levels=Subquery(self._levels_in_force(as_of, include_pending))).values_list(
            "pk", "current_levels"
        )
        figures = {
            pk: {"current_levels": packed, "latest_evidence": None, "citation_count": 0} for pk, packed in levels
        }
        grouped = (
            evidence.objects.filter(measure__in=list(figures))
            .counting_by(as_of)
            .order_by()
            .values("measure")
            .annotate(latest=Max("when"), n=Count("pk"))
        )
        for row in grouped:
            figures[row["measure"]].update(latest_evidence=row["latest"], citation_count=row["n"])
        return figures

    def at_level(self, level, *, as_of, include_pending=False):
        """Measures at which some assessed party stands at `level` on `as_of` (approved assessments;
        awaiting review too with `include_pending`, see AssessmentQuerySet.counting)."""
        level_in_force = self._level_in_force(as_of, include_pending)
        return self.filter(Exists(self._case_parties().annotate(level=level_in_force).filter(level=level)))

    def _levels_in_force(self, as_of, include_pending=False):
        """Name, code and level in force of each assessed party of the outer measure, packed in one
        text (`unpack_party_levels`), as a subquery."""
        return (
            self._case_parties()
            .annotate(level=self._level_in_force(as_of, include_pending))
            .order_by()
            .values("case")
            .annotate(
                summary=StringAgg(
                    Concat("party__name", Value(_UNIT), "party__code", Value(_UNIT), "level"), Value(_RECORD)
                )
            )
            .values("summary")
        )

    def _case_parties(self):
        return self.model._meta.get_field("case").related_model.assessed_parties.through.objects.filter(
            case=OuterRef("case")
        )

    def _level_in_force(self, as_of, include_pending=False):
        """The level in force for the measure of the outer query and the party of a (case, party) row
        (`AssessmentQuerySet.in_force`: only assessments that count)."""
        assessment = self.model._meta.get_field("assessments").related_model
        latest = (
            assessment.objects.filter(measure=OuterRef(OuterRef("pk")), party=OuterRef("party_id"))
            .filter(effective_date__lte=as_of)
            .counting(include_pending=include_pending)
            .order_by("-effective_date", "-recorded_at", "-pk")
            .values("level")[:1]
        )
        return Coalesce(Subquery(latest), Value(assessment.Level.NOT_ASSESSED))

    def _evidence_dates(self, as_of, known_on=None):
        """Evidence of the outer measure that counts by `as_of` (on record by `known_on`; None: no
        limit), dated (`when`) as state.evidence_date() does and placed as
        state.evidence_counts_from() does (undated: from its source's record date)."""
        evidence = self.model._meta.get_field("evidence").related_model
        return evidence.objects.filter(measure=OuterRef("pk")).counting_by(as_of, known_on)


def figures_or_none(figures, measure_id):
    """A measure's entry of `EvidenceQuerySet.figures_by_measure`, or the figures of no evidence."""
    return figures.get(measure_id, (0, None, None, None, None))


def _as_date(value):
    """A date from what a window's maximum of dates gives: a date, or its text on SQLite; or None."""
    return _day(value) if isinstance(value, str) else value


def _day(text):
    """A date from the text a cast to text gives (ISO 8601, on SQLite and PostgreSQL); None from ""."""
    return datetime.date.fromisoformat(text[:10]) if text else None


def unpack_party_levels(packed):
    """[(party name, code, level)] by party name, from the `current_levels` annotation."""
    if not packed:
        return []
    return sorted(tuple(item.split(_UNIT)) for item in packed.split(_RECORD))


class AssessmentQuerySet(models.QuerySet):
    def effective_by(self, as_of):
        """Assessments describing the world on or before `as_of` (None: no limit)."""
        return self if as_of is None else self.filter(effective_date__lte=as_of)

    def known_on(self, known_on):
        """Assessments already recorded on `known_on` (a date, in the site's time zone; None: no limit)."""
        return self if known_on is None else self.filter(recorded_at__date__lte=known_on)

    # Review (four eyes): an assessment counts once a reviewer approved it (Review, measures.models.assessments).

    def _decisions(self, known_on, decision=None):
        """The review of the outer assessment decided by `known_on` (None: ever), of one decision or any."""
        reviews = self.model._meta.get_field("review").related_model.objects.filter(assessment=OuterRef("pk"))
        if known_on is not None:
            reviews = reviews.filter(decided_at__date__lte=known_on)
        return reviews if decision is None else reviews.filter(decision=decision)

    def approved(self, known_on=None):
        """Assessments a reviewer approved, by `known_on` (a date in the site's time zone; None: ever)."""
        return self.filter(Exists(self._decisions(known_on, "approved")))

    def returned(self, known_on=None):
        """Assessments a reviewer returned for revision, by `known_on` (None: ever). They never count."""
        return self.filter(Exists(self._decisions(known_on, "returned")))

    def unapproved(self):
        """Assessments no reviewer approved: awaiting review or returned. Readers and the public never
        see them (nor their rationales: reading.views.search)."""
        return self.exclude(Exists(self._decisions(None, "approved")))

    def pending(self, known_on=None):
        """Assessments awaiting review: no decision on them by `known_on` (None: none yet)."""
        return self.exclude(Exists(self._decisions(known_on)))

    def awaiting_review(self):
        """What a reviewer may decide on now: assessments without a decision that no correction still
        in play replaces (one awaiting review or approved: review that one; a returned correction
        leaves the assessment it corrects to be reviewed)."""
        in_play = self.model.objects.filter(corrects=OuterRef("pk")).exclude(review__decision="returned")
        return self.pending().exclude(Exists(in_play))

    def reviewed(self, known_on=None, *, include_pending=False):
        """The review part of `counting` (which see: a list of what counts uses that): approved by
        `known_on`; with `include_pending`, awaiting review too; returned ones never. For a history that
        lists withdrawn assessments too (`state.assessment_history`'s corrections)."""
        if include_pending:
            return self.exclude(Exists(self._decisions(known_on, "returned")))
        return self.approved(known_on)

    def not_superseded(self, known_on=None, *, include_pending=False):
        """Without the assessments that a correction (recorded by `known_on`; None: ever) replaces.

        A corrected assessment is withdrawn as a whole, whatever the dates of its correction: it never
        counts as the level in force again, and it is left out of "what changed". Only a correction
        that a reviewer approved (by `known_on`) withdraws what it corrects, or one awaiting review too
        with `include_pending`; a returned correction never does.
        """
        corrections = (
            self.model.objects.filter(corrects=OuterRef("pk"))
            .known_on(known_on)
            .reviewed(known_on, include_pending=include_pending)
        )
        return self.exclude(Exists(corrections))

    def recording_stamp(self):
        """(the newest id, the newest `recorded_at`) of these assessments, or (0, None) when there is
        none: what moves on when an assessment is recorded to await review, which the case's data
        version does not (services.record_assessment: nothing that counts changed). Ids only grow (an
        autoincrement key), and anything else that changes what awaits review (a decision, a deletion)
        bumps the data version. One query (an aggregate over an index of the case's assessments)."""
        found = self.order_by().aggregate(newest=Max("pk"), at=Max("recorded_at"))
        return found["newest"] or 0, found["at"]

    def newest_id(self):
        """The id of the newest of these assessments (0: none): `recording_stamp`'s first half, for every
        case at once (search's ranking). One query, on the primary key's index."""
        return self.order_by("-pk").values_list("pk", flat=True).first() or 0

    def counting(self, known_on=None, *, include_pending=False):
        """The assessments that count, as known on `known_on` (a date in the site's time zone; None:
        everything on record): recorded by then, approved by a reviewer by then (four eyes,
        `Review`), and not withdrawn by a correction that counts by then. With
        `include_pending` (the team's preview of the state pending assessments would make), those
        awaiting review count too; a returned one never does. What the level in force is chosen from
        (`in_force`), and what a measure's path of levels over time is read from (`state.path`,
        `state.series`, `state.compare`): a rule about which assessments count belongs here, once."""
        return (
            self.known_on(known_on)
            .reviewed(known_on, include_pending=include_pending)
            .not_superseded(known_on, include_pending=include_pending)
        )

    def in_force(self, *, as_of, known_on=None, include_pending=False):
        """The assessment in force for each (measure, party) on `as_of`, as known on `known_on`: the
        latest effective by `as_of` (later recorded first on the same day) among those that count
        (`counting`: approved by then; awaiting review too with `include_pending`). The one definition
        of the level in force; `MeasureQuerySet._level_in_force` is its subquery form, and the last of
        each pair of `in_force_candidates().chronological()` its replay (`state.path`, tested against
        it). `as_of` may also be an expression giving each row its own date (the matrix of cases shows
        each case as of its own default date, `state.compare`)."""
        return self.in_force_candidates(
            as_of=as_of, known_on=known_on, include_pending=include_pending
        ).latest_per_pair()

    def in_force_candidates(self, *, as_of, known_on=None, include_pending=False):
        """The assessments that may be in force on `as_of` or on any day before it, as known on
        `known_on`: `in_force` before it keeps the latest of each (measure, party). The paths of a
        period (`state.path`) and progress over time replay them day by day, so that every day's
        level follows `in_force`'s rule."""
        return self.effective_by(as_of).counting(known_on, include_pending=include_pending)

    def chronological(self):
        """Oldest first; of two on the same effective date, the later recorded one wins (corrections)."""
        return self.order_by("effective_date", "recorded_at", "pk")

    def latest_per_pair(self):
        """Only the latest assessment of each (measure, party): the one in force."""
        ranked = self.annotate(
            _rank=Window(
                RowNumber(),
                partition_by=[F("measure_id"), F("party_id")],
                order_by=[F("effective_date").desc(), F("recorded_at").desc(), F("pk").desc()],
            )
        )
        return ranked.filter(_rank=1)

    def with_newest_cited_date(self):
        """Annotate `newest_cited_on`: the newest date the assessment's cited passages speak of (a date,
        or None when none is dated), by `state.evidence_date`'s rule in SQL (the reported event's date,
        else the source's publication date). What a level in force rests on, for "contested"
        (`state.case_state`), without loading its citations: one correlated subquery on the link table."""
        link = self.model._meta.get_field("citations").remote_field.through
        newest = (
            link.objects.filter(assessment=OuterRef("pk"))
            .order_by()
            .values("assessment")
            .annotate(on=Max(Coalesce("citation__event__date", "citation__source__published_on")))
            .values("on")
        )
        return self.annotate(newest_cited_on=Subquery(newest, output_field=models.DateField()))

    def with_details(self, *, citations=True):
        """With measure, party, author, what it corrects and its review; with its cited passages and
        their sources (not their full texts) unless `citations` is False; `citations="ids"`: the cited
        passages with their ids only (which passages, e.g. for the entries recorded together, not
        their text)."""
        related = self.select_related("measure", "party", "recorded_by", "corrects", "review__reviewer")
        if not citations:
            return related
        if citations == "ids":
            return related.prefetch_related(
                models.Prefetch("citations", queryset=_citation_model(self).objects.only("pk"))
            )
        return related.prefetch_related(
            # Histories name each cited passage and its source, never the source's full text (a
            # measure's 40 assessments at 100× cite sources of 6 KB each, loaded once per citation).
            models.Prefetch(
                "citations", queryset=_citation_model(self).objects.with_source().defer("source__full_text")
            )
        )


def _citation_model(queryset):
    return queryset.model._meta.get_field("citations").related_model


def _recorded_by(queryset, known_on, *prefixes):
    """`queryset` without the rows recorded after `known_on` (a date in the site's time zone; None: no
    limit), the rows being the model itself (prefix "") and each related record named by a prefix."""
    if known_on is None:
        return queryset
    return queryset.filter(**{f"{prefix}recorded_at__date__lte": known_on for prefix in prefixes})


class CitationQuerySet(models.QuerySet):
    def with_source(self):
        return self.select_related("source", "event", "case")

    def known_on(self, known_on):
        """Citations on record on `known_on`, with their source (None: no limit)."""
        return _recorded_by(self, known_on, "", "source__")

    def visible_on(self, as_of):
        """Citations a reader could have seen on `as_of`: dated by then (the date of the event they
        report, else their source's: state.evidence_date, in SQL), or undated."""
        dated = self.annotate(dated_on=Coalesce("event__date", "source__published_on"))
        return dated.filter(Q(dated_on__isnull=True) | Q(dated_on__lte=as_of))

    def for_case(self, case):
        return self.filter(case=case).with_source()


# Evidence newest first by the date it speaks of (`EvidenceQuerySet.dated`'s `when`), undated pieces last,
# ties in the order they were recorded: the order of a measure's detailed evidence (state.case_state).
EVIDENCE_NEWEST_FIRST = (F("when").desc(nulls_last=True), F("pk").asc())


class EvidenceQuerySet(models.QuerySet):
    def with_passage(self):
        """Each piece with what a page quoting it shows, in the same query: its citation and the
        citation's source (without its full text), event and case."""
        return self.select_related("citation__source", "citation__event", "citation__case").defer(
            "citation__source__full_text"
        )

    def known_on(self, known_on):
        """Evidence on record on `known_on`: the evidence, its citation and the citation's source."""
        return _recorded_by(self, known_on, "", "citation__", "citation__source__")

    def dated(self):
        """The evidence with its date (`when`: a date or None) as state.evidence_date() gives it: its
        event's date, else its source's publication date."""
        return self.annotate(when=Coalesce("citation__event__date", "citation__source__published_on"))

    def figures_by_measure(self, *, as_of, known_on=None):
        """{measure id: (count, newest date, its precision, its end date, newest setback date)} of the
        evidence of this queryset that counts by `as_of` (on record by `known_on`): the figures
        `case_state(details=False)` shows, in one query grouped by measure rather than two correlated
        subqueries per measure, each planned and run once per measure (docs/performance.md, "Figures
        behind the code"). The newest dated piece (of two on that date, the first recorded) is the
        greatest of a text that packs its date, its id counted down from a bound no id reaches, its
        precision and its end date. Measures without evidence that counts are left out:
        `figures_or_none` gives theirs."""
        setback_day = Case(When(stance=self.model.Stance.SETBACK, then=F("when")))
        precision = Case(
            When(citation__event__isnull=False, then=F("citation__event__date_precision")),
            default=F("citation__source__date_precision"),
        )
        first_recorded = LPad(Cast(Value(_ID_BOUND) - F("pk"), CharField()), len(str(_ID_BOUND)), Value("0"))
        packed = Concat(
            Cast("when", CharField()),
            Value(_UNIT),
            first_recorded,
            Value(_UNIT),
            precision,
            Value(_UNIT),
            Cast("citation__event__end_date", CharField()),
            output_field=CharField(),
        )
        rows = (
            self.counting_by(as_of, known_on)
            .order_by()
            .values("measure")
            .annotate(
                total=Count("pk"),
                newest=Max(Case(When(when__isnull=False, then=packed))),
                newest_setback=Max(setback_day),
            )
            .values_list("measure", "total", "newest", "newest_setback")
        )
        figures = {}
        for measure, total, newest, setback in rows:
            newest_on, _, precision, end = newest.split(_UNIT) if newest else ("", "", None, "")
            figures[measure] = (total, _day(newest_on), precision or None, _day(end), _as_date(setback))
        return figures

    def counting_by(self, as_of, known_on=None):
        """Evidence that counts by `as_of` (on record by `known_on`; None: no limit), dated (`when`)
        as state.evidence_date() does and placed as state.evidence_counts_from() does (undated:
        from its source's record date, `counts_from`)."""
        return (
            self.known_on(known_on)
            .dated()
            .annotate(counts_from=Coalesce(F("when"), TruncDate("citation__source__recorded_at")))
            .filter(counts_from__lte=as_of)
        )


class SourceQuerySet(models.QuerySet):
    def known_on(self, known_on):
        return _recorded_by(self, known_on, "")


class EventQuerySet(models.QuerySet):
    def up_to(self, as_of):
        return self if as_of is None else self.filter(date__lte=as_of)

    def in_period(self, period):
        """Events of a `state.ReportingPeriod`: dated from `since` to `as_of`, both days included
        (month and approximate dates by their best-estimate day, see `ReportingPeriod`)."""
        return self.filter(date__gte=period.since, date__lte=period.as_of)

    def known_on(self, known_on):
        return _recorded_by(self, known_on, "")

    def with_actors(self):
        return self.prefetch_related("actors")


def last_changed(model):
    """An expression for when a row of `model` was last written: the newest of its django-simple-history
    rows (every save through the admin, the services, the loader and the imports writes one), else its
    `recorded_at` when the model has one; None when neither is known (rows written in bulk, such as
    generated demo data, have no history). For the API's `updated_at` and `updated_since`."""
    history = model.history.model
    newest = (
        history.objects.filter(id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(newest=Max("history_date"))
        .values("newest")
    )
    written = Subquery(newest, output_field=models.DateTimeField())
    if any(field.name == "recorded_at" for field in model._meta.concrete_fields):
        return Coalesce(written, F("recorded_at"))
    return written
