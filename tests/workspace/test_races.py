"""Races answered with messages: two analysts doing the same thing at the same moment get what they would
have got one after the other (a form message), never a database error. Each race is played out exactly:
the other analyst's write is made between this one's checks and its write."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures import services
from measures.importing import events_csv, events_sync
from measures.intake import staging
from measures.models import Citation, Event, Source
from measures.services import citations as citations_service
from measures.services import sources as sources_service
from tests import documents, factories
from tests.helpers import ROWS, csv_bytes

INTAKE = "admin:measures_source_intake"


def import_url(case):
    return f"/admin/measures/case/{case.pk}/import-events/"


@pytest.fixture
def meanwhile(monkeypatch):
    """meanwhile(module, name, other_write, at=1): the `at`-th call of module.name first lets `other_write()`
    happen (the colleague's request), then goes on with the stale view this request had."""

    def install(module, name, other_write, *, at=1):
        original = getattr(module, name)
        calls = []

        def raced(*args, **kwargs):
            calls.append(name)
            if len(calls) == at:
                monkeypatch.setattr(module, name, original)
                other_write()
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, raced)

    return install


def test_the_same_events_file_imported_twice_at_once(analyst_client, pakistan_iran, meanwhile):
    """10 of 10 trials gave one analyst a server error (unique key)."""
    case = pakistan_iran
    content = csv_bytes(ROWS)
    upload = {"csv_file": SimpleUploadedFile("events.csv", content, "text/csv"), "_preview": "1"}
    assert analyst_client.post(import_url(case), upload).status_code == 200
    count = Event.objects.count()
    # The colleague's import is stored between this one's comparison (its last step: the removals) and its
    # first batch.
    meanwhile(events_sync.StoredEvents, "removals", lambda: events_csv.import_events(case, content))

    response = analyst_client.post(import_url(case), {"_import": "1"}, follow=True)
    assert response.status_code == 200  # the import's page (the worker ran it: tasks run in the request here)
    page = " ".join(response.content.decode().split())
    assert "added 0 events, updated 0, removed 0; 4 were already there." in page
    assert Event.objects.count() == count + 4  # once


SOURCE_FORM = {
    "kind": "news",
    "citations-TOTAL_FORMS": "0",
    "citations-INITIAL_FORMS": "0",
    "citations-MIN_NUM_FORMS": "0",
    "citations-MAX_NUM_FORMS": "1000",
}


def test_two_sources_with_the_same_label_at_once(analyst_client, meanwhile):
    """6 of 8 trials on PostgreSQL gave a server error: both forms checked the label before either wrote."""
    # The colleague's source is saved after this form and the service checked the label, before the write.
    other = Source(title="Dawn, 17 January", kind="news", label="Dawn")
    meanwhile(sources_service, "stamp_user", lambda: other.save())
    response = analyst_client.post(
        "/admin/measures/source/add/", {**SOURCE_FORM, "title": "Dawn, 18 January", "label": "Dawn"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The label “Dawn” is already the label of another source, “Dawn, 17 January”" in page
    # (The colleague's source, written inside this request's transaction here, is rolled back with it.)
    assert not Source.objects.filter(title="Dawn, 18 January").exists()


def test_a_citation_saved_with_a_key_taken_meanwhile_gets_the_sequential_message(db, meanwhile):
    """The write path's rule for every record: a unique rule broken by a write made meanwhile is refused
    with the model's own message (here a citation key), not a database error."""
    citation = factories.CitationFactory(key="dawn-1")
    other = factories.CitationFactory.build(case=citation.case, source=citation.source, quote=citation.quote, key="")
    other.key = "dawn-2"
    meanwhile(citations_service, "stamp_user", lambda: Citation.objects.filter(pk=citation.pk).update(key="dawn-2"))
    with pytest.raises(services.ServiceError) as refusal:
        services.save_citation(citation=other)
    Citation.objects.filter(pk=citation.pk).update(key="dawn-2")  # (rolled back with the refused write)
    with pytest.raises(services.ServiceError) as sequential:  # one after the other, for comparison
        services.save_citation(citation=other)
    assert refusal.value.message_dict == sequential.value.message_dict
    assert "citation_key_unique_in_case" in str(refusal.value)


def test_the_same_document_saved_twice_at_once(analyst_client, analyst_user, media_root, meanwhile):
    """7 of 8 and 8 of 8 trials made two sources with one original: the check ran before the transaction."""
    page = documents.news_page()
    first = analyst_client.post(reverse(INTAKE), {"file": SimpleUploadedFile("envoys.html", page), "text": ""})
    second = analyst_client.post(reverse(INTAKE), {"file": SimpleUploadedFile("copy.html", page), "text": ""})
    colleague = first.context["review"]["staged"].value()

    def colleague_saves():
        original = staging.load(colleague, user_id=analyst_user.pk)
        services.create_source(title="Envoys to return", kind="news", full_text="Both sides agreed.", original=original)

    # Saved after this request checked that no source has the file (the review form's full_clean, then the
    # service's look-up and its full_clean), before it wrote.
    meanwhile(Source, "full_clean", colleague_saves, at=2)
    response = analyst_client.post(reverse(INTAKE), _review(second, kind="news"))
    assert response.status_code == 200
    assert "This file is already the original of the source “Envoys to return”" in response.content.decode()
    assert list(Source.objects.values_list("title", flat=True)) == ["Envoys to return"]
    assert len([p for p in (media_root / "sources").rglob("*") if p.is_file()]) == 1  # this one's file removed


def _review(response, **changes):
    form = response.context["review"]
    data = {name: form[name].value() or "" for name in form.fields}
    if isinstance(data["published_on"], datetime.date):
        data["published_on"] = data["published_on"].isoformat()
    return {**data, **changes}
