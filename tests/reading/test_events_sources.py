import datetime
import re

import pytest
from django.urls import reverse

from measures.lib.quoting import mark_passages
from measures.models import Event
from tests import factories
from tests.scenarios import build_case

D = datetime.date


@pytest.fixture
def case(db):
    return build_case()


def url(name, case, *args, **params):
    result = reverse(f"measures:{name}", args=[case.slug, *args])
    if params:
        result += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return result


@pytest.mark.parametrize("name", ["event_list", "source_list"])
def test_a_private_case_is_not_found_by_an_anonymous_visitor(client, case, name):
    # A private case is not revealed, not even by a login redirect (reading.access).
    assert client.get(url(name, case)).status_code == 404


def test_event_list_shows_events_up_to_as_of_with_honest_dates(reader_client, case):
    response = reader_client.get(url("event_list", case, as_of="2024-01-23"))
    assert response.status_code == 200
    titles = [event.title for event, _ in response.context["events"]]
    assert titles == ["Strike 1", "Strike 2", "Strike 3", "Talks 1", "Talks 2"]
    content = response.content.decode()
    assert "c. 23 Jan 2024" in content  # Talks 2 has an approximate date
    assert "Talks 3" not in content


def test_event_list_filters_by_direction_and_kind(reader_client, case):
    response = reader_client.get(url("event_list", case, direction="escalatory"))
    assert {event.direction for event, _ in response.context["events"]} == {Event.Direction.ESCALATORY}
    response = reader_client.get(url("event_list", case, kind="diplomatic"))
    assert [event.title for event, _ in response.context["events"]] == ["Talks 1", "Talks 2", "Talks 3"]


def test_event_list_bad_filter_is_a_message_and_filters_nothing(reader_client, case):
    response = reader_client.get(url("event_list", case, direction="sideways"))
    assert response.status_code == 200
    assert "“sideways” is not a direction" in response.content.decode()
    assert len(response.context["events"]) == 6


def test_event_page_shows_actors_and_the_citations_reporting_it_with_their_measures(reader_client, case):
    event = case.events.get(title="Talks 1")
    response = reader_client.get(url("event_detail", case, event.pk))
    content = response.content.decode()
    assert "<bdi>Iran</bdi>, <bdi>Pakistan</bdi>" in content or "<bdi>Pakistan</bdi>, <bdi>Iran</bdi>" in content
    assert "agreed to de-escalate" in content
    assert reverse("measures:measure_detail", args=[case.slug, 1]) in content
    assert "(shows progress)" in content


def test_event_page_shows_month_precision_as_a_month(reader_client, case):
    event = factories.EventFactory(case=case, date=D(2024, 2, 15), date_precision=Event.Precision.MONTH)
    response = reader_client.get(url("event_detail", case, event.pk))
    assert "February 2024" in response.content.decode()
    assert "15 Feb" not in response.content.decode()


def test_event_page_before_the_event_says_it_had_not_happened(reader_client, case):
    event = case.events.get(title="Talks 1")
    response = reader_client.get(url("event_detail", case, event.pk, as_of="2024-01-18"))
    content = response.content.decode()
    assert "this event had not happened yet" in content
    assert "agreed to de-escalate" not in content


def test_event_of_another_case_is_404(reader_client, case):
    other = factories.EventFactory()
    assert reader_client.get(url("event_detail", case, other.pk)).status_code == 404


def test_source_list_counts_the_citations_visible_on_the_date(reader_client, case):
    response = reader_client.get(url("source_list", case, as_of="2024-01-31"))
    rows = response.context["rows"]
    assert len(rows) == 3
    assert all(count == 2 for _, count in rows)
    # On 20 January only the strikes (16–18 Jan) had been reported.
    response = reader_client.get(url("source_list", case, as_of="2024-01-20"))
    assert all(count == 1 for _, count in response.context["rows"])


def test_source_page_highlights_quotes_and_escapes_the_text(reader_client, case):
    source = factories.SourceFactory(
        full_text=(
            "<script>alert(1)</script> The foreign ministers\n agreed   to de-escalate. "
            "Border forces increased patrols."
        )
    )
    for quote in ("agreed to de-escalate", "Border forces increased"):
        factories.CitationFactory(case=case, source=source, quote=quote)
    response = reader_client.get(url("source_detail", case, source.pk))
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert re.search(r"<mark id=\"citation-\d+\"[^>]*>agreed   to de-escalate</mark>", content)
    assert re.search(r"<mark id=\"citation-\d+\"[^>]*>Border forces increased</mark>", content)


def test_source_not_cited_in_the_case_is_404(reader_client, case):
    other = factories.SourceFactory()
    assert reader_client.get(url("source_detail", case, other.pk)).status_code == 404


def test_mark_passages_numbers_paragraphs_and_marks_each_cited_part():
    text = "He said \u201cno war\u201d.\n\nThen\tleft."
    paragraphs = mark_passages(text, [(1, "citation-7", [[3, 16]]), (2, "citation-8", [[20, 29]])])
    assert [(p.number, p.start, p.end) for p in paragraphs] == [(1, 0, 17), (2, 19, 29)]
    marked = [(s.text, s.numbers, s.anchor) for p in paragraphs for s in p.segments if s.numbers]
    assert marked == [("said \u201cno war\u201d", (1,), "citation-7"), ("hen\tleft.", (2,), "citation-8")]
    assert "".join(s.text for s in paragraphs[0].segments) == text[0:17]
    assert mark_passages("", [(1, "x", [[0, 1]])]) == []


@pytest.mark.parametrize("scale", [1, 10])
def test_event_and_source_pages_query_counts_do_not_grow(reader_client, django_assert_max_num_queries, scale):
    case = build_case(scale)
    event = case.events.get(title="Talks 1")
    for _ in range(scale):
        factories.CitationFactory(case=case, source=case.citations.first().source, event=event)
    source = case.citations.first().source
    pages = [
        (url("event_list", case), 12),  # the timeline, the page and its count, the commitments (2 without any)
        (url("event_detail", case, event.pk), 11),  # with the measures its passages define (requirement_of)
        (url("source_list", case), 9),  # the counts, the page and its count
        (url("source_detail", case, source.pk), 9),  # with the measures its passages define (requirement_of)
    ]
    for page, bound in pages:
        with django_assert_max_num_queries(bound):
            assert reader_client.get(page).status_code == 200
