"""The measure page of a long-followed measure: its history, evidence and related events are paged,
each list by its own parameter, with totals in the headings, every entry reachable, and the same
number of queries whatever the size (reading/views/measures.py)."""

import datetime
import re

import pytest
from django.urls import reverse

from measures import services
from measures.models import Assessment, Case, Citation, Evidence
from measures.state import evidence_dating
from reading.views.measures import EVIDENCE_PER_PAGE, HISTORY_PER_PAGE, RELATED_EVENTS_PER_PAGE
from tests import factories
from tests.scenarios import build_case

Level = Assessment.Level
Stance = Evidence.Stance
D = datetime.date
LEVELS = [Level.MINIMAL, Level.INTERMEDIATE]


# The page's queries once the reader's session is kept, whatever the lengths of its lists (among them:
# the measure, its state with its evidence figures, its history with its passages' ids, the passages of
# the history's page shown, its counting evidence as values, the shown evidence and related events, the
# benchmark, the commitments).
QUERIES = 14
# Another rendering of the same period and data version (another page of its lists, another reader of
# the audience): the state, the history and the commitments are kept (cached_value, cached_fragment);
# the measure, its counting evidence as values, the shown evidence, events and history's passages,
# and the benchmark are read.
KEPT_QUERIES = 5


def measure_url(case, number=1, query=""):
    return reverse("measures:measure_detail", args=[case.slug, number]) + (f"?{query}" if query else "")


def grow(case, *, assessments=0, progress=0, setbacks=0):
    """Add to measure 1 of `case` assessments of Pakistan on successive days from 1 February 2024 (the
    level alternating, so each one changes it), and pieces of progress and setback evidence, each
    with its own event on successive days."""
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    for day in range(assessments):
        factories.AssessmentFactory(
            measure=measure,
            party=pak,
            level=LEVELS[day % 2],
            effective_date=D(2024, 2, 1) + datetime.timedelta(days=day),
            rationale=f"Judgement {day + 1} of the growing history.",
        )
    for stance, count in ((Stance.PROGRESS, progress), (Stance.SETBACK, setbacks)):
        for day in range(count):
            event = factories.EventFactory(case=case, date=D(2024, 2, 1) + datetime.timedelta(days=day))
            citation = factories.CitationFactory(case=case, event=event, quote=f"{stance} passage {day + 1}")
            factories.EvidenceFactory(measure=measure, citation=citation, stance=stance)
    return measure


def every_page(client, case, param, first_page, items):
    """Every page of one list, following its "Next" links from `first_page`: [items(response)] per page."""
    seen, response = [items(first_page)], first_page
    for _ in range(50):
        link = re.search(r'href="\?([^"#]*' + param + r'=\d+)#[^"]*" rel="next"', response.content.decode())
        if link is None:
            return seen
        response = client.get(measure_url(case, query=link.group(1).replace("&amp;", "&")))
        assert response.status_code == 200
        seen.append(items(response))
    raise AssertionError("the pager never ends")


@pytest.fixture
def case(db):
    return build_case()


def test_the_history_shows_the_newest_entries_and_every_older_one_a_click_away(reader_client, case):
    measure = grow(case, assessments=HISTORY_PER_PAGE + 7)
    total = len(Assessment.objects.filter(measure=measure).values_list("effective_date", "party").distinct())
    first = reader_client.get(measure_url(case))
    numbers = every_page(
        reader_client, case, "history", first, lambda r: [entry.number for entry, _, _, _ in r.context["entries"]]
    )
    assert len(numbers[0]) == HISTORY_PER_PAGE
    assert numbers[0][0] == max(max(page) for page in numbers)  # newest first
    flat = [n for page in numbers for n in page]
    assert flat == sorted(flat, reverse=True) and len(set(flat)) == len(flat)
    assert set(flat) == set(range(1, first.context["entries"].paginator.count + 1))
    # The heading counts every entry, not the page's.
    count = first.context["entries"].paginator.count
    assert count >= total - 2  # the scenario's two parties recorded together on its two days: one entry each
    assert f"Assessment history ({count} entries, newest first)" in first.content.decode()
    assert "Judgement 1 of the growing history." not in first.content.decode()
    last = reader_client.get(measure_url(case, query=f"history={len(numbers)}"))
    assert "Judgement 1 of the growing history." in last.content.decode()


