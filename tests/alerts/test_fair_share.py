"""Fair shares of alerts and digests: one user follows at most SUBSCRIPTIONS_PER_USER cases one by one
(refused with a message, nothing changed), and the mails due are served each recipient's in turn, so
one subscriber's many digests do not make everyone else's wait."""

import datetime

from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Notification, Subscription
from measures.services.notifications import due_notifications
from tests import factories


def test_one_user_follows_at_most_the_limit_of_cases_one_by_one(db, settings, client):
    settings.SUBSCRIPTIONS_PER_USER = 2
    first, second, third = (factories.CaseFactory(slug=f"case-{n}", name=f"Case {n}") for n in (1, 2, 3))
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=first)
    services.subscribe(user=reader, case=second)

    client.force_login(reader)
    response = client.post(
        reverse("alerts:subscriptions"), {"action": "add", "new-scope": third.slug, "new-weekly_digest": "on"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "You already follow 2 cases one by one, the most one user may. Nothing was changed" in page
    assert "SUBSCRIPTIONS_PER_USER" not in page
    assert "follow every case you may read instead" in page
    # At the top, as messages are, not under the list of cases followed (far down at 390 px), and once.
    assert page.count("You already follow 2 cases") == 1
    assert page.index("You already follow 2 cases") < page.index('id="mine-heading"')
    assert set(Subscription.objects.filter(user=reader).values_list("case__slug", flat=True)) == {"case-1", "case-2"}
    # Changing what one is told of a followed case, and following every case, are always possible.
    services.subscribe(user=reader, case=second, stale=True)
    assert Subscription.objects.get(user=reader, case=second).stale
    services.subscribe(user=reader, case=None)
    # Another user has their own share.
    other = factories.reader(username="other", email="other@example.org")
    services.subscribe(user=other, case=third)
    assert Subscription.objects.filter(user=other).count() == 1


def test_the_mails_due_are_served_each_recipients_in_turn(db):
    cases = [factories.CaseFactory(slug=f"case-{n}", name=f"Case {n}") for n in range(4)]
    many = factories.reader(username="follows-everything", email="many@example.org")
    one = factories.reader(username="follows-one", email="one@example.org")
    services.subscribe(user=many, case=None)
    services.subscribe(user=one, case=cases[3])
    week = timezone.localdate() - datetime.timedelta(days=1)
    queued = services.queue_digests(week_until=week)
    assert sorted(n.recipient.username for n in queued) == ["follows-everything"] * 4 + ["follows-one"]
    # Oldest first sent the colleague's digest after the four others (its notification is the newest).
    Notification.objects.filter(recipient=one).update(next_attempt_at=timezone.now())

    order = [Notification.objects.get(pk=pk).recipient.username for pk in due_notifications()]

    assert order == [
        "follows-everything",
        "follows-one",
        "follows-everything",
        "follows-everything",
        "follows-everything",
    ]


def test_a_subscriber_gets_at_most_the_weeks_cap_of_digests_and_the_rest_are_logged(db, settings, caplog):
    """One subscription to every case mailed a digest per case each week, however many cases there were."""
    settings.DIGESTS_PER_USER_WEEK = 3
    cases = [factories.CaseFactory(slug=f"case-{n}", name=f"Case {n}") for n in range(5)]
    many = factories.reader(username="follows-everything", email="many@example.org")
    services.subscribe(user=many, case=None)
    services.subscribe(user=many, case=cases[4])  # followed one by one: told first
    one = factories.reader(username="follows-one", email="one@example.org")
    services.subscribe(user=one, case=cases[0])
    week = timezone.localdate() - datetime.timedelta(days=1)

    with caplog.at_level("WARNING", logger="measures.services.alerts"):
        queued = services.queue_digests(week_until=week)

    mine = [n.case.slug for n in queued if n.recipient == many]
    assert len(mine) == 3 and mine[0] == "case-4"
    assert [n.case.slug for n in queued if n.recipient == one] == ["case-0"]  # others keep their own share
    assert "2 digest(s) for follows-everything left out, past DIGESTS_PER_USER_WEEK (3)" in caplog.text
    # Queued again (the command run twice that week): nothing more for anyone.
    assert services.queue_digests(week_until=week) == []
    assert Notification.objects.filter(recipient=many, week_until=week).count() == 3
