"""The user's subscriptions page, the one-click unsubscribe link of the mails, each case's feed, and the
mailed link that lifts a user's login lock (asked for from the lockout page)."""

import time

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alerts.feeds import CaseFeed
from alerts.forms import SubscriptionForm, UnlockRequestForm
from alerts.tasks import send_unlock_link
from alerts.tokens import feed_token, read_feed_token, read_unlock_token, read_unsubscribe_token
from measures import services
from measures.lib.addresses import request_client_address
from measures.lib.ids import parse_id
from measures.models import Case, Notification, Subscription
from measures.roles import can_read_case, reads_some_case
from measures.services.accounts import lift_login_lock, login_lock_fingerprint, login_locks


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request):
    """Every subscription of the user, each editable and with its unsubscribe button; a form to add one.
    An account that may read no case (measures.roles.reads_some_case: no role, and no case published)
    gets 403 and a page saying why: there is nothing it could be told of."""
    user = request.user
    if not reads_some_case(user):
        return render(request, "alerts/nothing_to_follow.html", status=403)
    mine = list(Subscription.objects.filter(user=user).select_related("case").order_by("case__name"))
    forms_by_pk = {s.pk: SubscriptionForm(instance=s, user=user, prefix=f"s{s.pk}") for s in mine}
    initial_case = request.GET.get("case", "")
    new_form = SubscriptionForm(user=user, prefix="new", initial={"scope": initial_case} if initial_case else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        chosen = parse_id(request.POST.get("subscription"))
        target = Subscription.objects.filter(user=user, pk=chosen).first() if chosen else None
        if action == "unsubscribe" and target is not None:
            services.unsubscribe(subscription=target)
            messages.success(request, f"You no longer follow {target.case or 'every case'}.")
            return redirect("alerts:subscriptions")
        if action == "save" and target is not None:
            form = SubscriptionForm(request.POST, instance=target, user=user, prefix=f"s{target.pk}")
            forms_by_pk[target.pk] = form
            if form.is_valid():
                services.subscribe(user=user, case=target.case, **form.choices())
                messages.success(request, "Saved.")
                return redirect("alerts:subscriptions")
        elif action == "add":
            new_form = SubscriptionForm(request.POST, user=user, prefix="new")
            if new_form.is_valid():
                try:
                    services.subscribe(user=user, case=new_form.chosen_case(), **new_form.choices())
                except services.ServiceError as exc:
                    new_form.add_error(None, exc)
                else:
                    messages.success(request, "You follow it now.")
                    return redirect("alerts:subscriptions")
        else:
            messages.error(request, "Nothing was changed: that subscription is not yours, or the action is unknown.")
    token = feed_token(user)
    feeds = [
        (case, request.build_absolute_uri(reverse("alerts:case_feed", args=[case.slug])) + f"?token={token}")
        for case in new_form.cases
    ]
    recent = Notification.objects.filter(recipient=user).select_related("case").order_by("-created_at")[:10]
    context = {
        "rows": [(s, forms_by_pk[s.pk]) for s in mine],
        "new_form": new_form,
        "feeds": feeds,
        "recent": recent,
        "has_email": bool(user.email),
    }
    return render(request, "alerts/subscriptions.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058 one-click unsubscribe, without logging in: a POST (the mail client's, or the button of
    the page a GET shows — a GET never unsubscribes, since link checkers follow links) ends the
    subscription the signed token names. A token we did not sign answers 404 and changes nothing."""
    ids = read_unsubscribe_token(token)
    if ids is None:
        raise Http404("This unsubscribe link is not valid.")
    subscription = Subscription.objects.filter(pk=ids[0], user_id=ids[1]).select_related("case").first()
    if request.method == "POST":
        if subscription is not None:
            services.unsubscribe(subscription=subscription)
        return render(request, "alerts/unsubscribed.html", {"subscription": subscription, "done": True})
    return render(request, "alerts/unsubscribed.html", {"subscription": subscription, "done": subscription is None})


def case_feed(request, slug):
    """The Atom feed of a case's changes and commitments, for a logged-in reader of the case, or for a
    feed reader with the user's signed `?token=` (given on the subscriptions page). Anyone else: 404,
    so that the feed says nothing of a case one may not read."""
    case = get_object_or_404(Case, slug=slug)
    user = request.user if request.user.is_authenticated else None
    token = request.GET.get("token")
    if user is None and token:
        user_id = read_feed_token(token)
        user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None or not can_read_case(user, case):
        raise Http404("No such feed.")
    response = CaseFeed()(request, case=case)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


UNLOCK_SENT = (
    "If an account has that username, a mail address and a lock (or failed logins), a link that lifts the "
    "lock has been sent to its address. It works once, for {minutes} minutes."
)


# Requests for unlock links one address may make in an hour, whatever the usernames (each queues a task).
UNLOCK_REQUESTS_PER_ADDRESS_PER_HOUR = 10


def _unlock_request_allowed(request):
    """Count this request against its address's hourly share (the client address as the login lock reads
    it: measures.lib.addresses); False once the share is used."""
    key = f"alerts:unlock-requests:{request_client_address(request)}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= UNLOCK_REQUESTS_PER_ADDRESS_PER_HOUR
    except ValueError:  # expired between add and incr: a new hour
        return True


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE; 429): the page says which lock
    holds (measures.services.accounts.login_locks). The mailed link lifts a username's lock, so it is
    offered only when the username is locked; a lock on the address alone is explained, with when it
    ends, as nothing the user can lift (an administrator can)."""
    username = get_client_username(request, credentials) or ""
    address = getattr(request, "axes_ip_address", None) or request_client_address(request)
    locks = login_locks(username=username, address=address)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": username,
        "cooloff_timedelta": get_cool_off(request),
        "username_locked": locks.username or not locks.address,  # neither counted: offer the link, as before
        "address_locked": locks.address,
        "address_ends": locks.address_ends,
        "username_counted": locks.username,
        "username_ends": locks.username_ends,
        # As Django's LoginView gives its page: the address to return to after logging in, if safe.
        "next": _safe_next(request),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _safe_next(request):
    """The `next` of the login form (POST, else the address), or "" unless it is a path or URL of this
    site (django.utils.http.url_has_allowed_host_and_scheme, as LoginView.get_redirect_url)."""
    target = request.POST.get("next", request.GET.get("next", ""))
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@require_http_methods(["GET", "POST"])
def unlock_request(request):
    """A locked-out user asks for a link that lifts the lock, mailed to the account's address. The
    answer is the same for every username, known or not, locked or not (the mail is made by the
    worker's task, so the time taken says nothing either)."""
    form = UnlockRequestForm(request.POST or None, initial={"username": request.GET.get("username", "")[:150]})
    if request.method == "POST" and not _unlock_request_allowed(request):
        message = "Too many requests for unlock links from your address: try again in an hour. Nothing was sent."
        return render(request, "alerts/unlock_request.html", {"form": form, "refusal": message}, status=429)
    if request.method == "POST" and form.is_valid():
        send_unlock_link.enqueue(form.cleaned_data["username"])
        messages.success(request, UNLOCK_SENT.format(minutes=settings.UNLOCK_LINK_MINUTES))
        return redirect("alerts:unlock_request")
    return render(request, "alerts/unlock_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def unlock(request, token):
    """The mailed link: a GET shows a button (mail scanners follow links), a POST lifts the lock and
    says so, with the way to the login page. A link we did not sign, too old, already used, or made for an earlier
    lock (new failures since, a new password) lifts nothing and says so (400)."""
    ids = read_unlock_token(token, max_age=settings.UNLOCK_LINK_MINUTES * 60)
    user = None
    if ids is not None:
        candidate = get_user_model().objects.filter(pk=ids[0], is_active=True).first()
        if candidate is not None and constant_time_compare(login_lock_fingerprint(candidate), ids[1]):
            user = candidate
    if user is None:
        context = {"invalid": True, "minutes": settings.UNLOCK_LINK_MINUTES}
        return render(request, "alerts/unlock.html", context, status=400)
    if request.method == "POST":
        lift_login_lock(user=user, by=None, mailed=True)
        return render(request, "alerts/unlock.html", {"done": True})
    return render(request, "alerts/unlock.html", {"account": user})
