"""Sources (documents), the Citations quoted verbatim from them, and dismissed suggested passages."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Now
from django.utils import timezone
from simple_history.models import HistoricalRecords

from measures.lib import dates, languages, text
from measures.lib.quoting import (
    ELISION,
    INSERTION,
    SOURCE,
    find_passages,
    mismatch_hint,
    normalise_text,
    paragraph_number,
    paragraphs,
    passage_parts,
    passage_text,
    quote_problem,
)
from measures.lib.text import shorten
from measures.models.base import (
    _PARAGRAPH_LOCATOR,
    StoredInNfc,
    _stored,
    case_change_error,
    look_alike,
    unique_name_constraint,
)
from measures.models.cases import Case, Measure
from measures.models.events import Event
from measures.querysets import (
    CitationQuerySet,
    SourceQuerySet,
)


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


class Source(StoredInNfc, models.Model):
    nfc_fields = ("label",)  # stored in NFC, compared as measures.lib.text.name_key
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
        validators=[dates.plausible_date],
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
    language = models.CharField(
        max_length=languages.MAX_LENGTH,
        blank=True,
        db_index=True,
        validators=[languages.language_tag],
        help_text="The language of the text, as a BCP 47 tag (en, ur, hi, th, km…): detected when the text "
        "comes in, correct it if needed. Empty: not known.",
    )
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
            # Sources are shared by cases, and a label names one source in every footnote and bibliography.
            models.UniqueConstraint(
                fields=["label"],
                condition=~Q(label=""),
                name="source_label_unique",
                violation_error_message="Another source already has this label: labels are unique across cases.",
            ),
            # …and two labels that differ only by invisible joiners or bidi marks are one label.
            unique_name_constraint("label", name="source_label_unique_as_read", condition=~Q(label="")),
            # One source per uploaded document (services.create_source names the source that has it).
            models.UniqueConstraint(
                fields=["original_sha256"],
                condition=~Q(original_sha256=""),
                name="source_original_unique",
                violation_error_message="This file is already the original of another source.",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        _normalise_language(self, "language")
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
        if (reason := self.text_lock_reason()) is not None and self.full_text != _stored(self, "full_text"):
            raise ValidationError({"full_text": reason}, code="text_locked")
        if message := self.label_clash():
            raise ValidationError({"label": message}, code="label_taken")

    def label_clash(self):
        """Why this source cannot take its label (another source has it, named with its cases), or None.

        Labels are unique across the deployment (`source_label_unique`): sources are shared by cases,
        and a label names one source in every footnote. The message names the clash so that an analyst
        can pick another label ("Xinhua" in two crises: "Xinhua (Gaza)")."""
        other = look_alike(self, "label")  # compared without invisible marks (measures.lib.text.name_key)
        if other is None:
            other = self._label_in_other_capitals()
        if other is None:
            return None
        cases = sorted({name for name in other.citations.values_list("case__name", flat=True)})
        where = f", cited in {', '.join(cases)}" if cases else ""
        if other.label == self.label:
            marks = ""
        elif text.name_key(other.label) == text.name_key(self.label):
            marks = " (they differ only by invisible marks)"
        else:
            marks = f" (written “{other.label}” there: labels that differ only in capitals are one label)"
        return (
            f"The label “{self.label}” is already the label of another source, “{shorten(other.title, 80)}”"
            f"{where}{marks}. Labels are unique across cases, so that a footnote names one source: choose another, "
            f"e.g. “{self.label} ({self.published_on.year if self.published_on else 'undated'})”."
        )

    def _label_in_other_capitals(self):
        """Another stored source whose label differs from this one's only in capitals ("tdi" beside
        "TDI"), or None: footnotes [TDI] and [tdi] would name two documents a reader cannot tell apart.
        Checked here (not by a constraint, which would need a migration): the database narrows the
        candidates (`iexact` for an ASCII label; for another, the labels of the same length, as SQLite
        folds ASCII letters only), which are compared case-folded as names are (measures.lib.text.name_key)."""
        if not self.label:
            return None
        key = text.name_key(self.label).casefold()
        others = Source.objects.exclude(pk=self.pk).order_by("pk")
        if self.label.isascii():
            candidates = others.filter(label__iexact=self.label)
        else:
            candidates = others.alias(label_length=Length("label")).filter(label_length=len(self.label))
        return next((other for other in candidates if text.name_key(other.label).casefold() == key), None)

    def text_lock_reason(self):
        """Why this source's full text can no longer change (a message for people), or None while it may.

        The one rule of a quoted source's text (invariant 3 of docs/invariants.md): the text is
        editable until the first citation quotes it, because every citation's quote, and the place it
        was found (`Citation.spans`, `paragraph`), was checked against this text. A corrected version
        of the document is a new source. clean() refuses a changed text with this message (hence the
        admin's form and every service writing a source), and the admin shows a locked text read-only.
        """
        if self.pk is None:
            return None
        count = Citation.objects.filter(source_id=self.pk).count()
        if not count:
            return None
        return (
            f"The text of “{self}” can no longer change: {count} citation{'s' if count != 1 else ''} "
            "quote it. Add a new source for a corrected version of the document."
        )

    @property
    def date_text(self):
        """The publication date as the document states it: "17 Jan 2024", "June 2024", "2024", "undated"."""
        return dates.date_text(self.published_on, self.date_precision)

    @property
    def short_label(self):
        """The label readers meet the source by (see `label`); never empty."""
        label = self.label or self.publisher or self.author or self.title
        return shorten(label, 60)

    def find_quote(self, quote):
        """Where `quote` starts in the full text by the matching rule (measures.quoting): an offset in
        `full_text`, -1 if absent, None if the source has no text."""
        if not self.full_text:
            return None
        passages = find_passages(self.full_text, quote)
        return passages[0].start if passages else -1


def _normalise_language(instance, field):
    """Write `instance`'s language tag as BCP 47 recommends ("UR-pk" → "ur-PK"); an ill-formed one is
    left for the field's validator to refuse."""
    try:
        setattr(instance, field, languages.normalise_tag(getattr(instance, field)))
    except ValueError:
        pass


@dataclass(frozen=True)
class PassagePart:
    """A part of a cited passage (passage_parts): the source's characters, "[…]" or the analyst's
    bracketed words."""

    kind: str
    text: str

    @property
    def is_source(self):
        return self.kind == SOURCE

    @property
    def is_insertion(self):
        return self.kind == INSERTION

    @property
    def is_elision(self):
        return self.kind == ELISION


class Citation(models.Model):
    """A passage quoted verbatim from a source, used as evidence in one case.

    `quote` is the passage as the analyst typed it (kept for the record); `passage_parts` is the
    passage as the source has it: the source's characters between its offsets, with "[…]" where
    words are left out and the analyst's bracketed insertions between them. Pages, exports, the
    report and the PDF show the latter (`passage`, `parts`)."""

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
    # The passage as the source has it: [[kind, text], …] (measures.lib.quoting.passage_parts), set
    # with `spans`; empty when the source has no text (then the quote as typed is shown).
    passage_parts = models.JSONField(default=list, blank=True, editable=False)
    language = models.CharField(
        max_length=languages.MAX_LENGTH,
        blank=True,
        db_index=True,
        validators=[languages.language_tag],
        help_text="The language of the passage (a BCP 47 tag); empty: its source's language.",
    )
    translation = models.TextField(
        blank=True,
        validators=[text.multi_line],
        help_text="For a passage in another language than the case's: its translation into the case's language.",
    )
    translator = models.CharField(
        validators=[text.single_line],
        max_length=200,
        blank=True,
        help_text="Who translated it (a person, or a service such as “machine translation, checked by …”).",
    )
    translated_on = models.DateField(null=True, blank=True, help_text="When it was translated.")
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
            models.CheckConstraint(
                condition=Q(translation="") | (~Q(translator="") & Q(translated_on__isnull=False)),
                name="citation_translation_has_translator_and_date",
            ),
            models.UniqueConstraint(fields=["case", "key"], condition=~Q(key=""), name="citation_key_unique_in_case"),
        ]

    def __str__(self):
        return f"“{shorten(self.passage, 80)}” ({self.source.short_label})"

    @property
    def parts(self):
        """The passage as the source has it, as [PassagePart]; the quote as typed when the source has
        no text (a single part)."""
        if not self.passage_parts:
            return [PassagePart(SOURCE, self.quote)]
        return [PassagePart(kind, part) for kind, part in self.passage_parts]

    @property
    def passage(self):
        """The passage as the source has it, as one text ("She [the foreign secretary] thanked")."""
        return passage_text(self.passage_parts) if self.passage_parts else self.quote

    @property
    def source_characters(self):
        """The source's own characters in the passage (no elision marks, no insertions), for search."""
        if not self.passage_parts:
            return self.quote
        return " ".join(part for kind, part in self.passage_parts if kind == SOURCE)

    @property
    def lang(self):
        """The passage's language tag: its own, else its source's ("" when neither is known)."""
        return self.language or self.source.language

    @property
    def dir(self):
        """The passage's writing direction for its `dir` attribute: "rtl" or "ltr" by its language,
        "auto" (the first strong letter decides) when the language is not known."""
        return languages.direction(self.lang) if self.lang else "auto"

    @property
    def language_name(self):
        return languages.name(self.lang) or "an unknown language"

    @property
    def needs_translation(self):
        """The passage is in another language than its case's working language (or in an unknown
        one) and has no translation yet."""
        return not self.translation and not languages.same_language(self.lang, self.case.working_language)

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
        _normalise_language(self, "language")
        if self.translation.strip():
            if not self.translator.strip():
                errors["translator"] = "Say who translated the passage."
            if self.translated_on is None:
                errors["translated_on"] = "Give the date of the translation."
        elif self.translator.strip() or self.translated_on is not None:
            errors["translation"] = "A translator and date were given without a translation: add the translation."
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
                (self.requirement_of.count(), "measure it defines", "measures it defines"),
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
            self.spans, self.paragraph, self.passage_parts = [], None, []
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
        self.passage_parts = [list(part) for part in passage_parts(text, self.spans, self.quote)]
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


class PassageDismissal(models.Model):
    """An analyst's judgement that a suggested passage of a source is not evidence for a measure, so
    it is not suggested again. The passage is identified by the SHA-256 of its normalised text, so a
    dismissal holds whatever paragraph number the passage has."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="dismissals")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="dismissals")
    passage_sha256 = models.CharField(max_length=64)
    passage = models.TextField(help_text="The passage as it was suggested.", validators=[text.multi_line])
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
