"""Names that look alike through their encoding: a variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF)
is refused in a line, naming it, and unique names are stored and compared in Unicode normalization form
C, so that "Tu" + U+0308 + "rkiye" is the name "Türkiye" (measures.lib.text.name_key, nfc,
VARIATION_SELECTORS; measures.models.base.StoredInNfc), by the model, the database's constraint, the
case-file loader and the events import."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.importing import CaseFileError
from measures.importing.events_csv import EventFileError, import_events
from measures.importing.schema import parse_case_file
from measures.lib import text
from measures.models import MeasureType, Party, Source, Theme
from tests import factories
from tests.helpers import csv_bytes

TURKIYE_NFC = "T\u00fcrkiye"
TURKIYE_NFD = "Tu\u0308rkiye"


@pytest.mark.parametrize(
    ("value", "char"),
    [("Iran\ufe00", "\ufe00"), ("Ir\ufe0fan", "\ufe0f"), ("Iran\U000e0100", "\U000e0100")],
)
def test_a_variation_selector_is_refused_in_a_name_naming_it(value, char):
    assert text.invisible_character(value) == char
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X} VARIATION SELECTOR"):
        text.single_line(value)
    with pytest.raises(CaseFileError) as caught:
        parse_case_file(json.dumps({"case": {"name": value}}))
    assert f"U+{ord(char):04X}" in caught.value.problems[0]
    assert not text.has_visible_character("\ufe0f")


def test_names_are_compared_in_nfc():
    assert text.name_key(TURKIYE_NFD) == text.name_key(TURKIYE_NFC) == TURKIYE_NFC


@pytest.mark.parametrize(
    "make",
    [
        lambda name, n: factories.PartyFactory(name=name, code=f"TR{n}"),
        lambda name, n: Theme.objects.create(slug=f"theme-{n}", name=name),
        lambda name, n: MeasureType.objects.create(
            slug=f"type-{n}", name=name, theme=Theme.objects.first(), definition="Talks."
        ),
        lambda name, n: factories.SourceFactory(label=name),
    ],
)
def test_names_are_stored_in_nfc_and_the_database_refuses_a_decomposed_twin(db, make):
    stored = make(TURKIYE_NFD, 1)
    stored.refresh_from_db()
    assert getattr(stored, "label" if hasattr(stored, "label") else "name") == TURKIYE_NFC
    with pytest.raises(IntegrityError), transaction.atomic():
        make(TURKIYE_NFC, 2)


def test_the_model_refuses_a_decomposed_twin_with_the_plain_message(db):
    factories.PartyFactory(code="TUR", name=TURKIYE_NFC)
    twin = Party(code="TU2", name=TURKIYE_NFD)
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert caught.value.message_dict["name"] == [
        f"Another party is already named “{TURKIYE_NFC}”: choose a name that reads differently."
    ]


def test_events_actors_are_matched_in_nfc_and_a_variation_selector_is_refused_naming_the_column(pakistan_iran):
    factories.PartyFactory(code="TUR", name=TURKIYE_NFC)
    rows = [["X", "2024-01-20", "1", "Battles", TURKIYE_NFD, "Pakistan", "", "", "", ""]]
    result = import_events(pakistan_iran, csv_bytes(rows), dry_run=True)
    assert [e.actor_codes for e in result.new] == [["TUR", "PAK"]]
    rows = [["Y", "2024-01-21", "1", "Battles", "Iran\ufe0f", "Pakistan", "", "", "", ""]]
    with pytest.raises(EventFileError) as caught:
        import_events(pakistan_iran, csv_bytes(rows), dry_run=True)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("line 2, actor1: Contains an invisible character (U+FE0F")


def test_an_invisible_joiner_in_an_actor_names_the_actor_column(pakistan_iran):
    rows = [["Z", "2024-01-21", "1", "Battles", "Pakistan", "Ir\u200can", "", "", "", ""]]
    with pytest.raises(EventFileError) as caught:
        import_events(pakistan_iran, csv_bytes(rows), dry_run=True)
    assert caught.value.problems[0].startswith("line 2, actor2: Contains an invisible character (U+200C")


def test_names_stored_before_are_rewritten_in_nfc_unless_another_reads_the_same(db, capsys):
    migration = importlib.import_module("measures.migrations.0040_names_in_nfc")
    alone = factories.PartyFactory(code="TUR", name="Turkey")
    Party.objects.filter(pk=alone.pk).update(name=TURKIYE_NFD)  # as stored before the rule
    first = factories.SourceFactory(label="Ankara")
    second = factories.SourceFactory(label="Ank")
    Source.objects.filter(pk=first.pk).update(label="Bre\u0301aker")
    Source.objects.filter(pk=second.pk).update(label="Br\u00e9aker")
    migration.names_in_nfc(apps, None)
    alone.refresh_from_db()
    first.refresh_from_db()
    assert alone.name == TURKIYE_NFC
    assert first.label == "Bre\u0301aker"  # its NFC form is another's label: left, and named
    assert f"Source {first.pk}" in capsys.readouterr().out
