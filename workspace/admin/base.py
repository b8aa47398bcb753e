"""What every model admin shares: TrackedAdmin (history, optimistic locking, deletions refused with the
records that depend on them), safe ids and lookups, quick links, inlines with constant queries."""

import base64

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
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
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from measures import services
from measures.lib.text import shorten
from measures.models import Assessment, Case, Evidence
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
    """A changelist that builds its rows' links from one reversed URL instead of one reverse() per
    link (60 µs each: 12 ms for a list of 100 rows with two linked columns)."""

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


class QuickListsMixin:
    """Changelists whose rows cost markup, not template renderings: each row's action checkbox is written
    directly (Django renders a form widget template per row: 18 ms for 100 rows) and its links come
    from one reversed URL (QuickLinksChangeList)."""

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
        return fieldsets

    # Every admin write bumps the data version of the cases it touches (services.touch_cases), in the
    # admin's transaction, so that cached reading pages and their ETags follow the data.
    # Every admin write keeps the search index current too (services.reindex / unindex), in the same
    # transaction. A case stands for all its records: it is indexed again only when its working
    # language (the language of its events, measures and rationales) changed.
    def save_model(self, request, obj, form, change):
        before = services.cases_affected_by(obj) if change else set()
        if change and "case" in form.changed_data:
            before.add(form.initial.get("case"))
        super().save_model(request, obj, form, change)
        if not isinstance(obj, Case) or "working_language" in form.changed_data:
            services.reindex([obj])
        services.touch_cases(before | services.cases_affected_by(obj))

    def delete_model(self, request, obj):
        affected = services.cases_affected_by(obj)
        services.unindex([obj])
        super().delete_model(request, obj)
        services.touch_cases(affected)

    def delete_queryset(self, request, queryset):
        affected = set().union(*(services.cases_affected_by(obj) for obj in queryset))
        services.unindex(list(queryset))
        super().delete_queryset(request, queryset)
        services.touch_cases(affected)

    def save_formset(self, request, form, formset, change):
        # Rows about to be deleted lose their ids when deleted: their index rows go first.
        services.unindex([f.instance for f in formset.deleted_forms if f.instance.pk is not None])
        super().save_formset(request, form, formset, change)
        saved = [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]
        services.reindex(saved)
        rows = [*saved, *formset.deleted_objects]
        services.touch_cases(set().union(*(services.cases_affected_by(obj) for obj in rows)))

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


def _pack(content):
    return None if content is None else base64.b64encode(content).decode("ascii")


def _unpack(text):
    return None if text is None else base64.b64decode(text)


def count_of(model, field):
    """The number of `model` rows whose `field` is the outer row, as a subquery.

    An annotate(Count(...)) makes the list GROUP BY every selected column, the joined rows' full
    texts included: 9 s for the citation list at 100× the data on SQLite. A correlated count per
    listed row costs an index lookup each.
    """
    counted = model._default_manager.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def _is_changelist(request):
    match = request.resolver_match
    return match is not None and match.url_name is not None and match.url_name.endswith("_changelist")


def _evidence_changes_of(object_id, field):
    object_id = unquote(object_id)
    return evidence_changes(**{field: object_id}) if parse_id(object_id) is not None else []


def _assessments_of(object_id):
    """Every assessment of the measure, newest recorded first, with their citations (a fixed number of queries)."""
    object_id = unquote(object_id)
    if parse_id(object_id) is None:
        return []
    return list(
        Assessment.objects.filter(measure_id=object_id)
        .select_related("party", "recorded_by", "corrects")
        .prefetch_related("citations__source")
        .order_by("-recorded_at", "-pk")
    )


def _add_service_errors(form, error):
    """Show a ServiceError's messages on the form's fields (on the form itself for fields it lacks)."""
    for field, field_messages in error.message_dict.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


class NamedBlankValuesFilter(admin.AllValuesFieldListFilter):
    """The admin's filter by each value, with the empty value named (an unnamed link cannot be read out)."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": "(none given)"} if choice["display"] == "" else choice


def evidence_changes(**lookup):
    """What was attached, changed or removed in the evidence matching `lookup` (citation_id= or
    measure_id=), newest first: [{"when", "user", "action", "evidence", "details"}], from the
    evidence's own history (django-simple-history), in two queries."""
    records = list(
        Evidence.history.filter(**lookup)
        .select_related("history_user", "measure", "citation__source")
        .order_by("id", "history_date", "history_id")
    )
    changes = []
    previous = None
    for record in records:
        earlier = previous if previous is not None and previous.id == record.id else None
        what = f"measure {record.measure} ← “{shorten(record.citation.quote, 90)}” ({record.citation.source})"
        stance = Evidence.Stance(record.stance).label if record.stance in Evidence.Stance.values else record.stance
        if record.history_type == "+":
            action, details = "Attached", [f"Stance: {stance}"] + ([f"Note: {record.note}"] if record.note else [])
        elif record.history_type == "-":
            action, details = "Removed", [f"Stance was: {stance}"]
        else:
            action, details = "Changed", []
            if earlier is not None:
                for field in ("stance", "note"):
                    old, new = getattr(earlier, field), getattr(record, field)
                    if old != new:
                        if field == "stance":
                            old, new = Evidence.Stance(old).label, stance
                        details.append(f"{field.capitalize()}: {old or '(empty)'} → {new or '(empty)'}")
            details = details or ["No field changed"]
        if record.history_change_reason:
            details.append(f"Why: {record.history_change_reason}")
        changes.append(
            {
                "when": record.history_date,
                "user": record.history_user,
                "action": action,
                "evidence": what,
                "details": details,
            }
        )
        previous = record
    changes.sort(key=lambda change: change["when"], reverse=True)
    return changes
