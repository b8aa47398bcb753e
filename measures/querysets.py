"""Reusable read logic, as QuerySet methods that bundle their joins so callers cannot forget them."""

from django.db import models
from django.db.models import F, Window
from django.db.models.functions import RowNumber


class MeasureQuerySet(models.QuerySet):
    def for_case(self, case):
        return self.filter(case=case).select_related("case").order_by("number")


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
