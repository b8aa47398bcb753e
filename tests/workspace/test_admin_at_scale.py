"""The admin lists stay cheap as data grows: counts as subqueries, no full texts, no sidebar listing every row."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

TEXT = "Ambassadors will return to their posts. Border forces increased patrols. Talks resume."


@pytest.fixture
def data(db):
    case = factories.CaseFactory()
    source = factories.SourceFactory(title="Cited report", full_text=TEXT)
    other = factories.SourceFactory(title="Other report", full_text=TEXT)
    events = [factories.EventFactory(case=case, title=f"Listed event {i}") for i in range(12)]
    measures = [factories.MeasureFactory(case=case, number=n + 1, title=f"Measure {n + 1}") for n in range(3)]
    cited = factories.CitationFactory(case=case, source=source, event=events[0], quote="Talks resume.")
    lone = factories.CitationFactory(case=case, source=other, quote="Border forces increased patrols.")
    for measure in measures[:2]:
        factories.EvidenceFactory(citation=cited, measure=measure, stance="progress")
    return {"case": case, "source": source, "other": other, "events": events, "cited": cited, "lone": lone}


@pytest.fixture
def analyst(client, db):
    client.force_login(factories.analyst(username="analyst"))
    return client


def list_queries(client, model_name, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:measures_{model_name}_changelist"), params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


@pytest.mark.parametrize(
    ("model_name", "to_source"),
    [("citation", lambda c: c.source), ("source", lambda s: s), ("evidence", lambda e: e.citation.source)],
)
def test_lists_never_load_a_source_full_text(analyst, data, model_name, to_source):
    factories.EvidenceFactory(citation=data["lone"], measure=data["case"].measures.first(), stance="context")
    response, _ = list_queries(analyst, model_name)
    rows = response.context["cl"].result_list
    assert rows
    assert all("full_text" in to_source(row).get_deferred_fields() for row in rows)


def test_citation_list_counts_measures_in_a_subquery(analyst, data):
    response, sql = list_queries(analyst, "citation")
    counts = {c.pk: c.n_measures for c in response.context["cl"].result_list}
    assert counts == {data["cited"].pk: 2, data["lone"].pk: 0}
    listing = next(q for q in sql if 'FROM "measures_citation"' in q and "measures_evidence" in q)
    # The only GROUP BY is inside the count's subquery, over evidence rows: never over the listed columns.
    assert listing.count("GROUP BY") == 1
    assert listing.index("GROUP BY") > listing.index("(SELECT")


def test_source_list_counts_citations_and_shows_which_have_a_text(analyst, data):
    factories.SourceFactory(title="Without text", full_text="")
    response, _ = list_queries(analyst, "source")
    rows = {s.title: (s.n_citations, s.has_text) for s in response.context["cl"].result_list}
    assert rows == {"Cited report": (1, True), "Other report": (1, True), "Without text": (0, False)}


def test_citation_sidebar_searches_events_and_sources_instead_of_listing_them(analyst, data):
    response, _ = list_queries(analyst, "citation")
    page = response.content.decode()
    assert "Listed event 5" not in page  # no event is listed in the sidebar
    assert 'data-ajax--url="/admin/autocomplete/"' in page
    for field in ("source", "event"):
        assert f'name="{field}__id"' in page
    assert 'name="evidence__measure__id"' in page
    assert "js/autocomplete-filter.js" in page


@pytest.mark.parametrize(
    ("param", "key", "expected"),
    [("source__id", "source", ["cited"]), ("event__id", "events", ["cited"])],
)
def test_citation_list_filters_by_a_chosen_record(analyst, data, param, key, expected):
    target = data[key][0] if key == "events" else data[key]
    response, _ = list_queries(analyst, "citation", {param: target.pk})
    assert [c.pk for c in response.context["cl"].result_list] == [data[name].pk for name in expected]
    page = response.content.decode()
    # The chosen record is shown in its filter, with a way back to all.
    assert f'<option value="{target.pk}" selected>' in page


def test_citation_list_filters_by_measure_evidenced(analyst, data):
    measure = data["cited"].evidence.first().measure
    response, _ = list_queries(analyst, "citation", {"evidence__measure__id": measure.pk})
    assert [c.pk for c in response.context["cl"].result_list] == [data["cited"].pk]


@pytest.mark.parametrize("value", ["x", "99999999999999999999", "٣", "-5"])
@pytest.mark.parametrize("lookup", ["source__id", "event__id", "evidence__measure__id"])
def test_a_filter_value_that_is_not_an_id_is_refused_cleanly(analyst, data, lookup, value):
    # Beyond a 64-bit integer is no id either: SQLite cannot even compare it (it was a server error).
    response = analyst.get(reverse("admin:measures_citation_changelist"), {lookup: value})
    assert response.status_code == 302
    assert "e=1" in response.url


def test_postgresql_connections_turn_jit_off():
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"
    env = {**os.environ, "DATABASE_URL": "postgres://u@localhost/x", "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code], env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "-c jit=off", result.stderr


def test_measure_list_figures_per_page_are_the_list_figures(db):
    """MeasureQuerySet.list_figures (the measure list's page, grouped) gives what with_list_figures
    (one measure's form, correlated subqueries) gives: dated by event, by source, undated sources
    from their record date, evidence dated after the day left out, a measure without evidence."""
    import datetime as dt

    from measures.models import Measure

    case = factories.CaseFactory(start_date=dt.date(2024, 1, 1))
    measures = [factories.MeasureFactory(case=case, number=n + 1) for n in range(3)]
    undated = factories.SourceFactory(published_on=None, date_precision="unknown")
    undated.recorded_at = dt.datetime(2024, 2, 10, 12, 0, tzinfo=dt.UTC)
    undated.save()
    late_event = factories.EventFactory(case=case, date=dt.date(2024, 3, 1))
    early_event = factories.EventFactory(case=case, date=dt.date(2024, 1, 5))
    citations = [
        factories.CitationFactory(case=case, event=early_event),
        factories.CitationFactory(case=case, source=factories.SourceFactory(published_on=dt.date(2024, 1, 25))),
        factories.CitationFactory(case=case, source=undated),
        factories.CitationFactory(case=case, event=late_event),
    ]
    for citation in citations:
        factories.EvidenceFactory(citation=citation, measure=measures[0])
    factories.EvidenceFactory(citation=citations[2], measure=measures[1])
    factories.AssessmentFactory(measure=measures[0], party=case.assessed_parties.first(), level="minimal")
    names = ("current_levels", "latest_evidence", "citation_count")
    for day in (dt.date(2024, 1, 20), dt.date(2024, 2, 15), dt.date(2024, 4, 1)):
        queryset = Measure.objects.filter(case=case)
        expected = {row["pk"]: row for row in queryset.with_list_figures(as_of=day).values("pk", *names)}
        figures = queryset.list_figures(as_of=day)
        assert figures == {pk: {name: row[name] for name in names} for pk, row in expected.items()}
    assert figures[measures[0].pk]["citation_count"] == 4
    assert (figures[measures[2].pk]["latest_evidence"], figures[measures[2].pk]["citation_count"]) == (None, 0)


def test_list_rows_have_djangos_checkbox_and_links(analyst, data):
    """The lists write each row's action checkbox and link directly (QuickListsMixin): the same markup
    as Django's widget and reverse(), also for a record whose name needs escaping."""
    from django.contrib.admin import ModelAdmin, site

    from measures.models import Source

    source = factories.SourceFactory(title='Talks <b>"resume"</b> & more')
    model_admin = site._registry[Source]
    assert model_admin.action_checkbox(source) == ModelAdmin.action_checkbox(model_admin, source)
    response, _ = list_queries(analyst, "source")
    page = response.content.decode()
    assert model_admin.action_checkbox(source) in page
    assert f'<a href="{reverse("admin:measures_source_change", args=[source.pk])}">' in page


def test_assessment_list_sorts_the_assessments_alone_then_fetches_the_pages_related_rows(analyst, data):
    measure = data["case"].measures.first()
    for party in data["case"].assessed_parties.all():
        factories.AssessmentFactory(measure=measure, party=party, rationale="A long rationale. " * 50)
    response, sql = list_queries(analyst, "assessment")
    page = response.content.decode()
    assert len(response.context["cl"].result_list) == 2
    assert str(measure) in page
    listing = next(q for q in sql if q.startswith('SELECT "measures_assessment"."id"') and "ORDER BY" in q)
    # No join before the sort, and no rationale in the rows sorted.
    assert " JOIN " not in listing
    assert '"rationale"' not in listing


def measure_list(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:measures_measure_changelist"), params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


def test_measure_list_searches_the_case_instead_of_listing_every_case(analyst, data):
    others = [factories.CaseFactory(name=f"Listed case {i}") for i in range(3)]
    for case in others:
        factories.MeasureFactory(case=case)
    response, _ = measure_list(analyst)
    page = response.content.decode()
    assert "Listed case 1</a></li>" not in page  # no case listed in the sidebar
    assert 'name="case__id__exact"' in page and "js/autocomplete-filter.js" in page
    # Without JavaScript, the search box finds a case's measures by its name.
    searched, _ = measure_list(analyst, {"q": "Listed"})
    assert {m.case_id for m in searched.context["cl"].result_list} == {case.pk for case in others}

    # The filter keeps the parameter of the admin's own case filter (links to a case's measures).
    response, sql = measure_list(analyst, {"case__id__exact": data["case"].pk})
    assert {m.case_id for m in response.context["cl"].result_list} == {data["case"].pk}
    assert f'<option value="{data["case"].pk}" selected>' in response.content.decode()
    assert "column-case" not in response.content.decode()  # one case: its name on every row is noise
    # Counted once, filtered: not also every measure for "(N total)".
    assert sum(q.startswith("SELECT COUNT(*)") for q in sql) == 1


@pytest.mark.parametrize("value", ["x", "99999999999999999999", "-5"])
def test_measure_list_refuses_a_case_that_is_not_an_id(analyst, data, value):
    response = analyst.get(reverse("admin:measures_measure_changelist"), {"case__id__exact": value})
    assert response.status_code == 302
    assert "e=1" in response.url


def test_measure_list_pages_hold_a_bounded_number_of_measures(analyst, data):
    from workspace.admin.measures import MeasureAdmin

    case = data["case"]
    for n in range(MeasureAdmin.list_per_page):
        factories.MeasureFactory(case=case, number=100 + n)
    response, sql = measure_list(analyst)
    assert len(response.context["cl"].result_list) == MeasureAdmin.list_per_page
    assert response.context["cl"].result_count == MeasureAdmin.list_per_page + 3
    assert "?p=2" in response.content.decode()
    # The rows are sorted across the join with the case without the texts the list never shows.
    listing = next(q for q in sql if q.startswith('SELECT "measures_measure"."id"') and "ORDER BY" in q)
    texts = ('"measures_measure"."description"', '"measures_case"."summary"', '"measures_measuretype"."definition"')
    assert not [text for text in texts if text in listing]


def test_measure_list_costs_the_same_queries_whatever_the_number_of_measures_cases_and_evidence(analyst, db):
    counts = []
    for n in (1, 4):
        for _ in range(n):
            case = factories.CaseFactory()
            for number in range(1, n + 2):
                measure = factories.MeasureFactory(case=case, number=number)
                for _ in range(n):
                    factories.EvidenceFactory(measure=measure)
                factories.AssessmentFactory(measure=measure)
        measure_list(analyst)  # the session and the site's caches, once
        lists = ({}, {"case__id__exact": case.pk}, {"level": "minimal"})
        counts.append([len(measure_list(analyst, params)[1]) for params in lists])
    assert counts[0] == counts[1]
