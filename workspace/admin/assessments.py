"""The view-only admin of assessments (appended through services.record_assessment only)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Prefetch,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django_tasks_db.models import DBTaskResult

from measures.models import Assessment, Measure
from measures.roles import can_review, is_team
from workspace.admin.base import QuickListsMixin, SafeLookupsMixin, _is_changelist
from workspace.admin.reviews import review_queue_view
from workspace.forms import (
    ChooseMeasureForm,
    parse_id,
)


class ReviewStatusFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        if not is_team(request.user):
            return []  # readers see approved assessments only
        return [("pending", "Awaiting review"), ("approved", "Approved"), ("returned", "Returned")]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("pending", "approved", "returned") and is_team(request.user):
            return getattr(queryset, value)()
        return queryset


@admin.register(Assessment)
class AssessmentAdmin(QuickListsMixin, SafeLookupsMixin, admin.ModelAdmin):
    """View-only for everyone: assessments are appended through the service, never changed or deleted."""

    list_display = [
        "measure",
        "party",
        "level",
        "confidence",
        "effective_date",
        "recorded_at",
        "recorded_by",
        "review_status_display",
    ]
    list_filter = [
        ReviewStatusFilter,
        "level",
        "party",
        "measure__case",
        ("effective_date", admin.DateFieldListFilter),
    ]
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
        "review_display",
    ]
    readonly_fields = fields
    actions = None

    def get_urls(self):
        return [
            path(
                "review/",
                self.admin_site.admin_view(lambda request: review_queue_view(self, request)),
                name="measures_assessment_review",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_review": can_review(request.user)}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not is_team(request.user):
            queryset = queryset.approved()  # readers never see what awaits review, nor what was returned
        if _is_changelist(request):
            # The list sorts every assessment to show a page. Joined to their measures, parties and
            # authors first, the rows sorted were wide ones; sorted alone, without their rationales,
            # with the page's related rows fetched after (three more queries), it takes less than
            # half the time (docs/performance.md, “Figures behind the code”).
            return queryset.defer("rationale").prefetch_related(
                Prefetch("measure", queryset=Measure.objects.defer("description")), "party", "recorded_by", "review"
            )
        return queryset.select_related(
            "measure", "party", "recorded_by", "corrects__party", "corrects__measure", "review__reviewer"
        )

    @admin.display(description="Review")
    def review_status_display(self, assessment):
        return {"pending": "Awaiting review", "approved": "Approved", "returned": "Returned"}[assessment.review_status]

    @admin.display(description="Review")
    def review_display(self, assessment):
        if assessment.review_status == "pending":
            return "Awaiting review: it does not count yet."
        review = assessment.review
        who = review.reviewer or "no reviewer named (approved before reviewing existed)"
        text = f"{review.get_decision_display()} by {who} on {review.decided_at:%Y-%m-%d %H:%M}"
        return format_html("{}{}", text, f": “{review.comment}”" if review.comment else ".")

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
