"""What the workspace's forms share: ids parsed safely, autocomplete widgets that never load every row,
optimistic locking (VersionedModelForm), inline formsets with constant queries."""

from django import forms
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.timezone import localtime

from measures.lib.ids import ID_MAX, parse_id  # noqa: F401 (ID_MAX: exported)
from measures.models import Assessment
from workspace.picker import citation_label


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


def show_service_errors(form, error):
    """Show a ServiceError's messages on `form`'s fields; on the form itself for a field it lacks and for
    messages about no field."""
    errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for field, field_messages in errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


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


def _comparable(value):
    """A field's value as a browser sends it and as stored, made comparable (line ends, outer spaces)."""
    return ("" if value is None else str(value)).replace("\r\n", "\n").strip()


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
    # A ServiceError the services raised when this form's submission was written (TrackedAdmin's
    # changeform_view): the form shows the submission again, refused with its messages.
    refusal = None

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
        if self.refusal is not None:
            show_service_errors(self, self.refusal)

    def clean(self):
        cleaned_data = super().clean()
        # A field can leave the form between the page and the save (a source's text becomes read-only
        # once a colleague quotes it): the user's edit of it is then no change of the form, and was
        # dropped while the page said "changed successfully". Such an edit makes the save checked, and
        # refused. Rows the user did not touch are not saved, so they cannot overwrite anything.
        dropped = self._sent_but_not_taken()
        if self.instance.pk is None or (not dropped and not self.has_changed()):
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
        if dropped:
            names = ", ".join(f"“{_verbose(current, name)}”" for name in dropped)
            raise ValidationError(
                f"{names} can no longer be changed on this page, so nothing was saved. Reload the page to see "
                "why and what it holds now.",
                code="field_left_form",
            )
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

    def _sent_but_not_taken(self):
        """The record's fields whose value the request changed but the form does not take (it left the
        form since the page was shown: made read-only meanwhile). Only the record's own form: an inline
        row's fields are prefixed."""
        if self.prefix is not None or not self.is_bound or self.instance.pk is None:
            return []
        editable = {field.name: field for field in self.instance._meta.concrete_fields if field.editable}
        dropped = []
        for name, field in editable.items():
            if name in self.fields or name not in self.data:
                continue
            sent = _comparable(self.data.get(name))
            if sent != _comparable(field.value_to_string(self.instance)):
                dropped.append(name)
        return dropped

    def _model_field_names(self):
        opts = self.instance._meta
        return {field.name for field in [*opts.concrete_fields, *opts.many_to_many]}


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


class PlainMessagesFormSet(BaseInlineFormSet):
    """The base of every admin inline formset (ConstantQueriesFormSet, and the theme's read-only list of
    types): a count of rows (TOTAL_FORMS, INITIAL_FORMS) that is missing or not a number, or more rows
    than the page can save, gets a plain message, and nothing is written. Django's own asks the user
    to "file a bug report", or says "Please submit at most 0 forms." on a page that adds none: such a
    count comes from a page changed in the browser, or a request made by hand."""

    default_error_messages = {
        "missing_management_form": "The count of rows sent with the page (%(field_names)s) is missing or not a number, "
        "so nothing was saved: reload the page and make your changes again.",
        "too_many_forms": "The page sent more rows than can be saved here, so nothing was saved: reload the page and "
        "make your changes again.",
    }


class ConstantQueriesFormSet(PlainMessagesFormSet):
    """An inline formset that renders any number of rows with a fixed number of queries.

    Plain selects evaluate their choices once and share them; autocomplete selects get the labels
    of every row's value from one query per field.

    A save adds at most `new_rows_per_save` rows beside those that exist. Django otherwise takes the
    number of rows from the posted management form, up to 2,000, and builds (and, on an error,
    renders) every one: a tampered count cost one POST seconds of server time. Beyond the limit the save
    is refused with the `too_many_forms` message and nothing is written; a count that is missing or not
    a number, with PlainMessagesFormSet's plain message, nothing written either.
    """

    new_rows_per_save = 50
    default_error_messages = {
        "too_many_forms": "At most %(num)d rows can be saved here at once: save these, then add the others.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The existing rows are read once, here or for the rows' forms (the queryset caches them).
        self.max_num = self.absolute_max = len(self.get_queryset()) + self.new_rows_per_save

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
    them all made a page of megabytes (docs/performance.md, “Figures behind the code”). The search
    URL carries the case so that the citation pick view offers its citations only.
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
