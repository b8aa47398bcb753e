"""Two analysts editing the same record: the second save is refused, says what changed, overwrites nothing."""

import pytest

from measures.models import Case, Citation, Event, Party, Source
from tests import factories
from tests.helpers import change_form_data, change_url


@pytest.fixture
def colleague_client(client, django_user_model):
    from django.test import Client

    other = Client()
    other.force_login(factories.analyst(username="colleague"))
    return other


def test_a_save_over_the_version_opened_works_and_moves_the_version_on(analyst_client, analyst_user):
    source = factories.SourceFactory(title="Dawn")
    page = analyst_client.get(change_url(source))

    response = analyst_client.post(change_url(source), change_form_data(page, title="Dawn (Karachi)"))

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.title, source.version) == ("Dawn (Karachi)", 2)
    latest = source.history.first()
    assert (latest.title, latest.history_user, latest.version) == ("Dawn (Karachi)", analyst_user, 2)


def test_the_second_of_two_concurrent_saves_is_refused_with_what_changed(analyst_client, colleague_client):
    source = factories.SourceFactory(title="Dawn", publisher="Dawn Media Group")
    mine = analyst_client.get(change_url(source))
    theirs = colleague_client.get(change_url(source))
    colleague_client.post(change_url(source), change_form_data(theirs, title="Dawn newspaper", publisher="Dawn Group"))
    history_before = source.history.count()

    response = analyst_client.post(change_url(source), change_form_data(mine, author="Staff reporter"))

    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Someone else saved this source while you were editing it (colleague" in message
    assert "nothing was saved" in message
    assert "Title is now “Dawn newspaper”" in message
    assert "Publisher is now “Dawn Group”" in message
    assert "Author" not in message  # not changed meanwhile
    source.refresh_from_db()
    assert (source.title, source.author, source.version) == ("Dawn newspaper", "A. Writer", 2)
    assert source.history.count() == history_before


def test_a_conflict_lists_many_to_many_and_foreign_key_changes_with_their_current_values(
    analyst_client, colleague_client
):
    case = factories.CaseFactory(name="Crisis")
    india = factories.PartyFactory(name="India", code="IND")
    mine = analyst_client.get(change_url(case))
    theirs = colleague_client.get(change_url(case))
    colleague_client.post(
        change_url(case), change_form_data(theirs, assessed_parties=[*case.assessed_parties.all(), india])
    )

    response = analyst_client.post(change_url(case), change_form_data(mine, summary="Rewritten."))

    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Assessed parties is now" in message and "India" in message
    case.refresh_from_db()
    assert case.summary == "A crisis between two states."


def test_a_conflicting_inline_row_is_refused_and_the_rest_not_saved(analyst_client, colleague_client):
    source = factories.SourceFactory(title="Dawn")
    citation = factories.CitationFactory(source=source, quote="agreed to de-escalate", locator="para. 1")
    mine = analyst_client.get(change_url(source))
    theirs = colleague_client.get(change_url(citation))
    colleague_client.post(change_url(citation), change_form_data(theirs, locator="para. 2"))

    response = analyst_client.post(
        change_url(source), change_form_data(mine, title="Renamed", **{"citations-0-locator": "first paragraph"})
    )

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[0].non_field_errors()
    assert "Someone else saved this citation" in " ".join(errors)
    assert "Locator is now “para. 2”" in " ".join(errors)
    source.refresh_from_db()
    citation.refresh_from_db()
    assert (source.title, citation.locator) == ("Dawn", "para. 2")


def test_a_row_changed_meanwhile_blocks_the_page_until_reloaded(analyst_client, colleague_client):
    source = factories.SourceFactory(title="Dawn")
    citation = factories.CitationFactory(source=source, quote="agreed to de-escalate")
    mine = analyst_client.get(change_url(source))
    # The colleague changes the citation and the analyst, on the source page, leaves that row alone…
    theirs = colleague_client.get(change_url(citation))
    colleague_client.post(change_url(citation), change_form_data(theirs, locator="para. 9"))
    data = change_form_data(mine, title="Dawn (Karachi)")
    # …but the browser sends back the row as it was: an old locator, so the row counts as changed.
    response = analyst_client.post(change_url(source), data)
    citation.refresh_from_db()
    assert citation.locator == "para. 9"  # never overwritten
    assert response.status_code == 200

    # Reloaded, the row is current and the source saves.
    fresh = analyst_client.get(change_url(source))
    assert analyst_client.post(change_url(source), change_form_data(fresh, title="Dawn (Karachi)")).status_code == 302
    source.refresh_from_db()
    citation.refresh_from_db()
    assert (source.title, citation.locator) == ("Dawn (Karachi)", "para. 9")


def test_a_record_deleted_meanwhile_is_reported(analyst_client):
    event = factories.EventFactory()
    page = analyst_client.get(change_url(event))
    data = change_form_data(page, title="Renamed")
    Event.objects.filter(pk=event.pk).delete()
    response = analyst_client.post(change_url(event), data)
    assert response.status_code == 302  # the admin's own "does not exist" redirect
    assert not Event.objects.exists()


def test_a_tampered_version_is_refused(analyst_client):
    party = factories.PartyFactory(name="Iran", code="IRN")
    page = analyst_client.get(change_url(party))
    for bad in ["", "0", "banana", "7"]:
        response = analyst_client.post(change_url(party), change_form_data(page, name="Persia", seen_version=bad))
        assert response.status_code == 200, bad
        assert Party.objects.get().name == "Iran"


@pytest.mark.parametrize("model", [Party, Case, Source, Event, Citation])
def test_every_edited_model_carries_its_version_in_the_form(analyst_client, model):
    factory = {
        Party: factories.PartyFactory,
        Case: factories.CaseFactory,
        Source: factories.SourceFactory,
        Event: factories.EventFactory,
        Citation: factories.CitationFactory,
    }[model]
    obj = factory()
    model.objects.filter(pk=obj.pk).update(version=5)
    page = analyst_client.get(change_url(obj)).content.decode()
    assert '<input type="hidden" name="seen_version" value="5"' in page


def test_the_version_is_compared_on_a_locked_row_in_the_saving_transaction(analyst_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source = factories.SourceFactory(title="Dawn")
    page = analyst_client.get(change_url(source))
    with CaptureQueriesContext(connection) as queries:
        analyst_client.post(change_url(source), change_form_data(page, title="Dawn (Karachi)"))
    sql = [query["sql"] for query in queries.captured_queries]
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in statement for statement in sql)
    else:  # SQLite: IMMEDIATE transactions take the write lock when the admin's transaction begins
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    source.refresh_from_db()
    assert source.version == 2
