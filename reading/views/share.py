"""Opening a share link: the signed, read-only link to a case shared by link (measures ShareLink)."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from measures.models import Case, ShareLink
from reading.access import SHARED_LINKS_SESSION_KEY

# Links opened in one browser that it keeps; an older one is forgotten past this.
MAX_LINKS_KEPT = 20


@never_cache
def shared_link(request, token):
    """Open the case a share link gives, read-only: the link is remembered in this browser's session and
    the case's pages then open for it at their usual addresses (reading.access) while the link is valid.

    A token not signed here answers 404; a link revoked, expired, or to a case no longer shared by link
    answers 410 with a page that says so without naming the case."""
    pk = ShareLink.pk_from_token(token)
    link = ShareLink.objects.select_related("case").filter(pk=pk).first() if pk is not None else None
    if link is None:
        return render(request, "measures/share_link_invalid.html", {"reason": "unknown"}, status=404)
    state = link.state_on(timezone.localdate())
    if state == "valid" and link.case.visibility != Case.Visibility.SHARED:
        state = "withdrawn"
    if state != "valid":
        return render(request, "measures/share_link_invalid.html", {"reason": state}, status=410)
    kept = [pk for pk in request.session.get(SHARED_LINKS_SESSION_KEY, []) if pk != link.pk]
    request.session[SHARED_LINKS_SESSION_KEY] = [*kept[-(MAX_LINKS_KEPT - 1) :], link.pk]
    return redirect(link.case.get_absolute_url())