def test_each_stance_of_evidence_is_paged_on_its_own_with_its_total(reader_client, case):
    grow(case, progress=EVIDENCE_PER_PAGE + 3, setbacks=2)
    response = reader_client.get(measure_url(case))
    groups = dict(response.context["evidence_groups"])
    assert len(groups[Stance.PROGRESS]) == EVIDENCE_PER_PAGE
    progress_total = groups[Stance.PROGRESS].paginator.count
    assert progress_total == EVIDENCE_PER_PAGE + 3 + 1  # and the scenario's talks
    content = response.content.decode()
    assert f"Shows progress ({progress_total})" in content and "Shows setback (3)" in content
    # The pager says what it counts, then the order: not "Pieces of evidence, newest first 1–5 of 9".
    assert f"Pieces of evidence 1–{EVIDENCE_PER_PAGE} of {progress_total}, newest first (page 1 of 2)" in content
    assert 'aria-label="Pages of pieces of evidence (Shows progress)"' in content
    pages = every_page(
        reader_client,
        case,
        "progress",
        response,
        lambda r: [item.pk for item, _ in dict(r.context["evidence_groups"])[Stance.PROGRESS]],
    )
    assert len(pages) == 2
    flat = [pk for page in pages for pk in page]
    every = Evidence.objects.filter(measure__case=case, measure__number=1, stance=Stance.PROGRESS)
    assert sorted(flat) == sorted(every.values_list("pk", flat=True))
    # Newest first, as before the pages: the events of February before the scenario's talks of January.
    dates = [evidence_dating(item.citation).date for item, _ in groups[Stance.PROGRESS]]
    assert dates == sorted(dates, reverse=True)


def test_a_list_turned_keeps_the_period_and_the_other_lists_pages(reader_client, case):
    grow(case, assessments=HISTORY_PER_PAGE + 5, progress=EVIDENCE_PER_PAGE + 2)
    response = reader_client.get(measure_url(case, query="as_of=2024-03-31&progress=2"))
    content = response.content.decode()
    next_history = re.search(r'href="\?([^"]*)#history-heading" rel="next"', content).group(1).replace("&amp;", "&")
    assert sorted(next_history.split("&")) == ["as_of=2024-03-31", "history=2", "progress=2"]
    previous_progress = re.search(r'href="\?([^"]*)#evidence-progress" rel="prev"', content).group(1)
    assert previous_progress.replace("&amp;", "&") == "as_of=2024-03-31&progress=1"


def test_the_related_events_are_paged_and_counted(reader_client, case):
    grow(case, setbacks=RELATED_EVENTS_PER_PAGE + 1)
    response = reader_client.get(measure_url(case))
    events = response.context["events"]
    assert len(events) == RELATED_EVENTS_PER_PAGE
    assert events.paginator.count == RELATED_EVENTS_PER_PAGE + 1 + 2  # and the scenario's strike and talks
    assert f"Related events ({events.paginator.count})" in response.content.decode()
    second = reader_client.get(measure_url(case, query="events=2"))
    assert len(second.context["events"]) == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("history=abc", "“abc” is not a page number of the assessment history: showing the first page."),
        ("history=99", "There is no page 99 of the assessment history (the last is 1): showing the first page."),
        ("history=0", "There is no page 0 of the assessment history (the last is 1): showing the first page."),
        (
            "progress=-1",
            "There is no page -1 of the evidence “Shows progress” (the last is 1): showing the first page.",
        ),
        ("events=2.5", "“2.5” is not a page number of the related events: showing the first page."),
    ],
)
def test_a_page_number_that_is_none_is_a_message_and_the_first_page(reader_client, case, query, message):
    response = reader_client.get(measure_url(case, query=query))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["entries"].number == 1


def test_an_anonymous_visitor_of_a_published_case_turns_the_pages(client, case):
    grow(case, assessments=HISTORY_PER_PAGE + 3)
    case.visibility = Case.Visibility.PUBLISHED
    case.save(update_fields=["visibility"])
    services.touch_cases({case.pk})
    first = client.get(measure_url(case))
    second = client.get(measure_url(case, query="history=2"))
    assert first.status_code == second.status_code == 200
    assert "Judgement 1 of the growing history." in second.content.decode()
    assert "Judgement 1 of the growing history." not in first.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_the_measure_page_query_count_does_not_grow_with_its_lists(reader_client, django_assert_num_queries, size):
    case = build_case()
    grow(case, assessments=5 * size, progress=4 * size, setbacks=4 * size)
    reader_client.get(measure_url(case))  # the session and the user, then kept
    services.touch_cases({case.pk})  # a write: a new data version, nothing of the case's kept
    reader_client.cookies.pop("csrftoken", None)  # rendered anew, not answered from the page cache
    # And the case itself, read again after a write (measures.roles, "Cached access").
    with django_assert_num_queries(QUERIES + 1):
        response = reader_client.get(measure_url(case, query="history=2&progress=2&setback=2&events=2"))
    assert response.status_code == 200
    reader_client.cookies.pop("csrftoken", None)
    with django_assert_num_queries(KEPT_QUERIES):
        response = reader_client.get(measure_url(case, query="history=1&progress=2&setback=2&events=2"))
    assert response.status_code == 200


