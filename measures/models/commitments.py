"""Commitments: dated steps that parties undertook or announced, stated by cited passages, and the
append-only judgements of their outcome (kept, late, not kept, withdrawn), each with its citations."""

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from measures.lib import dates, text
from measures.models.assessments import AssessmentConfidence
from measures.models.cases import Case, Measure, Party
from measures.models.events import Event
from measures.models.sources import Citation


class DuePrecision(models.TextChoices):
    """How precisely the passage states when the step is due."""

    DAY = "day", "On or by a day"
    RANGE = "range", "Over a range of days"
    MONTH = "month", "Within a month"
    AFTER_EVENT = "after_event", "Within a number of days of an event"
    UNSTATED = "unstated", "No date stated"


class CommitmentQuerySet(models.QuerySet):
    def known_on(self, known_on):
        """Commitments on record on `known_on` (a date in the site's time zone; None: no limit)."""
        return self if known_on is None else self.filter(recorded_at__date__lte=known_on)

    def with_details(self):
        return self.select_related("measure", "case", "anchor_event").prefetch_related(
            "parties", models.Prefetch("stated_by", queryset=Citation.objects.with_source().defer("source__full_text"))
        )


class Commitment(models.Model):
    """A dated step that one or several parties undertook or announced, as a cited passage states it.

    The due window (`window()`) is the first and last day on which it is due: a day ("by 26 January"),
    a range ("on Jan. 26-27"), a month ("in February"), or N days after an event ("within 30 days of
    the agreement"); `UNSTATED` has none and never falls due. Outcomes are judged by CommitmentOutcome.
    """

    Precision = DuePrecision

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="commitments")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="commitments")
    parties = models.ManyToManyField(Party, related_name="commitments", help_text="Who undertook or announced it.")
    what = models.CharField(validators=[text.single_line], max_length=300, help_text="The step, in a sentence.")
    due_precision = models.CharField(max_length=12, choices=Precision, default=Precision.DAY)
    due_on = models.DateField(
        null=True,
        blank=True,
        validators=[dates.plausible_date],
        help_text="The day it is due, or the first day of its range.",
    )
    due_until = models.DateField(
        null=True, blank=True, validators=[dates.plausible_date], help_text="The last day of a range (or of the month)."
    )
    anchor_event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments_due_after",
        help_text="For “within N days of” an event: the event.",
    )
    within_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="For “within N days of”: N.")
    due_text = models.CharField(
        validators=[text.single_line],
        max_length=200,
        blank=True,
        help_text="How the passage states it, e.g. “by 26 January 2024”.",
    )
    announced_on = models.DateField(
        validators=[dates.plausible_date], help_text="When the parties undertook or announced it."
    )
    stated_by = models.ManyToManyField(Citation, related_name="commitments", help_text="The passages that state it.")
    key = models.CharField(max_length=100, blank=True, editable=False, help_text="Its key in the case file.")
    recorded_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[parties])

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["case", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_precision__in=DuePrecision.values), name="commitment_precision_valid"
            ),
            models.CheckConstraint(condition=~Q(what=""), name="commitment_what_not_empty"),
            models.CheckConstraint(
                condition=(
                    Q(due_precision=DuePrecision.DAY, due_on__isnull=False, due_until__isnull=True)
                    | Q(due_precision__in=[DuePrecision.RANGE, DuePrecision.MONTH], due_on__isnull=False)
                    & Q(due_until__gt=models.F("due_on"))
                    | Q(
                        due_precision=DuePrecision.AFTER_EVENT,
                        anchor_event__isnull=False,
                        within_days__isnull=False,
                        due_on__isnull=True,
                    )
                    | Q(due_precision=DuePrecision.UNSTATED, due_on__isnull=True, due_until__isnull=True)
                ),
                name="commitment_due_date_matches_precision",
            ),
            models.UniqueConstraint(fields=["case", "key"], condition=~Q(key=""), name="commitment_key_unique_in_case"),
        ]

    def __str__(self):
        return f"{self.what} (due {self.due_label})"

    def get_absolute_url(self):
        return f"{reverse('measures:measure_detail', args=[self.case.slug, self.measure.number])}#commitment-{self.pk}"

    def window(self):
        """(first day, last day) on which the step is due, or None when no date is stated (`due_window`)."""
        anchor = self.anchor_event
        anchor_day = None if anchor is None else anchor.end_date or anchor.date
        return due_window(self.due_precision, self.due_on, self.due_until, anchor_day, self.within_days)

    @property
    def deadline(self):
        """The last day on which the step is due (a date), or None without a stated date."""
        window = self.window()
        return window[1] if window else None

    @property
    def due_label(self):
        """ "26 Jan 2024", "26–27 Jan 2024", "February 2024", "within 30 days of …", "no date stated"."""
        precision = self.due_precision
        if precision == DuePrecision.DAY:
            return dates.date_text(self.due_on)
        if precision == DuePrecision.RANGE:
            return dates.date_text(self.due_on, dates.DAY, self.due_until)
        if precision == DuePrecision.MONTH:
            return dates.date_text(self.due_on, dates.MONTH)
        if precision == DuePrecision.AFTER_EVENT and self.anchor_event is not None:
            return f"within {self.within_days} days of {self.anchor_event.title} (by {dates.date_text(self.deadline)})"
        return "no date stated"

    @property
    def party_names(self):
        names = [party.name for party in self.parties.all()]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def due_window(precision, due_on, due_until, anchor_day, within_days):
    """The due window of a commitment from its fields' values: (first day, last day) as dates, or None
    when no date is stated. `precision`: a DuePrecision value; `anchor_day`: for AFTER_EVENT, the day
    the anchor event ended (its end date, else its date), None without an anchor event.

    The one place of the rule (`Commitment.window()` and the state layer's values read it): a day is
    due on that day ("by 26 January"), a range or a month over its days, "within N days of" an event
    from the event's last day to N days after it."""
    if precision == DuePrecision.DAY:
        return due_on, due_on
    if precision in (DuePrecision.RANGE, DuePrecision.MONTH):
        return due_on, due_until
    if precision == DuePrecision.AFTER_EVENT and anchor_day is not None:
        return anchor_day, anchor_day + datetime.timedelta(days=within_days or 0)
    return None


