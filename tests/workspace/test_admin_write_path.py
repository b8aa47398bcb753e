"""One write path: the admin's forms validate, the services write (measures.services), so a rule added to a
service holds on the pages analysts use, and a refusal at write time is shown on the form, nothing written."""

import pytest
from django.urls import reverse

from measures import services
from measures.models import Case, Citation, Event, Evidence, Source
from measures.services import citations as citation_services
from tests import factories
from tests.helpers import change_form_data, change_url, management

RULE = "Quotes about telephones are not taken (a rule added to the citation service for this test)."
NOTE_RULE = "Notes may not say “maybe” (a rule added to the evidence service for this test)."


@pytest.fixture
def citation_rule(monkeypatch):
    """A rule added where the docs say rules go: the citation service's check."""
    checked = []
    original = citation_services.check_citation

    def check_citation(citation):
        checked.append(citation.quote)
        if "telephone" in citation.quote:
            raise services.ServiceError({"quote": RULE})
        original(citation)

    monkeypatch.setattr(citation_services, "check_citation", check_citation)
    return checked


@pytest.fixture
def evidence_rule(monkeypatch):
    original = citation_services.check_evidence

    def check_evidence(evidence):
        if "maybe" in evidence.note:
            raise services.ServiceError({"note": NOTE_RULE})
        original(evidence)

    monkeypatch.setattr(citation_services, "check_evidence", check_evidence)


def _page_errors(response):
    """Every error message the change page shows: the form's and each inline row's."""
    form = response.context["adminform"].form
    found = [message for messages in form.errors.values() for message in messages]
    for inline in response.context["inline_admin_formsets"]:
        found += [str(message) for message in inline.formset.non_form_errors()]
        for row in inline.formset.errors:
            found += [message for messages in row.values() for message in messages]
    return " ".join(found)


def test_a_rule_added_to_the_citation_service_holds_on_the_citation_form(analyst_client, citation_rule):
    citation = factories.CitationFactory(quote="agreed to de-escalate")
    page = analyst_client.get(change_url(citation))
    data_version = Case.objects.get(pk=citation.case_id).data_version

    response = analyst_client.post(
        change_url(citation), change_form_data(page, quote="spoke by telephone", locator="para. 2")
    )

    assert response.status_code == 200
    assert RULE in _page_errors(response)
    citation.refresh_from_db()
    assert (citation.quote, citation.locator, citation.version) == ("agreed to de-escalate", "para. 1", 1)
    assert citation.history.count() == 1
    assert Case.objects.get(pk=citation.case_id).data_version == data_version
    # The same submission, once the rule passes it, is written by the service.
    response = analyst_client.post(change_url(citation), change_form_data(page, locator="para. 2"))
    assert response.status_code == 302
    assert citation_rule[-1] == "agreed to de-escalate"


def test_a_rule_added_to_the_citation_service_holds_on_a_sources_citation_rows(analyst_client, citation_rule):
    source = factories.SourceFactory(title="Dawn")
    case = factories.CaseFactory()
    page = analyst_client.get(change_url(source))
    data = change_form_data(page, title="Dawn (Karachi)")
    data.update({**management("citations"), "citations-0-case": case.pk, "citations-0-quote": "spoke by telephone"})

    response = analyst_client.post(change_url(source), data)

    assert response.status_code == 200
    assert f"Citation: {RULE}" in _page_errors(response)
    source.refresh_from_db()
    assert (source.title, source.version) == ("Dawn", 1)  # the whole save was undone
    assert not Citation.objects.exists()


def test_a_rule_added_to_the_citation_service_holds_on_an_events_citation_rows(analyst_client, citation_rule):
    event = factories.EventFactory()
    source = factories.SourceFactory()
    page = analyst_client.get(change_url(event))
    data = change_form_data(page)
    data.update({**management("citations"), "citations-0-source": source.pk, "citations-0-quote": "spoke by telephone"})

    response = analyst_client.post(change_url(event), data)

    assert response.status_code == 200
    assert RULE in _page_errors(response)
    assert not Citation.objects.exists()


