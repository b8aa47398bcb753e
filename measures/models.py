"""The domain of De-escalation Tracker.

A Case is a crisis; its Measures are the recommended de-escalation steps. Sources are documents,
Citations are passages quoted verbatim from them, Evidence attaches a citation to a measure with a
stance, and Assessments (append-only) record, per measure and per assessed party, the level of
implementation on a date, justified by citations.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import dates, text
from .querysets import (
    AssessmentQuerySet,
    CitationQuerySet,
    EventQuerySet,
    EvidenceQuerySet,
    MeasureQuerySet,
    SourceQuerySet,
    unpack_party_levels,
)
from .quoting import find_passages, mismatch_hint, normalise_text, paragraph_number, paragraphs, quote_problem

_PARAGRAPH_LOCATOR = re.compile(r"(?:para(?:graph)?\.?|¶)\s*(\d{1,6})", re.IGNORECASE)


def _short(text, length=80):
    return text if len(text) <= length else text[: length - 3] + "…"


def _stored(instance, field_name):
    """The value of `field_name` as stored now for a saved instance (None for a new one)."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).values_list(field_name, flat=True).first()


def _counted(parts):
    """ "3 assessments and 1 evidence link" from [(3, "assessment", "assessments"), …], zeros left out."""
    named = [f"{n} {singular if n == 1 else plural}" for n, singular, plural in parts if n]
    return " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)


def case_change_error(instance, dependants):
    """The ValidationError refusing to move `instance` to another case while `dependants` rely on it.

    Invariant 1 of docs/invariants.md: which case a measure, citation or event belongs to cannot change
    once anything relies on it. `dependants()` gives [(count, singular, plural)] and is called only when
    the case changes; returns None when the case is unchanged, the instance is new, or nothing depends on it.
    """
    stored_case_id = _stored(instance, "case_id")
    if stored_case_id is None or instance.case_id is None or stored_case_id == instance.case_id:
        return None
    described = _counted(dependants())
    if not described:
        return None
    kind = instance._meta.verbose_name
    return ValidationError(
        {
            "case": (
                f"This {kind} cannot move to another case: {described} in its case rely on it. "
                f"Nothing was changed. Create a new {kind} in the other case instead."
            )
        },
        code="case_locked",
    )


class PartyKind(models.TextChoices):
    STATE = "state", "State"
    INTERGOVERNMENTAL = "igo", "Intergovernmental organisation"
    NON_STATE_ARMED_GROUP = "nsag", "Non-state armed group"
    OTHER = "other", "Other"


class Party(models.Model):
    Kind = PartyKind

    name = models.CharField(validators=[text.single_line], max_length=200, unique=True)
    code = models.CharField(
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]{2,12}$", "Use 2 to 12 capital letters, digits or hyphens.")],
        help_text="Short code shown in tables, e.g. PAK.",
    )
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.STATE)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartyKind.values), name="party_kind_valid"),
            models.CheckConstraint(condition=~Q(code=""), name="party_code_not_empty"),
        ]

    def __str__(self):
        return self.name


class CaseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    Status = CaseStatus

    name = models.CharField(validators=[text.single_line], max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(
        validators=[text.multi_line],
        blank=True,
        help_text="Written about the whole crisis: shown only as of its end date or later (no hindsight).",
    )
    start_date = models.DateField(help_text="When the crisis began; no assessment may be effective earlier.")
    status = models.CharField(
        max_length=6,
        choices=Status,
        default=Status.ACTIVE,
        help_text="Active: followed now, pages open as of today. Closed: pages open as of the end date.",
    )
    end_date = models.DateField(
        null=True, blank=True, help_text="When the crisis ended, as its sources support it; required for a closed case."
    )
    assessed_parties = models.ManyToManyField(
        Party, related_name="assessed_in_cases", help_text="The parties whose conduct is assessed (at least two)."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # Bumped by every write that changes what the case's pages show (services.touch_cases): the
    # reading pages' ETag and cache key derive from it, and Last-Modified from data_changed_at.
    data_version = models.PositiveBigIntegerField(default=1, editable=False)
    data_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[assessed_parties], excluded_fields=["data_version", "data_changed_at"])

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.ACTIVE) | Q(end_date__isnull=False), name="case_closed_has_end_date"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="case_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("measures:dashboard", args=[self.slug])

    def clean(self):
        errors = {}
        if self.status == CaseStatus.CLOSED and self.end_date is None:
            errors["end_date"] = "A closed case needs the date on which the crisis ended."
        if self.end_date is not None and self.start_date is not None and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self):
        return self.status == CaseStatus.CLOSED

    def default_as_of(self, today):
        """The date a page shows when none is asked for: today while the case is followed, its end date
        once it is closed (a closed crisis read "as of today" would show every measure as stale)."""
        return self.end_date if self.is_closed and self.end_date is not None else today

    def is_active_on(self, day):
        """Whether the crisis was going on on `day`: from its start, and up to its end date once closed."""
        if day < self.start_date:
            return False
        return not (self.is_closed and self.end_date is not None and day > self.end_date)


