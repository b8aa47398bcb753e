"""The audit trail: every admin edit of a tracked model shows on its History page with who, when and what."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.text import capfirst

from tests import factories
from tests.helpers import change_form_data

EDITS = {
    "party": (factories.PartyFactory, "name", "Islamic Republic of Iran"),
    "case": (factories.CaseFactory, "summary", "Strikes and counter-strikes in Balochistan."),
    "measure": (factories.MeasureFactory, "title", "Restore diplomatic contact"),
    "source": (factories.SourceFactory, "publisher", "Dawn Media Group"),
    "event": (factories.EventFactory, "location", "Panjgur"),
    "citation": (factories.CitationFactory, "locator", "para. 7"),
    "evidence": (factories.EvidenceFactory, "note", "Reported by two outlets."),
}


@pytest.fixture
def reader_client(db):
    """A reader in a browser of their own (conftest's reader_client shares the analyst's client)."""
    client = Client()
    client.force_login(factories.reader(username="reader"))
    return client


@pytest.mark.parametrize("model_name", EDITS)
def test_an_admin_edit_shows_on_the_history_page_with_who_and_what(analyst_client, reader_client, model_name):
    factory, field, new_value = EDITS[model_name]
    obj = factory()
    old_value = getattr(obj, field)
    change_url = reverse(f"admin:measures_{model_name}_change", args=[obj.pk])
    page = analyst_client.get(change_url)
    assert analyst_client.post(change_url, change_form_data(page, **{field: new_value})).status_code == 302

    latest = obj.history.first()
    assert latest.history_user.username == "analyst"
    assert getattr(latest, field) == new_value

    # Readers follow the audit trail too.
    history = reader_client.get(reverse(f"admin:measures_{model_name}_history", args=[obj.pk]))
    text = history.content.decode()
    assert history.status_code == 200
    label = capfirst(obj._meta.get_field(field).verbose_name)
    assert f"<strong>{label}:</strong> <del>{old_value}</del> &rarr; <ins>{new_value}</ins>" in text
    assert "<td>analyst</td>" in text
    assert "<strong>Version:</strong>" not in text  # bookkeeping, not a change anyone made


def test_history_keeps_every_version_newest_first(analyst_client):
    source = factories.SourceFactory(title="First")
    url = reverse("admin:measures_source_change", args=[source.pk])
    for title in ["Second", "Third"]:
        analyst_client.post(url, change_form_data(analyst_client.get(url), title=title))

    response = analyst_client.get(reverse("admin:measures_source_history", args=[source.pk]))
    records = list(response.context["page_obj"])
    assert [record.title for record in records] == ["Third", "Second", "First"]
    assert [record.version for record in records] == [3, 2, 1]
    assert [change["field"] for change in records[0].history_delta_changes] == ["Title"]


def test_an_old_version_can_be_read_but_not_restored(reader_client, analyst_client):
    source = factories.SourceFactory(title="First")
    url = reverse("admin:measures_source_change", args=[source.pk])
    analyst_client.post(url, change_form_data(analyst_client.get(url), title="Second"))
    first = source.history.last()

    for client in (reader_client, analyst_client):
        page = client.get(reverse("admin:measures_source_simple_history", args=[source.pk, first.history_id]))
        text = page.content.decode()
        assert page.status_code == 200
        assert "First" in text
        assert 'name="_save"' not in text and "Revert" not in text


def test_changes_to_parties_of_a_case_are_in_its_history(analyst_client):
    case = factories.CaseFactory()
    india = factories.PartyFactory(name="India", code="IND")
    url = reverse("admin:measures_case_change", args=[case.pk])
    parties = [*case.assessed_parties.all(), india]
    analyst_client.post(url, change_form_data(analyst_client.get(url), assessed_parties=parties))

    text = analyst_client.get(reverse("admin:measures_case_history", args=[case.pk])).content.decode()
    assert "assessed parties" in text.lower()
    assert set(case.history.first().assessed_parties.values_list("party__code", flat=True)) == {
        party.code for party in parties
    }
