"""Honest dates: one helper writes every date as precisely as it is known."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from measures.importing import CaseFileError, import_case
from measures.lib import dates
from measures.models import Source
from tests import factories
from tests.helpers import without_judgements

D = datetime.date


@pytest.mark.parametrize(
    ("date", "precision", "end", "text"),
    [
        (D(2024, 1, 17), "day", None, "17 Jan 2024"),
        (D(2024, 1, 26), "day", D(2024, 1, 27), "26–27 Jan 2024"),
        (D(2024, 1, 31), "day", D(2024, 2, 2), "31 Jan – 2 Feb 2024"),
        (D(2023, 12, 31), "day", D(2024, 1, 2), "31 Dec 2023 – 2 Jan 2024"),
        (D(2024, 1, 17), "approx", None, "c. 17 Jan 2024"),
        (D(2024, 1, 26), "approx", D(2024, 1, 27), "c. 26–27 Jan 2024"),
        (D(2024, 6, 1), "month", None, "June 2024"),
        (D(2024, 6, 14), "month", D(2024, 6, 20), "June 2024"),
        (D(2024, 1, 5), "month", D(2024, 2, 5), "January–February 2024"),
        (D(2023, 12, 5), "month", D(2024, 1, 5), "December 2023 – January 2024"),
        (D(2024, 3, 1), "year", None, "2024"),
        (D(2024, 1, 17), "unknown", None, "undated"),
        (None, "day", None, "undated"),
        (D(2024, 1, 17), "day", D(2024, 1, 17), "17 Jan 2024"),
    ],
)
def test_date_text(date, precision, end, text):
    assert dates.date_text(date, precision, end) == text


def test_a_date_written_again_follows_the_language_and_format_in_force():
    # date_text remembers what it wrote for a day: by the format and the language, never across them.
    day = D(2024, 1, 17)
    with translation.override("en-gb"):
        assert dates.date_text(day) == "17 Jan 2024"
    with translation.override("en-us"):
        assert dates.date_text(day) == "Jan 17, 2024"
    with translation.override("de"):
        assert dates.date_text(day) == "17. Januar 2024"
    with translation.override("en-gb"):
        assert dates.date_text(day) == "17 Jan 2024"
        assert dates.date_text(datetime.datetime(2024, 1, 17, 23, 0)) == "17 Jan 2024"


def test_period_bounds():
    assert dates.period_bounds(D(2024, 2, 10), "month") == (D(2024, 2, 1), D(2024, 2, 29))
    assert dates.period_bounds(D(2024, 2, 10), "year") == (D(2024, 1, 1), D(2024, 12, 31))
    assert dates.period_bounds(D(2024, 2, 10), "approx") == (D(2024, 2, 10), D(2024, 2, 10))
    assert dates.period_bounds(None, "unknown") is None


def test_event_and_source_print_their_dates_through_the_helper(db):
    event = factories.EventFactory(date=D(2024, 1, 26), end_date=D(2024, 1, 27))
    assert event.date_text == "26–27 Jan 2024"
    assert str(event).startswith("26–27 Jan 2024: ")
    source = factories.SourceFactory(published_on=D(2024, 6, 1), date_precision=Source.DatePrecision.MONTH)
    assert source.date_text == "June 2024"


def test_event_end_date_must_follow_its_date(db):
    event = factories.EventFactory.build(case=factories.CaseFactory(), date=D(2024, 1, 27), end_date=D(2024, 1, 26))
    with pytest.raises(ValidationError, match="after the first day"):
        event.full_clean()
    with pytest.raises(IntegrityError, match=r"\bevent_end_after_start\b"), transaction.atomic():
        event.save()


def test_undated_source_is_unknown_precision_after_clean(db):
    source = Source(title="Statement", kind="official", published_on=None, date_precision="day")
    source.full_clean()
    assert source.date_precision == Source.DatePrecision.UNKNOWN
    source.save()
    assert source.date_text == "undated"


def test_dated_source_cannot_be_unknown(db):
    source = Source(title="Statement", kind="official", published_on=D(2024, 1, 3), date_precision="unknown")
    with pytest.raises(ValidationError, match="say how much of it"):
        source.full_clean()
    with pytest.raises(IntegrityError, match=r"\bsource_date_precision_matches_date\b"), transaction.atomic():
        source.save()


def test_case_file_carries_precision_end_date_and_fatalities(db, case_data):
    without_judgements(case_data)
    case_data["sources"][1].update(published_on="2024-06-01", date_precision="month")
    case_data["events"][0].update(end_date="2024-01-17", fatalities=2)
    case = import_case(case_data).case
    source = Source.objects.get(title=case_data["sources"][1]["title"])
    assert (source.date_text, source.date_precision) == ("June 2024", "month")
    event = case.events.get(title=case_data["events"][0]["title"])
    assert (event.date_text, event.fatalities) == ("16–17 Jan 2024", 2)
    undated = Source.objects.get(title=case_data["sources"][0]["title"])
    assert undated.date_precision == Source.DatePrecision.UNKNOWN


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sources"][0].update(date_precision="month"), r"sources\[0\]\.date_precision: “month” needs a"),
        (
            lambda d: d["sources"][1].update(published_on="2024-01-20", date_precision="unknown"),
            r"sources\[1\]\.date_precision: “unknown”, but published_on gives a date",
        ),
        (lambda d: d["events"][0].update(end_date="2024-01-16"), r"events\[0\]\.end_date: 2024-01-16 is not after"),
        (lambda d: d["events"][0].update(fatalities=-1), r"events\[0\]\.fatalities: -1 is less than the minimum"),
        (lambda d: d["sources"][0].update(date_precision="week"), r"sources\[0\]\.date_precision: \"week\" is not one"),
    ],
)
def test_bad_dates_in_a_case_file_are_refused(db, case_data, mutate, message):
    mutate(case_data)
    with pytest.raises(CaseFileError, match=message):
        import_case(case_data)


def test_pages_print_honest_dates(db, reader_client):
    case = factories.CaseFactory(slug="crisis", start_date=D(2024, 1, 1))
    event = factories.EventFactory(
        case=case, date=D(2024, 1, 26), end_date=D(2024, 1, 27), title="Border talks", fatalities=3
    )
    source = factories.SourceFactory(title="Monthly review", published_on=D(2024, 1, 1), date_precision="month")
    factories.CitationFactory(case=case, source=source, event=None)
    page = reader_client.get(f"/cases/crisis/events/{event.pk}/?as_of=2024-02-10").content.decode()
    assert "26–27 Jan 2024" in page
    assert "3 reported" in page
    events = reader_client.get("/cases/crisis/events/?as_of=2024-02-10").content.decode()
    assert "26–27 Jan 2024" in events
    sources = reader_client.get("/cases/crisis/sources/?as_of=2024-02-10").content.decode()
    assert "January 2024" in sources


def test_month_dated_source_counts_from_the_last_day_of_its_month(db):
    from measures.state import case_state

    case = factories.CaseFactory(start_date=D(2024, 6, 1))
    measure = factories.MeasureFactory(case=case)
    source = Source(
        title="Monthly review",
        kind="analysis",
        published_on=D(2024, 6, 1),
        date_precision="month",
        full_text="The foreign ministers agreed to de-escalate.",
    )
    source.full_clean()
    source.save()
    assert source.published_on == D(2024, 6, 30)
    assert source.date_text == "June 2024"
    citation = factories.CitationFactory(case=case, source=source)
    factories.EvidenceFactory(citation=citation, measure=measure)

    def evidence_on(day):
        return [len(row.evidence) for row in case_state(case, as_of=day).rows]

    assert evidence_on(D(2024, 6, 15)) == [0]
    assert evidence_on(D(2024, 6, 30)) == [1]


def test_case_file_month_source_loads_once(db, case_data):
    import copy

    without_judgements(case_data)
    case_data["sources"][1].update(published_on="2024-01-01", date_precision="month")
    import_case(copy.deepcopy(case_data))
    stored = Source.objects.get(title=case_data["sources"][1]["title"])
    assert stored.published_on == D(2024, 1, 31)
    case_data["case"]["slug"] = "another-case"
    import_case(case_data)
    assert Source.objects.filter(title=case_data["sources"][1]["title"]).count() == 1


def test_source_precision_left_empty_is_the_day(db):
    source = Source(title="Statement", kind="official", published_on=D(2024, 1, 3), date_precision="")
    source.full_clean()
    assert source.date_precision == Source.DatePrecision.DAY


def test_analyst_adds_a_source_dated_by_month_in_the_admin(analyst_client):
    response = analyst_client.post(
        "/admin/measures/source/add/",
        {
            "title": "Monthly review",
            "kind": "analysis",
            "published_on": "2024-06-10",
            "date_precision": "month",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "citations-MIN_NUM_FORMS": "0",
            "citations-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(title="Monthly review")
    assert (source.published_on, source.date_text) == (D(2024, 6, 30), "June 2024")
    listing = analyst_client.get("/admin/measures/source/").content.decode()
    assert "June 2024" in listing


def test_undated_source_counts_from_the_day_it_was_recorded(db):
    import datetime as dt

    from measures.models import Measure
    from measures.state import case_state

    case = factories.CaseFactory(start_date=D(2024, 1, 1))
    measure = factories.MeasureFactory(case=case)
    source = factories.SourceFactory(published_on=None, date_precision="unknown")
    source.recorded_at = dt.datetime(2024, 2, 10, 12, 0, tzinfo=dt.UTC)
    source.save()
    factories.EvidenceFactory(citation=factories.CitationFactory(case=case, source=source), measure=measure)

    def shown_on(day):
        state = case_state(case, as_of=day)
        listed = Measure.objects.filter(pk=measure.pk).with_list_figures(as_of=day).get()
        return len(state.rows[0].evidence), listed.citation_count

    assert shown_on(D(2024, 1, 15)) == (0, 0)  # a month before the source is on record: not shown
    assert shown_on(D(2024, 2, 10)) == (1, 1)
