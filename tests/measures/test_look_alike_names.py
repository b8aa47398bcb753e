"""Names that look alike: a joiner or bidi mark that draws nothing is refused in a line, and unique names
(a party's, a theme's, a measure type's, a source's label) are compared without them
(measures.lib.text.look_alike_mark and name_key), by the model (hence every form and the services), the
case-file loader and the database's constraints."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from measures.importing import CaseFileError, import_case
from measures.importing.schema import parse_case_file
from measures.lib import text
from measures.models import MeasureType, Party, Theme
from tests import factories
from tests.helpers import change_form_data, change_url

LRM, RLM, ALM, ZWNJ, ZWJ = "\u200e", "\u200f", "\u061c", "\u200c", "\u200d"
IRAN_FA = "ایران"


@pytest.mark.parametrize(
    ("value", "char"),
    [
        (f"Iran{LRM}", LRM),  # a mark beside left-to-right text only
        (f"{LRM}Iran", LRM),
        (f"Iran{RLM}{RLM}{RLM}", RLM),
        (f"Ir{ZWNJ}an", ZWNJ),  # Latin letters do not join
        (f"Ir{ZWJ}an", ZWJ),
        (f"{IRAN_FA}{RLM}{RLM}", RLM),  # the second mark repeats the first
        (f"دیگر{ZWNJ}ها", ZWNJ),  # after a letter that never joins the next (reh)
    ],
)
def test_a_mark_that_draws_nothing_is_refused(value, char):
    assert text.invisible_character(value) == char
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}.*where it changes nothing"):
        text.single_line(value)
    problems = _loader_problems(value)
    assert problems and f"U+{ord(char):04X}" in problems[0]


@pytest.mark.parametrize(
    "value",
    [
        f"می{ZWNJ}خواهم",  # Persian: ZWNJ between joining letters
        f"بیانیه{ZWNJ}ی وزارت",
        f"क्{ZWJ}ष",  # Devanagari: ZWJ after a virama
        f"क्{ZWNJ}ष",
        f"র{ZWJ}্য",  # Bengali ya-phala: ZWJ before a virama
        f"{RLM}{IRAN_FA} (2024)",  # a bidi mark next to right-to-left text
        f"Iran ({IRAN_FA}){LRM}",
        f"{IRAN_FA}{ALM}",
    ],
)
def test_a_mark_that_does_something_is_kept(value):
    assert text.invisible_character(value) is None
    text.single_line(value)
    assert _loader_problems(value) == []


def test_names_are_compared_without_joiners_and_bidi_marks():
    assert text.name_key(f"{RLM}{IRAN_FA}{RLM}") == IRAN_FA
    assert text.name_key(f"می{ZWNJ}خواهم") == "میخواهم"
    assert text.name_key(f"Ir{ZWJ}a{ALM}n{LRM}") == "Iran"


def _loader_problems(value):
    try:
        parse_case_file(json.dumps({"case": {"name": value}}))
    except CaseFileError as exc:
        return exc.problems
    return []


def test_the_party_form_refuses_a_name_that_reads_as_another(db, admin_client):
    factories.PartyFactory(code="IRN", name=IRAN_FA)
    url = reverse("admin:measures_party_add")
    factories.PartyFactory(code="IRL", name="Iran")
    for name, code in ((f"{IRAN_FA}{RLM}", "IRX"), (f"Iran{LRM}", "IRY")):
        response = admin_client.post(url, {"name": name, "code": code, "kind": "state", "other_names": ""})
        assert response.status_code == 200
        assert len(response.context["adminform"].form.errors["name"]) == 1  # one message, not two
    errors = (
        admin_client.post(url, {"name": f"{RLM}{IRAN_FA}", "code": "IRZ", "kind": "state"})
        .context["adminform"]
        .form.errors["name"]
    )
    assert errors == [
        f"Another party is already named “{IRAN_FA}” (they differ only by invisible marks): "
        "choose a name that reads differently."
    ]
    assert sorted(Party.objects.values_list("code", flat=True)) == ["IRL", "IRN"]


def _theme(name, slug="talks-in-persian"):
    return Theme.objects.create(slug=slug, name=name)


def _measure_type(name, slug="talks-in-persian"):
    return MeasureType.objects.create(slug=slug, name=name, theme=Theme.objects.first(), definition="Talks.")


@pytest.mark.parametrize(("make", "noun"), [(_theme, "theme"), (_measure_type, "measure type")])
def test_catalogue_names_are_compared_without_marks(db, make, noun):
    stored = make(f"مذاکره{ZWNJ}ها")
    twin = type(stored)(name="مذاکرهها", slug="talks-again")
    with pytest.raises(ValidationError) as caught:
        twin.full_clean(exclude=["theme", "definition"])
    assert caught.value.message_dict["name"] == [
        f"Another {noun} is already named “مذاکره{ZWNJ}ها” (they differ only by invisible marks): "
        "choose a name that reads differently."
    ]


def test_a_source_label_that_reads_as_another_is_refused(db):
    factories.SourceFactory(label=f"{IRAN_FA} خبر")
    twin = factories.SourceFactory.build(label=f"{IRAN_FA}{RLM} خبر")
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert "they differ only by invisible marks" in caught.value.message_dict["label"][0]


@pytest.mark.parametrize(
    "make",
    [
        lambda name, n: factories.PartyFactory(name=name, code=f"IR{n}"),
        lambda name, n: _theme(name, slug=f"theme-{n}"),
        lambda name, n: _measure_type(name, slug=f"type-{n}"),
        lambda name, n: factories.SourceFactory(label=name),
    ],
)
def test_the_database_refuses_a_look_alike_whatever_path_writes_it(db, make):
    # save() without full_clean: what a race, or a path that skipped the checks, would write.
    make(IRAN_FA, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(f"{RLM}{IRAN_FA}", 2)


def test_the_loader_refuses_a_party_named_as_a_stored_one_but_for_marks(db, case_data):
    factories.PartyFactory(code="IRF", name="Iran")
    case_data["parties"][1]["name"] = f"Ir{ZWJ}an"
    with pytest.raises(CaseFileError) as caught:
        import_case(case_data)
    assert caught.value.problems == [
        "parties[1].name: “Ir\u200dan” is already the name of the party “IRF” (as “Iran”: they differ only by "
        "invisible marks)"
    ]
    factories.PartyFactory(code="FA", name=IRAN_FA)
    case_data["parties"][1]["name"] = f"{IRAN_FA}{RLM}"
    with pytest.raises(CaseFileError) as caught:
        import_case(case_data)
    assert (
        f"parties[1].name: “{IRAN_FA}{RLM}” is already the name of the party “FA” (as “{IRAN_FA}”: they differ "
        "only by invisible marks)" in caught.value.problems
    )


def test_two_parties_of_one_file_that_read_alike_are_refused(db, case_data):
    case_data["parties"][0]["name"] = IRAN_FA
    case_data["parties"][1]["name"] = f"{IRAN_FA}{RLM}"
    with pytest.raises(CaseFileError) as caught:
        import_case(case_data)
    assert any(
        p.startswith("parties[1].name:") and "reads the same as parties[0].name" in p for p in caught.value.problems
    )


def test_the_party_form_applies_the_line_rule_to_each_other_name(db, admin_client):
    party = factories.PartyFactory(code="IRN", name="Iran")
    page = admin_client.get(change_url(party))
    for other_names, named in (
        (f"{IRAN_FA}\nIr\u200ban", "Line 2: Contains an invisible character (U+200B ZERO WIDTH SPACE)"),
        (f"Iran{LRM}", "Line 1: Contains an invisible character (U+200E LEFT-TO-RIGHT MARK)"),
        ("ईरान\n\u3164", "Line 2: Contains an invisible character (U+3164 HANGUL FILLER)"),
        ("Iran\tPersia", "Line 1: Contains a control character (U+0009"),
    ):
        response = admin_client.post(change_url(party), change_form_data(page, other_names=other_names))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["other_names"][0].startswith(named)
    response = admin_client.post(change_url(party), change_form_data(page, other_names=f"{IRAN_FA}\r\n\r\nईरान"))
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.names == ["Iran", IRAN_FA, "ईरान"]


def test_the_loader_and_the_model_take_the_same_other_names(db):
    # One rule per field: what the loader refuses in a list item, the model refuses on that line.
    for value in ("Ir\u200ban", f"Iran{LRM}", "\u3164", "Iran\tPersia"):
        with pytest.raises(ValidationError):
            text.one_per_line(f"{IRAN_FA}\n{value}")
        with pytest.raises(CaseFileError):
            parse_case_file(json.dumps({"parties": [{"other_names": [IRAN_FA, value]}]}))
    assert Party._meta.get_field("other_names").validators == [text.one_per_line]
