"""What every model admin shares: TrackedAdmin (history, optimistic locking, deletions refused with the
records that depend on them), safe ids and lookups, quick links, inlines with constant queries."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR, ChangeList
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    ProtectedError,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from measures import services
from measures.lib.text import printable
from measures.models import Assessment
from measures.state import evidence_changes
from workspace.filters import AutocompleteFilter
from workspace.forms import (
    ConstantQueriesFormSet,
    PreloadedAutocompleteSelect,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    VersionedModelForm,
    parse_id,
)

Level = Assessment.Level
PROTECTED_SHOWN = 8


def _without_version(fieldsets):
    """Fieldsets without the hidden version field, for people who only view a record."""
    return [
        (name, {**options, "fields": [f for f in options["fields"] if f != "seen_version"]})
        for name, options in fieldsets
    ]


def _with_version(fieldsets):
    """Fieldsets that carry the hidden version field, which an admin declaring its own fields or
    fieldsets would otherwise leave out: its form then saw every save as a colleague's conflict."""
    if any("seen_version" in options["fields"] for _name, options in fieldsets):
        return fieldsets
    (name, options), *rest = fieldsets
    return [(name, {**options, "fields": [*options["fields"], "seen_version"]}), *rest]


def _protected_message(what, protected):
    shown = format_html_join("; ", "{}", ((item,) for item in protected[:PROTECTED_SHOWN]))
    more = f" and {len(protected) - PROTECTED_SHOWN} more" if len(protected) > PROTECTED_SHOWN else ""
    return format_html(
        "{} cannot be deleted: other records depend on it ({}{}). "
        "Nothing was deleted. Remove those links first, or keep this record.",
        what,
        shown,
        more,
    )


def _protected_names(error):
    """The records a ProtectedError names, as the admin's delete page lists them ("Evidence: …")."""
    return [f"{type(obj)._meta.verbose_name.capitalize()}: {obj}" for obj in error.protected_objects]


@admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, refused outright (with the dependants named) when any row is protected."""
    what = f"The selected {modeladmin.opts.verbose_name_plural}"
    protected = modeladmin.get_deleted_objects(queryset, request)[3]
    if protected:
        modeladmin.message_user(request, _protected_message(what, protected), messages.ERROR)
        return None
    try:
        with transaction.atomic():
            return django_delete_selected(modeladmin, request, queryset)
    except ProtectedError as exc:  # something came to depend on a row since the check above
        modeladmin.message_user(request, _protected_message(what, _protected_names(exc)), messages.ERROR)
        return None


class SafeIdsMixin:
    """Related-record fields that answer a malformed id ("abc", "²", 20 digits) with a form error, and
    autocomplete widgets that re-render such a form instead of failing."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SafeLookupsMixin:
    """A list filter value the database cannot take (`?published_on__year=0`: there is no year 0) is
    an incorrect lookup, which the admin answers by showing the list unfiltered with a message,
    instead of a server error. Django wraps only errors raised while building the filter; this one
    comes when the list counts its rows (found by tests/test_fuzz.py)."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class QuickLinksChangeList(ChangeList):
    """A changelist that builds its rows' links from one reversed URL instead of one reverse() per link,
    whose cost grows with the rows and their linked columns (docs/performance.md, “Figures behind the
    code”)."""

    def url_for_result(self, result):
        pk = getattr(result, self.pk_attname)
        if not isinstance(pk, int):  # our primary keys are integers; anything else as Django does it
            return super().url_for_result(result)
        if not hasattr(self, "_change_url"):
            self._change_url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=("__pk__",),
                current_app=self.model_admin.admin_site.name,
            )
        return self._change_url.replace("__pk__", str(pk), 1)


# Rows a page in the workspace's lists. Django's 100 made each list at 100× the data cost three to
# five times the same list of the Pakistan–Iran case, whose lists hold fewer rows than a page: the
# rows' own rendering (Django's items_for_result, about half a millisecond a row) was most of it
# (docs/performance.md, “Figures behind the code”). The next page is one click away.
LIST_PER_PAGE = 25


# A list's own parameters (search, sorting, page, popups…): what is left of the query string are its filters.
LIST_PARAMETERS = frozenset({*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG})


class RefusedFiltersMixin:
    """A list filter the list refuses (an unknown value or parameter, an id that is no id: Django's
    IncorrectLookupParameters) makes the admin show the whole list at `?e=1` without a word: the
    analyst would read an unfiltered list as the filtered one. This one says which filter was refused
    and why, as a message on the list shown instead (the value quoted printably, a control character as
    its code point: measures.lib.text.printable; shortened past REFUSED_SHOWN characters), in words for
    analysts rather than the ORM's (which would name the model's internal fields).
    A refused filter beside `?e=1` (a bookmarked refusal, a filter added to such an address) would get
    Django's "Database error" page: it goes to the unfiltered list with the message instead."""

    REFUSED_SHOWN = 80

    def changelist_view(self, request, extra_context=None):
        if ERROR_FLAG in request.GET and set(request.GET) - LIST_PARAMETERS:
            try:
                self.get_changelist_instance(request)
            except IncorrectLookupParameters:
                return redirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as exc:
            refused = "&".join(f"{name}={value}" for name, value in request.GET.items() if name not in LIST_PARAMETERS)
            if len(refused) > self.REFUSED_SHOWN:
                refused = refused[: self.REFUSED_SHOWN] + "…"
            reason = _refusal_reason(exc)
            said = f"This list cannot be filtered by “{refused}” ({reason}): it is shown unfiltered."
            self.message_user(request, printable(said), messages.WARNING)
            raise


