"""Malformed input gets a message, never a server error, and changes nothing: ids in admin forms,
autocompletes and filters, and case files for load_case. (tests/test_fuzz.py tries many more.)"""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.models import Assessment, Case, Citation, Event, Evidence, Party, Source
from tests import factories
from tests.helpers import change_form_data, change_url, management, small_case

# Non-numeric, a superscript digit (str.isdigit() is true), an Arabic-Indic digit, 20 digits (beyond a
# 64-bit integer: SQLite cannot even compare it), a negative number, a decimal, hexadecimal.
BAD_IDS = ["abc", "²", "١", "99999999999999999999", "-1", "1.5", "0x10"]


@pytest.mark.parametrize("value", BAD_IDS)
def test_evidence_form_with_a_malformed_measure_id(analyst_client, value):
    citation = factories.CitationFactory()
    response = analyst_client.post(
        reverse("admin:measures_evidence_add"), {"measure": value, "citation": citation.pk, "stance": "progress"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["measure"])
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("value", BAD_IDS)
def test_citation_autocomplete_with_a_malformed_case(analyst_client, value):
    factories.CitationFactory()
    response = analyst_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "measures", "model_name": "assessment", "field_name": "citations", "case": value, "term": ""},
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("value", BAD_IDS)
def test_source_inline_row_with_a_malformed_case(analyst_client, value):
    data = {"title": "Report", "kind": "news", **management("citations")}
    data.update({"citations-0-case": value, "citations-0-quote": "x"})
    response = analyst_client.post(reverse("admin:measures_source_add"), data)
    assert response.status_code == 200
    assert not Source.objects.exists() and not Citation.objects.exists()


@pytest.mark.parametrize("value", BAD_IDS)
def test_event_with_a_malformed_actor(analyst_client, value):
    case = factories.CaseFactory()
    data = {"case": case.pk, "date": "2024-01-02", "date_precision": "day", "title": "Talks", "kind": "other"}
    data.update({"direction": "neutral", "actors": [value], **management("citations", total=0)})
    response = analyst_client.post(reverse("admin:measures_event_add"), data)
    assert response.status_code == 200
    assert not Event.objects.exists()


@pytest.mark.parametrize("value", BAD_IDS)
def test_assess_form_with_malformed_ids(analyst_client, value):
    measure = factories.MeasureFactory()
    data = {"party": value, "level": "full", "confidence": "high", "effective_date": "2024-01-05"}
    data.update({"rationale": "Seen.", "citations": [value], "seen": value, "corrects": value})
    response = analyst_client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)
    assert response.status_code == 200
    assert not measure.assessments.exists()


