"""The shared catalogue of measure types, grouped by theme, so that one step ("a hotline between
military commanders") is the same row in every case and cases can be compared on it.

The catalogue ships as data (migration 0017) and administrators edit it in the workspace. Each
type may name the Peace Accords Matrix provision and the PA-X category it corresponds to, as a
reference for analysts who work with those data sets; both are left empty where none corresponds or
none could be confirmed from the data sets' own documentation.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from measures.lib import text
from measures.models.base import StoredInNfc, same_name_error, unique_name_constraint


class Theme(StoredInNfc, models.Model):
    """A group of measure types (talks and diplomacy, military restraint…): the matrix's row groups."""

    nfc_fields = ("name",)  # stored in NFC, compared as measures.lib.text.name_key

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(validators=[text.single_line], max_length=100, unique=True)
    description = models.TextField(validators=[text.multi_line], blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Themes are listed by this number, then name.")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="theme_name_not_empty"),
            unique_name_constraint("name", name="theme_name_unique_as_read"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if error := same_name_error(self, "name", "theme"):
            raise error


class MeasureType(StoredInNfc, models.Model):
    """A kind of de-escalation step, shared by every case whose measures name it (`Measure.type`)."""

    nfc_fields = ("name",)  # stored in NFC, compared as measures.lib.text.name_key

    slug = models.SlugField(
        max_length=80, unique=True, help_text="How case files name the type (measures[].type); keep it stable."
    )
    name = models.CharField(validators=[text.single_line], max_length=120, unique=True)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="types")
    definition = models.TextField(validators=[text.multi_line], help_text="What a step of this type is, in any case.")
    pam_provision = models.CharField(
        "Peace Accords Matrix provision",
        validators=[text.single_line],
        max_length=120,
        blank=True,
        help_text="The PAM provision this type corresponds to, as PAM names it; empty when none does.",
    )
    pax_category = models.CharField(
        "PA-X category",
        validators=[text.single_line],
        max_length=120,
        blank=True,
        help_text="Its PA-X category and codebook variable, e.g. “Ceasefire (Ce)”; empty if none.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within its theme.")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme__position", "theme__name", "position", "name"]
        verbose_name = "measure type"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="measure_type_name_not_empty"),
            models.CheckConstraint(condition=~Q(definition=""), name="measure_type_definition_not_empty"),
            unique_name_constraint("name", name="measure_type_name_unique_as_read"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("measures:measure_type", args=[self.slug])

    def clean(self):
        if error := same_name_error(self, "name", "measure type"):
            raise error