def test_a_rule_added_to_the_evidence_service_holds_on_the_citation_forms_evidence_rows(analyst_client, evidence_rule):
    measure = factories.MeasureFactory()
    citation = factories.CitationFactory(case=measure.case)
    page = analyst_client.get(change_url(citation))
    data = change_form_data(page)
    data.update(
        {
            **management("evidence"),
            "evidence-0-measure": measure.pk,
            "evidence-0-stance": "progress",
            "evidence-0-note": "maybe",
        }
    )

    response = analyst_client.post(change_url(citation), data)

    assert response.status_code == 200
    assert NOTE_RULE in _page_errors(response)
    assert not Evidence.objects.exists()
    data["evidence-0-note"] = "Both ministers said so."
    assert analyst_client.post(change_url(citation), data).status_code == 302
    assert Evidence.objects.get().note == "Both ministers said so."


def test_a_rule_added_to_the_evidence_service_holds_on_the_evidence_form(analyst_client, evidence_rule):
    evidence = factories.EvidenceFactory(note="")
    page = analyst_client.get(change_url(evidence))

    response = analyst_client.post(change_url(evidence), change_form_data(page, note="maybe"))

    assert response.status_code == 200
    assert NOTE_RULE in _page_errors(response)
    evidence.refresh_from_db()
    assert evidence.note == ""


@pytest.fixture
def spies(monkeypatch):
    """The admin's calls into the services' record functions, by name (the real functions still run)."""
    calls = []
    for name in ("save_record", "save_records", "delete_record", "delete_records"):
        real = getattr(services, name)

        def spy(*args, _name=name, _real=real, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, spy)
    return calls


@pytest.mark.parametrize("model", [Source, Citation, Evidence, Event])
def test_the_admins_change_form_and_its_rows_write_through_the_services(analyst_client, spies, model):
    factory = {
        Source: factories.SourceFactory,
        Citation: factories.CitationFactory,
        Evidence: factories.EvidenceFactory,
        Event: factories.EventFactory,
    }[model]
    obj = factory()
    page = analyst_client.get(change_url(obj))
    response = analyst_client.post(change_url(obj), change_form_data(page))
    assert response.status_code == 302
    assert spies[0] == "save_record"
    assert spies.count("save_records") == len(page.context["inline_admin_formsets"])


def test_the_admins_deletions_go_through_the_services(analyst_client, spies, analyst_user):
    evidence = factories.EvidenceFactory()
    case = evidence.measure.case
    data_version = case.data_version
    url = reverse("admin:measures_evidence_delete", args=[evidence.pk])
    assert analyst_client.post(url, {"post": "yes"}).status_code == 302
    citations = [factories.CitationFactory(case=case), factories.CitationFactory(case=case)]
    response = analyst_client.post(
        reverse("admin:measures_citation_changelist"),
        {"action": "delete_selected", "_selected_action": [c.pk for c in citations], "post": "yes"},
    )
    assert response.status_code == 302
    assert spies == ["delete_record", "delete_records"]
    assert not Evidence.objects.exists() and not Citation.objects.filter(pk__in=[c.pk for c in citations]).exists()
    assert {record.history_user for record in Citation.history.filter(history_type="-")} == {analyst_user}
    # One bump for each deletion the analyst made: the evidence, then the two citations at once.
    assert Case.objects.get(pk=case.pk).data_version == data_version + 2


def test_a_form_with_several_rows_bumps_its_case_once(analyst_client):
    source = factories.SourceFactory()
    case = factories.CaseFactory()
    page = analyst_client.get(change_url(source))
    data = change_form_data(page)
    data.update(
        {
            **management("citations", total=2),
            "citations-0-case": case.pk,
            "citations-0-quote": "agreed to de-escalate",
            "citations-1-case": case.pk,
            "citations-1-quote": "Border forces increased patrols",
        }
    )
    assert analyst_client.post(change_url(source), data).status_code == 302
    assert Citation.objects.filter(source=source).count() == 2
    assert Case.objects.get(pk=case.pk).data_version == case.data_version + 1


def test_an_evidence_row_moved_to_another_case_bumps_both_cases(db):
    evidence = factories.EvidenceFactory()
    old_case = evidence.measure.case
    other = factories.MeasureFactory()
    versions = {old_case.pk: old_case.data_version, other.case_id: other.case.data_version}
    evidence.measure = other
    evidence.citation = factories.CitationFactory(case=other.case)
    services.save_evidence(evidence=evidence)
    now = dict(Case.objects.filter(pk__in=versions).values_list("pk", "data_version"))
    assert now == {pk: version + 1 for pk, version in versions.items()}