def test_the_teams_preview_is_kept_from_page_to_page(analyst_client, case):
    """An analyst previewing the pending assessments (`?include_pending=1`) turns the history's pages
    without leaving the preview: the totals and entries do not shift under them."""
    measure = grow(case, assessments=HISTORY_PER_PAGE + 3)
    factories.AssessmentFactory(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level=Level.NOT_INITIATED,
        effective_date=D(2024, 3, 1),
        rationale="Pending: awaiting a second analyst.",
        approved=False,
    )
    preview = analyst_client.get(measure_url(case, query="include_pending=1"))
    count = preview.context["entries"].paginator.count
    link = re.search(r'href="\?([^"#]*)#history-heading" rel="next"', preview.content.decode()).group(1)
    assert sorted(link.replace("&amp;", "&").split("&")) == ["history=2", "include_pending=1"]
    second = analyst_client.get(measure_url(case, query=link.replace("&amp;", "&")))
    assert second.context["entries"].paginator.count == count
    assert count == analyst_client.get(measure_url(case)).context["entries"].paginator.count + 1


@pytest.mark.parametrize("param", ["history", "progress", "setback", "events"])
def test_a_lists_other_pages_are_kept_in_the_page_cache_as_the_first(reader_client, case, param):
    grow(case, assessments=HISTORY_PER_PAGE + 1, progress=RELATED_EVENTS_PER_PAGE + 1, setbacks=EVIDENCE_PER_PAGE + 1)
    reader_client.get(reverse("login"))  # sets the CSRF cookie, as any earlier page does in a browser
    url = measure_url(case, query=f"{param}=2")
    assert reader_client.get(url)["X-Page-Cache"] == "miss"
    assert reader_client.get(url)["X-Page-Cache"] == "hit"


def test_each_pager_has_a_name_of_its_own(reader_client, case):
    """Landmarks of one kind need distinct accessible names (axe: landmark-unique): the history's two
    pagers, and the pagers of each stance's evidence."""
    grow(case, assessments=HISTORY_PER_PAGE + 1, progress=RELATED_EVENTS_PER_PAGE + 1, setbacks=EVIDENCE_PER_PAGE + 1)
    names = re.findall(
        r'<nav class="pager" aria-label="([^"]*)"', reader_client.get(measure_url(case)).content.decode()
    )
    assert len(names) == 5  # the history's two, progress, setback, the related events
    assert len(set(names)) == len(names)


def test_a_correction_links_to_the_entry_it_corrects_on_another_page_and_back(reader_client, case):
    measure = grow(case, assessments=HISTORY_PER_PAGE + 2)
    # The tenth newest entry, corrected on its own date: the correction takes its place, the last of
    # the first page, and pushes it to the second.
    oldest = Assessment.objects.get(measure=measure, rationale="Judgement 3 of the growing history.")
    correction = factories.AssessmentFactory(
        measure=measure, party=oldest.party, level=Level.FULL, effective_date=oldest.effective_date, corrects=oldest
    )
    first = reader_client.get(measure_url(case, query="as_of=2024-12-31")).content.decode()
    assert f'corrects <a href="?as_of=2024-12-31&amp;history=2#assessment-{oldest.pk}">' in first
    second = reader_client.get(measure_url(case, query="as_of=2024-12-31&history=2")).content.decode()
    assert f'id="assessment-{oldest.pk}"' in second
    assert f'(<a href="?as_of=2024-12-31#assessment-{correction.pk}">' not in second  # page 1 has no number
    assert f'(<a href="?as_of=2024-12-31&amp;history=1#assessment-{correction.pk}">' in second


def test_the_history_loads_the_passages_of_its_shown_page_only(reader_client, db, monkeypatch):
    """The whole history is read for the charts and the numbering with its passages' ids only; the
    passages with their text and source are loaded for the entries shown."""
    case = build_case()
    measure = grow(case, assessments=3 * HISTORY_PER_PAGE)
    for n, assessment in enumerate(measure.assessments.filter(rationale__contains="growing history")):
        assessment.citations.add(factories.CitationFactory(case=case, quote=f"Cited by judgement {n}"))
    loaded = []
    real = Citation.from_db.__func__

    def spy(cls, db, field_names, values, **kwargs):
        instance = real(cls, db, field_names, values, **kwargs)
        if "quote" in field_names:
            loaded.append(instance.quote)
        return instance

    monkeypatch.setattr(Citation, "from_db", classmethod(spy))
    reader_client.cookies.pop("csrftoken", None)
    content = reader_client.get(measure_url(case)).content.decode()
    cited = [quote for quote in loaded if quote.startswith("Cited by judgement")]
    assert len(cited) == HISTORY_PER_PAGE
    assert all(quote in content for quote in cited)
