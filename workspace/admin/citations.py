"""The admin of citations and evidence: proposed passages, evidence per measure."""

from django.contrib import admin
from django.urls import path
from django.utils.html import format_html

from measures.lib.ids import parse_offset
from measures.lib.quoting import paragraph_number
from measures.lib.text import shorten
from measures.models import Citation, Evidence, Source
from workspace.admin.base import (
    ConstantQueriesInline,
    TrackedAdmin,
    _evidence_changes_of,
    _is_changelist,
    count_of,
)
from workspace.filters import AutocompleteFilter, CaseFilter, MeasureCaseFilter
from workspace.forms import (
    CitationForm,
    ConstantQueriesFormSet,
    VersionedModelForm,
    parse_id,
)
from workspace.picker import CitationPickView


def _selected_passage(params):
    """(start, text) of the source text between `start` and `end` in `params`, or None when they
    are missing or do not fit (not numbers, out of the text, more than 5,000 characters)."""
    source = parse_id(params.get("source"))
    start, end = parse_offset(params.get("start")), parse_offset(params.get("end"))
    if source is None or start is None or end is None or not 0 <= start < end or end - start > 5000:
        return None
    text = Source.objects.filter(pk=source).values_list("full_text", flat=True).first() or ""
    if end > len(text) or not text[start:end].strip():
        return None
    # Keep the selection's words; leading spaces moved to the offset so that it still points at them.
    selected = text[start:end]
    start += len(selected) - len(selected.lstrip())
    return start, " ".join(selected.split())


class ProposedEvidenceForm(VersionedModelForm):
    """An evidence row; one proposed by select-to-cite is saved as proposed unless its measure is cleared."""

    def has_changed(self):
        if self.initial.get("measure") and self.is_bound:
            return bool(self.data.get(self.add_prefix("measure")))
        return super().has_changed()


