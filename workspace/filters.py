"""Admin sidebar filters: ones that stay small whatever the size of the data, and a filter by each value
that names the blank one."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect

from measures.models import Measure
from workspace.forms import parse_id


class AutocompleteFilter(admin.SimpleListFilter):
    """Filter a changelist on a related record chosen by searching as one types (the admin's autocomplete).

    Django's related-field filters list every related row in the sidebar: 17,000 events on the
    citation list at 100× the data. This one renders a single select that asks the admin's
    autocomplete view, like an `autocomplete_fields` widget; `field_path` is a foreign key of
    `source_model` (default: the changelist's model), whose target's admin has `search_fields`.
    Subclasses set `title`, `field_path` (e.g. "source") and optionally `lookup_path` (the ORM path
    from the changelist's model to the target's id, default "<field_path>__id") and `source_model`.
    """

    template = "admin/measures/autocomplete_filter.html"
    field_path = None
    lookup_path = None
    source_model = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A class attribute: the admin's lookup_allowed() reads it from the class.
        cls.lookup = cls.lookup_path or f"{cls.field_path}__id"
        cls.parameter_name = cls.lookup

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        source = self.source_model or model
        field = source._meta.get_field(self.field_path)
        self.form_field = forms.ModelChoiceField(
            queryset=field.remote_field.model._default_manager.all(),
            required=False,
            widget=AutocompleteSelect(field, model_admin.admin_site, attrs={"data-submit-on-change": "true"}),
        )

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        record_id = parse_id(value)
        if record_id is None:  # not digits, or beyond any id (SQLite cannot even compare those)
            raise IncorrectLookupParameters(f"“{value}” is not the id of a record")
        return queryset.filter(**{self.lookup: record_id})

    def choices(self, changelist):
        record_id = parse_id(self.value())
        value = str(record_id) if record_id is not None else None
        kept = [(k, v) for k, v in changelist.params.items() if k not in (self.parameter_name, "p")]
        widget = self.form_field.widget
        widget.choices = self.form_field.choices
        yield {
            "selected": value is not None,
            # The select2 box takes its accessible name from the select's aria-label (js/admin-a11y.js).
            "widget": widget.render(
                self.parameter_name,
                value,
                attrs={"id": f"filter-{self.parameter_name}", "aria-label": f"Filter by {self.title}"},
            ),
            "hidden": [(k, v) for k, values in kept for v in (values if isinstance(values, list) else [values])],
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name, "p"]),
            "display": "All",
        }

    @classmethod
    def media(cls):
        return forms.Media(js=["js/autocomplete-filter.js"]) + AutocompleteSelect(None, None).media


class CaseFilter(AutocompleteFilter):
    """The case, searched by name as one types: the admin's own filter lists every case (50 at 100×
    the data, each a link built for the sidebar). Its parameter is that filter's, `case__id__exact`, so
    links to a case's rows (the bench's, the dashboard's) keep working."""

    title = "case"
    field_path = "case"
    lookup_path = "case__id__exact"


class MeasureCaseFilter(AutocompleteFilter):
    """CaseFilter for rows that belong to a case through their measure (evidence); its parameter is the
    admin's own filter's, `measure__case__id__exact`."""

    title = "case"
    field_path = "case"
    lookup_path = "measure__case__id__exact"
    source_model = Measure


class ActorFilter(AutocompleteFilter):
    """An event's actor, searched by name or code as one types, instead of every party as a link (100 at
    100× the data); the admin's own filter's parameter, `actors__id__exact`."""

    title = "actors"
    field_path = "actors"
    lookup_path = "actors__id__exact"


class NamedBlankValuesFilter(admin.AllValuesFieldListFilter):
    """The admin's filter by each value, with the empty value named (an unnamed link cannot be read out)."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": "(none given)"} if choice["display"] == "" else choice
