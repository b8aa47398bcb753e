"""The analysts' workspace.

Every edited model goes through TrackedAdmin: django-simple-history's History page (read-only:
no revert), optimistic locking through VersionedModelForm, and deletions refused with a message
naming what depends on the record. Assessments are appended only through services.record_assessment,
from the measure's Assess page or the measure list's bulk action; their own admin is view-only.
"""

import base64

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    ProtectedError,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .admin_filters import AutocompleteFilter
from .admin_forms import (
    AssessmentForm,
    BulkAssessmentForm,
    CaseForm,
    ChooseMeasureForm,
    CitationForm,
    ConstantQueriesFormSet,
    EventImportForm,
    MeasureForm,
    PreloadedAutocompleteSelect,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    SourceForm,
    VersionedModelForm,
    highest_assessment_id,
    latest_seen,
    parse_id,
)
from .admin_intake import SourceIntakeMixin
from .charts import shorten
from .citation_picker import CitationPickView
from .importing.events_csv import EventFileError, Mapping, import_events
from .models import Assessment, Case, Citation, Event, Evidence, Measure, Party, Source
from .queries import assessment_history, case_state
from .quoting import paragraph_number

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
    def save_model(self, request, obj, form, change):
        before = services.cases_affected_by(obj) if change else set()
        if change and "case" in form.changed_data:
            before.add(form.initial.get("case"))
        super().save_model(request, obj, form, change)
        services.touch_cases(before | services.cases_affected_by(obj))

    def delete_model(self, request, obj):
        affected = services.cases_affected_by(obj)
        super().delete_model(request, obj)
        services.touch_cases(affected)

    def delete_queryset(self, request, queryset):
        affected = set().union(*(services.cases_affected_by(obj) for obj in queryset))
        super().delete_queryset(request, queryset)
        services.touch_cases(affected)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        rows = [*formset.new_objects, *(obj for obj, _ in formset.changed_objects), *formset.deleted_objects]
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


