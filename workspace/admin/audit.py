"""Accounts and the audit log, for administrators.

The audit log page (administrators: `measures.view_auditentry`): every change across the deployment, who
made it, when, through which path, filterable by person, case, kind, action, path and date, and
exportable as CSV with the same filters. Read-only: nobody adds, changes or deletes an entry here.

Users: Django's user admin with the administrator's action that lifts a login lock (logged)."""

import csv

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from measures.lib.text import spreadsheet_cell
from measures.models import AuditEntry
from measures.services.accounts import lift_login_lock
from workspace.admin.base import QuickListsMixin, RefusedFiltersMixin, SafeLookupsMixin

CSV_COLUMNS = ["when", "who", "path", "what", "kind", "record id", "record", "case", "detail"]


class _Echo:
    def write(self, value):
        return value


def csv_row(entry):
    """One entry as CSV cells: formula-like text made inert, control characters (line breaks too) spaced."""
    cells = [
        timezone.localtime(entry.at).isoformat(timespec="seconds"),
        entry.username,
        entry.get_path_display(),
        entry.get_action_display(),
        entry.kind,
        entry.object_id,
        entry.object_repr,
        entry.case.slug if entry.case_id else "",
        entry.detail,
    ]
    return [spreadsheet_cell(cell) for cell in cells]


@admin.register(AuditEntry)
class AuditEntryAdmin(QuickListsMixin, SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["at", "username", "path", "action", "kind", "record", "case", "detail"]
    list_filter = [
        ("user", admin.RelatedOnlyFieldListFilter),
        ("case", admin.RelatedOnlyFieldListFilter),
        "kind",
        "action",
        "path",
        ("at", admin.DateFieldListFilter),
    ]
    list_select_related = ["case"]
    date_hierarchy = "at"
    search_fields = ["username", "object_repr", "detail"]
    show_full_result_count = False
    list_per_page = 100
    actions = None
    change_list_template = "admin/measures/auditentry/change_list.html"

    @admin.display(description="Record")
    def record(self, entry):
        model = {"account": "auth_user"}.get(entry.kind, f"measures_{entry.kind}")
        if entry.object_id.isdigit() and entry.action not in (AuditEntry.Action.DELETE,):
            try:
                url = reverse(f"admin:{model}_change", args=[entry.object_id])
            except NoReverseMatch:
                url = None
            if url:
                return format_html('<a href="{}">{}</a>', url, entry.object_repr or entry.object_id)
        return entry.object_repr or entry.object_id

    def get_urls(self):
        return [
            path("export.csv", self.admin_site.admin_view(self.export_view), name="measures_auditentry_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The entries the list shows with the same filters, every page of them, as CSV (UTF-8 with a BOM)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        entries = changelist.get_queryset(request).select_related("case").iterator(chunk_size=2000)
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow(CSV_COLUMNS)
            for entry in entries:
                yield writer.writerow(csv_row(entry))

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate().isoformat()}.csv"'
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()


class AccountAdmin(RefusedFiltersMixin, UserAdmin):
    actions = [*UserAdmin.actions, "lift_login_lock"]

    @admin.action(description="Lift the login lock of the selected users", permissions=["change"])
    def lift_login_lock(self, request, queryset):
        lifted = []
        for user in queryset:
            cleared = lift_login_lock(user=user, by=request.user)
            self.log_change(request, user, f"Lifted the login lock ({cleared} failed-login record(s) cleared).")
            if cleared:
                lifted.append(user.get_username())
        if lifted:
            self.message_user(request, f"Login lock lifted for {', '.join(lifted)}.", messages.SUCCESS)
        else:
            self.message_user(request, "None of the selected users had failed logins on record.", messages.INFO)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
