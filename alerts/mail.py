"""The mails: an alert or a weekly digest, each with a plain-text and an HTML part, a link to change the
subscription, and a signed one-click unsubscribe link announced in the headers of RFC 8058
(`List-Unsubscribe` with the HTTPS link, `List-Unsubscribe-Post: List-Unsubscribe=One-Click`).

The Message-ID derives from the notification, so a mail sent again after a worker died between the
server's acceptance and its record (measures.services.notifications) is recognisably the same mail.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from alerts.digest import absolute, build_digest
from alerts.tokens import unsubscribe_token
from measures.models import Subscription


def message_id(notification):
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}.{notification.key.replace(':', '-')}@{host}>"


def _links(notification):
    subscription = notification.subscription
    links = {"manage_url": absolute(reverse("alerts:subscriptions"))}
    if subscription is not None:
        links["unsubscribe_url"] = absolute(reverse("alerts:unsubscribe", args=[unsubscribe_token(subscription)]))
    return links


def build_message(notification):
    """(EmailMultiAlternatives, subject) for a claimed notification. Raises Subscription.DoesNotExist
    when its subscription went (the caller drops it)."""
    if (
        notification.subscription_id is None
        or not Subscription.objects.filter(pk=notification.subscription_id).exists()
    ):
        raise Subscription.DoesNotExist("the subscription was cancelled")
    case = notification.case
    context = {"notification": notification, "case": case, "recipient": notification.recipient, **_links(notification)}
    if notification.is_digest:
        digest = build_digest(case, since=notification.week_since, until=notification.week_until)
        context["digest"] = digest
        subject = f"{case.name}: the week of {digest.week_text}"
        template = "alerts/mail/digest"
    else:
        alert = notification.alert
        context["alert"] = alert
        context["dashboard_url"] = absolute(reverse("measures:dashboard", args=[case.slug]))
        if alert.measure_id is not None:
            context["measure_url"] = absolute(
                reverse("measures:measure_detail", args=[case.slug, alert.measure.number])
            )
        subject = f"{case.name}: {alert.get_kind_display().lower()}"
        template = "alerts/mail/alert"
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    headers = {"Message-ID": message_id(notification)}
    if "unsubscribe_url" in context:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message, subject


def unlock_message(user):
    """The mail with the link that lifts `user`'s login lock (valid UNLOCK_LINK_MINUTES, once), to the
    account's address, in plain text: it names the username and nothing else of the account."""
    from alerts.tokens import unlock_token

    context = {
        "user": user,
        "unlock_url": absolute(reverse("alerts:unlock", args=[unlock_token(user)])),
        "minutes": settings.UNLOCK_LINK_MINUTES,
        "site_url": settings.SITE_URL,
    }
    return EmailMultiAlternatives(
        subject="Lift the login lock of your De-escalation Tracker account",
        body=render_to_string("alerts/mail/unlock.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
