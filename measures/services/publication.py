"""Share links: a signed read-only link to a case shared by link, with an expiry date (ShareLink).

Who may create and revoke them (administrators: `measures.publish_case`) is checked by the admin that
calls these. Publishing itself is the case's `visibility`, changed in the case's form.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from measures.models import AuditEntry, Case, ShareLink
from measures.services.base import ServiceError, _field_errors, touch_cases


def share_link_errors(*, case, expires_on, note=""):
    """{field: message} of what create_share_link would refuse (empty when nothing): for forms to show."""
    errors = dict(_field_errors(ShareLink, note=(note or "").strip()))
    today = timezone.localdate()
    if expires_on is None:
        errors["expires_on"] = "Give the last day on which the link opens the case."
    elif expires_on < today:
        errors["expires_on"] = f"The expiry date {date_format(expires_on)} is already past."
    if case is not None and case.visibility != Case.Visibility.SHARED:
        errors["case"] = (
            f"“{case}” is {case.get_visibility_display().split(':')[0].lower()}: set its visibility to "
            "“Shared by link” first."
        )
    return errors


def create_share_link(*, case, expires_on, created_by, note=""):
    """A new ShareLink to `case`, valid up to and including `expires_on`; returns it.

    Refused (ServiceError, nothing written) when the case is not "shared by link" (set its visibility
    first: a link to a private case would open nothing) or the expiry date is missing or past.
    """
    note = (note or "").strip()
    errors = share_link_errors(case=case, expires_on=expires_on, note=note)
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        link = ShareLink.objects.create(case=case, expires_on=expires_on, note=note, created_by=created_by)
        touch_cases({case.pk})
        AuditEntry.objects.record(
            action=AuditEntry.Action.ADD,
            kind="sharelink",
            obj=link,
            case=case,
            user=created_by,
            detail=f"valid until {expires_on.isoformat()}{f'; {note}' if note else ''}",
        )
    return link


def revoke_share_link(*, link, revoked_by):
    """Revoke `link` now: it opens nothing any more, for anyone who used it too. Returns it. Refused
    (ServiceError) when it is already revoked."""
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().select_related("case").get(pk=link.pk)
        if link.revoked_at is not None:
            raise ServiceError({"__all__": f"{link} was already revoked on {date_format(link.revoked_at)}."})
        link.revoked_at = timezone.now()
        link.revoked_by = revoked_by
        link.save(update_fields=["revoked_at", "revoked_by"])
        touch_cases({link.case_id})
        AuditEntry.objects.record(
            action=AuditEntry.Action.REVOKE, kind="sharelink", obj=link, case=link.case_id, user=revoked_by
        )
    return link
