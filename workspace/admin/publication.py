"""The admin of share links: administrators create a signed read-only link to a case shared by link, with an
expiry date, and revoke it (measures.services.publication). Links are never edited or deleted."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from measures import services
from measures.models import Case, ShareLink
from workspace.admin.base import RefusedFiltersMixin


class ShareLinkForm(forms.ModelForm):
    class Meta:
        model = ShareLink
        fields = ["case", "expires_on", "note"]
        widgets = {"expires_on": forms.DateInput(attrs={"placeholder": "YYYY-MM-DD", "size": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "case" in self.fields:
            self.fields["case"].queryset = Case.objects.filter(visibility=Case.Visibility.SHARED)
            self.fields["case"].help_text = "Only cases whose visibility is “Shared by link” are offered."

    def clean(self):
        cleaned = super().clean()
        errors = services.share_link_errors(
            case=cleaned.get("case"), expires_on=cleaned.get("expires_on"), note=cleaned.get("note", "")
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(ShareLink)
class ShareLinkAdmin(RefusedFiltersMixin, admin.ModelAdmin):
    form = ShareLinkForm
    list_display = ["case", "state", "expires_on", "note", "created_at", "created_by", "revoked_at"]
    list_filter = ["case", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case", "created_by"]
    readonly_fields = ["address", "created_at", "created_by", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["case", "expires_on", "note"]
        return ["case", "address", "expires_on", "note", "created_at", "created_by", "revoked_at", "revoked_by"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ["case", "expires_on", "note", *self.readonly_fields]

    @admin.display(description="State")
    def state(self, link):
        return {"valid": "Valid", "expired": "Expired", "revoked": "Revoked"}[link.state_on(timezone.localdate())]

    @admin.display(description="Link to give")
    def address(self, link):
        # A link on this site: the browser's "Copy link" gives the full address to send.
        return format_html('<a class="share-link" href="{0}">{0}</a>', link.get_absolute_url())

    def save_model(self, request, obj, form, change):
        # The form checked what the service refuses; the service writes (and bumps the case's data version).
        link = services.create_share_link(
            case=form.cleaned_data["case"],
            expires_on=form.cleaned_data["expires_on"],
            note=form.cleaned_data.get("note", ""),
            created_by=request.user,
        )
        obj.pk = link.pk
        obj.created_at, obj.created_by = link.created_at, link.created_by

    def has_change_permission(self, request, obj=None):
        return False  # a link is revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # a revoked or expired link stays on record

    def has_revoke_permission(self, request):
        return request.user.has_perm("measures.publish_case") and request.user.has_perm("measures.view_sharelink")

    @admin.action(permissions=["revoke"], description="Revoke the selected links")
    def revoke(self, request, queryset):
        revoked = 0
        for link in queryset.filter(revoked_at__isnull=True):
            services.revoke_share_link(link=link, revoked_by=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} link{'s' if revoked != 1 else ''}.", messages.SUCCESS)
