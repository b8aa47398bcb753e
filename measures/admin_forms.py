"""Forms of the admin: optimistic locking for every edited model, and recording assessments.

Rules live in the models' clean() and in services; these forms only collect input and show the
messages those raise. The one rule that belongs here is the version check, because it is about
the form itself: what the user saw when they opened it.
"""

from django import forms
from django.contrib.admin.widgets import (
    AdminDateWidget,
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.timezone import localtime

from . import services
from .citation_picker import citation_label
from .models import Assessment, Case, Citation, Evidence, Measure, Party, Source
from .quoting import find_passages, paragraph_number, relocate

# The largest id a 64-bit integer column (BigAutoField) holds; SQLite raises OverflowError beyond it.
ID_MAX = 2**63 - 1


def parse_id(value):
    """The record id that user input `value` (str, int or None) names, or None when it names none.

    Only ASCII digits count: "²" and "١" pass str.isdigit() but are no id a link or a form sends.
    Ids beyond a 64-bit integer are none either (SQLite cannot even compare them).
    """
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


class SafeModelChoiceField(forms.ModelChoiceField):
    """A choice of record by id that answers any malformed id with "not one of the choices"."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.to_field_name is None and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several records by id; a malformed id is named as not one of the choices."""

    def _check_values(self, value):
        if self.to_field_name is None and not isinstance(value, (str, bytes)):
            for item in value:
                if parse_id(item) is None:
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                    )
        return super()._check_values(value)


class SafeAutocompleteMixin:
    """The admin's autocomplete widgets re-render a refused form without looking up malformed ids
    (the stock widget filters by them and fails with a server error)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if parse_id(v) is not None], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class VersionField(forms.IntegerField):
    """The version a form was opened with. Never counts as a change the user made."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)

    def has_changed(self, initial, data):
        return False


def _display_value(obj, field_name):
    field = obj._meta.get_field(field_name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(obj, field_name).all()) or "(none)"
    if field.choices:
        return getattr(obj, f"get_{field_name}_display")()
    value = getattr(obj, field_name)
    if value in (None, ""):
        return "(empty)"
    return str(value)


def _verbose(obj, field_name):
    return capfirst(obj._meta.get_field(field_name).verbose_name)


class VersionedModelForm(forms.ModelForm):
    """Optimistic locking: refuse to save over changes made since the form was opened.

    The form carries the version it was opened with. On save, inside the admin's transaction, the
    row is locked (select_for_update on PostgreSQL; SQLite's IMMEDIATE transactions already
    serialise writers) and its current version compared; when it moved on, the form is invalid
    and says which fields changed meanwhile and what they hold now. The write itself is an
    ordinary save(), so django-simple-history records it.
    """

    seen_version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def _post_clean(self):
        super()._post_clean()
        # An inline row has no column for the parent it belongs to: show errors about it on the row.
        for name, field in self.fields.items():
            if isinstance(field, InlineForeignKeyField) and name in self._errors:
                errors = self._errors.pop(name)
                self._errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield")).extend(errors)

    def clean(self):
        cleaned_data = super().clean()
        # Rows the user did not touch are not saved, so they cannot overwrite anything.
        if self.instance.pk is None or not self.has_changed():
            return cleaned_data
        model = type(self.instance)
        rows = model._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        current = rows.first()
        if current is None:
            raise ValidationError("This record was deleted by someone else while you were editing it.", code="gone")
        seen = cleaned_data.get("seen_version")
        if seen != current.version:
            raise ValidationError(self._conflict_message(current, seen), code="conflict")
        self.instance.version = current.version + 1
        return cleaned_data

    def _conflict_message(self, current, seen):
        latest = current.history.order_by("-history_date", "-history_id").select_related("history_user").first()
        who = ""
        if latest is not None:
            when = date_format(localtime(latest.history_date), "DATETIME_FORMAT")
            who = f" ({latest.history_user or 'an import'}, {when})"
        changed = self._fields_changed_since(current, seen)
        details = "; ".join(f"{_verbose(current, name)} is now “{_display_value(current, name)}”" for name in changed)
        return (
            f"Someone else saved this {current._meta.verbose_name} while you were editing it{who}, "
            f"so nothing was saved. {('Changed meanwhile: ' + details + '.') if details else ''} "
            "Reload the page to see the current version, then make your change again."
        )

    def _fields_changed_since(self, current, seen):
        """Field names that differ between the version the user opened and the current one."""
        names = [name for name in self.fields if name != "seen_version" and name in self._model_field_names()]
        opened = None
        if seen is not None:
            opened = current.history.filter(version=seen).order_by("-history_date", "-history_id").first()
        now = current.history.order_by("-history_date", "-history_id").first()
        if opened is not None and now is not None:
            delta = now.diff_against(opened, excluded_fields=["version"])
            return [name for name in names if name in delta.changed_fields]
        # No record of the opened version: name every field where what the user submitted differs from now.
        return [name for name in names if name in self.changed_data]

    def _model_field_names(self):
        opts = self.instance._meta
        return {field.name for field in [*opts.concrete_fields, *opts.many_to_many]}


