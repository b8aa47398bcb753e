"""The assessment forms: the Assess page's form and the bulk assessment action's, one base for both."""

from django import forms
from django.contrib.admin.widgets import (
    AdminDateWidget,
)
from django.db.models import Max, Q
from django.utils.formats import date_format
from django.utils.timezone import localtime

from measures import services
from measures.lib import languages
from measures.models import Assessment, Citation, Evidence, Measure
from workspace.forms.base import (
    ID_MAX,
    CaseCitationsWidget,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    parse_id,
)
from workspace.picker import citation_label

ISO_DATE = "%Y-%m-%d"
STANCE_CHOICE_ERROR = "“%(value)s” is not a stance: choose progress, setback or context."


class AssessmentBaseForm(forms.Form):
    """What every assessment form shares, for one case: date, citations, their stance as evidence.

    `seen` is the highest assessment id of the measure(s) when the form was opened: what the user
    has seen, for the service's check that nobody recorded one meanwhile. Emptiness, dates and the
    other rules are the service's to check; the forms only limit the choices to the case.
    """

    effective_date = forms.DateField(
        required=False,
        widget=AdminDateWidget(format=ISO_DATE),
        help_text="When the situation held (YYYY-MM-DD). Left empty: the date of the newest cited passage.",
    )
    citations = SafeModelMultipleChoiceField(
        queryset=None,
        required=False,
        help_text="Passages of this case's sources. Type a word of a quote, a source or an event to search.",
        error_messages={"invalid_choice": "Choose citations of this case only: %(value)s is not one of them."},
    )
    evidence_stance = forms.ChoiceField(
        required=False,
        label="Newly cited passages show",
        choices=[("", "Choose what they show")] + Evidence.Stance.choices,
        error_messages={"invalid_choice": STANCE_CHOICE_ERROR},
        help_text=(
            "Cited passages become evidence of the measure with this stance, unless you give one its own "
            "(“Choose a stance for each passage”, below); a passage that is evidence of it already keeps its own."
        ),
    )
    rationale_language = forms.CharField(
        required=False,
        max_length=35,
        label="Language of the rationale",
        help_text="A BCP 47 tag (en, fr, ur…). Left empty: the language the rationale is written in is "
        "detected (none found: the case's working language).",
    )
    citation_search = forms.CharField(
        required=False,
        max_length=200,
        label="Find citations",
        help_text="Words of a quote, a source or an event: the citations found are added to the list to choose from.",
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=ID_MAX)

    FOUND_LIMIT = 50

    def __init__(self, *args, case, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.admin_site = admin_site
        self.fields["citations"].queryset = (
            Citation.objects.for_case(case).defer("source__full_text").order_by("source__title", "pk")
        )
        self.fields["citations"].label_from_instance = citation_label
        self.fields["citations"].widget = CaseCitationsWidget(case=case, admin_site=admin_site)
        self.fields["citations"].widget.choices = self.fields["citations"].choices
        self.found, self.found_more = self._found_citations()
        self.fields["citations"].widget.offered = self.found
        self.fields["citations"].widget.term = self.initial.get("citation_search") or ""
        self.new_passages = self._newly_cited()
        for citation in self.new_passages:
            self.fields[f"stance_{citation.pk}"] = forms.ChoiceField(
                label=citation_label(citation),
                required=False,
                choices=[("", "As chosen for all")] + Evidence.Stance.choices,
                error_messages={"invalid_choice": STANCE_CHOICE_ERROR},
            )

    def evidence_measures(self):
        """The measures whose evidence the cited passages become."""
        raise NotImplementedError

    def _newly_cited(self):
        """The submitted citations of this case that are not yet evidence of every measure of the form:
        each gets a stance field of its own. Read from the submitted data (or the initial data) before
        validation, so that the rows exist when the form is shown again."""
        if self.is_bound:
            name = self.add_prefix("citations")
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name) or []
        else:
            values = self.initial.get("citations") or []
        if isinstance(values, (str, int)):
            values = [values]
        ids = {pk for pk in (parse_id(getattr(v, "pk", v)) for v in values) if pk is not None}
        if not ids:
            return []
        measures = self.evidence_measures()
        attached = set(
            Evidence.objects.filter(citation__in=ids, measure__in=measures).values_list("citation_id", "measure_id")
        )
        cited = Citation.objects.for_case(self.case).filter(pk__in=ids).defer("source__full_text").order_by("pk")
        return [c for c in cited if any((c.pk, m.pk) not in attached for m in measures)]

    def _found_citations(self):
        """The citations of the case matching the no-JavaScript search (only on a form shown again by
        its Find button, see shown_again): every word in the quote, locator, source or event; at
        most FOUND_LIMIT of them, and whether there were more."""
        term = " ".join(str(self.initial.get("citation_search") or "").split())[:200]
        if self.is_bound or not term:
            return [], False
        found = Citation.objects.for_case(self.case).defer("source__full_text")
        for word in term.split()[:10]:
            found = found.filter(
                Q(quote__icontains=word)
                | Q(locator__icontains=word)
                | Q(source__label__icontains=word)
                | Q(source__title__icontains=word)
                | Q(source__publisher__icontains=word)
                | Q(event__title__icontains=word)
            )
        found = list(found.order_by("source__title", "pk")[: self.FOUND_LIMIT + 1])
        return found[: self.FOUND_LIMIT], len(found) > self.FOUND_LIMIT

    def passage_stance_rows(self):
        """[(citation, bound stance field)] for each newly cited passage, in the order of their ids."""
        return [(citation, self[f"stance_{citation.pk}"]) for citation in self.new_passages]

    def clean(self):
        cleaned_data = super().clean()
        cited = {c.pk for c in cleaned_data.get("citations") or []}
        if "citations" in cleaned_data and "evidence_stance" in cleaned_data and not cleaned_data["evidence_stance"]:
            lacking = [
                f"stance_{c.pk}"
                for c in self.new_passages
                if c.pk in cited and f"stance_{c.pk}" in cleaned_data and not cleaned_data[f"stance_{c.pk}"]
            ]
            if lacking:
                self.add_error(
                    "evidence_stance",
                    "Say what the newly cited passages show: one stance for all of them here, "
                    "or one for each passage below.",
                )
            for name in lacking:
                self.add_error(
                    name, "Choose what this passage shows (or one stance for all newly cited passages above)."
                )
        return cleaned_data

    def clean_rationale_language(self):
        value = self.cleaned_data.get("rationale_language", "")
        try:
            return languages.normalise_tag(value)
        except ValueError:
            raise forms.ValidationError(
                f"“{value}” is not a language tag: write one such as en, fr, ur or pa-Arab, or leave it empty."
            ) from None

    def shared_arguments(self):
        """record_assessment's arguments that the form's cleaned data gives for every assessment."""
        data = self.cleaned_data
        return {
            "effective_date": data["effective_date"],
            "citations": data["citations"],
            "evidence_stance": data["evidence_stance"] or None,
            "rationale_language": data.get("rationale_language") or None,
            "evidence_stances": {c.pk: data[f"stance_{c.pk}"] for c in self.new_passages if data.get(f"stance_{c.pk}")},
        }

    @classmethod
    def shown_again(cls, data, **kwargs):
        """The form as submitted, not saved and without error messages, with a stance to choose for each
        newly cited passage and the citations its search found offered in the list: what the “Choose a
        stance for each passage” and “Find” buttons show (they work without JavaScript)."""
        submitted = cls(data, **kwargs)
        initial = {name: submitted[name].data for name in submitted.fields}
        return cls(initial=initial, **kwargs)

    def with_seen(self, seen):
        """This form, bound to the same data but with `seen` moved on: after a conflict was shown."""
        data = self.data.copy()
        data[self.add_prefix("seen")] = seen
        form = type(self)(data, **self._init_kwargs())
        form.full_clean()
        return form

    def _init_kwargs(self):
        return {"case": self.case, "admin_site": self.admin_site}


