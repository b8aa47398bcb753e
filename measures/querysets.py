"""Reusable read logic, as QuerySet methods that bundle their joins so callers cannot forget them."""

from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, StringAgg, Subquery, Value, Window
from django.db.models.functions import Coalesce, Concat, RowNumber

# Separators that cannot occur in a party's name or code, to pack per-party levels in one column.
_UNIT, _RECORD = "\x1f", "\x1e"


class MeasureQuerySet(models.QuerySet):
    def for_case(self, case):
        return self.filter(case=case).select_related("case").order_by("number")

    def with_list_figures(self, *, as_of):
        """Annotate `current_levels`, `latest_evidence` and `citation_count` in the list's own query.

        `current_levels` packs name, code and level in force of each assessed party (read it with
        `Measure.party_levels()`); the ordering is `AssessmentQuerySet.latest_per_pair`'s and the
        evidence dates are `queries.evidence_date`'s, in subqueries: one query whatever the length.
        """
        levels = (
            self._case_parties()
            .annotate(level=self._level_in_force(as_of))
            .order_by()
            .values("case")
            .annotate(
                summary=StringAgg(
                    Concat("party__name", Value(_UNIT), "party__code", Value(_UNIT), "level"), Value(_RECORD)
                )
            )
            .values("summary")
        )
        dated = self._evidence_dates(as_of)
        latest_evidence = dated.exclude(when__isnull=True).order_by("-when").values("when")[:1]
        citation_count = dated.order_by().values("measure").annotate(n=Count("pk")).values("n")
        return self.annotate(
            current_levels=Subquery(levels),
            latest_evidence=Subquery(latest_evidence),
            citation_count=Coalesce(Subquery(citation_count, output_field=IntegerField()), 0),
        )

    def at_level(self, level, *, as_of):
        """Measures at which some assessed party stands at `level` on `as_of`."""
        return self.filter(Exists(self._case_parties().annotate(level=self._level_in_force(as_of)).filter(level=level)))

    def _case_parties(self):
        return self.model._meta.get_field("case").related_model.assessed_parties.through.objects.filter(
            case=OuterRef("case")
        )

    def _level_in_force(self, as_of):
        """The level in force for the measure of the outer query and the party of a (case, party) row."""
        assessment = self.model._meta.get_field("assessments").related_model
        latest = (
            assessment.objects.filter(measure=OuterRef(OuterRef("pk")), party=OuterRef("party_id"))
            .filter(effective_date__lte=as_of)
            .order_by("-effective_date", "-recorded_at", "-pk")
            .values("level")[:1]
        )
        return Coalesce(Subquery(latest), Value(assessment.Level.NOT_ASSESSED))

    def _evidence_dates(self, as_of):
        """Evidence of the outer measure dated by `as_of` or undated, dated as queries.evidence_date() does."""
        evidence = self.model._meta.get_field("evidence").related_model
        return (
            evidence.objects.filter(measure=OuterRef("pk"))
            .annotate(when=Coalesce("citation__event__date", "citation__source__published_on"))
            .filter(Q(when__isnull=True) | Q(when__lte=as_of))
        )


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

    def with_details(self):
        return self.select_related("measure", "party", "recorded_by", "corrects").prefetch_related(
            models.Prefetch("citations", queryset=_citation_model(self).objects.with_source())
        )


def _citation_model(queryset):
    return queryset.model._meta.get_field("citations").related_model


class CitationQuerySet(models.QuerySet):
    def with_source(self):
        return self.select_related("source", "event")

    def for_case(self, case):
        return self.filter(case=case).with_source()


class EventQuerySet(models.QuerySet):
    def up_to(self, as_of):
        return self if as_of is None else self.filter(date__lte=as_of)

    def with_actors(self):
        return self.prefetch_related("actors")