class CaseForm(VersionedModelForm):
    """A case assesses at least two parties, and keeps every party it already has assessments of."""

    class Meta:
        model = Case
        fields = ["name", "slug", "summary", "start_date", "status", "end_date", "assessed_parties"]

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
        fields = ["case", "number", "title", "slug", "description", "applicable_parties"]

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
        fields = ["case", "source", "quote", "locator", "event"]

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
    """A source. Its text is editable until the first citation quotes it (services.source_text_locked);
    the check that no cited passage is lost, below, guards a text changed together with new citations.
    Its version moves on whenever one of its citations is added, changed or removed (a trigger)."""

    class Meta:
        model = Source
        fields = ["title", "label", "kind", "publisher", "author", "url", "published_on", "date_precision", "full_text"]

    def _conflict_message(self, current, seen):
        message = super()._conflict_message(current, seen)
        if seen is not None and not self._fields_changed_since(current, seen):
            message += (
                " A citation of this source was added, changed or removed meanwhile: your text is checked "
                "against it when you save again."
            )
        return message

    def clean_full_text(self):
        text = self.cleaned_data.get("full_text", "")
        if self.instance.pk is None or text == (self.initial.get("full_text") or ""):
            return text
        if (reason := services.source_text_locked(self.instance)) is not None:
            raise forms.ValidationError(reason)
        previous = self.initial.get("full_text") or ""
        lost = [
            citation
            for citation in self.instance.citations.only("pk", "quote", "spans")
            if not text or relocate(previous, text, citation.quote, citation.spans) is None
        ]
        if lost:
            names = "; ".join(
                f"citation {c.pk} (“{c.quote[:60]}{'…' if len(c.quote) > 60 else ''}”)" for c in lost[:10]
            )
            more = f" and {len(lost) - 10} more" if len(lost) > 10 else ""
            raise forms.ValidationError(
                f"This text no longer contains passages cited from this source: {names}{more}. "
                "Keep those passages in the text, or change or delete those citations first."
            )
        return text


def _occurrence_label(text, passage, width=50):
    """ "para. 3: …words before [quote start]…", for choosing between places a quote occurs."""
    before = " ".join(text[max(0, passage.start - width) : passage.start].split())
    after = " ".join(text[passage.start : passage.start + width].split())
    return f"para. {paragraph_number(text, passage.start)}: …{before} [{after}…"


class PreloadedAutocompleteSelect(SafeAutocompleteSelect):
    """The admin's autocomplete select, which can take its selected label from a dict loaded in advance.

    The stock widget runs one query per rendered select to find the selected option's label; an
    inline of N rows would run N. ConstantQueriesFormSet loads the labels of all rows in one.
    """

    preloaded = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if parse_id(v) is not None]
        if self.preloaded is None or any(pk not in self.preloaded for pk in selected):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in selected:
            options.append(self.create_option(name, pk, self.preloaded[pk], True, len(options)))
        return [(None, options, 0)]


