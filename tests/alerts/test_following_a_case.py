"""Issue 22's "done when", as one journey: a reader follows the Pakistan–Iran case; the digest of the week
ending 29 January 2024 reaches a real SMTP server once, with the ambassadors' return kept, the measures
that moved and the new passages; new setback evidence against a standing judgement sends one alert, once;
the dashboard's commitment calendar, its downloads and the report show the commitments with outcomes."""

import csv
import datetime
import io
import re

from django.core.management import call_command
from django.urls import reverse

from measures import services
from measures.models import Notification, Source
from tests import factories

SETBACK = "Border guards exchanged fire again on 25 January, and talks on mediation were suspended."
AMBASSADORS = "Ambassadors return to Islamabad and Tehran and resume their duties"


def _plain(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def _calendar_rows(html):
    """[(commitment, outcome)] of the commitment calendar's rows, as text."""
    rows = re.findall(r'<tr id="commitment-\d+"[^>]*>(.*?)</tr>', html, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows]

    def text(fragment):
        return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())

    return [(text(c[1]), text(c[4])) for c in cells]


def test_a_reader_following_pakistan_iran_gets_the_digest_one_alert_and_sees_the_commitments(
    pakistan_iran, smtp_mail, client, django_capture_on_commit_callbacks
):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)

    # The digest of the week, run twice as cron may: one mail.
    call_command("send_digests", week="2024-01-29", verbosity=0)
    call_command("send_digests", week="2024-01-29", verbosity=0)
    assert len(smtp_mail.messages) == 1
    digest = _plain(smtp_mail.messages[0][1])
    assert AMBASSADORS in digest and "Kept" in digest
    assert "Measures that moved: 1. Diplomatic engagement (now Full (3))" in digest
    assert "NEW EVIDENCE, BY MEASURE" in digest and "set to resume duties on Jan. 26-27" in digest

    # New setback evidence against the standing judgement of measure 3: one alert, once.
    source = Source.objects.create(
        title="Border clash report",
        publisher="Test wire",
        label="Test wire",
        kind=Source.Kind.NEWS_REPORT,
        published_on=datetime.date(2024, 1, 25),
        full_text=SETBACK,
    )
    with django_capture_on_commit_callbacks(execute=True):
        citation = services.create_citation(case=pakistan_iran, source=source, quote=SETBACK)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_evidence(citation=citation, measure=pakistan_iran.measures.get(number=3), stance="setback")
    call_command("check_alerts", verbosity=0)
    call_command("send_notifications", verbosity=0)
    call_command("send_digests", week="2024-01-29", verbosity=0)
    subjects = [message["Subject"] for _, message in smtp_mail.messages]
    assert subjects == [
        "Pakistan–Iran crisis, January 2024: the week of 23–29 Jan 2024",
        "Pakistan–Iran crisis, January 2024: new setback evidence challenges a standing judgement",
    ]
    assert Notification.objects.filter(recipient=reader).count() == 2

    # The pages: the dashboard's calendar and the report list the commitments with their outcomes.
    client.force_login(reader)
    period = "?since=2024-01-23&as_of=2024-01-29"
    expected = [
        (AMBASSADORS, "Kept on 27 Jan 2024"),
        ("Foreign minister", "Kept on 29 Jan 2024"),
        ("liaison officers", "No date stated, not judged"),
    ]
    for name in ("measures:dashboard", "measures:report"):
        html = client.get(reverse(name, args=[pakistan_iran.slug]) + period).content.decode()
        rows = _calendar_rows(html)
        assert len(rows) == len(expected), name
        for (what, outcome), (expected_what, expected_outcome) in zip(rows, expected, strict=True):
            assert expected_what.lower() in what.lower(), (name, what)
            assert outcome.startswith(expected_outcome), (name, outcome)
        assert "2 of 2 commitments due kept" in html

    # And the dashboard's download of them.
    response = client.get(
        reverse("measures:dashboard", args=[pakistan_iran.slug]) + period + "&_export=commitments.csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Outcome"] for row in rows] == ["Kept", "Kept", "No date stated, not judged"]
