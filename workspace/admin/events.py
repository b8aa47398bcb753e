"""The admin of events, with their citations and the events CSV import."""

from django.contrib import admin

from measures.models import Citation, Event
from workspace.admin.base import ConstantQueriesInline, TrackedAdmin
from workspace.filters import ActorFilter, CaseFilter
from workspace.forms import (
    CitationForm,
    ConstantQueriesFormSet,
)


class EventCitationFormSet(ConstantQueriesFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # A citation added here belongs to the event's case.
        if form.instance.pk is None and self.instance.case_id is not None:
            form.instance.case_id = self.instance.case_id
        return form


class EventCitationInline(ConstantQueriesInline, admin.StackedInline):
    model = Citation
    form = CitationForm
    formset = EventCitationFormSet
    fk_name = "event"
    fields = ["source", "quote", "occurrence", "locator", "seen_version"]
    autocomplete_fields = ["source"]
    verbose_name_plural = "citations reporting this event"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "case", "event")


@admin.register(Event)
class EventAdmin(TrackedAdmin):
    list_display = ["when", "title", "kind", "direction", "case", "actor_codes"]
    # The case and the actors searched as one types, not every case and party as a link.
    list_filter = [CaseFilter, "kind", "direction", ActorFilter, ("date", admin.DateFieldListFilter)]
    show_full_result_count = False
    list_select_related = ["case"]
    # The case's name too: without JavaScript the case filter cannot search, and says to use this box.
    search_fields = ["title", "summary", "location", "case__name"]
    autocomplete_fields = ["actors"]
    inlines = [EventCitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actors")

    @admin.display(description="Date", ordering="date")
    def when(self, event):
        return event.date_text

    @admin.display(description="Actors")
    def actor_codes(self, event):
        return ", ".join(party.code for party in event.actors.all())