def _rationale_field(**kwargs):
    return forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        **kwargs,
    )


class AssessmentForm(AssessmentBaseForm):
    """Record one judgement of a measure for one or several of its parties, all or none.

    Each assessed party has a row of its own: level (empty: not assessed this time), confidence and
    the earlier assessment of that party it corrects, if any. The rationale, date and citations are
    the same for every party assessed.
    """

    rationale = _rationale_field(help_text="Why these levels: what the citations show.")

    field_order = ["effective_date", "rationale", "citations", "evidence_stance"]

    def __init__(self, *args, measure, admin_site, **kwargs):
        self.measure = measure
        super().__init__(*args, case=measure.case, admin_site=admin_site, **kwargs)
        self.parties = list(measure.case.assessed_parties.order_by("name"))
        earlier = list(
            Assessment.objects.filter(measure=measure).select_related("recorded_by").order_by("-recorded_at", "-pk")
        )
        for party in self.parties:
            self.fields[f"level_{party.pk}"] = forms.ChoiceField(
                label=f"Level for {party}",
                required=False,
                choices=[("", "No new assessment")] + Assessment.Level.choices,
            )
            self.fields[f"confidence_{party.pk}"] = forms.ChoiceField(
                label=f"Confidence for {party}",
                required=False,  # only a party given a level needs one; browsers always send one
                choices=Assessment.Confidence.choices,
                initial=Assessment.Confidence.MEDIUM,
            )
            corrects = SafeModelChoiceField(
                label=f"Corrects (for {party})",
                queryset=Assessment.objects.filter(measure=measure, party=party).order_by("-recorded_at", "-pk"),
                required=False,
                empty_label="Nothing: a new judgement",
                error_messages={"invalid_choice": f"Choose an earlier assessment of {party} on this measure."},
            )
            # The choices are built from one query for all parties, not one per party.
            corrects.choices = [("", corrects.empty_label)] + [
                (a.pk, _correctable_label(a)) for a in earlier if a.party_id == party.pk
            ]
            self.fields[f"corrects_{party.pk}"] = corrects

    def party_rows(self):
        """[(party, level, confidence, corrects)] bound fields, one row per assessed party."""
        return [
            (party, self[f"level_{party.pk}"], self[f"confidence_{party.pk}"], self[f"corrects_{party.pk}"])
            for party in self.parties
        ]

    def shared_fields(self):
        return [
            self[name] for name in ("effective_date", "rationale", "rationale_language", "citations", "evidence_stance")
        ]

    def evidence_measures(self):
        return [self.measure]

    def clean(self):
        cleaned_data = super().clean()
        if self.parties and not any(cleaned_data.get(f"level_{party.pk}") for party in self.parties):
            raise forms.ValidationError("Choose a level for at least one party: nothing to record otherwise.")
        return cleaned_data

    def entries(self):
        """record_assessments' entries: each party given a level, with its own confidence and correction."""
        data = self.cleaned_data
        return [
            {
                "party": party,
                "level": data[f"level_{party.pk}"],
                "confidence": data[f"confidence_{party.pk}"] or Assessment.Confidence.MEDIUM,
                "corrects": data[f"corrects_{party.pk}"],
                "expected_latest": latest_seen(self.measure, party, data["seen"]),
            }
            for party in self.parties
            if data[f"level_{party.pk}"]
        ]

    def _init_kwargs(self):
        return {"measure": self.measure, "admin_site": self.admin_site}


