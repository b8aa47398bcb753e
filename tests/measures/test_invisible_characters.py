"""Invisible characters (Unicode Cf, Zl, Zp) in a single line: a name, a title, a label. One rule
(measures.lib.text.invisible_character), on the model fields, hence every form, the services and the
case-file loader; multi-line text keeps them."""

import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from measures import models
from measures.importing.schema import CaseFileError, parse_case_file
from measures.lib import text
from measures.models import Event
from tests import factories
from tests.helpers import change_form_data, change_url

EVERY_CHARACTER = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
INVISIBLE = [c for c in EVERY_CHARACTER if unicodedata.category(c) in ("Cf", "Zl", "Zp")]
KEPT = set(text.JOINERS + text.BIDI_MARKS)
REFUSED = [c for c in INVISIBLE if c not in KEPT]


def _loader_problems(field, value):
    try:
        parse_case_file(json.dumps({"case": {field: value}}))
    except CaseFileError as exc:
        return exc.problems
    return []


def test_every_format_and_separator_character_but_joiners_and_bidi_marks_is_refused_in_a_line():
    assert {"\u200b", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\u00ad", "\u2028", "\u2029"} <= set(REFUSED)
    for char in REFUSED:
        value = f"Safe{char}gnp.exe"
        with pytest.raises(ValidationError, match=rf"invisible character \(U\+{ord(char):04X}"):
            text.single_line(value)
        text.multi_line(f"A passage{char}as the document has it.")  # long text keeps them


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("Safe \u202egnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("x\u2067evil\u2069", "U+2067 RIGHT-TO-LEFT ISOLATE"),
        ("\u200cبیانیه", "U+200C ZERO WIDTH NON-JOINER"),  # a joiner only inside a word
        ("بیانیه \u200d", "U+200D ZERO WIDTH JOINER"),
    ],
)
def test_the_message_names_the_character(value, named):
    with pytest.raises(ValidationError) as excinfo:
        text.single_line(value)
    assert f"Contains an invisible character ({named})" in excinfo.value.messages[0]
    assert f"contains an invisible character ({named})" in _loader_problems("name", value)[0]


@pytest.mark.parametrize(
    "value",
    [
        "بیانیه\u200cی وزارت امور خارجه",  # Persian: ZWNJ inside a word
        "क्\u200dष",  # Devanagari: ZWJ inside a cluster
        "\u200fبیانیه (2024)",  # RLM, a bidi mark that reverses nothing, beside right-to-left text
        "Talks in Ankara (آنکارا)\u200e",
    ],
)
def test_writing_needs_joiners_inside_a_word_and_bidi_marks(value):
    text.single_line(value)
    assert _loader_problems("name", value) == []


def test_a_line_with_no_visible_character_is_refused():
    for value in (" ", "\u00a0\u3000"):
        with pytest.raises(ValidationError, match="Has no visible character"):
            text.single_line(value)
    with pytest.raises(ValidationError, match="U\\+200F RIGHT-TO-LEFT MARK"):  # a mark beside nothing
        text.single_line("\u200f")


def test_the_source_form_refuses_an_invisible_label_and_an_overridden_title(analyst_client):
    source = factories.SourceFactory(label="UN", title="Statement")
    for field, value, named in (
        ("label", "\u200b", "U+200B ZERO WIDTH SPACE"),
        ("title", "Safe \u202egnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ):
        page = analyst_client.get(change_url(source))
        response = analyst_client.post(change_url(source), change_form_data(page, **{field: value}))
        assert response.status_code == 200
        assert named in response.context["adminform"].form.errors[field][0]
    source.refresh_from_db()
    assert (source.label, source.title) == ("UN", "Statement")


def test_the_event_form_refuses_an_overridden_title(analyst_client):
    event = factories.EventFactory(title="Talks")
    page = analyst_client.get(change_url(event))
    response = analyst_client.post(change_url(event), change_form_data(page, title="x\u202eevil"))
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in response.context["adminform"].form.errors["title"][0]
    assert Event.objects.get(pk=event.pk).title == "Talks"


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("Case", "name"),
        ("Party", "name"),
        ("Measure", "title"),
        ("Commitment", "what"),
        ("Theme", "name"),
        ("MeasureType", "name"),
        ("Source", "label"),
        ("Source", "title"),
        ("Event", "title"),
    ],
)
def test_every_short_name_a_user_types_takes_the_single_line_rule(model, field):
    assert text.single_line in getattr(models, model)._meta.get_field(field).validators


@pytest.mark.parametrize("field", ["translation", "comment"])
def test_the_loader_takes_line_breaks_in_every_field_the_forms_take_them_in(field):
    # A passage's translation and a review's comment are multi-line in the models: export_case wrote
    # them with their line breaks, and load_case refused its own export.
    problems = _loader_problems(field, "First line,\nsecond line.")
    assert not [problem for problem in problems if "control character" in problem]


@pytest.mark.parametrize("char", ["\u3164", "\u115f", "\uffa0", "\u2800", "\u034f"])
def test_a_blank_letter_is_refused_in_a_line_alone_or_beside_text(char):
    assert text.invisible_character(f"Iran{char}") == char
    assert _loader_problems("name", char)
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}"):
        text.single_line(char)
