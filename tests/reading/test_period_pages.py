"""The reading pages over a period: the path of each measure (reversals restored inside the period), the
default period, one date rule, recorded since, and the defects real cases found (does not apply, "c.",
events before the case, history numbered once)."""

import datetime
import re

import pytest
from django.urls import reverse

from measures import services
from measures.models import Assessment, Event
from tests import factories
from tests.helpers import ROOT, approve
from tests.scenarios import reversal_case

Level = Assessment.Level
D = datetime.date
DECEMBER = {"as_of": "2024-12-31", "since": "2024-12-02"}


def url(case, name="measures:dashboard", *args, **params):
    address = reverse(name, args=[case.slug, *args])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def plain(response):
    html = re.sub(r"</?bdi>", "", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" ,", ",")


@pytest.fixture
def ceasefire(db):
    return reversal_case()


def test_a_reversal_restored_inside_the_period_shows_on_the_dashboard(reader_client, ceasefire):
    response = reader_client.get(url(ceasefire, **DECEMBER))
    text = plain(response)
    row = response.context["state"].rows[0]
    assert row.direction == "down_up"
    # In the table: the direction along the path, with the reversal's dates.
    assert "↓↑ Worsened then improved" in text
    assert "reversed on 10 Dec 2024 (Cambodia, Thailand), restored on 20 Dec 2024 to Full (3)" in text
    # Under the headline, and in "what changed": the reversal and the restoration, each dated.
    assert "Reversed over 2–31 Dec 2024" in text
    changes = [
        (e.first.measure.number, e.first.old_level, e.first.new_level, e.assessment.effective_date)
        for e, _ in response.context["changes"]
    ]
    assert changes == [
        (1, Level.REVERSED, Level.FULL, D(2024, 12, 20)),  # newest first, both parties in one entry
        (1, Level.FULL, Level.REVERSED, D(2024, 12, 10)),
        (2, Level.NOT_ASSESSED, Level.NOT_INITIATED, D(2024, 12, 5)),
    ]
    assert "What changed over 2–31 Dec 2024" in text


def test_the_changed_filter_keeps_a_measure_reversed_and_restored(reader_client, ceasefire):
    response = reader_client.get(url(ceasefire, flag="changed", **DECEMBER))
    shown = [row.record.number for row in response.context["table"].rows]
    assert 1 in shown


def test_a_party_the_measure_does_not_concern_reads_does_not_apply_in_the_table(reader_client, ceasefire):
    response = reader_client.get(url(ceasefire, **DECEMBER))
    patrols = next(row for row in response.context["table"].rows if row.record.number == 2)
    cells = dict(zip([p.code for p in response.context["state"].parties], patrols.record.party_levels, strict=True))
    assert cells["KHM"][1] == "Does not apply" and cells["THA"][1] == "Not initiated (0)"
    assert "level-does_not_apply" in response.content.decode()


def test_approximate_latest_evidence_keeps_its_c_on_the_dashboard(reader_client, ceasefire):
    measure = ceasefire.measures.get(number=2)
    event = factories.EventFactory(case=ceasefire, date=D(2024, 12, 24), date_precision=Event.Precision.APPROXIMATE)
    citation = factories.CitationFactory(case=ceasefire, source=factories.SourceFactory(), event=event)
    services.attach_evidence(citation=citation, measure=measure, stance="progress")
    response = reader_client.get(url(ceasefire, **DECEMBER))
    assert '<time datetime="2024-12-24">c. 24 Dec 2024</time>' in response.content.decode()


def test_an_event_before_the_case_is_shown_as_such_on_the_timeline(reader_client, ceasefire):
    factories.EventFactory(case=ceasefire, date=D(2024, 11, 2), title="Earlier skirmish")
    for page in (url(ceasefire, **DECEMBER), url(ceasefire, "measures:event_list", as_of="2024-12-31")):
        response = reader_client.get(page)
        timeline = response.context["timeline"]
        assert timeline.before_start == 1 and timeline.start == D(2024, 11, 2)
        text = plain(response)
        assert "1 is dated before the case began on 20 Nov 2024, left of the line marking its start" in text
        assert "Case begins 20 Nov 2024" in text


def test_an_as_of_date_before_the_case_gets_one_message_on_every_page_and_export(reader_client, ceasefire):
    message = "The as-of date (1 Nov 2024) is before the case began (20 Nov 2024): choose a date from 20 Nov 2024 on."
    pages = [
        url(ceasefire, as_of="2024-11-01"),
        url(ceasefire, "measures:measure_detail", 1, as_of="2024-11-01"),
        url(ceasefire, "measures:event_list", as_of="2024-11-01"),
        url(ceasefire, "measures:source_list", as_of="2024-11-01"),
    ]
    for page in pages:
        response = reader_client.get(page)
        assert response.status_code == 200 and message in response.content.decode(), page
    for fmt in ("csv", "xlsx"):
        export = reader_client.get(url(ceasefire, as_of="2024-11-01", _export=fmt))
        assert export.status_code == 400 and message in export.content.decode()
    report = reader_client.get(url(ceasefire, "measures:report", as_of="2024-11-01"))
    assert report.status_code == 400 and message in report.content.decode()


