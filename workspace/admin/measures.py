"""The admin of measures: the list with its figures, the Assess page and the bulk assessment action."""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from measures import services
from measures.models import Evidence, Measure
from measures.roles import is_team
from measures.state import case_state, newest_assessments, newest_evidence_by_stance
from workspace.admin.base import (
    Level,
    QuickLinksChangeList,
    TrackedAdmin,
    _assessments_of,
    _evidence_changes_of,
    _is_changelist,
    delete_selected,
)
from workspace.filters import CaseFilter
from workspace.forms import (
    AssessmentForm,
    BulkAssessmentForm,
    MeasureForm,
    highest_assessment_id,
    parse_id,
    show_service_errors,
)

# The measure's page lists, for each party, its newest assessments and, for each stance, the newest
# evidence, with how many there are in all and a link to the rest (the assessment and evidence lists
# filtered to the measure and that party or stance; the measure's History page lists every assessment).
# It listed all of them: at 100× the demo data a measure has 265 pieces of evidence and 45 assessments,
# and its page took three times as long as at 1× (docs/performance.md, “Figures behind the code”).
LEVEL_LABELS = dict(Level.choices)
ASSESSMENTS_SHOWN = 10
EVIDENCE_SHOWN = 10


def _state_of(measure):
    """Where the measure stands today: state.case_state for it alone, its evidence counted in SQL
    (the rows list no evidence: the measure's page lists the newest pieces itself)."""
    return case_state(measure.case, measure=measure, details=False)


