"""The admin of sources: intake, the text under its quoted passages, the source's citations."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Q,
)
from django.urls import reverse
from django.utils.functional import cached_property

from measures import services
from measures.models import Citation, Source
from workspace.admin.base import ConstantQueriesInline, TrackedAdmin, _is_changelist, count_of
from workspace.filters import NamedBlankValuesFilter
from workspace.forms import (
    CitationForm,
    ConstantQueriesFormSet,
    SourceForm,
    parse_id,
)
from workspace.intake import SourceIntakeMixin


class SourceCitationFormSet(ConstantQueriesFormSet):
    """A source's newest citations, at most SHOWN of them, each an editable form, newest first.

    A source may be quoted hundreds of times; an editable form for each made its page cost what it
    did not show (docs/performance.md). The rest are in the citation list filtered by the source
    (`all_citations_url`), each with its own form. A submitted formset handles the rows its page
    showed, found by their ids in the data, whatever was added meanwhile; the rule that concerns
    every citation of the source (its text is locked once quoted: Source.text_lock_reason) counts
    them all in the database.
    """

    SHOWN = 5

    def get_queryset(self):
        if not hasattr(self, "_shown"):
            rows = self.queryset.order_by("-pk")  # BaseInlineFormSet filtered it to this source
            if self.is_bound:
                count = min(self.initial_form_count(), self.total_form_count())
                posted = (parse_id(self.data.get(f"{self.add_prefix(i)}-id")) for i in range(count))
                rows = rows.filter(pk__in=[pk for pk in posted if pk is not None])
            else:
                rows = rows[: self.SHOWN]
            self._shown = list(rows)
            for citation in self._shown:
                # Their source is this form's: no need to load its full text once per row.
                citation.source = self.instance
        return self._shown

    @cached_property
    def citation_count(self):
        """How many citations the source has (a query only when a full page of them is shown)."""
        shown = len(self.get_queryset())
        if self.instance.pk is None or (shown < self.SHOWN and not self.is_bound):
            return shown
        return self.queryset.count()

    def all_citations_url(self):
        return f"{reverse('admin:measures_citation_changelist')}?source__id={self.instance.pk}"

    def clean(self):
        super().clean()
        # A row whose citation is no longer this source's (deleted by a colleague since the page was
        # shown, or an id altered in the page) fails only on its hidden id field, which no page
        # shows: say what happened where the formset's errors are shown.
        pk_name = self.model._meta.pk.name
        if any(pk_name in form.errors for form in self.initial_forms):
            raise ValidationError(
                "A citation shown on this page is no longer one of this source's: someone deleted it "
                "since the page was shown, or the page was altered. Nothing was saved. Reload the "
                "page to see the source's citations as they are now, then make your change again.",
                code="stale_citation_row",
            )


class SourceCitationInline(ConstantQueriesInline, admin.StackedInline):
    model = Citation
    form = CitationForm
    formset = SourceCitationFormSet
    template = "admin/measures/edit_inline/source_citations.html"
    fields = ["case", "quote", "occurrence", "locator", "event", "seen_version"]
    autocomplete_fields = ["case", "event"]
    verbose_name_plural = "citations: passages quoted from this source"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case", "event")


@admin.register(Source)
class SourceAdmin(SourceIntakeMixin, TrackedAdmin):
    form = SourceForm
    list_display = ["title", "label", "publisher", "kind", "publication_date", "has_full_text", "citation_count"]
    search_fields = ["title", "label", "publisher", "author"]
    # Not a date_hierarchy: its DISTINCT over every row (a Python function per row on SQLite) costs more
    # than the list at 100× the data.
    list_filter = ["kind", ("publisher", NamedBlankValuesFilter), ("published_on", admin.DateFieldListFilter)]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "label",
                    "kind",
                    "publisher",
                    "author",
                    "url",
                    "published_on",
                    "date_precision",
                    "language",
                    "seen_version",
                ]
            },
        ),
        ("Full text", {"fields": ["full_text"], "description": "Every quote below is checked against this text."}),
    ]
    inlines = [SourceCitationInline]
    change_list_template = "admin/measures/source/change_list.html"
    change_form_template = "admin/measures/source/change_form.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.original_file:
            fieldsets = [*fieldsets, ("Original document", {"fields": ["original"]})]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.original_file:
            readonly.append("original")
        # The text is fixed once quoted (Source.text_lock_reason); the form and the service refuse it too.
        if obj is not None and obj.text_lock_reason() is not None:
            readonly.append("full_text")
        return readonly

    @admin.display(description="Original file")
    def original(self, source):
        return self.original_link(source)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not _is_changelist(request):
            return queryset
        # The list shows whether a source has a text, not the text: leave the megabytes in the database.
        return queryset.defer("full_text").annotate(
            n_citations=count_of(Citation, "source"),
            has_text=ExpressionWrapper(~Q(full_text=""), output_field=BooleanField()),
        )

    @admin.display(description="Published", ordering="published_on")
    def publication_date(self, source):
        return source.date_text

    def get_object(self, request, object_id, from_field=None):
        source = super().get_object(request, object_id, from_field)
        if source is not None and request.method == "POST" and transaction.get_connection().in_atomic_block:
            # Lock the row before anything is checked, then read it again: the text the form's citations
            # are checked against is the stored one until this transaction ends (invariant 2).
            services.lock_source(source)
            source = super().get_object(request, object_id, from_field)
        return source

    @admin.display(boolean=True, description="Full text", ordering="has_text")
    def has_full_text(self, source):
        return source.has_text

    @admin.display(description="Citations", ordering="n_citations")
    def citation_count(self, source):
        return source.n_citations
