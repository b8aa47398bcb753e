"""The admin of parties and cases."""

import base64

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from measures import services
from measures.importing.events_csv import EventFileError, Mapping, import_events
from measures.lib.ids import parse_id
from measures.models import Case, EventImportJob, Party, WorkKind
from workspace.admin.base import TrackedAdmin
from workspace.forms import (
    CaseForm,
    EventImportForm,
)

# The preview lists this many rows of each kind at most (with how many more): a page listing 15,000 rows
# took seconds to render and more to read.
PREVIEW_ROWS = 200


def _event_imports():
    """measures.intake.event_imports, imported when first used: its task binds the tasks backend when
    imported, and this module is imported while the admin is set up, before settings (tests' TASKS) are final."""
    from measures.intake import event_imports

    return event_imports


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
        """Upload an event export, preview what it would add, update and remove (a dry run, in the request:
        it writes nothing), then import it: the import is queued for the tasks worker
        (measures.intake.event_imports) and the page follows it (?job=<id>, reloaded by a Refresh header)
        until it says which lines were written and which were not.

        The previewed file waits in the session between the two steps; the import checks it again,
        through events_csv.import_events.
        """
        case = self.get_object(request, unquote(object_id))
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm("measures.add_event"):
            raise PermissionDenied
        if "job" in request.GET or "_retry" in request.POST:
            return self._import_job(request, case)
        event_imports = _event_imports()
        session_key = f"event-import-{case.pk}"
        form, preview, problems, busy, status = EventImportForm(), None, [], "", 200
        if request.method == "POST" and "_import" in request.POST:
            pending = request.session.get(session_key)
            if pending is None:
                self.message_user(request, "Nothing to import: upload the file again.", messages.WARNING)
                return redirect(request.path)
            try:
                job = event_imports.request_event_import(
                    case,
                    user=request.user,
                    name=pending.get("name", "events.csv"),
                    content=_unpack(pending["csv"]),
                    mapping=_unpack(pending["mapping"]),
                    deletions=_unpack(pending.get("deletions")),
                    sync=pending.get("sync", False),
                )
            except services.WorkLimitReached as exc:
                busy, status = " ".join(exc.messages), 429
            else:
                del request.session[session_key]
                return redirect(f"{request.path}?job={job.pk}")
        elif request.method == "POST":
            form = EventImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    mapping = Mapping.parse(form.mapping_content) if form.mapping_content is not None else None
                    event_imports.check_share(request.user)  # its imports waiting or under way count too
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
                        "name": form.cleaned_data["csv_file"].name,
                        "csv": _pack(form.csv_content),
                        "mapping": _pack(form.mapping_content),
                        "deletions": _pack(form.deletions_content),
                        "sync": form.cleaned_data["sync"],
                    }
        context = {
            **self._import_context(request, case),
            "form": form,
            "preview": preview,
            "shown": PREVIEW_ROWS,
            "problems": problems,
            "busy": busy,
        }
        # 429 when the user's share of imports is taken (IMPORTS_PER_USER): the page says so.
        return TemplateResponse(request, "admin/measures/case/import_events.html", context, status=status)

    def _import_context(self, request, case):
        request.current_app = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "title": f"Import events into {case}",
            "subtitle": None,
            "opts": self.opts,
            "original": case,
        }

    def _import_job(self, request, case):
        """The page of a queued import: waiting (reloaded by a Refresh header), then what was written and
        what was not; a failed one offers to try again (POST _retry)."""
        event_imports = _event_imports()
        job_id = parse_id(request.POST.get("_retry") if request.method == "POST" else request.GET.get("job", ""))
        if job_id is None:
            raise Http404("No such import.")
        job = get_object_or_404(EventImportJob, pk=job_id, case=case, requested_by=request.user)
        if request.method == "POST":
            job.retry()
            return redirect(f"{request.path}?job={job.pk}")
        job = job.reclaim_if_abandoned()  # its worker gone: queued again, or failed
        waiting = job.status in (EventImportJob.Status.QUEUED, EventImportJob.Status.RUNNING)
        elapsed = round((timezone.now() - job.requested_at).total_seconds())
        context = {
            **self._import_context(request, case),
            "job": job,
            "waiting": waiting,
            "elapsed": elapsed,
            "refresh_seconds": event_imports.REFRESH_SECONDS,
            "worker_late": job.status == EventImportJob.Status.QUEUED and elapsed > 30,
            "attempt": job.attempts + 1 if job.status == EventImportJob.Status.QUEUED else job.attempts,
            "max_attempts": event_imports.MAX_ATTEMPTS,
            "events_url": reverse("admin:measures_event_changelist") + f"?case__id__exact={case.pk}",
        }
        response = TemplateResponse(request, "admin/measures/case/import_events_job.html", context)
        patch_cache_control(response, no_store=True)
        if waiting:
            response["Refresh"] = str(event_imports.REFRESH_SECONDS)
        return response
