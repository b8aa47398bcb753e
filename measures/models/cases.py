"""Parties, Cases (crises) and their Measures (the recommended de-escalation steps)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from measures.lib import dates, languages, text
from measures.models.base import StoredInNfc, case_change_error, same_name_error, unique_name_constraint
from measures.models.catalogue import MeasureType
from measures.querysets import (
    MeasureQuerySet,
    unpack_party_levels,
)


class PartyKind(models.TextChoices):
    STATE = "state", "State"
    INTERGOVERNMENTAL = "igo", "Intergovernmental organisation"
    NON_STATE_ARMED_GROUP = "nsag", "Non-state armed group"
    OTHER = "other", "Other"


class Party(StoredInNfc, models.Model):
    nfc_fields = ("name",)  # stored in NFC, compared as measures.lib.text.name_key
    Kind = PartyKind

    name = models.CharField(validators=[text.single_line], max_length=200, unique=True)
    code = models.CharField(
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]{2,12}$", "Use 2 to 12 capital letters, digits or hyphens.")],
        help_text="Short code shown in tables, e.g. PAK.",
    )
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.STATE)
    other_names = models.TextField(
        blank=True,
        validators=[text.one_per_line],
        help_text="The names sources in other languages and scripts give it, one per line (ایران, ईरान, "
        "อิหร่าน): suggested passages name the party when they use one of them.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartyKind.values), name="party_kind_valid"),
            models.CheckConstraint(condition=~Q(code=""), name="party_code_not_empty"),
            unique_name_constraint("name", name="party_name_unique_as_read"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if error := same_name_error(self, "name", "party"):
            raise error

    @property
    def names(self):
        """Its name and its names in other languages and scripts (`other_names`), without repeats."""
        found = [self.name, *(line.strip() for line in self.other_names.splitlines())]
        return list(dict.fromkeys(name for name in found if name))


class CaseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class CaseVisibility(models.TextChoices):
    PRIVATE = "private", "Private: the team and readers with an account"
    PUBLISHED = "published", "Published: anyone, without logging in"
    SHARED = "link", "Shared by link: holders of a valid share link, read-only"


class Case(models.Model):
    Status = CaseStatus
    Visibility = CaseVisibility

    name = models.CharField(validators=[text.single_line], max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(
        validators=[text.multi_line],
        blank=True,
        help_text="Written about the whole crisis: shown only as of its end date or later (no hindsight).",
    )
    start_date = models.DateField(
        validators=[dates.plausible_date], help_text="When the crisis began; no assessment may be effective earlier."
    )
    status = models.CharField(
        max_length=6,
        choices=Status,
        default=Status.ACTIVE,
        help_text="Active: followed now, pages open as of today. Closed: pages open as of the end date.",
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        validators=[dates.plausible_date],
        help_text="When the crisis ended, as its sources support it; required for a closed case.",
    )
    assessed_parties = models.ManyToManyField(
        Party, related_name="assessed_in_cases", help_text="The parties whose conduct is assessed (at least two)."
    )
    working_language = models.CharField(
        max_length=languages.MAX_LENGTH,
        default="en",
        validators=[languages.language_tag],
        help_text="The language the case's analysis is written in (a BCP 47 tag: en, fr, ar…): rationales, "
        "event summaries and the report. A passage quoted in another language can carry a translation into it.",
    )
    visibility = models.CharField(
        max_length=9,
        choices=Visibility,
        default=Visibility.PRIVATE,
        help_text="Who reads its pages and report (published or shared: approved judgements only, no names)",
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
            models.CheckConstraint(condition=Q(visibility__in=CaseVisibility.values), name="case_visibility_valid"),
        ]
        permissions = [("publish_case", "Can publish a case or share it by link")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("measures:dashboard", args=[self.slug])

    def clean(self):
        errors = {}
        try:
            self.working_language = languages.normalise_tag(self.working_language)
        except ValueError:
            pass  # the field's validator says why
        if self.status == CaseStatus.CLOSED and self.end_date is None:
            errors["end_date"] = "A closed case needs the date on which the crisis ended."
        if self.status == CaseStatus.ACTIVE and self.end_date is not None:
            # Refused rather than cleared: reopening a case is a decision about its dates (the crisis
            # flared up again, or the case was closed by mistake), and nothing is dropped unseen.
            errors["end_date"] = (
                "An active case has no end date: clear the end date to follow the case again, or keep it closed."
            )
        if self.end_date is not None and self.start_date is not None and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if errors:
            raise ValidationError(errors)

    @property
    def working_language_name(self):
        return languages.name(self.working_language)

    @property
    def working_direction(self):
        return languages.direction(self.working_language)

    @property
    def is_published(self):
        return self.visibility == CaseVisibility.PUBLISHED

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
    # The benchmark, apart from the evidence: the passage the measure is drawn from (a recommendation)
    # says what it requires, and is never counted as a citation, as evidence or as latest evidence.
    requirement = models.ForeignKey(
        "measures.Citation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirement_of",
        help_text="The passage that defines this step (the recommendation it comes from), quoted from its source. "
        "Shown as what the measure requires, never counted as evidence of conduct.",
    )
    type = models.ForeignKey(
        MeasureType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        help_text="Its step in the shared catalogue, so that cases compare on it; empty when none fits.",
    )
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
        return Measure.applying_among(case_parties, named)

    @staticmethod
    def applying_among(case_parties, named):
        """The rule of `parties_applying`, for a caller that holds a measure's applicable parties' pks
        (`named`) without the measure: all of `case_parties` unless some are named."""
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
        if self.requirement_id is not None and self.case_id is not None:
            if self.requirement.case_id != self.case_id:
                raise ValidationError({"requirement": "The passage defining the measure belongs to another case."})
            if self.pk is not None and self.evidence.filter(citation_id=self.requirement_id).exists():
                raise ValidationError(
                    {
                        "requirement": "This passage is evidence for the measure: remove it from its evidence "
                        "first, since what defines a measure is never counted as evidence of conduct."
                    }
                )

    def party_levels(self):
        """[(party name, code, level)] from `Measure.objects.with_list_figures()`."""
        return unpack_party_levels(self.current_levels)
