"""Events: what happened in a crisis, dated with their precision (ACLED-like fields)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from measures.lib import dates, text
from measures.models.base import case_change_error
from measures.models.cases import Case, Party
from measures.querysets import (
    EventQuerySet,
)


class EventPrecision(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    APPROXIMATE = "approx", "Approximate"


class EventKind(models.TextChoices):
    MILITARY_ACTION = "military", "Military action"
    DIPLOMATIC_CONTACT = "diplomatic", "Diplomatic contact"
    STATEMENT = "statement", "Statement"
    AGREEMENT = "agreement", "Agreement"
    VISIT = "visit", "Visit"
    INTERNATIONAL_APPEAL = "appeal", "International appeal"
    DOMESTIC_DECISION = "domestic", "Domestic decision"
    OTHER = "other", "Other"


class EventDirection(models.TextChoices):
    ESCALATORY = "escalatory", "Escalatory"
    DEESCALATORY = "deescalatory", "De-escalatory"
    NEUTRAL = "neutral", "Neutral"


class Event(models.Model):
    Precision = EventPrecision

    Kind = EventKind

    Direction = EventDirection

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    date = models.DateField(
        validators=[dates.plausible_date],
        help_text="With month or approximate precision, the best estimate of the day.",
    )
    date_precision = models.CharField(max_length=6, choices=Precision, default=Precision.DAY)
    end_date = models.DateField(
        null=True,
        blank=True,
        validators=[dates.plausible_date],
        help_text="For an event that lasted several days (26–27 Jan), its last day.",
    )
    title = models.CharField(validators=[text.single_line], max_length=200)
    summary = models.TextField(validators=[text.multi_line], blank=True)
    kind = models.CharField(max_length=12, choices=Kind)
    direction = models.CharField(max_length=12, choices=Direction)
    actors = models.ManyToManyField(Party, related_name="events", blank=True)
    location = models.CharField(validators=[text.single_line], max_length=200, blank=True)
    key = models.CharField(
        max_length=100,
        blank=True,
        editable=False,
        help_text="Its key in the case file it came from: what `load_case --update` and `export_case` match it by.",
    )
    external_id = models.CharField(
        max_length=100,
        blank=True,
        validators=[text.single_line],
        help_text="Its id in the dataset it was imported from (ACLED's event_id_cnty): re-imports match by it.",
    )
    external_timestamp = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When that dataset last changed it (ACLED's timestamp), as the import found it.",
    )
    fatalities = models.PositiveIntegerField(
        null=True, blank=True, help_text="Reported deaths, when the sources give a figure; empty when they do not."
    )
    recorded_at = models.DateTimeField(
        default=timezone.now,
        db_default=Now(),
        editable=False,
        db_index=True,
        help_text="When it was put on record here (for “as known on”).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[actors])

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(date_precision__in=EventPrecision.values), name="event_precision_valid"),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(condition=Q(direction__in=EventDirection.values), name="event_direction_valid"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("date")), name="event_end_after_start"
            ),
            models.UniqueConstraint(fields=["case", "key"], condition=~Q(key=""), name="event_key_unique_in_case"),
            models.UniqueConstraint(
                fields=["case", "external_id"], condition=~Q(external_id=""), name="event_external_id_unique_in_case"
            ),
        ]

    def __str__(self):
        return f"{self.date_text}: {self.title}"

    def get_absolute_url(self):
        return reverse("measures:event_detail", args=[self.case.slug, self.pk])

    def clean(self):
        if self.end_date is not None and self.date is not None and self.end_date <= self.date:
            raise ValidationError({"end_date": "The end date must be after the first day; leave it empty for one day."})
        error = case_change_error(
            self, lambda: [(self.citations.count(), "citation reporting it", "citations reporting it")]
        )
        if error is not None:
            raise error

    @property
    def date_text(self):
        """The date as known: "17 Jan 2024", "26–27 Jan 2024", "c. 17 Jan 2024", "January 2024"."""
        return dates.date_text(self.date, self.date_precision, self.end_date)
