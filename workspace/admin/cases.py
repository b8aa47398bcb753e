"""The admin of parties and cases."""

import base64

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from measures import services
from measures.importing.events_csv import EventFileError, Mapping, import_events
from measures.models import Case, Party, WorkKind
from workspace.admin.base import TrackedAdmin
from workspace.forms import (
    CaseForm,
    EventImportForm,
)


# The previewed event file waits in the session between the two steps of the import, as text.
def _pack(content):
    return None if content is None else base64.b64encode(content).decode("ascii")


def _unpack(text):
    return None if text is None else base64.b64decode(text)


@admin.register(Party)
class PartyAdmin(TrackedAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Case)
class CaseAdmin(TrackedAdmin):
    form = CaseForm
    list_display = ["name", "slug", "start_date", "status", "end_date", "parties", "visibility"]
    list_filter = ["status", "visibility"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["assessed_parties"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("assessed_parties")

    def get_readonly_fields(self, request, obj=None):
        # Publishing a case, or sharing it by link, is an administrator's decision.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("measures.publish_case"):
            readonly.append("visibility")
        return readonly

    def save_model(self, request, obj, form, change):
        if change and "slug" in form.changed_data and form.initial.get("slug"):
            services.forget_public_pages(form.initial["slug"])  # the old address must not serve old pages
        super().save_model(request, obj, form, change)

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
        """Upload an event export, preview what it would add, update and remove (a dry run), then import it.

        The previewed file waits in the session between the two steps; the import checks it again,
        all or nothing, through events_csv.import_events.
        """
        case = self.get_object(request, unquote(object_id))
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm("measures.add_event"):
            raise PermissionDenied
        session_key = f"event-import-{case.pk}"
        form, preview, problems, busy, status = EventImportForm(), None, [], "", 200
        if request.method == "POST" and "_import" in request.POST:
            pending = request.session.get(session_key)
            if pending is None:
                self.message_user(request, "Nothing to import: upload the file again.", messages.WARNING)
                return redirect(request.path)
            csv_content, mapping_content = _unpack(pending["csv"]), _unpack(pending["mapping"])
            try:
                mapping = Mapping.parse(mapping_content) if mapping_content is not None else None
                with services.work_slot(user=request.user, kind=WorkKind.EVENT_IMPORT):
                    result = import_events(
                        case,
                        csv_content,
                        mapping=mapping,
                        sync=pending.get("sync", False),
                        deletions=_unpack(pending.get("deletions")),
                    )
            except EventFileError as exc:
                problems = exc.problems
            except services.WorkLimitReached as exc:
                busy, status = " ".join(exc.messages), 429
            else:
                del request.session[session_key]
                kept = (
                    f" {len(result.kept)} deleted by the dataset are kept: citations report them."
                    if result.kept
                    else ""
                )
                self.message_user(
                    request,
                    f"Added {len(result.new)} events to “{case}”, updated {len(result.updated)}, removed "
                    f"{len(result.removed)}; {len(result.existing)} were already there.{kept}",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:measures_event_changelist") + f"?case__id__exact={case.pk}")
        elif request.method == "POST":
            form = EventImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    mapping = Mapping.parse(form.mapping_content) if form.mapping_content is not None else None
                    with services.work_slot(user=request.user, kind=WorkKind.EVENT_IMPORT):
                        preview = import_events(
                            case,
                            form.csv_content,
                            mapping=mapping,
                            dry_run=True,
                            sync=form.cleaned_data["sync"],
                            deletions=form.deletions_content,
                        )
                except EventFileError as exc:
                    problems = exc.problems
                except services.WorkLimitReached as exc:
                    busy, status = " ".join(exc.messages), 429
                else:
                    request.session[session_key] = {
                        "csv": _pack(form.csv_content),
                        "mapping": _pack(form.mapping_content),
                        "deletions": _pack(form.deletions_content),
                        "sync": form.cleaned_data["sync"],
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
            "busy": busy,
        }
        request.current_app = self.admin_site.name
        # 429 when the user's share of imports is taken (IMPORTS_PER_USER): the page says so.
        return TemplateResponse(request, "admin/measures/case/import_events.html", context, status=status)