class Measure(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(validators=[text.single_line], max_length=200)
    slug = models.SlugField(max_length=80)
    description = models.TextField(validators=[text.multi_line], help_text="What the step requires, in full.")
    applicable_parties = models.ManyToManyField(
        Party,
        blank=True,
        related_name="applicable_measures",
        help_text="The parties this step asks something of; leave empty for all the case's assessed parties. "
        "The joint level, progress and flags count only these.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="measure_number_unique_in_case"),
            models.UniqueConstraint(fields=["case", "slug"], name="measure_slug_unique_in_case"),
            models.CheckConstraint(condition=Q(number__gte=1), name="measure_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("measures:measure_detail", args=[self.case.slug, self.number])

    def parties_applying(self, case_parties, named=None):
        """The parties among `case_parties` (the case's assessed parties) this measure applies to:
        all of them unless some are named. `named`: the pks of its applicable parties, when the caller
        read them already; otherwise `applicable_parties` is read (prefetched, when it is)."""
        if named is None:
            named = {party.pk for party in self.applicable_parties.all()}
        return [party for party in case_parties if not named or party.pk in named]

    def clean(self):
        error = case_change_error(
            self,
            lambda: [
                (self.assessments.count(), "assessment", "assessments"),
                (self.evidence.count(), "evidence link", "evidence links"),
            ],
        )
        if error is not None:
            raise error

    def party_levels(self):
        """[(party name, code, level)] from `Measure.objects.with_list_figures()`."""
        return unpack_party_levels(self.current_levels)


class SourceKind(models.TextChoices):
    NEWS_REPORT = "news", "News report"
    ANALYSIS = "analysis", "Analysis or op-ed"
    OFFICIAL_STATEMENT = "official", "Official statement"
    POLICY_RECOMMENDATION = "policy", "Policy recommendation"


class SourceDatePrecision(models.TextChoices):
    DAY = dates.DAY, "Exact day"
    MONTH = dates.MONTH, "Month only"
    YEAR = dates.YEAR, "Year only"
    UNKNOWN = dates.UNKNOWN, "Undated"


class OriginalType(models.TextChoices):
    HTML = "html", "HTML page"
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document"
    TEXT = "text", "Text file"


def original_upload_path(source, filename):
    """Originals are stored under a random name (the uploaded name is kept in `original_name` only),
    in a folder per upload year: sources/2024/3f2c….pdf."""
    extension = {"html": "html", "pdf": "pdf", "docx": "docx", "text": "txt"}[source.original_type]
    return f"sources/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


class Source(models.Model):
    Kind = SourceKind
    DatePrecision = SourceDatePrecision
    OriginalType = OriginalType

    title = models.CharField(validators=[text.single_line], max_length=300)
    label = models.CharField(
        validators=[text.single_line],
        max_length=60,
        blank=True,
        help_text="Short label a reader meets the source by, the same in rationales, on pages, in footnotes "
        "and in the bibliography, e.g. “TDI” or “Hocker”. Empty: the publisher, else the author, else the title.",
    )
    publisher = models.CharField(
        validators=[text.single_line], max_length=200, blank=True, help_text="Publisher or site name, as printed."
    )
    author = models.CharField(validators=[text.single_line], max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True, verbose_name="URL")
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="Leave empty when the document shows no date. With month or year precision, any day in it: "
        "it is stored as the last day of that month or year.",
    )
    date_precision = models.CharField(
        max_length=7,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        blank=True,
        help_text="How much of the date the document states (empty: the day). An empty date is undated.",
    )
    kind = models.CharField(max_length=10, choices=Kind)
    full_text = models.TextField(
        blank=True,
        validators=[text.multi_line],
        help_text="When given, every quote from this source is checked against it.",
    )
    recorded_at = models.DateTimeField(
        default=timezone.now,
        db_default=Now(),
        editable=False,
        db_index=True,
        help_text="When it was put on record here (for “as known on”).",
    )
    # The uploaded document the text was extracted from, when there is one (see measures.intake).
    original_file = models.FileField(upload_to=original_upload_path, blank=True, editable=False)
    original_name = models.CharField(max_length=255, blank=True, editable=False, help_text="As uploaded.")
    original_type = models.CharField(max_length=5, choices=OriginalType, blank=True, editable=False)
    original_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False, help_text="In bytes.")
    original_sha256 = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="source_kind_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
            # An empty date is undated whatever the precision says; a date cannot be "undated".
            models.CheckConstraint(
                condition=Q(date_precision__in=SourceDatePrecision.values)
                & ~(Q(date_precision=SourceDatePrecision.UNKNOWN) & Q(published_on__isnull=False)),
                name="source_date_precision_matches_date",
            ),
            models.CheckConstraint(
                condition=Q(original_file="", original_type="") | (~Q(original_file="") & ~Q(original_type="")),
                name="source_original_has_type",
            ),
            models.UniqueConstraint(fields=["label"], condition=~Q(label=""), name="source_label_unique"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        # An empty date means undated, whatever the precision field says (its default is "day").
        if self.published_on is None:
            self.date_precision = SourceDatePrecision.UNKNOWN
        elif not self.date_precision:
            self.date_precision = SourceDatePrecision.DAY
        elif self.date_precision == SourceDatePrecision.UNKNOWN:
            raise ValidationError(
                {"date_precision": "The source has a date: say how much of it the document states (day, month, year)."}
            )
        else:
            # "June 2024" is stored as 30 June 2024: its evidence never counts before the source could exist.
            self.published_on = dates.last_possible_day(self.published_on, self.date_precision)
        message = self.text_change_error(self.full_text)
        if message:
            raise ValidationError({"full_text": message}, code="breaks_citations")

    def text_change_error(self, full_text):
        """Why this source's text may not become `full_text`, or None when it may.

        Invariant 3 of docs/invariants.md: the text keeps every passage its stored citations quote
        (an empty text keeps none). "Occurs" is find_quote's rule, the one definition. A new source,
        or an unchanged text, is always fine.
        """
        if self.pk is None or full_text == _stored(self, "full_text"):
            return None
        probe = Source(pk=self.pk, full_text=full_text)
        lost = [c for c in self.citations.only("pk", "quote").order_by("pk") if probe.find_quote(c.quote) in (None, -1)]
        if not lost:
            return None
        names = "; ".join(f"citation {c.pk} (“{_short(c.quote, 60)}”)" for c in lost[:10])
        more = f" and {len(lost) - 10} more" if len(lost) > 10 else ""
        return (
            f"This text no longer contains passages cited from this source: {names}{more}. "
            "Keep those passages in the text, or change or delete those citations first."
        )

    @property
    def date_text(self):
        """The publication date as the document states it: "17 Jan 2024", "June 2024", "2024", "undated"."""
        return dates.date_text(self.published_on, self.date_precision)

    @property
    def short_label(self):
        """The label readers meet the source by (see `label`); never empty."""
        label = self.label or self.publisher or self.author or self.title
        return label if len(label) <= 60 else label[:59] + "…"

    def find_quote(self, quote):
        """Where `quote` starts in the full text by the matching rule (measures.quoting): an offset in
        `full_text`, -1 if absent, None if the source has no text."""
        if not self.full_text:
            return None
        passages = find_passages(self.full_text, quote)
        return passages[0].start if passages else -1


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
    date = models.DateField(help_text="With month or approximate precision, the best estimate of the day.")
    date_precision = models.CharField(max_length=6, choices=Precision, default=Precision.DAY)
    end_date = models.DateField(
        null=True, blank=True, help_text="For an event that lasted several days (26–27 Jan), its last day."
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


class Citation(models.Model):
    """A passage quoted verbatim from a source, used as evidence in one case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(
        validators=[text.multi_line],
        help_text=(
            "Copied from the source, checked against its full text when it has one. Spaces, dashes, quote marks "
            "and invisible characters may differ; mark words left out with […] and words of your own in [brackets]."
        ),
    )
    locator = models.CharField(
        validators=[text.single_line],
        max_length=100,
        blank=True,
        help_text=(
            "Where in the source, e.g. 'p. 4'. Leave empty to use the paragraph number where the quote was found."
        ),
    )
    # Where the quote was found in the source's full text: [[start, end], …] offsets (Python string
    # indices), one pair per part of the quote (parts are separated by elisions), and the paragraph
    # of the first. Derived by clean() from the matching rule; empty when the source has no text.
    spans = models.JSONField(default=list, blank=True, editable=False)
    paragraph = models.PositiveIntegerField(null=True, blank=True, editable=False)
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The event it reports, if any.",
    )
    key = models.CharField(
        max_length=100,
        blank=True,
        editable=False,
        help_text="Its key in the case file it came from: what `load_case --update` and `export_case` match it by.",
    )
    recorded_at = models.DateTimeField(
        default=timezone.now,
        db_default=Now(),
        editable=False,
        db_index=True,
        help_text="When it was put on record here (for “as known on”).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["source__title", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quote=""), name="citation_quote_not_empty"),
            models.UniqueConstraint(fields=["case", "key"], condition=~Q(key=""), name="citation_key_unique_in_case"),
        ]

    def __str__(self):
        return f"“{_short(self.quote)}” ({self.source.short_label})"

    # Set by a form or service before clean(): the offset in the source text of the occurrence the
    # analyst chose, when the quote occurs more than once.
    chosen_offset = None

    @property
    def place(self):
        """Where the passage is, for readers: the analyst's locator, else the paragraph it was found in."""
        if self.locator:
            return self.locator
        return f"para. {self.paragraph}" if self.paragraph else ""

    @property
    def anchor(self):
        """The fragment id of the highlighted passage on its source's page."""
        return f"citation-{self.pk}"

    def clean(self):
        errors = {}
        if not normalise_text(self.quote):
            errors["quote"] = "The quote cannot be empty."
        elif (source := self.source_or_none()) is not None:
            # The source may be unsaved yet (added in the same form as its citations): use the object.
            errors.update(self.locate_in(source.full_text, source) or {})
        if self.event_id is not None and self.case_id is not None and self.event.case_id != self.case_id:
            errors["event"] = "The event belongs to another case."
        moved = case_change_error(
            self,
            lambda: [
                (self.evidence.count(), "evidence link", "evidence links"),
                (self.assessments.count(), "assessment citing it", "assessments citing it"),
            ],
        )
        if moved is not None:
            errors.setdefault("case", moved.message_dict["case"][0])
        if errors:
            raise ValidationError(errors)

    def locate_in(self, text, source):
        """Set `spans` and `paragraph` to where the quote occurs in `text` (the source's full text).

        Returns None when located (or when the source has no text, which clears them), else
        {field: message} saying why not: absent (with the matching rule's hint), or found several
        times with no occurrence chosen.
        Which occurrence: `chosen_offset` if set, else the one the citation already had, else the
        one in the paragraph a "para. N" locator names, else the only one.
        """
        if not text:
            self.spans, self.paragraph = [], None
            return None
        if problem := quote_problem(self.quote):
            return {"quote": problem}
        passages = find_passages(text, self.quote)
        if not passages:
            hint = mismatch_hint(text, self.quote) or ""
            return {
                "quote": (
                    f"This quote does not occur in the full text of “{source}”. {hint} "
                    "Copy it from the source (differences in spaces, dashes, quote marks and invisible "
                    "characters are ignored; mark words left out with […])."
                ).replace("  ", " ")
            }
        wanted = self.chosen_offset if self.chosen_offset is not None else (self.spans[0][0] if self.spans else None)
        written = _PARAGRAPH_LOCATOR.fullmatch(self.locator.strip())
        if wanted is None and written:
            # A locator such as "para. 9" (a case file's, or typed) says which occurrence is meant.
            wanted = next((start for number, start, _ in paragraphs(text) if number == int(written[1])), None)
        if len(passages) == 1:
            chosen = passages[0]
        elif wanted is None:
            places = ", ".join(f"para. {paragraph_number(text, p.start)}" for p in passages[:10])
            return {
                "quote": (
                    f"This quote occurs {len(passages)} times in “{source}” ({places}): choose which one "
                    "under “Occurrence”, or quote a longer passage."
                )
            }
        else:
            chosen = min(passages, key=lambda passage: abs(passage.start - int(wanted)))
        self.spans = [list(span) for span in chosen.spans]
        self.paragraph = paragraph_number(text, chosen.start)
        return None

    @property
    def date_text(self):
        """When the passage speaks of, as precisely as known: its event's date, else its source's."""
        if self.event_id is not None:
            return self.event.date_text
        return self.source.date_text

    def source_or_none(self):
        try:
            return self.source
        except Source.DoesNotExist:
            return None


class EvidenceStance(models.TextChoices):
    PROGRESS = "progress", "Shows progress"
    SETBACK = "setback", "Shows setback"
    CONTEXT = "context", "Context only"


class Evidence(models.Model):
    """A citation attached to a measure, with what it shows about that measure."""

    Stance = EvidenceStance

    citation = models.ForeignKey(Citation, on_delete=models.PROTECT, related_name="evidence")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=8, choices=Stance)
    note = models.CharField(validators=[text.single_line], max_length=300, blank=True)
    recorded_at = models.DateTimeField(
        default=timezone.now,
        db_default=Now(),
        editable=False,
        db_index=True,
        help_text="When it was put on record here (for “as known on”).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "citation"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["citation", "measure"], name="evidence_unique_per_measure"),
            models.CheckConstraint(condition=Q(stance__in=EvidenceStance.values), name="evidence_stance_valid"),
        ]

    def __str__(self):
        return f"{self.get_stance_display()}: measure {self.measure.number}, citation {self.citation_id}"

    def clean(self):
        if self.citation_id and self.measure_id and self.citation.case_id != self.measure.case_id:
            raise ValidationError({"citation": "The citation belongs to another case than the measure."})


class AssessmentLevel(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    NOT_INITIATED = "not_initiated", "Not initiated (0)"
    MINIMAL = "minimal", "Minimal (1)"
    INTERMEDIATE = "intermediate", "Intermediate (2)"
    FULL = "full", "Full (3)"
    REVERSED = "reversed", "Reversed"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class AssessmentConfidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Assessment(models.Model):
    """The status of one measure for one party as of a date. Append-only: a correction is a new row."""

    Level = AssessmentLevel

    Confidence = AssessmentConfidence

    # Peace Accords Matrix scale: the implementation score of each scored level.
    SCORES = {Level.NOT_INITIATED: 0, Level.MINIMAL: 1, Level.INTERMEDIATE: 2, Level.FULL: 3, Level.REVERSED: 0}

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="assessments")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="assessments")
    level = models.CharField(max_length=16, choices=Level)
    confidence = models.CharField(max_length=6, choices=Confidence, default=Confidence.MEDIUM)
    effective_date = models.DateField(help_text="When the situation held in the world.")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    rationale = models.TextField(validators=[text.multi_line])
    citations = models.ManyToManyField(Citation, through="AssessmentCitation", related_name="assessments")
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The earlier assessment this one corrects, if any.",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "-recorded_at", "-pk"]
        get_latest_by = ["effective_date", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=AssessmentLevel.values), name="assessment_level_valid"),
            models.CheckConstraint(
                condition=Q(confidence__in=AssessmentConfidence.values), name="assessment_confidence_valid"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="assessment_rationale_not_empty"),
        ]
        indexes = [models.Index(fields=["measure", "party", "effective_date"], name="assessment_lookup_idx")]

    def __str__(self):
        return f"{self.measure} — {self.party.code}: {self.get_level_display()} as of {self.effective_date}"

    @property
    def score(self):
        return self.SCORES.get(self.level)


