"""The admin of the shared catalogue: themes and measure types (administrators edit, everyone views).

Analysts and readers view it (the Reader and Analyst roles hold only its view permissions); a
type or theme that measures use cannot be deleted (PROTECT), and the deletion is refused with the
measures named. Every edit bumps every case's data version (services.cases_affected_by), since the
matrix shows each type against every case.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from measures.models import Measure, MeasureType, Theme
from workspace.admin.base import TrackedAdmin, count_of
from workspace.forms.base import PlainMessagesFormSet


class MeasureTypeInline(admin.TabularInline):
    """The types of a theme, read-only here: a type is edited on its own page."""

    model = MeasureType
    formset = PlainMessagesFormSet  # a tampered count of rows gets a plain message
    fields = ["name", "slug", "position"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Theme)
class ThemeAdmin(TrackedAdmin):
    list_display = ["name", "slug", "position", "type_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "position", "description"]
    inlines = [MeasureTypeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_types=count_of(MeasureType, "theme"))

    @admin.display(description="Types", ordering="n_types")
    def type_count(self, theme):
        return theme.n_types


@admin.register(MeasureType)
class MeasureTypeAdmin(TrackedAdmin):
    list_display = ["name", "theme", "slug", "pam_provision", "pax_category", "measure_count", "page_link"]
    list_filter = ["theme"]
    list_select_related = ["theme"]
    search_fields = ["name", "slug", "definition", "pam_provision", "pax_category"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "theme", "position", "definition"]}),
        (
            "References in other data sets",
            {
                "fields": ["pam_provision", "pax_category"],
                "description": "Name the Peace Accords Matrix provision or PA-X category only when it corresponds "
                "to this step and you have checked it in that data set's own documentation; leave it empty "
                "otherwise.",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_measures=count_of(Measure, "type"))

    @admin.display(description="Measures", ordering="n_measures")
    def measure_count(self, measure_type):
        if not measure_type.n_measures:
            return 0
        url = reverse("admin:measures_measure_changelist") + f"?type__id__exact={measure_type.pk}"
        return format_html('<a href="{}">{}</a>', url, measure_type.n_measures)

    @admin.display(description="Across cases")
    def page_link(self, measure_type):
        return format_html('<a href="{}">Compare</a>', measure_type.get_absolute_url())