def _correctable_label(assessment):
    return (
        f"{assessment.get_level_display()} as of {date_format(assessment.effective_date)} "
        f"(recorded {date_format(localtime(assessment.recorded_at))} by {assessment.recorded_by})"
    )


class BulkAssessmentForm(AssessmentBaseForm):
    """One party's level on several measures of a case at once, with a rationale for each measure."""

    party = SafeModelChoiceField(
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the parties assessed in this case."},
    )
    level = forms.ChoiceField(choices=[("", "Choose a level")] + Assessment.Level.choices)
    confidence = forms.ChoiceField(choices=Assessment.Confidence.choices, initial=Assessment.Confidence.MEDIUM)

    field_order = ["party", "level", "confidence", "effective_date", "citations", "evidence_stance"]

    def __init__(self, *args, case, admin_site, measures, **kwargs):
        self.measures = measures
        super().__init__(*args, case=case, admin_site=admin_site, **kwargs)
        self.fields["party"].queryset = case.assessed_parties.order_by("name")
        for measure in measures:
            self.fields[f"rationale_{measure.pk}"] = _rationale_field(
                label=f"Rationale for {measure}", help_text="Why this level on this measure."
            )

    def rationale_fields(self):
        return [(measure, self[f"rationale_{measure.pk}"]) for measure in self.measures]

    def shared_fields(self):
        return [
            self[name] for name in ("party", "level", "confidence", "effective_date", "citations", "evidence_stance")
        ]

    def evidence_measures(self):
        return self.measures

    def entries(self):
        """record_assessments_on_measures' entries: each measure with its own rationale."""
        data = self.cleaned_data
        return [
            {
                "measure": measure,
                "rationale": data[f"rationale_{measure.pk}"],
                "expected_latest": latest_seen(measure, data["party"], data["seen"]),
            }
            for measure in self.measures
        ]

    def _init_kwargs(self):
        return {"case": self.case, "admin_site": self.admin_site, "measures": self.measures}


class MeasureChoiceField(SafeModelChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.case}: {measure}"


class ChooseMeasureForm(forms.Form):
    """The first step of "Add assessment" in the admin: which measure. Closed cases are offered too
    (a closed case still takes corrections), after the active ones."""

    measure = MeasureChoiceField(
        queryset=Measure.objects.select_related("case").order_by("case__status", "case__name", "number"),
        empty_label="Choose a measure",
        error_messages={"invalid_choice": "Choose one of the measures of a case."},
    )


def highest_assessment_id(measures):
    """The `seen` value for a form about these measures: the newest assessment id among them (0 if none)."""
    return Assessment.objects.filter(measure__in=measures).aggregate(top=Max("pk"))["top"] or 0


def latest_seen(measure, party, seen):
    """The latest assessment of (measure, party) the user had seen: recorded no later than id `seen`.

    Writers of one measure queue on its row lock (see services.record_assessment), so ids grow in
    the order assessments become visible.
    """
    return services.latest_assessment(measure, party, up_to_id=seen)