@pytest.mark.parametrize("value", BAD_IDS)
def test_assess_page_with_a_malformed_party_in_the_link(analyst_client, value):
    measure = factories.MeasureFactory()
    response = analyst_client.get(reverse("admin:measures_measure_assess", args=[measure.pk]), {"party": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("model", ["measure", "citation", "event", "evidence", "source", "case"])
def test_lists_and_pages_with_malformed_ids(analyst_client, model, value):
    changelist = reverse(f"admin:measures_{model}_changelist")
    for params in ({"case__id__exact": value}, {"measure__case__id__exact": value}, {"q": value}, {"o": value}):
        assert analyst_client.get(changelist, params).status_code in (200, 302)
    assert analyst_client.get(f"{changelist}{value}/change/").status_code in (200, 302, 404)


@pytest.mark.parametrize("value", ["0", "-1", "10000", "99999999999999999999", "abc"])
@pytest.mark.parametrize("model, lookup", [("source", "published_on__year"), ("source", "published_on__month")])
def test_lists_with_a_date_the_database_cannot_take(analyst_client, model, lookup, value):
    factories.SourceFactory()
    response = analyst_client.get(reverse(f"admin:measures_{model}_changelist"), {lookup: value})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("value", ["", *BAD_IDS])
def test_bulk_action_with_a_malformed_selection(analyst_client, value):
    measure = factories.MeasureFactory()
    response = analyst_client.post(
        reverse("admin:measures_measure_changelist"),
        {"action": "record_assessment", "_selected_action": [measure.pk, value]},
    )
    assert response.status_code == 302
    assert not measure.assessments.exists()


# load_case: every malformed file is answered with "Nothing was loaded" and the item at fault.


def counts():
    return [model.objects.count() for model in (Case, Party, Source, Event, Citation, Evidence)]


def load(tmp_path, content):
    path = tmp_path / "case.json"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    call_command("load_case", str(path), stdout=open("/dev/null", "w"))


def test_the_small_case_loads(db, tmp_path):
    load(tmp_path, small_case())
    assert Case.objects.get().measures.get().assessments.count() == 1


def _broken(path, value):
    """small_case() with the value at `path` (keys and indexes) replaced."""
    data = small_case()
    item = data
    for step in path[:-1]:
        item = item[step]
    item[path[-1]] = value
    return data


BROKEN_FILES = {
    "not UTF-8": (b'{"format": "caf\xe9"}', "file: not UTF-8 text (byte 0xe9 at position 15)"),
    "a text where an object belongs": (_broken(["case"], "small"), 'case: expected object, found "small"'),
    "a text where a list of objects belongs": (_broken(["measures", 0], "talk"), "measures[0]: expected object"),
    "a number where text belongs": (_broken(["sources", 0, "title"], 5), "sources[0].title: expected string"),
    "a list where text belongs": (_broken(["citations", 0, "quote"], ["x"]), "citations[0].quote: expected string"),
    "text where a number belongs": (_broken(["measures", 0, "number"], "1"), "measures[0].number: expected integer"),
    "true where a number belongs": (_broken(["measures", 0, "number"], True), "expected integer, found true"),
    "an object as a party code": (_broken(["case", "assessed_parties", 0], {}), "case.assessed_parties[0]: expected"),
    "a NUL byte": (
        _broken(["sources", 0, "full_text"], "The ministers\x00 agreed to talk."),
        "sources[0].full_text: contains a NUL character",
    ),
    "a vertical tab in a title": (
        _broken(["measures", 0, "title"], "Mediation\x0band arbitration"),
        "measures[0].title: contains a control character (\\u000b); this field takes no control characters",
    ),
    "a line break in a title": (
        _broken(["events", 0, "title"], "Call\nreturned"),
        "events[0].title: contains a control character (\\u000a)",
    ),
    "a C1 next-line in a rationale": (
        _broken(["assessments", 0, "rationale"], "Talks\x85resumed."),
        "assessments[0].rationale: contains a control character (\\u0085); this field takes no control "
        "characters other than tab and line breaks",
    ),
    "a form feed in a quote": (
        _broken(["citations", 0, "quote"], "The ministers\x0cagreed"),
        "citations[0].quote: contains a control character (\\u000c)",
    ),
    "a form feed in a source's text": (
        _broken(["sources", 0, "full_text"], "Page one.\x0cPage two."),
        "sources[0].full_text: contains a control character (\\u000c); this field takes no control characters "
        "other than tab and line breaks",
    ),
    "a lone surrogate": (_broken(["events", 0, "title"], "Call \ud800"), "events[0].title: contains a lone surrogate"),
    "a lone surrogate in a key": (
        _broken(["events", 0, "\udc80"], "x"),
        "events[0].\\udc80 (the key): contains a lone surrogate (\\udc80)",
    ),
    "a recording time in 2999": (
        _broken(["assessments", 0, "recorded_at"], "2999-01-01T00:00:00+00:00"),
        "assessments[0].recorded_at: The recording time 01 January 2999 00:00 is in the future",
    ),
    "a number beyond any measure": (_broken(["measures", 0, "number"], 10**20), "measures[0].number:"),
}


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_a_malformed_case_file_loads_nothing(db, tmp_path, name):
    content, message = BROKEN_FILES[name]
    before = counts()
    with pytest.raises(CommandError) as raised:
        load(tmp_path, content)
    assert message in str(raised.value)
    assert "nothing was loaded" in str(raised.value)
    assert counts() == before


@pytest.mark.parametrize("value", BAD_IDS)
def test_links_with_malformed_ids(analyst_client, value):
    """Links other pages build (choose a measure to assess, select-to-cite, history) taken with bad ids."""
    measure = factories.MeasureFactory()
    pages = [
        (reverse("admin:measures_assessment_add"), {"measure": value, "party": value}),
        (reverse("admin:measures_measure_assess", args=[measure.pk]), {"party": value}),
        (reverse("admin:measures_citation_add"), {"source": value, "start": "1", "end": "5", "measure": value}),
        (reverse("admin:measures_citation_add"), {"measure": value, "stance": "progress"}),
        (f"/admin/measures/measure/{value}/history/", {}),
        (f"/admin/measures/citation/{value}/history/", {}),
    ]
    for url, params in pages:
        assert analyst_client.get(url, params).status_code in (200, 302, 404), (url, params)


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "1" * 40])
def test_reading_pages_with_ids_too_large_for_the_database(reader_client, value):
    """A 20-digit source id was a server error on SQLite (OverflowError): every id in a reading URL is
    at most 18 digits, and a longer one is "not found"."""
    case = factories.CaseFactory()
    urls = [
        f"/cases/{case.slug}/sources/{value}/",
        f"/cases/{case.slug}/events/{value}/",
        f"/cases/{case.slug}/measures/{value}/",
        f"/sources/{value}/original/",
        f"/cases/{case.slug}/report/pdf/{value}/",
        f"/cases/{case.slug}/report/pdf/{value}/download",
    ]
    for url in urls:
        assert reader_client.get(url).status_code == 404, url


