"""One rule for a quoted source's text (Source.text_lock_reason): editable until the first citation quotes
it, then refused with one message by the model, the admin's form and save path, and the services."""

import pytest
from django.core.exceptions import ValidationError

from measures import services
from measures.models import Source
from tests import factories
from tests.helpers import change_form_data, change_url

REWRITTEN = "The foreign ministers spoke by telephone and agreed to de-escalate. Nothing else."


def _form(source, full_text):
    from workspace.forms import SourceForm

    data = {"title": source.title, "kind": source.kind, "full_text": full_text, "seen_version": source.version}
    return SourceForm(data=data, instance=source)


def test_a_quoted_sources_text_is_refused_with_one_message_on_every_path(analyst_client):
    citation = factories.CitationFactory(quote="agreed to de-escalate")
    source = Source.objects.get(pk=citation.source_id)
    stored = source.full_text
    reason = source.text_lock_reason()
    assert reason == (
        f"The text of “{source.title}” can no longer change: 1 citation quote it. "
        "Add a new source for a corrected version of the document."
    )

    # The admin shows the text read-only, and a text posted anyway is not taken.
    page = analyst_client.get(change_url(source))
    assert "full_text" in page.context["adminform"].readonly_fields
    analyst_client.post(change_url(source), change_form_data(page, full_text=REWRITTEN))
    # The form (even with every quoted passage kept in the new text), the model, the services.
    form = _form(source, REWRITTEN)
    assert not form.is_valid()
    assert form.errors["full_text"] == [reason]
    source.full_text = REWRITTEN
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert refused.value.message_dict["full_text"] == [reason]
    with pytest.raises(services.ServiceError) as refused:
        services.save_source(source=source)
    assert refused.value.message_dict == {"full_text": [reason]}
    with pytest.raises(services.ServiceError) as refused:
        services.change_source_text(source=source, full_text=REWRITTEN)
    assert refused.value.message_dict == {"full_text": [reason]}

    assert Source.objects.get(pk=source.pk).full_text == stored


def test_an_unquoted_sources_text_changes_through_the_admin_and_the_service(analyst_client, analyst_user):
    source = factories.SourceFactory()
    assert source.text_lock_reason() is None
    page = analyst_client.get(change_url(source))
    assert "full_text" not in page.context["adminform"].readonly_fields
    assert analyst_client.post(change_url(source), change_form_data(page, full_text=REWRITTEN)).status_code == 302
    source.refresh_from_db()
    assert (source.full_text, source.version, source.history.first().history_user) == (REWRITTEN, 2, analyst_user)

    changed = services.change_source_text(source=source, full_text="A corrected text.", user=analyst_user)
    assert (changed.full_text, changed.version) == ("A corrected text.", 3)
    # Quoted now: the next change is refused.
    services.create_citation(case=factories.CaseFactory(), source=changed, quote="A corrected text")
    with pytest.raises(services.ServiceError, match="can no longer change: 1 citation quote it"):
        services.change_source_text(source=changed, full_text="Another text.")