class AssessmentCitation(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT)
    citation = models.ForeignKey(Citation, on_delete=models.PROTECT)

    class Meta:
        ordering = ["assessment", "citation"]
        constraints = [models.UniqueConstraint(fields=["assessment", "citation"], name="assessment_citation_unique")]

    def __str__(self):
        return f"Assessment {self.assessment_id} cites {self.citation_id}"


class PassageDismissal(models.Model):
    """An analyst's judgement that a suggested passage of a source is not evidence for a measure, so
    it is not suggested again. The passage is identified by the SHA-256 of its normalised text, so a
    dismissal holds whatever paragraph number the passage has."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="dismissals")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="dismissals")
    passage_sha256 = models.CharField(max_length=64)
    passage = models.TextField(help_text="The passage as it was suggested.")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-dismissed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "measure", "passage_sha256"], name="dismissal_unique_per_passage"
            ),
        ]

    def __str__(self):
        return f"Passage of “{self.source}” dismissed for measure {self.measure.number}"


class ReportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the report worker"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportJob(models.Model):
    """A status report PDF made by the background worker (measures.pdf_jobs), kept for reuse.

    One job per case data version, period, "as known on" date, as-of rule and paper size: while the
    data and the period are unchanged, the stored PDF is served at once to everyone who asks. A new data version makes a
    new job; old files stay until pruned.
    """

    Status = ReportJobStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="report_jobs")
    data_version = models.PositiveBigIntegerField()
    as_of = models.DateField()
    since = models.DateField()
    known_on = models.DateField(
        null=True, blank=True, help_text="As known on this day (empty: everything on record when made)."
    )
    as_of_rule = models.CharField(
        max_length=100, default="given", help_text="Which default gave the as-of date, or “given”; the report says it."
    )
    paper = models.CharField(max_length=10)
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the worker is doing, for the reader.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0 to 100.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    site_url = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Two constraints because NULLs are distinct in a unique index: one job per report asked for.
            models.UniqueConstraint(
                fields=["case", "data_version", "as_of", "since", "paper", "as_of_rule"],
                condition=Q(known_on__isnull=True),
                name="report_job_unique_per_version",
            ),
            models.UniqueConstraint(
                fields=["case", "data_version", "as_of", "since", "known_on", "paper", "as_of_rule"],
                condition=Q(known_on__isnull=False),
                name="report_job_unique_per_version_known_on",
            ),
            models.CheckConstraint(condition=Q(status__in=ReportJobStatus.values), name="report_job_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_percent"),
        ]

    def __str__(self):
        return f"{self.case} report as of {self.as_of} since {self.since} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("measures:report_job", args=[self.case.slug, self.pk])