def test_a_case_file_keeps_line_breaks_and_tabs_in_multi_line_text(db, tmp_path):
    load(tmp_path, _broken(["assessments", 0, "rationale"], "Talks resumed.\r\n\tBoth sides agreed."))
    assert Assessment.objects.get().rationale == "Talks resumed.\r\n\tBoth sides agreed."


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("title", "Mediation\x0band arbitration", "U+000B"),
        ("title", "Mediation\x85and arbitration", "U+0085"),
        ("title", "Mediation\nand arbitration", "U+000A"),
        ("description", "Both sides\x0cagree.", "U+000C"),
        ("description", "Both sides\x85agree.", "U+0085"),
    ],
)
def test_the_measure_form_refuses_control_characters_naming_the_field(analyst_client, field, value, refused):
    measure = factories.MeasureFactory(title="Mediation", description="Both sides agree.")
    page = analyst_client.get(change_url(measure))
    response = analyst_client.post(change_url(measure), change_form_data(page, **{field: value}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert f"Contains a control character ({refused})" in errors[field][0]
    measure.refresh_from_db()
    assert (measure.title, measure.description) == ("Mediation", "Both sides agree.")


def test_the_measure_form_keeps_line_breaks_and_tabs_in_the_description(analyst_client):
    measure = factories.MeasureFactory()
    page = analyst_client.get(change_url(measure))
    response = analyst_client.post(change_url(measure), change_form_data(page, description="One.\r\n\tTwo."))
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.description == "One.\r\n\tTwo."


def test_model_clean_refuses_control_characters_in_single_line_fields(db):
    source = factories.SourceFactory()
    source.label, source.publisher = "Hocker\x0b", "Dawn\x9f"
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    assert set(raised.value.message_dict) == {"label", "publisher"}


def test_model_clean_refuses_control_characters_in_a_sources_text_but_tab_and_line_breaks(db):
    source = factories.SourceFactory(full_text="Page one.\r\n\tPage two.")
    source.full_clean()
    source.full_text = "Page one.\x0cPage two."
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    assert set(raised.value.message_dict) == {"full_text"}


def test_the_migration_blanks_control_characters_stored_in_source_texts_keeping_offsets(db):
    """Texts stored before the rule: each control character becomes a space, so every citation's
    offsets still point at its passage, which still matches."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    text = "Page one ends.\x0cThe ministers\x01 agreed to talk.\tTab kept."
    if connection.vendor == "sqlite":  # PostgreSQL cannot store NUL at all
        text += "\x00"
    source = factories.SourceFactory(full_text="The ministers agreed to talk.")
    Source.objects.filter(pk=source.pk).update(full_text=text)  # as stored before the rule
    clean = factories.SourceFactory(full_text="Nothing to change.\n")
    migration = importlib.import_module("measures.migrations.0016_source_text_control_characters")

    migration.blank_control_characters(apps, SimpleNamespace(connection=connection))

    source.refresh_from_db()
    assert source.full_text.rstrip(" ") == "Page one ends. The ministers  agreed to talk.\tTab kept."
    assert len(source.full_text) == len(text)
    source.full_clean()
    assert source.find_quote("The ministers agreed to talk.") == text.index("The ministers")
    clean.refresh_from_db()
    assert clean.full_text == "Nothing to change.\n"
