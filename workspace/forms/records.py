"""The forms of cases, measures, citations and sources."""

from django import forms
from django.db import transaction
from django.forms.models import InlineForeignKeyField
from django.utils.formats import date_format

from measures import services
from measures.lib.quoting import find_passages, paragraph_number
from measures.models import Assessment, Case, Citation, Measure, MeasureType, Party, Source
from workspace.forms.base import VersionedModelForm


class CaseForm(VersionedModelForm):
    """A case assesses at least two parties, and keeps every party it already has assessments of."""

    class Meta:
        model = Case
        fields = [
            "name",
            "slug",
            "summary",
            "start_date",
            "status",
            "end_date",
            "working_language",
            "assessed_parties",
            "visibility",
        ]

    def clean_assessed_parties(self):
        parties = self.cleaned_data["assessed_parties"]
        if len(parties) < 2:
            raise forms.ValidationError(
                "Choose at least two assessed parties: a case follows the conduct of both sides."
            )
        if self.instance.pk is not None:
            kept = {party.pk for party in parties}
            assessed = Party.objects.filter(assessments__measure__case=self.instance).exclude(pk__in=kept).distinct()
            names = ", ".join(party.name for party in assessed)
            if names:
                raise forms.ValidationError(
                    f"{names} already has assessments in this case, so it must stay an assessed party."
                )
            named = Party.objects.filter(applicable_measures__case=self.instance).exclude(pk__in=kept).distinct()
            names = ", ".join(party.name for party in named)
            if names:
                raise forms.ValidationError(
                    f"{names} is named among the parties a measure of this case applies to, so it must stay "
                    "an assessed party (remove it from those measures first)."
                )
        return parties

    def clean_start_date(self):
        start_date = self.cleaned_data["start_date"]
        if self.instance.pk is not None:
            earliest = Assessment.objects.filter(measure__case=self.instance).order_by("effective_date").first()
            if earliest is not None and start_date > earliest.effective_date:
                raise forms.ValidationError(
                    f"An assessment is effective on {date_format(earliest.effective_date)}: "
                    "the case cannot start after it."
                )
        return start_date


class MeasureForm(VersionedModelForm):
    """A measure applies to some of its case's assessed parties (none chosen: all of them), and keeps
    every party already assessed on it at a level other than "not applicable"."""

    class Meta:
        model = Measure
        fields = ["case", "number", "title", "slug", "type", "description", "requirement", "applicable_parties"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("type")
        if field is not None:
            # The catalogue's types under their themes, as the matrix groups them.
            types = list(MeasureType.objects.select_related("theme"))
            grouped = {}
            for measure_type in types:
                grouped.setdefault(measure_type.theme.name, []).append((measure_type.pk, measure_type.name))
            field.choices = [("", "No type (the matrix of cases leaves it out)"), *grouped.items()]

    def clean(self):
        cleaned = super().clean()
        case, parties = cleaned.get("case"), cleaned.get("applicable_parties")
        if case is None or parties is None:
            return cleaned
        assessed = set(case.assessed_parties.values_list("pk", flat=True))
        outside = [party.name for party in parties if party.pk not in assessed]
        if outside:
            self.add_error(
                "applicable_parties",
                f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not assessed in {case}: a measure "
                "applies only to parties its case assesses (add them to the case first).",
            )
        if self.instance.pk is not None and parties:
            kept = {party.pk for party in parties}
            dropped = (
                Party.objects.filter(assessments__measure=self.instance)
                .exclude(assessments__level=Assessment.Level.NOT_APPLICABLE)
                .exclude(pk__in=kept)
                .distinct()
            )
            names = ", ".join(party.name for party in dropped)
            if names:
                self.add_error(
                    "applicable_parties",
                    f"{names} already has assessments of this measure, so it must stay among the parties "
                    "it applies to.",
                )
        return cleaned


class CitationForm(VersionedModelForm):
    """A citation. The model's check says where a quote departs from its source's text; when the
    quote occurs in several places, `occurrence` (an offset in the source text) says which."""

    occurrence = forms.IntegerField(
        required=False,
        min_value=0,
        widget=forms.HiddenInput,
        help_text="The quote occurs more than once in the source: choose which passage you cite.",
    )

    class Meta:
        model = Citation
        fields = [
            "case",
            "source",
            "quote",
            "locator",
            "event",
            "language",
            "translation",
            "translator",
            "translated_on",
        ]
        widgets = {"translation": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        citation = self.instance
        if citation.pk is not None and citation.spans:
            self.fields["occurrence"].initial = citation.spans[0][0]
            self._offer_occurrences(citation.source, citation.quote)

    def clean_source(self):
        source = self.cleaned_data.get("source")
        # In a source's inline the source is the parent form's (perhaps with a new text, locked by
        # SourceAdmin); elsewhere check the quote against the text as stored, locked until commit.
        if source is None or isinstance(self.fields["source"], InlineForeignKeyField):
            return source
        if transaction.get_connection().in_atomic_block:
            return services.lock_source(source)
        return source

    def _post_clean(self):
        offset = self.cleaned_data.get("occurrence")
        if offset is not None:
            self.instance.chosen_offset = offset
        super()._post_clean()
        source = self.instance.source_or_none()
        if source is not None:
            self._offer_occurrences(source, self.instance.quote)

    def _offer_occurrences(self, source, quote):
        """Where a quote occurs in several places, let the analyst see, and choose, which one is cited."""
        passages = find_passages(source.full_text, quote) if source.full_text else []
        if len(passages) > 1:
            self.fields["occurrence"].widget = forms.Select(
                choices=[("", "Choose…")] + [(p.start, _occurrence_label(source.full_text, p)) for p in passages]
            )


class SourceForm(VersionedModelForm):
    """A source. Its text is editable until the first citation quotes it: the model's clean() refuses a
    changed text with Source.text_lock_reason's message (and the admin shows a locked text read-only).
    Its version moves on whenever one of its citations is added, changed or removed (a trigger), so a
    form opened before a citation was added cannot save a text over it."""

    class Meta:
        model = Source
        fields = [
            "title",
            "label",
            "kind",
            "publisher",
            "author",
            "url",
            "published_on",
            "date_precision",
            "language",
            "full_text",
        ]

    def _conflict_message(self, current, seen):
        message = super()._conflict_message(current, seen)
        if seen is not None and not self._fields_changed_since(current, seen):
            message += (
                " A citation of this source was added, changed or removed meanwhile: your text is checked "
                "against it when you save again."
            )
        return message


def _occurrence_label(text, passage, width=50):
    """ "para. 3: …words before [quote start]…", for choosing between places a quote occurs."""
    before = " ".join(text[max(0, passage.start - width) : passage.start].split())
    after = " ".join(text[passage.start : passage.start + width].split())
    return f"para. {paragraph_number(text, passage.start)}: …{before} [{after}…"