def test_a_closed_case_defaults_to_the_whole_crisis_and_links_the_last_days(reader_client, pakistan_iran):
    response = reader_client.get(url(pakistan_iran))
    period = response.context["period"]
    assert (period.since, period.as_of) == (D(2024, 1, 16), D(2024, 1, 29))
    text = plain(response)
    assert "period 16–29 Jan 2024, both days included (by default: the whole crisis, since the case is closed;" in text
    assert 'href="?since=2024-01-23">show the last 7 days instead</a>' in response.content.decode()
    # Both strikes and the recall are changes of the whole-crisis period: measures 1, 2, 6, 9, 10, 11 reversed.
    assert len(response.context["state"].reversed_in_period) == 6
    # The other default, chosen: the page offers the default back.
    last_days = reader_client.get(url(pakistan_iran, since="2024-01-23"))
    assert 'href="?">show the default period, the whole crisis</a>' in last_days.content.decode()


def test_track_two_diplomacy_has_no_evidence_yet_and_shows_its_requirement(reader_client, pakistan_iran):
    dashboard = reader_client.get(url(pakistan_iran))
    track_two = next(row for row in dashboard.context["table"].rows if row.record.number == 8)
    assert track_two.record.citation_count == 0 and "No evidence yet" in track_two.record.flags
    page = reader_client.get(url(pakistan_iran, "measures:measure_detail", 8))
    text = plain(page)
    assert "no evidence yet (0 citations)" in text
    assert "The benchmark, as the recommendation it comes from states it" in text
    assert "Encouraging people-to-people exchanges" in text
    # The source page says the passage defines the measure, not that it is evidence.
    requirement = pakistan_iran.measures.get(number=8).requirement
    source = reader_client.get(url(pakistan_iran, "measures:source_detail", requirement.source_id))
    assert "Defines what is required by: 8. Track-II diplomacy" in plain(source)


def test_history_is_numbered_once(reader_client, pakistan_iran):
    page = reader_client.get(url(pakistan_iran, "measures:measure_detail", 1)).content.decode()
    assert page.count('<span class="history-number">4.</span>') == 1
    assert '<ol class="history">' in page and 'value="4"' not in page
    # The list's own markers are not drawn: the heading carries the number.
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert ".history { list-style: none;" in css


def test_the_dashboard_lists_what_was_recorded_since_a_date_and_a_correction_that_moved_the_headline(
    reader_client, pakistan_iran
):
    measure = pakistan_iran.measures.get(number=3)
    pak = pakistan_iran.assessed_parties.get(code="PAK")
    wrong = measure.assessments.get(party=pak, effective_date=D(2024, 1, 19))
    correction = services.record_assessment(
        measure=measure,
        party=pak,
        level=Level.NOT_INITIATED,
        effective_date=wrong.effective_date,
        rationale="Correction: the offers were not taken up.",
        citations=list(wrong.citations.all()),
        recorded_by=factories.analyst(username="corrector"),
        corrects=wrong,
    )
    today = datetime.date.today().isoformat()
    # Awaiting review, the correction is not on a reader's page.
    assert reader_client.get(url(pakistan_iran, recorded_since=today)).context["recorded"].corrections == []
    approve(correction)
    response = reader_client.get(url(pakistan_iran, recorded_since=today))
    recorded = response.context["recorded"]
    (correction,) = recorded.corrections
    assert correction.changes_headline
    text = plain(response)
    assert "Corrections that changed the headline figure:" in text
    assert "3. Mediation and arbitration, Pakistan, effective 19 Jan 2024: Minimal (1) → Not initiated (0)" in text
    before, after = correction.headline_without.percent, correction.headline_with.percent
    assert f"changed overall progress from {before}% to {after}%" in text


def test_the_export_names_the_period_and_the_reversals_in_it(reader_client, ceasefire):
    import csv
    import io

    export = reader_client.get(url(ceasefire, _export="csv", **DECEMBER))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Direction of travel"] == "Worsened then improved"
    assert (
        first["Reversed in the period"]
        == "reversed on 10 Dec 2024 (Cambodia, Thailand), restored on 20 Dec 2024 to Full (3)"
    )
    assert first["KHM direction"] == "Worsened then improved"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["KHM level"] == "Does not apply" and second["Direction of travel"] == "First assessed"