def _refusal_reason(exc):
    """Why a filter was refused, in an analyst's words: ours as they are (workspace.filters: "“x” is not
    the id of a record"), the ORM's (a FieldError naming every field of the model, a ValueError naming
    the field's type) replaced by a plain sentence."""
    text = str(exc)
    if text.startswith("“"):  # ours, written for the analyst
        return text
    if "Cannot resolve keyword" in text or "Unsupported lookup" in text or "not allowed" in text:
        return "this list has no such filter"
    return "the value does not fit this filter"


class QuickListsMixin(RefusedFiltersMixin):
    """Changelists whose rows cost markup, not template renderings: each row's action checkbox is written
    directly (Django renders a form widget template per row: docs/performance.md, “Figures behind the
    code”) and its links come from one reversed URL (QuickLinksChangeList); 25 rows a page
    (LIST_PER_PAGE)."""

    list_per_page = LIST_PER_PAGE

    @property
    def media(self):
        # The script of the sidebar's search-as-you-type filters, where the list has one.
        media = super().media
        if any(isinstance(f, type) and issubclass(f, AutocompleteFilter) for f in self.list_filter):
            media += AutocompleteFilter.media()
        return media

    def get_changelist(self, request, **kwargs):
        return QuickLinksChangeList

    def action_checkbox(self, obj):
        # The markup of Django's ModelAdmin.action_checkbox (tests/test_admin_at_scale.py compares them).
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            admin.helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )


class TrackedAdmin(QuickListsMixin, SafeLookupsMixin, SafeIdsMixin, SimpleHistoryAdmin):
    """Audit trail, optimistic locking and clean refusals of protected deletions, for every edited model."""

    form = VersionedModelForm
    actions = [delete_selected]
    object_history_list_template = "admin/measures/object_history_list.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return _without_version(fieldsets)
        return _with_version(fieldsets)

    # The forms validate, the services write (measures.services.records, which hands each record to its
    # topic's service): every save and delete of the admin, its inline rows and its bulk delete, in the
    # admin's transaction, with history by the user and the data version of the cases touched bumped.
    def save_model(self, request, obj, form, change):
        services.save_record(record=obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_record(record=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        services.delete_records(records=queryset, user=request.user)

    def save_formset(self, request, form, formset, change):
        saved = formset.save(commit=False)
        try:
            services.save_records(saved=saved, deleted=formset.deleted_objects, user=request.user)
        except services.ServiceError as exc:
            # Said above the form (a row's fields are not the form's), naming what kind of row it is.
            what = capfirst(formset.model._meta.verbose_name)
            raise services.ServiceError({NON_FIELD_ERRORS: [f"{what}: {m}" for m in exc.messages]}) from None
        formset.save_m2m()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ServiceError as refusal:
            if request.method != "POST" or getattr(request, "write_refused", None) is not None:
                raise
            # A service refused a write the forms had passed (a rule only the service checks, or data
            # changed since the forms checked it). The view's transaction rolled back, so nothing was
            # written: the same submission is shown again, refused with the service's messages.
            request.write_refused = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "write_refused", None)
        if refusal is not None:
            form = type(form.__name__, (form,), {"refusal": refusal})
        return form

    def response_action(self, request, queryset, **kwargs):
        # Django filters by the ticked ids as sent: a malformed one ("", "abc") would be a server error.
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if any(parse_id(value) is None for value in selected):
            self.message_user(request, "Tick the rows to act on: the selection sent was not valid.", messages.ERROR)
            return None
        return super().response_action(request, queryset, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history filters its rows by the id as given: a malformed one would be a server error.
        if parse_id(unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def revert_disabled(self, request, obj=None):
        # A revert would write an old version back without the version check: edit instead.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # As simple-history does, but without the version counter, which changes on every save.
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=["version"], foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def render_delete_form(self, request, context):
        protected = context.get("protected")
        if protected and context.get("object") is not None:
            self.message_user(request, _protected_message(f"“{context['object']}”", protected), messages.ERROR)
        return super().render_delete_form(request, context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError as exc:  # came to be protected between the confirmation page and the POST
            self.message_user(request, _protected_message("This record", _protected_names(exc)), messages.ERROR)
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]))


class ConstantQueriesInline(SafeIdsMixin):
    """Inline rows render with a fixed number of queries, whatever their number (see ConstantQueriesFormSet)."""

    formset = ConstantQueriesFormSet
    form = VersionedModelForm
    extra = 0

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj):
            return _without_version(fieldsets)
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def count_of(model, field):
    """The number of `model` rows whose `field` is the outer row, as a subquery.

    An annotate(Count(...)) makes the list GROUP BY every selected column, the joined rows' full
    texts included, which SQLite sorts as wide rows (docs/performance.md, “Figures behind the
    code”). A correlated count per listed row costs an index lookup each.
    """
    counted = model._default_manager.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def _is_changelist(request):
    match = request.resolver_match
    return match is not None and match.url_name is not None and match.url_name.endswith("_changelist")


def _evidence_changes_of(object_id, field):
    object_id = unquote(object_id)
    return evidence_changes(**{field: object_id}) if parse_id(object_id) is not None else []


def _assessments_of(object_id, *, approved_only=False):
    """Every assessment of the measure, newest recorded first, with their citations (a fixed number of
    queries); `approved_only`: the approved ones only (a reader's view, as the assessment list's)."""
    object_id = unquote(object_id)
    if parse_id(object_id) is None:
        return []
    assessments = Assessment.objects.filter(measure_id=object_id)
    if approved_only:
        assessments = assessments.approved()
    return list(
        assessments.select_related("party", "recorded_by", "corrects", "review")
        .prefetch_related("citations__source")
        .order_by("-recorded_at", "-pk")
    )
