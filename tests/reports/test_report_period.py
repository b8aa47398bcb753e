"""The status report over a period: every level in force (a reversal restored inside the period), the
whole crisis by default for a closed case, one name for the period, first assessed apart from moved
forward, "does not apply" in tables and moved lines, and what was recorded since a date."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.models import Case
from reports.build import build_report
from tests.scenarios import reversal_case

D = datetime.date


def report_url(case, name="measures:report", **params):
    url = reverse(name, args=[case.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def plain(html):
    html = re.sub(r"</?bdi>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" ,", ",").replace(" :", ":")


@pytest.fixture
def ceasefire(db):
    return reversal_case()


REVERSAL = "reversed on 10 Dec 2024 (Cambodia, Thailand), restored on 20 Dec 2024 to Full (3)"


def test_the_key_judgements_name_a_reversal_restored_inside_the_period_and_the_events_then(reader_client, ceasefire):
    report = build_report(ceasefire, as_of=D(2024, 12, 31), since=D(2024, 12, 2))
    kj = report.key_judgements
    assert [row.measure.number for row in kj.worsened_then_improved] == [1]
    assert kj.improved == [] and kj.worsened == []
    assert [row.measure.number for row in kj.first_assessed] == [2]  # first assessed at Not initiated
    assert [(day, [e.title for e in events]) for day, events in kj.reversal_days] == [
        (D(2024, 12, 10), ["Shelling across the border"]),
        (D(2024, 12, 20), ["Ceasefire restored at talks"]),
    ]
    text = plain(reader_client.get(report_url(ceasefire, as_of="2024-12-31", since="2024-12-02")).content.decode())
    assert "Worsened, then improved: 1. Ceasefire (lowest Reversed, now Full (3))." in text
    assert f"Reversed during 2–31 Dec 2024: 1. Ceasefire: {REVERSAL}." in text
    assert "Events dated 10 Dec 2024: Shelling across the border (escalatory)." in text
    assert "Events dated 20 Dec 2024: Ceasefire restored at talks (de-escalatory)." in text
    assert "First assessed: 2. Border patrols (Not initiated (0))." in text
    assert "Moved forward" not in text
    # The measure's own section lists both changes.
    assert "10 Dec 2024, Cambodia and Thailand: Full (3) → Reversed, worsened" in text
    assert "20 Dec 2024, Cambodia and Thailand: Reversed → Full (3), improved" in text
    assert "1. Ceasefire — Cambodia and Thailand: Full (3) → Reversed → Full (3), worsened then improved." in text


def test_one_period_is_named_one_way_in_the_title_block_the_judgements_and_the_tables(reader_client, ceasefire):
    text = plain(reader_client.get(report_url(ceasefire, as_of="2024-12-31", since="2024-12-23")).content.decode())
    assert "Period covered 23–31 Dec 2024, both days included" in text
    assert "Over 23–31 Dec 2024, both days included, from the levels at its start." in text
    assert "Direction of travel over 23–31 Dec 2024, along every level in force in it" in text
    assert "Moved over 23–31 Dec 2024" in text
    # No other date is offered as the comparison's baseline.
    assert "since 22 Dec" not in text and "with 23 Dec" not in text


def test_a_party_a_measure_does_not_apply_to_reads_does_not_apply_in_the_report(reader_client, ceasefire):
    report = build_report(ceasefire, as_of=D(2024, 12, 31), since=D(2024, 12, 2))
    patrols = report.sections[1]
    assert [group.party_names for group in patrols.movement_groups] == ["Thailand"]
    html = reader_client.get(report_url(ceasefire, as_of="2024-12-31", since="2024-12-2")).content.decode()
    assert '<td class="level-cell level-does_not_apply" data-label="KHM">Does not apply</td>' in html
    text = plain(html)
    assert "Cambodia: Does not apply The measure asks nothing of Cambodia." in text
    assert "2. Border patrols — Thailand: Not yet assessed → Not initiated (0), first assessed." in text
    assert "Cambodia: unchanged, Not yet assessed" not in text


def test_the_pakistan_iran_report_without_parameters_covers_the_whole_crisis(reader_client, pakistan_iran):
    response = reader_client.get(report_url(pakistan_iran))
    report = response.context["report"]
    assert (report.since, report.as_of) == (D(2024, 1, 16), D(2024, 1, 29))
    titles = [entry.event.title for entry in report.chronology]
    assert any(title.startswith("Iran's missile and drone strike") for title in titles)
    assert any(title.startswith("Pakistan's retaliatory strikes") for title in titles)
    text = plain(response.content.decode())
    assert "16–29 Jan 2024, both days included: the whole crisis, from its start" in text
    assert "(by default: the whole crisis, since the case is closed)" in text
    assert "Show the last 7 days instead" in text
    track_two = report.sections[7]
    assert track_two.measure.title == "Track-II diplomacy" and track_two.status.no_evidence
    assert track_two.quotes == [] and len(track_two.requirement_notes) == 1
    assert "No evidence yet: 8. Track-II diplomacy." in text


def test_the_report_and_its_command_refuse_a_date_before_the_case_with_the_pages_message(reader_client, ceasefire):
    message = "The as-of date (1 Nov 2024) is before the case began (20 Nov 2024): choose a date from 20 Nov 2024 on."
    for name in ("measures:report", "measures:report_pdf"):
        response = reader_client.get(report_url(ceasefire, name, as_of="2024-11-01"))
        assert response.status_code == 400 and message in response.content.decode()
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("status_report", ceasefire.slug, "--as-of", "2024-11-01", "-o", "-", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("status", "end_date", "default"),
    [
        ("closed", D(2024, 12, 31), "the whole crisis, since the case is closed"),
        ("active", None, "the last 7 days, since the case is active"),
    ],
)
def test_the_reports_refusal_names_the_period_an_empty_since_gives(reader_client, ceasefire, status, end_date, default):
    Case.objects.filter(pk=ceasefire.pk).update(status=status, end_date=end_date)
    for name, params in (
        ("measures:report", {"as_of": "abc"}),
        ("measures:report_pdf", {"since": "2024-12-20", "as_of": "2024-12-10"}),
    ):
        response = reader_client.get(report_url(ceasefire, name, **params))
        assert response.status_code == 400
        text = plain(response.content.decode())
        assert f"Leave “Changes since” empty for {default}." in text
        assert "the week before" not in text


def test_the_report_lists_what_was_recorded_since_a_date(reader_client, ceasefire):
    params = {"as_of": "2024-12-31", "since": "2024-12-02", "recorded_since": "2024-12-20", "known_on": "2024-12-25"}
    response = reader_client.get(report_url(ceasefire, **params))
    report = response.context["report"]
    assert [r.assessment.effective_date for r in report.recorded.assessments] == [D(2024, 12, 20)] * 2
    text = plain(response.content.decode())
    assert "Recorded since 20 Dec 2024" in text
    assert "1. Ceasefire · Thailand, effective 20 Dec 2024: Reversed → Full (3)" in text
    assert "recorded_since=2024-12-20" in report.link_query


@pytest.mark.pdf
def test_the_pdf_reports_the_reversal_and_the_restoration(reader_client, ceasefire):
    from pypdf import PdfReader

    response = reader_client.get(report_url(ceasefire, "measures:report_pdf", as_of="2024-12-31", since="2024-12-02"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    text = re.sub(r"\s+", " ", " ".join(pages))
    assert "Worsened, then improved: 1. Ceasefire" in text
    assert "Reversed during 2–31 Dec 2024: 1. Ceasefire:" in text and "restored on 20 Dec 2024 to Full (3)" in text
    assert "Shelling across the border (escalatory)" in text
    assert "Full (3) → Reversed → Full (3), worsened then improved" in text
    assert "Does not apply" in text