def outcome_effective_on(occurred_on, deadline, recorded_at):
    """The day (a date) a judged outcome holds in the world, from its values: when it was done or
    withdrawn (`occurred_on`); for "not kept", the day after the commitment's `deadline` (the last day
    of its due window); without either, the day it was recorded (`recorded_at`, an aware datetime, in
    the site's time zone).

    The one place of the rule (`CommitmentOutcome.effective_on` and the state layer's values read it):
    "kept on 27 January" is not yet kept as of 26 January, as an assessment is not in force before its
    date (measures.state.commitments)."""
    if occurred_on is not None:
        return occurred_on
    if deadline is not None:
        return deadline + datetime.timedelta(days=1)
    return timezone.localdate(recorded_at)


def month_window(day):
    """(first, last) day of the month of `day`."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


class CommitmentOutcomeKind(models.TextChoices):
    KEPT = "kept", "Kept"
    LATE = "late", "Kept late"
    NOT_KEPT = "not_kept", "Not kept"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CommitmentOutcomeQuerySet(models.QuerySet):
    def known_on(self, known_on):
        return self if known_on is None else self.filter(recorded_at__date__lte=known_on)

    def not_superseded(self, known_on=None):
        """Without the judgements that a later judgement (recorded by `known_on`) corrects."""
        corrections = self.model.objects.filter(corrects=OuterRef("pk")).known_on(known_on)
        return self.exclude(Exists(corrections))

    def counting(self):
        """The judgements that count. Review hook: once judgements are reviewed (the review workflow),
        this is where only approved ones are kept; today every recorded judgement counts."""
        return self


class CommitmentOutcome(models.Model):
    """An analyst's judgement of a commitment's outcome, with the passages that show it. Append-only:
    a new judgement of the same commitment replaces the one in force; `corrects` names the one it corrects."""

    Outcome = CommitmentOutcomeKind
    Confidence = AssessmentConfidence

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="outcomes")
    outcome = models.CharField(max_length=10, choices=Outcome)
    occurred_on = models.DateField(
        null=True,
        blank=True,
        validators=[dates.plausible_date],
        help_text="Kept or kept late: the day it was done. Withdrawn: the day it was withdrawn.",
    )
    confidence = models.CharField(max_length=6, choices=AssessmentConfidence, default=AssessmentConfidence.MEDIUM)
    rationale = models.TextField(validators=[text.multi_line])
    citations = models.ManyToManyField(Citation, related_name="commitment_outcomes", blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")

    objects = CommitmentOutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=CommitmentOutcomeKind.values), name="commitment_outcome_valid"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="commitment_outcome_rationale_not_empty"),
            models.CheckConstraint(
                condition=~Q(outcome__in=["kept", "late", "withdrawn"]) | Q(occurred_on__isnull=False),
                name="commitment_outcome_dated",
            ),
        ]

    def __str__(self):
        return f"{self.commitment.what}: {self.get_outcome_display()}"

    @property
    def effective_on(self):
        """The day the outcome holds in the world (`outcome_effective_on`)."""
        return outcome_effective_on(self.occurred_on, self.commitment.deadline, self.recorded_at)

    @property
    def days_late(self):
        deadline = self.commitment.deadline
        if self.outcome != CommitmentOutcomeKind.LATE or deadline is None or self.occurred_on is None:
            return 0
        return (self.occurred_on - deadline).days
