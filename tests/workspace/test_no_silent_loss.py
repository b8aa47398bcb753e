"""No silent loss: a save that cannot store what the user sent is refused, with what changed meanwhile.
The version check runs whenever the stored record changed, whatever the form changed."""

import pytest
from django.contrib import admin

from measures import services
from measures.models import Case, Citation, Event, Evidence, Measure, MeasureType, Party, Source, Theme
from tests import factories
from tests.helpers import change_form_data, change_url


def test_a_text_edit_is_not_dropped_when_a_colleague_quotes_the_source_meanwhile(analyst_client):
    """6 of 15 concurrent trials: the text was locked at save time, the form then had no change, and the
    save was accepted ("changed successfully") with the new text silently not stored."""
    source = factories.SourceFactory(title="Dawn", full_text="Both sides agreed to de-escalate.")
    page = analyst_client.get(change_url(source))
    assert "full_text" in page.context["adminform"].form.fields  # editable when the page was shown
    case = factories.CaseFactory()
    services.create_citation(case=case, source=source, quote="agreed to de-escalate")  # the colleague

    response = analyst_client.post(
        change_url(source), change_form_data(page, full_text="Both sides agreed to de-escalate at once.")
    )

    assert response.status_code == 200  # refused, not "changed successfully"
    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Someone else saved this source while you were editing it" in message
    assert "nothing was saved" in message
    assert "A citation of this source was added, changed or removed meanwhile" in message
    source.refresh_from_db()
    assert source.full_text == "Both sides agreed to de-escalate."


def _theme():
    return Theme.objects.create(slug="security-x", name="Security X")


EDITABLE = {
    Party: lambda: factories.PartyFactory(),
    Case: lambda: factories.CaseFactory(),
    Measure: lambda: factories.MeasureFactory(),
    Source: lambda: factories.SourceFactory(),
    Event: lambda: factories.EventFactory(),
    Citation: lambda: factories.CitationFactory(),
    Evidence: lambda: factories.EvidenceFactory(),
    Theme: _theme,
    MeasureType: lambda: MeasureType.objects.create(
        slug="hotline-x", name="Hotline X", theme=_theme(), definition="A line kept open between commanders."
    ),
}
# The catalogue is the administrators' to edit.
EDITED_BY = {Theme: factories.administrator, MeasureType: factories.administrator}


@pytest.mark.parametrize("model", list(EDITABLE), ids=lambda model: model.__name__)
@pytest.mark.parametrize("typed", [True, False], ids=["edited", "left-alone"])
def test_no_editable_record_drops_an_edit_of_a_field_that_left_its_form(db, client, monkeypatch, model, typed):
    """The property for every record edited in the workspace: a field the page offered and the save no
    longer takes (made read-only meanwhile) is either stored or the save is refused, never dropped while
    the page says it saved. Left alone, it costs nothing: the rest is saved."""
    client.force_login(EDITED_BY.get(model, factories.analyst)(username="editor"))
    record = EDITABLE[model]()
    page = client.get(change_url(record))
    assert page.status_code == 200
    form = page.context["adminform"].form
    model_admin = admin.site._registry[model]
    # (A field a slug is made from cannot be read-only in Django's admin: another text field then.)
    sources_of_slugs = {n for names in model_admin.prepopulated_fields.values() for n in names}
    candidates = ("title", "name", "note", "locator", "summary", "description", "definition")
    name = next(n for n in candidates if n in form.fields and n not in sources_of_slugs)
    shown = model_admin.get_readonly_fields
    monkeypatch.setattr(model_admin, "get_readonly_fields", lambda request, obj=None: [*shown(request, obj), name])
    changes = {name: "Typed by the analyst"} if typed else {}
    stored = model.objects.get(pk=record.pk)

    response = client.post(change_url(record), change_form_data(page, **changes))

    after = model.objects.get(pk=record.pk)
    if typed:
        assert response.status_code == 200
        message = " ".join(response.context["adminform"].form.non_field_errors())
        assert "can no longer be changed on this page, so nothing was saved" in message
        assert after.version == stored.version
    else:
        assert response.status_code == 302
    assert getattr(after, name) == getattr(stored, name)