@admin.register(Party)
class PartyAdmin(TrackedAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Case)
class CaseAdmin(TrackedAdmin):
    form = CaseForm
    list_display = ["name", "slug", "start_date", "status", "end_date", "parties"]
    list_filter = ["status"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["assessed_parties"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("assessed_parties")

    @admin.display(description="Assessed parties")
    def parties(self, case):
        return ", ".join(party.code for party in case.assessed_parties.all())

    def get_urls(self):
        return [
            path(
                "<path:object_id>/import-events/",
                self.admin_site.admin_view(self.import_events_view),
                name="measures_case_import_events",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_events": request.user.has_perm("measures.add_event")}
        return super().change_view(request, object_id, form_url, extra_context)

    def import_events_view(self, request, object_id):
        """Upload an event export, preview what it would add (a dry run), then import it.

        The previewed file waits in the session between the two steps; the import checks it again,
        all or nothing, through events_csv.import_events.
        """
        case = self.get_object(request, unquote(object_id))
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm("measures.add_event"):
            raise PermissionDenied
        session_key = f"event-import-{case.pk}"
        form, preview, problems = EventImportForm(), None, []
        if request.method == "POST" and "_import" in request.POST:
            pending = request.session.get(session_key)
            if pending is None:
                self.message_user(request, "Nothing to import: upload the file again.", messages.WARNING)
                return redirect(request.path)
            csv_content, mapping_content = _unpack(pending["csv"]), _unpack(pending["mapping"])
            try:
                mapping = Mapping.parse(mapping_content) if mapping_content is not None else None
                result = import_events(case, csv_content, mapping=mapping)
            except EventFileError as exc:
                problems = exc.problems
            else:
                del request.session[session_key]
                self.message_user(
                    request,
                    f"Added {len(result.new)} events to “{case}”; {len(result.existing)} were already there.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:measures_event_changelist") + f"?case__id__exact={case.pk}")
        elif request.method == "POST":
            form = EventImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    mapping = Mapping.parse(form.mapping_content) if form.mapping_content is not None else None
                    preview = import_events(case, form.csv_content, mapping=mapping, dry_run=True)
                except EventFileError as exc:
                    problems = exc.problems
                else:
                    request.session[session_key] = {
                        "csv": _pack(form.csv_content),
                        "mapping": _pack(form.mapping_content),
                    }
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import events into {case}",
            "subtitle": None,
            "opts": self.opts,
            "original": case,
            "form": form,
            "preview": preview,
            "problems": problems,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/measures/case/import_events.html", context)


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


def _status_of(measure):
    """Where the measure stands today (queries.case_state's row for it)."""
    return case_state(measure.case, measure=measure).rows[0]


class CurrentLevelFilter(admin.SimpleListFilter):
    title = "current level (any party)"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return Level.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in Level.values:
            raise IncorrectLookupParameters(f"“{value}” is not a level")
        return queryset.at_level(value, as_of=timezone.localdate())


class FiguresPerPageChangeList(QuickLinksChangeList):
    """The measure list, with each measure's levels, latest evidence and citation count computed for the
    page shown only (`MeasureQuerySet.list_figures`, two queries): computed in the listing query,
    they cost a correlated subquery per measure of every case before the page was cut (1 s at 100×)."""

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        figures = Measure.objects.filter(pk__in=[m.pk for m in rows]).list_figures(as_of=timezone.localdate())
        assess_url = reverse(
            "admin:measures_measure_assess", args=["__pk__"], current_app=self.model_admin.admin_site.name
        )
        for measure in rows:
            for name, value in figures[measure.pk].items():
                setattr(measure, name, value)
            measure.assess_url = assess_url.replace("__pk__", str(measure.pk), 1)
        self.result_list = rows


class AssessmentPermissionMixin:
    def has_add_assessment_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.add_assessment")


@admin.register(Measure)
class MeasureAdmin(AssessmentPermissionMixin, TrackedAdmin):
    form = MeasureForm
    list_display = ["short_number", "title", "case", "levels", "latest_evidence_date", "citations"]
    list_display_links = ["short_number", "title"]
    list_filter = ["case", CurrentLevelFilter]
    list_select_related = ["case"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    # Searched as you type: listing every case and party of an organisation as options took a
    # quarter of the measure form at 100× the data (50 cases, 100 parties).
    autocomplete_fields = ["case", "applicable_parties"]
    actions = [delete_selected, "record_assessment"]

    @admin.display(description="No.", ordering="number")
    def short_number(self, measure):
        """The number under a narrow heading: "Number" and its sort marks took a tenth of the list."""
        return measure.number

    def get_changelist(self, request, **kwargs):
        return FiguresPerPageChangeList

    def get_list_display(self, request):
        columns = list(self.list_display)
        if "case__id__exact" in request.GET:  # one case: its name on every row is noise
            columns.remove("case")
        if self.has_add_assessment_permission(request):
            columns[columns.index("levels")] = self.levels_and_assess_link
        return columns

    @admin.display(description="Current level")
    def levels(self, measure):
        parties = measure.party_levels()
        if not parties:
            return "—"
        return format_html_join(
            "",
            '<span class="level level-{}" title="{}: {}"><b>{}</b> {}</span>',
            ((level, name, Level(level).label, code, Level(level).label) for name, code, level in parties),
        )

    @admin.display(description="Current level")
    def levels_and_assess_link(self, measure):
        url = getattr(measure, "assess_url", None) or reverse("admin:measures_measure_assess", args=[measure.pk])
        return format_html(
            '{}<a class="assess-link" href="{}" title="Record an assessment of {}">Assess…</a>',
            self.levels(measure),
            url,
            measure,
        )

    @admin.display(description="Latest evidence")
    def latest_evidence_date(self, measure):
        return measure.latest_evidence

    @admin.display(description="Citations")
    def citations(self, measure):
        return measure.citation_count

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assess/",
                self.admin_site.admin_view(self.assess_view),
                name="measures_measure_assess",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        """The measure's own edits, then what was attached to or removed from its evidence, then its assessments."""
        extra_context = {
            **(extra_context or {}),
            "evidence_changes": _evidence_changes_of(object_id, "measure_id"),
            "measure_assessments": _assessments_of(object_id),
        }
        return super().history_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        measure = self.get_object(request, unquote(object_id))
        if measure is not None and self.has_view_or_change_permission(request, measure):
            extra_context = {**(extra_context or {}), **self._assessment_panel(request, measure)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _assessment_panel(self, request, measure):
        """Per party: the level in force and the full history, newest first; evidence grouped by stance."""
        row = _status_of(measure)
        history = list(reversed(assessment_history(measure.case, measure=measure)))
        parties = [
            {"cell": cell, "assessments": [c.assessment for c in history if c.assessment.party_id == cell.party.pk]}
            for cell in row.cells
        ]
        evidence = [
            (stance, label, [item for item in row.evidence if item.stance == stance])
            for stance, label in Evidence.Stance.choices
        ]
        return {
            "status": row,
            "party_histories": parties,
            "evidence_by_stance": evidence,
            "can_assess": self.has_add_assessment_permission(request),
        }

    def assess_view(self, request, object_id):
        """Record one judgement of a measure for one or several parties, through services.record_assessments."""
        measure = self.get_object(request, unquote(object_id))
        if measure is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_add_assessment_permission(request):
            raise PermissionDenied
        form_kwargs = {"measure": measure, "admin_site": self.admin_site}
        newer = []
        chosen_party = None
        if request.method == "POST" and ("_stances" in request.POST or "_find" in request.POST):
            form = AssessmentForm.shown_again(request.POST, **form_kwargs)
        elif request.method == "POST":
            form = AssessmentForm(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    recorded = services.record_assessments(
                        measure=measure,
                        entries=form.entries(),
                        rationale=form.cleaned_data["rationale"],
                        recorded_by=request.user,
                        **form.shared_arguments(),
                    )
                except services.ConcurrentAssessmentError as exc:
                    newer = exc.newer
                    self.message_user(request, exc.message, messages.WARNING)
                    form = form.with_seen(highest_assessment_id([measure]))
                except services.ServiceError as exc:
                    _add_service_errors(form, exc)
                else:
                    for assessment in recorded:
                        self.message_user(request, f"Recorded: {assessment}.", messages.SUCCESS)
                    change_url = reverse("admin:measures_measure_change", args=[measure.pk])
                    return redirect(f"{change_url}#party-{recorded[0].party_id}")
        else:
            initial = {"seen": highest_assessment_id([measure])}
            chosen_party = parse_id(request.GET.get("party"))
            form = AssessmentForm(initial=initial, **form_kwargs)
            if f"level_{chosen_party}" in form.fields:  # "Record for PAK": start at that party's level
                form.fields[f"level_{chosen_party}"].widget.attrs["autofocus"] = True
        context = {
            **self.admin_site.each_context(request),
            "title": f"Record an assessment: {measure}",
            "subtitle": None,
            "opts": self.opts,
            "original": measure,
            "form": form,
            "chosen_party": chosen_party,
            "media": self.media + form.media,
            "newer": newer,
            "status": _status_of(measure),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/measures/measure/assess.html", context)

    @admin.action(permissions=["add_assessment"], description="Record one assessment for the selected measures")
    def record_assessment(self, request, queryset):
        """Record one party's level on several measures at once, with a rationale for each measure."""
        measures = list(queryset.select_related("case").order_by("case", "number"))
        cases = {measure.case for measure in measures}
        if len(cases) != 1:
            self.message_user(
                request, "Select measures of one case only: an assessment cites that case's evidence.", messages.ERROR
            )
            return None
        (case,) = cases
        form_kwargs = {"case": case, "admin_site": self.admin_site, "measures": measures}
        newer = []
        if "_stances" in request.POST or "_find" in request.POST:
            form = BulkAssessmentForm.shown_again(request.POST, **form_kwargs)
        elif "apply" in request.POST:
            form = BulkAssessmentForm(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    recorded = self._record_for_all(request, measures, form)
                except services.ConcurrentAssessmentError as exc:
                    newer = exc.newer
                    self.message_user(request, exc.message, messages.WARNING)
                    form = form.with_seen(highest_assessment_id(measures))
                except services.ServiceError as exc:
                    _add_service_errors(form, exc)
                else:
                    self.message_user(
                        request,
                        f"Recorded “{Level(form.cleaned_data['level']).label}” for {form.cleaned_data['party']} "
                        f"on {len(recorded)} measures.",
                        messages.SUCCESS,
                    )
                    return None
        else:
            form = BulkAssessmentForm(initial={"seen": highest_assessment_id(measures)}, **form_kwargs)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Record one assessment for {len(measures)} measures",
            "subtitle": None,
            "opts": self.opts,
            "case": case,
            "measures": measures,
            "form": form,
            "media": self.media + form.media,
            "newer": newer,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/measures/measure/bulk_assess.html", context)

    def _record_for_all(self, request, measures, form):
        """All or nothing: one transaction, and any refusal names the measure it concerns."""
        data = form.cleaned_data
        recorded = []
        errors = {}
        with transaction.atomic():
            for measure in measures:
                try:
                    with transaction.atomic():
                        recorded.append(
                            services.record_assessment(
                                measure=measure,
                                party=data["party"],
                                level=data["level"],
                                confidence=data["confidence"],
                                rationale=form.rationale_for(measure),
                                recorded_by=request.user,
                                expected_latest=latest_seen(measure, data["party"], data["seen"]),
                                **form.shared_arguments(),
                            )
                        )
                except services.ConcurrentAssessmentError as exc:
                    raise services.ConcurrentAssessmentError(f"Measure {measure}: {exc.message}", exc.newer) from None
                except services.ServiceError as exc:
                    for field, field_messages in exc.message_dict.items():
                        if field == "rationale":
                            errors.setdefault(f"rationale_{measure.pk}", []).extend(field_messages)
                        else:
                            kept = errors.setdefault(field, [])
                            kept.extend(f"Measure {measure.number}: {m}" for m in field_messages if m not in kept)
            if errors:
                raise services.ServiceError(errors)
        return recorded


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


class SourceCitationFormSet(ConstantQueriesFormSet):
    """A source's newest citations, at most SHOWN of them, each an editable form, newest first.

    A source may be quoted hundreds of times; an editable form for each made its page cost what it
    did not show (50 citations: half a second). The rest are in the citation list filtered by the
    source (`all_citations_url`), each with its own form. A submitted formset handles the rows its
    page showed, found by their ids in the data, whatever was added meanwhile; the checks that
    concern every citation of the source (its text may not lose a cited passage: SourceForm, the
    relocation in SourceAdmin.save_related) read them all from the database.
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
        # The text is fixed once quoted (services.source_text_locked); the form refuses it as well.
        if obj is not None and services.source_text_locked(obj) is not None:
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "full_text" in form.changed_data:
            # The admin's changeform runs in one transaction: a refusal here undoes the whole save.
            saved = {
                citation.pk
                for formset in formsets
                for citation in [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]
            }
            services.relocate_citations(
                source=form.instance, previous_text=form.initial.get("full_text", ""), skip=saved
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
    list_filter = ["case", "kind", "direction", "actors", ("date", admin.DateFieldListFilter)]
    show_full_result_count = False
    list_select_related = ["case"]
    search_fields = ["title", "summary", "location"]
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


def _is_id(value):
    """Whether `value` (text from a URL) can be a primary key: ASCII digits that fit 64 bits."""
    return isinstance(value, str) and value.isascii() and value.isdigit() and 0 < len(value) <= 18


def _selected_passage(params):
    """(start, text) of the source text between `start` and `end` in `params`, or None when they
    are missing or do not fit (not numbers, out of the text, more than 5,000 characters)."""
    source, start, end = params.get("source", ""), params.get("start", ""), params.get("end", "")
    if not (
        source.isascii()
        and source.isdigit()
        and start.isascii()
        and start.isdigit()
        and end.isascii()
        and end.isdigit()
    ):
        return None
    start, end = int(start), int(end)
    if not 0 <= start < end or end - start > 5000 or len(source) > 18:
        return None
    text = Source.objects.filter(pk=int(source)).values_list("full_text", flat=True).first() or ""
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
    list_filter = ["case", SourceFilter, EventFilter, MeasureEvidencedFilter, "evidence__stance"]
    ordering = ["-pk"]  # newest first, along the primary key: sorting 100,000 rows by source title took 0.2 s
    list_select_related = ["source", "event", "case"]
    show_full_result_count = False
    search_fields = ["quote", "locator", "source__label", "source__title", "source__publisher", "event__title"]
    autocomplete_fields = ["case", "source", "event"]
    fields = ["case", "source", "quote", "occurrence", "locator", "event", "seen_version"]
    inlines = [EvidenceInline]

    def get_changeform_initial_data(self, request):
        """Select-to-cite: `?source=…&start=…&end=…` (offsets in the source's text, from the source
        page) fills in the quote, its occurrence and its paragraph; offsets that do not fit the
        text are ignored, leaving the form empty."""
        initial = super().get_changeform_initial_data(request)
        for name in ("start", "end", "measure", "stance"):
            initial.pop(name, None)
        for name in ("case", "source", "event"):
            # A link may carry any text: only a possible id is offered to the form (else no 500).
            if name in initial and not _is_id(initial[name]):
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
            text = Source.objects.filter(pk=int(request.GET["source"])).values_list("full_text", flat=True).first()
            field.widget.attrs["placeholder"] = f"para. {paragraph_number(text, passage[0])} (found in the source)"
        return field

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, EvidenceInline) and obj.pk is None:
            measure, stance = request.GET.get("measure", ""), request.GET.get("stance", "")
            if parse_id(measure) is not None and stance in Evidence.Stance.values:
                kwargs["initial"] = [{"measure": measure, "stance": stance}]
        return kwargs

    @property
    def media(self):
        return super().media + AutocompleteFilter.media()

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
        return shorten(citation.quote, 140)

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
    list_filter = ["stance", "measure__case"]
    ordering = ["-pk"]  # newest first, along the primary key, instead of sorting every row through three joins
    list_select_related = ["measure", "citation__source"]
    show_full_result_count = False
    search_fields = ["citation__quote", "measure__title", "note"]
    autocomplete_fields = ["measure", "citation"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.defer("citation__source__full_text") if _is_changelist(request) else queryset


@admin.register(Assessment)
class AssessmentAdmin(QuickListsMixin, SafeLookupsMixin, admin.ModelAdmin):
    """View-only for everyone: assessments are appended through the service, never changed or deleted."""

    list_display = ["measure", "party", "level", "confidence", "effective_date", "recorded_at", "recorded_by"]
    list_filter = ["level", "party", "measure__case", ("effective_date", admin.DateFieldListFilter)]
    list_select_related = ()  # none: the list prefetches them after sorting (get_queryset)
    show_full_result_count = False
    search_fields = ["rationale", "measure__title"]
    fields = [
        "measure",
        "party",
        "level",
        "confidence",
        "effective_date",
        "recorded_at",
        "recorded_by",
        "rationale",
        "cited",
        "corrects",
    ]
    readonly_fields = fields
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_changelist(request):
            # The list sorts every assessment to show a page. Joined to their measures, parties and
            # authors first, the rows sorted were 20,000 wide ones at 100× (54 ms on PostgreSQL);
            # sorted alone, without their rationales, and the page's related rows fetched after
            # (three more queries), 20 ms.
            return queryset.defer("rationale").prefetch_related(
                Prefetch("measure", queryset=Measure.objects.defer("description")), "party", "recorded_by"
            )
        return queryset.select_related("measure", "party", "recorded_by", "corrects__party", "corrects__measure")

    @admin.display(description="Citations")
    def cited(self, assessment):
        citations = assessment.citations.select_related("source").defer("source__full_text")
        return format_html_join(
            "",
            '<p><a href="{}">{}</a></p>',
            ((reverse("admin:measures_citation_change", args=[c.pk]), str(c)) for c in citations),
        )

    def has_add_permission(self, request):
        # "Add" leads to the measure's Assess page, which records through services.record_assessment.
        return request.user.has_perm(f"{self.opts.app_label}.add_assessment")

    def add_view(self, request, form_url="", extra_context=None):
        """Choose the measure to assess, then go to its Assess page (the party too, when given)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ChooseMeasureForm(request.GET if "measure" in request.GET else None)
        if form.is_valid():
            url = reverse("admin:measures_measure_assess", args=[form.cleaned_data["measure"].pk])
            party = parse_id(request.GET.get("party"))
            return redirect(f"{url}?party={party}" if party is not None else url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Record an assessment",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/measures/assessment/choose_measure.html", context)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The report worker's task table (django-tasks-db) is internal: report pages show each job's progress.
# Left registered, it would be an admin page outside the roles' permission matrix.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
