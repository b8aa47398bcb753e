from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assessment, Case, Citation, Event, Evidence, Measure, Party, Source


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "start_date", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["assessed_parties"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "case"]
    list_display_links = ["number", "title"]
    list_filter = ["case"]
    list_select_related = ["case"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 0
    fields = ["case", "quote", "locator", "event"]
    autocomplete_fields = ["event"]


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "kind", "published_on"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "publisher", "author"]
    inlines = [CitationInline]


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["date", "date_precision", "title", "kind", "direction", "case"]
    list_filter = ["case", "kind", "direction"]
    list_select_related = ["case"]
    search_fields = ["title", "summary", "location"]
    date_hierarchy = "date"
    filter_horizontal = ["actors"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["measure", "stance", "note"]
    autocomplete_fields = ["measure"]


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "locator", "source", "event"]
    list_filter = ["case", "source"]
    list_select_related = ["source", "event"]
    search_fields = ["quote", "source__title", "event__title"]
    autocomplete_fields = ["source", "event"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "citation", "stance"]
    list_filter = ["stance", "measure__case"]
    list_select_related = ["measure", "citation__source"]
    autocomplete_fields = ["measure", "citation"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: assessments are appended through the service, never changed or deleted."""

    list_display = ["measure", "party", "level", "confidence", "effective_date", "recorded_at", "recorded_by"]
    list_filter = ["level", "party", "measure__case"]
    list_select_related = ["measure", "party", "recorded_by"]
    search_fields = ["rationale", "measure__title"]
    date_hierarchy = "effective_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