class LabelledRowsFormSet(ConstantQueriesFormSet):
    """A tabular inline's rows have column headings, not labels: each input is named for screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the related-object wrapper
            if not widget.is_hidden:
                widget.attrs.setdefault("aria-label", f"{field.label or name.capitalize()} ({row})")


class EvidenceInline(ConstantQueriesInline, admin.TabularInline):
    model = Evidence
    formset = LabelledRowsFormSet
    template = "admin/measures/edit_inline/tabular.html"
    form = ProposedEvidenceForm

    def get_extra(self, request, obj=None, **kwargs):
        # Select-to-cite proposes one row: the measure and stance chosen on the source page.
        if obj is None and parse_id(request.GET.get("measure")) is not None:
            return 1
        return super().get_extra(request, obj, **kwargs)

    fields = ["measure", "stance", "note", "seen_version"]
    autocomplete_fields = ["measure"]
    verbose_name = "measure this citation evidences"
    verbose_name_plural = "measures this citation evidences"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("measure", "citation__source")


class SourceFilter(AutocompleteFilter):
    title = "source"
    field_path = "source"


class EventFilter(AutocompleteFilter):
    title = "event"
    field_path = "event"


class MeasureEvidencedFilter(AutocompleteFilter):
    title = "measure evidenced"
    field_path = "measure"
    source_model = Evidence
    lookup_path = "evidence__measure__id"


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    form = CitationForm
    list_display = ["short_quote", "locator", "source_title", "event_title", "case", "measure_count"]
    list_filter = [CaseFilter, SourceFilter, EventFilter, MeasureEvidencedFilter, "evidence__stance"]
    # Newest first, along the primary key: sorting every row by source title through a join cost more
    # than the list (docs/performance.md, “Figures behind the code”).
    ordering = ["-pk"]
    list_select_related = ["source", "event", "case"]
    show_full_result_count = False
    search_fields = [
        "quote",
        "locator",
        "source__label",
        "source__title",
        "source__publisher",
        "event__title",
        "case__name",
    ]
    autocomplete_fields = ["case", "source", "event"]
    fieldsets = [
        (
            None,
            {"fields": ["case", "source", "quote", "occurrence", "passage_shown", "locator", "event", "seen_version"]},
        ),
        (
            "Language and translation",
            {
                "fields": ["language", "translation", "translator", "translated_on"],
                "description": "A passage in another language than its case's working language can carry a "
                "translation into it: pages and the report show the original, then the translation.",
            },
        ),
    ]
    readonly_fields = ["passage_shown"]
    inlines = [EvidenceInline]

    @admin.display(description="Passage as the source has it")
    def passage_shown(self, citation):
        """The source's characters between the citation's offsets, as pages and the report show them."""
        if citation.pk is None or not citation.passage_parts:
            return "Shown once saved: the source's own characters where the quote is found."
        return format_html('<bdi lang="{}" dir="{}">{}</bdi>', citation.lang, citation.dir, citation.passage)

    def get_changeform_initial_data(self, request):
        """Select-to-cite: `?source=…&start=…&end=…` (offsets in the source's text, from the source
        page) fills in the quote, its occurrence and its paragraph; offsets that do not fit the
        text are ignored, leaving the form empty."""
        initial = super().get_changeform_initial_data(request)
        for name in ("start", "end", "measure", "stance"):
            initial.pop(name, None)
        for name in ("case", "source", "event"):
            # A link may carry any text: only a possible id is offered to the form (else no 500).
            if name in initial and parse_id(initial[name]) is None:
                del initial[name]
        passage = _selected_passage(request.GET)
        if passage is not None:
            start, text = passage
            initial.update(quote=text, occurrence=start)
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "locator" and (passage := _selected_passage(request.GET)) is not None:
            # Left empty, the locator is the paragraph of the selection: say which.
            text = Source.objects.filter(pk=parse_id(request.GET["source"])).values_list("full_text", flat=True).first()
            field.widget.attrs["placeholder"] = f"para. {paragraph_number(text, passage[0])} (found in the source)"
        return field

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, EvidenceInline) and obj.pk is None:
            measure, stance = request.GET.get("measure", ""), request.GET.get("stance", "")
            if parse_id(measure) is not None and stance in Evidence.Stance.values:
                kwargs["initial"] = [{"measure": measure, "stance": stance}]
        return kwargs

    def get_queryset(self, request):
        # Setting select_related here makes the list ignore list_select_related: name them all.
        # The list and the autocomplete search show a source's title, never its full text.
        queryset = super().get_queryset(request).select_related("source", "event", "case").defer("source__full_text")
        return queryset.annotate(n_measures=count_of(Evidence, "citation"))

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "evidence_changes": _evidence_changes_of(object_id, "citation_id")}
        return super().history_view(request, object_id, extra_context)

    def get_urls(self):
        return [
            path(
                "pick/",
                self.admin_site.admin_view(CitationPickView.as_view(admin_site=self.admin_site)),
                name="measures_citation_pick",
            ),
            *super().get_urls(),
        ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if (
            match is not None
            and match.url_name in ("autocomplete", "measures_citation_pick")
            and request.GET.get("model_name") == "assessment"
            and request.GET.get("field_name") == "citations"
        ):
            # The assessment form's citations come from the measure's case only (CaseCitationsWidget).
            case = parse_id(request.GET.get("case"))
            queryset = queryset.filter(case_id=case) if case is not None else queryset.none()
        return queryset, may_have_duplicates

    @admin.display(description="Quote", ordering="quote")
    def short_quote(self, citation):
        return shorten(citation.passage, 140)

    def get_list_display(self, request):
        if "case__id__exact" in request.GET:
            return [column for column in self.list_display if column != "case"]
        return self.list_display

    @admin.display(description="Source", ordering="source__title")
    def source_title(self, citation):
        return shorten(citation.source.title, 50)

    @admin.display(description="Event", ordering="event__date")
    def event_title(self, citation):
        return shorten(str(citation.event), 50) if citation.event_id else "—"

    @admin.display(description="Measures", ordering="n_measures")
    def measure_count(self, citation):
        return citation.n_measures


@admin.register(Evidence)
class EvidenceAdmin(TrackedAdmin):
    list_display = ["measure", "citation", "stance", "note"]
    list_filter = ["stance", MeasureCaseFilter]
    ordering = ["-pk"]  # newest first, along the primary key, instead of sorting every row through three joins
    list_select_related = ["measure", "citation__source"]
    show_full_result_count = False
    search_fields = ["citation__quote", "measure__title", "note", "measure__case__name"]

    def lookup_allowed(self, lookup, value, request):
        # The case filter's parameter goes through a relation (the measure's case), which Django's rule
        # allows only for the filters it builds itself; it is the parameter that filter had.
        return lookup == MeasureCaseFilter.lookup or super().lookup_allowed(lookup, value, request)

    autocomplete_fields = ["measure", "citation"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.defer("citation__source__full_text") if _is_changelist(request) else queryset
