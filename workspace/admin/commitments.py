"""The admin of commitments (recorded from a passage, judged append-only) and, for administrators, the
notifications sent or failing."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from measures import services
from measures.lib.due_dates import suggest_due_dates
from measures.models import Case, Commitment, Event, Measure, Notification, Source
from measures.services import notifications
from measures.services.commitments import passage_base
from workspace.admin.base import QuickListsMixin, _is_changelist
from workspace.admin.citations import _selected_passage
from workspace.filters import CaseFilter
from workspace.forms import parse_id, show_service_errors
from workspace.forms.commitments import CommitmentForm, JudgementForm


@admin.register(Commitment)
class CommitmentAdmin(QuickListsMixin, admin.ModelAdmin):
    """View-only list and pages; commitments are recorded from a passage and judged through the services."""

    list_display = ["what", "case", "measure", "due_label_column", "announced_on", "recorded_at"]
    list_filter = [CaseFilter, "due_precision"]
    list_select_related = ()  # none: the list prefetches them after sorting (get_queryset)
    search_fields = ["what", "due_text", "case__name"]
    fields = [
        "case",
        "measure",
        "what",
        "due_precision",
        "due_on",
        "due_until",
        "anchor_event",
        "within_days",
        "due_text",
        "announced_on",
        "recorded_at",
        "recorded_by",
    ]
    readonly_fields = fields
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_changelist(request):
            # The list sorts every commitment (by case, then due date) to show a page: joined to their
            # cases, measures and anchor events, the rows sorted were wide ones (their texts); sorted
            # alone, with the page's related rows fetched after (three more queries, by id), the
            # page's rows cost what they show, as the assessments' list does.
            return queryset.prefetch_related(
                Prefetch("case", queryset=Case.objects.defer("summary")),
                Prefetch("measure", queryset=Measure.objects.defer("description")),
                Prefetch("anchor_event", queryset=Event.objects.defer("summary")),
            )
        return queryset.select_related("case", "measure", "anchor_event")

    @admin.display(description="Due")
    def due_label_column(self, commitment):
        return commitment.due_label

    def has_add_permission(self, request):
        return request.user.has_perm("measures.add_commitment")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("record/", self.admin_site.admin_view(self.record_view), name="measures_commitment_record"),
            path(
                "<path:object_id>/judge/", self.admin_site.admin_view(self.judge_view), name="measures_commitment_judge"
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:measures_commitment_record")

    def record_view(self, request):
        """Record a commitment from a passage of a source (`?case=&source=&start=&end=` from the source
        reader), with its due date suggested from the passage's date expressions (measures.lib.due_dates)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        params = request.POST if request.method == "POST" else request.GET
        if not params.get("case") and not params.get("source"):
            # "Add" in the list: a commitment is recorded from the passage that states it.
            self.message_user(
                request,
                "A commitment is recorded from the passage that states it: open a source, select the passage "
                "(or a paragraph's “Commitment” link) and choose “Record a commitment”.",
                messages.INFO,
            )
            return redirect("admin:measures_source_changelist")
        case = get_object_or_404(Case, pk=parse_id(params.get("case")) or 0)
        source = get_object_or_404(Source.objects.defer("full_text"), pk=parse_id(params.get("source")) or 0)
        language = (params.get("language") or "en").strip().lower()[:3]
        suggestions, problem = [], ""
        if request.method == "POST":
            form = CommitmentForm(request.POST, case=case)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    commitment, _ = services.record_commitment_from_passage(
                        case=case,
                        source=source,
                        quote=data["quote"],
                        occurrence=data["occurrence"],
                        measure=data["measure"],
                        parties=data["parties"],
                        what=data["what"],
                        due_precision=data["due_precision"],
                        due_on=data["due_on"],
                        due_until=data["due_until"],
                        anchor_event=data["anchor_event"],
                        within_days=data["within_days"],
                        due_text=data["due_text"],
                        announced_on=data["announced_on"],
                        recorded_by=request.user,
                    )
                except services.ServiceError as exc:
                    show_service_errors(form, exc)
                else:
                    self.message_user(request, f"Recorded: {commitment}.", messages.SUCCESS)
                    return redirect(commitment.get_absolute_url())
        else:
            passage = _selected_passage(request.GET)
            initial = {"parties": list(case.assessed_parties.all())}
            if passage is not None:
                start, quote = passage
                initial.update(quote=quote, occurrence=start)
                try:
                    suggestions = suggest_due_dates(quote, relative_to=passage_base(source), language=language)
                except ValueError as exc:
                    problem = str(exc)
                if suggestions:
                    first = suggestions[0]
                    precision = {"day": "day", "range": "range", "month": "month"}[first.precision]
                    initial.update(
                        due_precision=precision,
                        due_on=first.start,
                        due_until=first.end if precision != "day" else None,
                        due_text=first.text,
                    )
                else:
                    initial["due_precision"] = "unstated"
            measure = parse_id(request.GET.get("measure"))
            if measure is not None:
                initial["measure"] = measure
            form = CommitmentForm(initial=initial, case=case)
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a commitment",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "case": case,
            "source": source,
            "language": language,
            "suggestions": suggestions,
            "suggestion_problem": problem,
            "base": passage_base(source),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/measures/commitment/record.html", context)

    def judge_view(self, request, object_id):
        """Judge the outcome of a commitment (kept, late, not kept, withdrawn), append-only."""
        commitment = self.get_object(request, unquote(object_id))
        if commitment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm("measures.add_commitmentoutcome"):
            raise PermissionDenied
        form = JudgementForm(request.POST or None, case=commitment.case)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.judge_commitment(commitment=commitment, recorded_by=request.user, **data)
            except services.ServiceError as exc:
                show_service_errors(form, exc)
            else:
                self.message_user(request, f"Judged: {commitment}.", messages.SUCCESS)
                return redirect(commitment.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "title": f"Judge the outcome: {commitment.what}",
            "subtitle": None,
            "opts": self.opts,
            "original": commitment,
            "form": form,
            "outcomes": commitment.outcomes.select_related("recorded_by").order_by("-recorded_at"),
            "media": self.media + form.media,
            "today": datetime.date.today(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/measures/commitment/judge.html", context)


@admin.register(Notification)
class NotificationAdmin(QuickListsMixin, admin.ModelAdmin):
    """What was sent to whom for which change; failures with their error, for administrators."""

    list_display = ["created_at", "recipient", "case", "key", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", CaseFilter]
    list_select_related = ["recipient", "case"]
    search_fields = ["recipient__username", "recipient__email", "key", "subject", "last_error", "case__name"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["send_again"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected failed mails again")
    def send_again(self, request, queryset):
        count = notifications.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} mail(s) queued again.", messages.SUCCESS)

    def has_send_again_permission(self, request):
        return request.user.is_superuser

    send_again.allowed_permissions = ["send_again"]
