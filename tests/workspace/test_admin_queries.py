"""Query counts of every admin list and page, on a small case and on one ten times larger: the same bound holds."""

import datetime

import pytest
from django.urls import reverse

from measures.models import Assessment
from tests import factories
from tests.helpers import kept_until_the_end

TEXT = (
    "The foreign ministers spoke by telephone and agreed to de-escalate. "
    "Ambassadors will return to their posts. Border forces increased patrols."
)
QUOTES = ["agreed to de-escalate", "Ambassadors will return to their posts", "Border forces increased patrols"]


def build_case(scale):
    """A case whose every collection grows with `scale`: measures, citations of one source and one event,
    evidence of one citation, assessments of one measure, other sources and events, and history."""
    analyst = factories.analyst(username="colleague")
    pakistan = factories.PartyFactory(name="Pakistan", code="PAK")
    iran = factories.PartyFactory(name="Iran", code="IRN")
    case = factories.CaseFactory(assessed_parties=[pakistan, iran], start_date=datetime.date(2024, 1, 1))
    source = factories.SourceFactory(full_text=TEXT)
    event = factories.EventFactory(case=case, actors=[pakistan, iran])
    measures = [factories.MeasureFactory(case=case) for _ in range(3 * scale)]
    citations = [
        factories.CitationFactory(case=case, source=source, event=event, quote=QUOTES[i % 3]) for i in range(3 * scale)
    ]
    for _ in range(scale):
        other_event = factories.EventFactory(case=case, actors=[iran])
        factories.CitationFactory(case=case, event=other_event, source=factories.SourceFactory())
    for i, measure in enumerate(measures):
        factories.EvidenceFactory(measure=measure, citation=citations[0], stance="progress")
        factories.EvidenceFactory(measure=measure, citation=citations[1 + i % (len(citations) - 1)], stance="setback")
    main = measures[0]
    for i in range(scale):
        for party in (pakistan, iran):
            factories.AssessmentFactory(
                measure=main,
                party=party,
                level=[Assessment.Level.MINIMAL, Assessment.Level.INTERMEDIATE][i % 2],
                effective_date=datetime.date(2024, 1, 2) + datetime.timedelta(days=i),
                recorded_by=analyst,
                citations=citations[:2],
                corrects=None,
            )
    for other in measures[1:]:
        factories.AssessmentFactory(measure=other, party=pakistan, recorded_by=analyst, citations=[citations[0]])
    for i in range(scale):  # an edit history that grows too
        source.title = f"Report, revision {i}"
        source.save()
        main.title = f"Measure, revision {i}"
        main.save()
    return {
        "case": case,
        "party": pakistan,
        "source": source,
        "event": event,
        "measure": main,
        "citation": citations[0],
        "evidence": main.evidence.first(),
        "assessment": main.assessments.first(),
    }


@pytest.fixture(scope="module", params=[1, 10], ids=["small", "ten-times"])
def kept_world(request, django_db_setup, django_db_blocker):
    """build_case at each scale, built once for the tests of this module (pytest runs those of one scale
    one after the other) and rolled back after them (tests.helpers.kept_until_the_end): they only read it."""
    with kept_until_the_end(django_db_blocker, lambda: build_case(request.param)) as built:
        yield built


@pytest.fixture
def world(kept_world, db):
    return kept_world


@pytest.fixture
def admin_client_of(client):
    def _login(role):
        client.force_login(getattr(factories, role)(username=role))
        return client

    return _login


MODELS = ["party", "case", "measure", "source", "event", "citation", "evidence", "assessment"]

# (page, bound): the same bound for the small and the ten-times case.
CHANGELIST_BOUNDS = {
    "party": 12,
    "case": 12,
    "measure": 14,
    "source": 14,
    "event": 16,
    "citation": 18,
    "evidence": 14,
    "assessment": 16,
}
CHANGE_BOUNDS = {
    "party": 12,
    "case": 14,
    "measure": 24,
    "source": 18,
    "event": 18,
    "citation": 18,
    "evidence": 14,
    "assessment": 12,
}
HISTORY_BOUND = 16


@pytest.mark.parametrize("model_name", MODELS)
def test_changelist_query_count_does_not_grow(admin_client_of, world, django_assert_max_num_queries, model_name):
    client = admin_client_of("analyst")
    url = reverse(f"admin:measures_{model_name}_changelist")
    with django_assert_max_num_queries(CHANGELIST_BOUNDS[model_name]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


@pytest.mark.parametrize("model_name", MODELS)
def test_change_page_query_count_does_not_grow(admin_client_of, world, django_assert_max_num_queries, model_name):
    client = admin_client_of("analyst")
    obj = world[model_name]
    url = reverse(f"admin:measures_{model_name}_change", args=[obj.pk])
    with django_assert_max_num_queries(CHANGE_BOUNDS[model_name]):
        response = client.get(url)
    assert response.status_code == 200


def test_view_only_change_page_of_a_reader_does_not_grow(admin_client_of, world, django_assert_max_num_queries):
    client = admin_client_of("reader")
    with django_assert_max_num_queries(CHANGE_BOUNDS["source"]):
        response = client.get(reverse("admin:measures_source_change", args=[world["source"].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model_name", ["source", "measure", "citation", "event"])
def test_history_page_query_count_does_not_grow(admin_client_of, world, django_assert_max_num_queries, model_name):
    client = admin_client_of("analyst")
    url = reverse(f"admin:measures_{model_name}_history", args=[world[model_name].pk])
    with django_assert_max_num_queries(HISTORY_BOUND):
        response = client.get(url)
    assert response.status_code == 200


def test_measure_list_filtered_by_case_and_level_does_not_grow(admin_client_of, world, django_assert_max_num_queries):
    client = admin_client_of("analyst")
    url = reverse("admin:measures_measure_changelist")
    with django_assert_max_num_queries(CHANGELIST_BOUNDS["measure"]):
        response = client.get(url, {"case__id__exact": world["case"].pk, "level": "minimal"})
    assert response.context["cl"].result_count > 0


def test_assess_page_query_count_does_not_grow(admin_client_of, world, django_assert_max_num_queries):
    client = admin_client_of("analyst")
    url = reverse("admin:measures_measure_assess", args=[world["measure"].pk])
    # + applicable parties and the cited passages of the levels in force (contested flag)
    with django_assert_max_num_queries(18):
        response = client.get(url)
    assert response.status_code == 200


def test_bulk_assessment_form_query_count_does_not_grow(admin_client_of, world, django_assert_max_num_queries):
    client = admin_client_of("analyst")
    measures = world["case"].measures.all()
    with django_assert_max_num_queries(18):  # the list is built twice, each time with the measure types' filter
        response = client.post(
            reverse("admin:measures_measure_changelist"),
            {"action": "record_assessment", "_selected_action": [m.pk for m in measures]},
        )
    assert response.status_code == 200


def test_citation_search_query_count_does_not_grow(admin_client_of, world, django_assert_max_num_queries):
    client = admin_client_of("analyst")
    params = {
        "app_label": "measures",
        "model_name": "assessment",
        "field_name": "citations",
        "case": world["case"].pk,
        "term": "ambassadors",
    }
    with django_assert_max_num_queries(6):
        response = client.get(reverse("admin:autocomplete"), params)
    assert response.json()["results"]