class Shown(list):
    """The first items of a longer list (newest first): `total` items in all, the rest at `rest_url`."""

    def __init__(self, items, total, rest_url):
        super().__init__(items)
        self.total = total
        self.rest_url = rest_url

    @property
    def more(self):
        return self.total - len(self)


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
    they cost a correlated subquery per measure of every case before the page was cut (docs/performance.md,
    “Figures behind the code”)."""

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
    list_display = ["short_number", "title", "case", "type", "levels", "latest_evidence_date", "citations"]
    list_display_links = ["short_number", "title"]
    list_filter = [CaseFilter, "type", CurrentLevelFilter]
    list_select_related = ["case", "type"]
    # One count, the filtered one: the list of every measure is counted again for "(N total)".
    show_full_result_count = False
    # A page of measures (LIST_PER_PAGE), each with its parties' levels and its evidence figures read
    # for that page (FiguresPerPageChangeList).
    # The case's name too: without JavaScript the case filter cannot search, and says to use this box.
    search_fields = ["title", "description", "case__name"]
    prepopulated_fields = {"slug": ["title"]}
    # Searched as you type: listing every case and party of an organisation as options took a
    # quarter of the measure form at 100× the data (50 cases, 100 parties).
    autocomplete_fields = ["case", "requirement", "applicable_parties"]
    actions = [delete_selected, "record_assessment"]

    @admin.display(description="No.", ordering="number")
    def short_number(self, measure):
        """The number under a narrow heading: "Number" and its sort marks took a tenth of the list."""
        return measure.number

    def get_changelist(self, request, **kwargs):
        return FiguresPerPageChangeList

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not _is_changelist(request):
            return queryset
        # The rows are sorted by case across a join: sort them without the texts the list never shows
        # (a measure's description, its case's summary, its type's definition). Setting select_related
        # here makes the list ignore list_select_related: both are named.
        return queryset.select_related("case", "type").defer("description", "case__summary", "type__definition")

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
            ((level, name, LEVEL_LABELS[level], code, LEVEL_LABELS[level]) for name, code, level in parties),
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
            # A reader sees approved judgements only, as in the assessment list and on the reading pages.
            "measure_assessments": _assessments_of(object_id, approved_only=not is_team(request.user)),
        }
        return super().history_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        measure = self.get_object(request, unquote(object_id))
        if measure is not None and self.has_view_or_change_permission(request, measure):
            extra_context = {**(extra_context or {}), **self._assessment_panel(request, measure)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _assessment_panel(self, request, measure):
        """Per party: the level in force and its newest assessments (ASSESSMENTS_SHOWN), with those
        awaiting review or returned marked (the team's page: what it recorded is listed at once);
        per stance, the newest evidence (EVIDENCE_SHOWN); each list with its length in all and a link
        to the rest. A fixed number of queries, and objects, whatever the measure's history."""
        state = _state_of(measure)
        row = state.rows[0]
        site = self.admin_site.name
        assessments_url = reverse("admin:measures_assessment_changelist", current_app=site)
        evidence_url = reverse("admin:measures_evidence_changelist", current_app=site)
        assessments = newest_assessments(measure, shown=ASSESSMENTS_SHOWN, approved_only=not is_team(request.user))
        parties = []
        for cell in row.cells:
            items, total = assessments.get(cell.party.pk, ([], 0))
            rest = f"{assessments_url}?measure__id__exact={measure.pk}&party__id__exact={cell.party.pk}"
            parties.append({"cell": cell, "assessments": Shown(items, total, rest)})
        # Every piece on record, whatever its date, as the evidence list the page links to: a passage
        # dated after the day of the levels (a closed case's end) is listed at once, and counted.
        evidence = newest_evidence_by_stance(measure, as_of=None, shown=EVIDENCE_SHOWN)
        by_stance = [
            (
                stance,
                label,
                Shown(*evidence[stance], f"{evidence_url}?measure__id__exact={measure.pk}&stance__exact={stance}"),
            )
            for stance, label in Evidence.Stance.choices
        ]
        return {
            "status": row,
            "status_as_of": state.as_of,
            "party_histories": parties,
            "evidence_by_stance": by_stance,
            "can_assess": self.has_add_assessment_permission(request),
        }

    def _assessment_form(self, request, form_class, form_kwargs, *, submitted, measures, record):
        """The assessment forms' handling, one for the Assess page and the bulk action.

        The form is shown again as submitted by its “Choose a stance for each passage” and “Find”
        buttons; when `submitted`, it is validated and, when valid, recorded by `record(form)` (a
        service): a concurrent assessment is shown (the newer assessments and a warning, the form's
        `seen` moved on), a refusal on the form's fields; otherwise a new form about `measures`.
        Returns (form, newer assessments, what `record` returned or None when nothing was recorded).
        """
        newer, recorded = [], None
        if "_stances" in request.POST or "_find" in request.POST:
            return form_class.shown_again(request.POST, **form_kwargs), newer, recorded
        if not submitted:
            return form_class(initial={"seen": highest_assessment_id(measures)}, **form_kwargs), newer, recorded
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                recorded = record(form)
            except services.ConcurrentAssessmentError as exc:
                newer = exc.newer
                self.message_user(request, exc.message, messages.WARNING)
                form = form.with_seen(highest_assessment_id(measures))
            except services.ServiceError as exc:
                show_service_errors(form, exc)
        return form, newer, recorded

    def assess_view(self, request, object_id):
        """Record one judgement of a measure for one or several parties, through services.record_assessments."""
        measure = self.get_object(request, unquote(object_id))
        if measure is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_add_assessment_permission(request):
            raise PermissionDenied
        form, newer, recorded = self._assessment_form(
            request,
            AssessmentForm,
            {"measure": measure, "admin_site": self.admin_site},
            submitted=request.method == "POST",
            measures=[measure],
            record=lambda form: services.record_assessments(
                measure=measure,
                entries=form.entries(),
                rationale=form.cleaned_data["rationale"],
                recorded_by=request.user,
                **form.shared_arguments(),
            ),
        )
        if recorded is not None:
            for assessment in recorded:
                self.message_user(request, f"Recorded: {assessment}.", messages.SUCCESS)
            change_url = reverse("admin:measures_measure_change", args=[measure.pk])
            return redirect(f"{change_url}#party-{recorded[0].party_id}")
        chosen_party = None
        if request.method != "POST":
            chosen_party = parse_id(request.GET.get("party"))
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
            "status": _state_of(measure).rows[0],
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
        form, newer, recorded = self._assessment_form(
            request,
            BulkAssessmentForm,
            {"case": case, "admin_site": self.admin_site, "measures": measures},
            submitted="apply" in request.POST,
            measures=measures,
            record=lambda form: services.record_assessments_on_measures(
                party=form.cleaned_data["party"],
                level=form.cleaned_data["level"],
                confidence=form.cleaned_data["confidence"],
                entries=form.entries(),
                recorded_by=request.user,
                **form.shared_arguments(),
            ),
        )
        if recorded is not None:
            self.message_user(
                request,
                f"Recorded “{Level(form.cleaned_data['level']).label}” for {form.cleaned_data['party']} "
                f"on {len(recorded)} measures.",
                messages.SUCCESS,
            )
            return None
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
