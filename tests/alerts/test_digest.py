"""The weekly digest: `send_digests --week` delivers one mail per subscriber and case to a real SMTP server,
with a plain-text and an HTML part, the week's changes, new passages and commitments, and RFC 8058 headers."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from measures import services
from measures.models import Notification, Subscription
from tests import factories


def _text_and_html(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_the_week_of_22_to_29_january_gives_one_digest_with_the_ambassadors_return_kept(pakistan_iran, smtp_mail):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)

    call_command("send_digests", week="2024-01-29", verbosity=0)

    assert len(smtp_mail.messages) == 1
    recipients, message = smtp_mail.messages[0]
    assert recipients == ["follower@example.org"]
    assert message["Subject"] == "Pakistan–Iran crisis, January 2024: the week of 23–29 Jan 2024"
    assert message.get_content_type() == "multipart/alternative"
    text, html = _text_and_html(message)
    for part in (text, html):
        assert "Ambassadors return to Islamabad and Tehran and resume their duties" in part
        assert "Kept" in part and "27 Jan 2024" in part
        assert "2 of 2 commitments due kept" in part
        # the measures that moved, and new passages of the week quoted in full
        assert "1. Diplomatic engagement" in part and "Full (3)" in part
        assert "4. Intelligence sharing" in part
        assert "military liaison officers in each other’s countries" in part
        assert (
            "https://tracker.example.org/cases/pakistan-iran-2024/?since=2024-01-23&amp;as_of=2024-01-29"
            in part.replace("&as_of", "&amp;as_of")
        )
    assert "Measures that moved: 1. Diplomatic engagement (now Full (3))" in text
    # TDI (22 January) was on record before the week: not a new passage of it
    assert "joint press statement released on 22 January 2024" not in text
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://tracker.example.org/alerts/unsubscribe/") and unsubscribe.endswith("/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://tracker.example.org/alerts/" in text
    notification = Notification.objects.get(recipient=reader)
    assert notification.status == Notification.Status.SENT
    assert message["Message-ID"] == notification.message_id


def test_running_the_digest_again_for_the_same_week_sends_nothing(pakistan_iran, smtp_mail):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)
    call_command("send_digests", week="2024-01-29", verbosity=0)
    call_command("send_digests", week="2024-01-29", verbosity=0)
    assert len(smtp_mail.messages) == 1
    assert Notification.objects.filter(recipient=reader).count() == 1


def test_a_subscriber_to_every_case_gets_the_digest_and_one_without_digest_does_not(pakistan_iran, smtp_mail):
    everything = factories.reader(username="everything", email="everything@example.org")
    services.subscribe(user=everything, case=None)
    no_digest = factories.reader(username="alerts-only", email="alerts@example.org")
    services.subscribe(user=no_digest, case=pakistan_iran, weekly_digest=False)
    call_command("send_digests", week="2024-01-29", verbosity=0)
    assert [recipients for recipients, _ in smtp_mail.messages] == [["everything@example.org"]]


def test_a_user_without_access_to_the_case_never_receives_its_digest(pakistan_iran, smtp_mail):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)
    # Subscriptions made while these accounts could read cases; they have no role now.
    one_case = factories.UserFactory(username="left-the-team", email="left@example.org")
    every_case = factories.UserFactory(username="no-role", email="outsider@example.org")
    Subscription.objects.create(user=one_case, case=pakistan_iran)
    Subscription.objects.create(user=every_case, case=None)

    call_command("send_digests", week="2024-01-29", verbosity=0)

    assert [recipients for recipients, _ in smtp_mail.messages] == [["follower@example.org"]]
    assert not Notification.objects.filter(recipient__in=[one_case, every_case]).exists()


def test_nobody_may_subscribe_to_a_case_they_may_not_read(pakistan_iran):
    outsider = factories.UserFactory(username="no-role", email="outsider@example.org")
    with pytest.raises(services.ServiceError, match="may not read"):
        services.subscribe(user=outsider, case=pakistan_iran)
    assert not Subscription.objects.exists()


def test_the_week_must_have_ended_and_be_a_date(pakistan_iran):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_digests", week="last week")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match="has not ended"):
        call_command("send_digests", week=tomorrow.isoformat())


def test_the_digest_runs_a_fixed_number_of_queries(pakistan_iran, django_assert_max_num_queries):
    from alerts.digest import build_digest

    with django_assert_max_num_queries(40):
        digest = build_digest(pakistan_iran, since=datetime.date(2024, 1, 23), until=datetime.date(2024, 1, 29))
        assert digest.commitments_due


@pytest.mark.parametrize("week", ["0001-01-01", "1899-12-31"])
def test_a_week_before_any_plausible_date_is_refused_with_a_message_and_nothing_queued(db, week):
    with pytest.raises(CommandError, match="cannot be before 1900"):
        call_command("send_digests", week=week, verbosity=0)
    assert not Notification.objects.exists()