class ConstantQueriesFormSet(BaseInlineFormSet):
    """An inline formset that renders any number of rows with a fixed number of queries.

    Plain selects evaluate their choices once and share them; autocomplete selects get the labels
    of every row's value from one query per field.
    """

    @cached_property
    def forms(self):
        rows = super().forms
        if not rows:
            return rows
        for name, field in self.form.base_fields.items():
            if not isinstance(field, forms.ModelChoiceField) or isinstance(field, InlineForeignKeyField):
                continue
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, PreloadedAutocompleteSelect):
                values = {str(row[name].value()) for row in rows}
                values = {value for value in values if parse_id(value) is not None}
                labels = {str(obj.pk): field.label_from_instance(obj) for obj in field.queryset.filter(pk__in=values)}
                for row in rows:
                    bound_widget = row.fields[name].widget
                    getattr(bound_widget, "widget", bound_widget).preloaded = labels
            elif not isinstance(widget, AutocompleteMixin):
                choices = list(rows[0].fields[name].choices)
                for row in rows:
                    row.fields[name].choices = choices
        return rows


class CaseCitationsWidget(SafeAutocompleteMixin, AutocompleteMixin, forms.SelectMultiple):
    """Citations of one case, searched as the analyst types (the admin's select2 autocomplete).

    Only the selected citations are rendered as options: a large case has thousands, and listing
    them all made a 4.7 MB page. The search URL carries the case so that the citation pick view
    offers its citations only.
    """

    def __init__(self, *, case, admin_site, attrs=None):
        super().__init__(Assessment._meta.get_field("citations"), admin_site, attrs=attrs)
        self.case = case

    offered = ()  # citations found by the form's no-JavaScript search, offered unselected
    term = ""

    def optgroups(self, name, value, attr=None):
        value = [v for v in value if parse_id(v) is not None]  # as SafeAutocompleteMixin
        groups = super().optgroups(name, value, attr)
        chosen = {str(v) for v in value}
        found = [
            self.create_option(name, str(c.pk), citation_label(c, self.term), False, len(chosen) + i)
            for i, c in enumerate(c for c in self.offered if str(c.pk) not in chosen)
        ]
        return groups + [(None, found, len(groups))] if found else groups

    def get_url(self):
        # CitationPickView: results show the quote around the words searched for, the source and the date.
        return f"{reverse('admin:measures_citation_pick', current_app=self.admin_site.name)}?case={self.case.pk}"


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

    def shared_arguments(self):
        """record_assessment's arguments that the form's cleaned data gives for every assessment."""
        data = self.cleaned_data
        return {
            "effective_date": data["effective_date"],
            "citations": data["citations"],
            "evidence_stance": data["evidence_stance"] or None,
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
        return [self[name] for name in ("effective_date", "rationale", "citations", "evidence_stance")]

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

    def rationale_for(self, measure):
        return self.cleaned_data[f"rationale_{measure.pk}"]

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


class EventImportForm(forms.Form):
    """The event export to preview, and its optional mapping file (see docs/event-imports.md)."""

    MAX_BYTES = 2 * 1024 * 1024

    csv_file = forms.FileField(label="Event export (CSV, UTF-8)", help_text="At most 2 MB; ACLED's columns.")
    mapping_file = forms.FileField(
        label="Mapping file (JSON)", required=False, help_text="Other column names, actors, event types."
    )

    def _read(self, name):
        upload = self.cleaned_data.get(name)
        if upload is None:
            return None
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / (1024 * 1024):.1f} MB; at most 2 MB is taken here "
                "(use the import_events command for larger files)."
            )
        return upload.read()

    def clean_csv_file(self):
        self.csv_content = self._read("csv_file")
        return self.cleaned_data["csv_file"]

    def clean_mapping_file(self):
        self.mapping_content = self._read("mapping_file")
        return self.cleaned_data["mapping_file"]
