"""Words in every script (measures.lib.words): quotes start and end on word boundaries in Thai and Khmer
too, shortening never cuts a cluster or a word of a script without spaces, visually identical Brahmic
cluster orders fold together, and bracketed insertions that replace nothing are the analyst's words."""

import pytest

from measures import services
from measures.lib import words
from measures.lib.quoting import (
    ELISION,
    INSERTION,
    SOURCE,
    find_passages,
    fold,
    mismatch_hint,
    passage_parts,
)
from measures.lib.text import shorten
from reports.parts import QuotedEvidence
from tests import factories

# "The foreign minister stated that Thailand and Cambodia agreed to cease fire at once."
THAI = "รัฐมนตรีว่าการกระทรวงการต่างประเทศแถลงว่าไทยและกัมพูชาตกลงหยุดยิงทันที"
# "The prime minister said": ICU's dictionary gives នាយក | រដ្ឋមន្ត្រី | បាន | ថ្លែង.
KHMER = "នាយករដ្ឋមន្ត្រីបានថ្លែងថា"
# "Woman" in the three orders of its subscripts that render alike (Lontar, "Order and disorder in Unicode").
WOMAN = ("ស្ត្រី", "ស្រ្តី", "ស្រី្ត")


def test_icu_finds_the_words_of_thai_and_khmer():
    assert [THAI[s:e] for s, e in words.words(THAI)][:4] == ["รัฐมนตรี", "ว่าการ", "กระทรวง", "การ"]
    assert [KHMER[s:e] for s, e in words.words(KHMER)] == ["នាយក", "រដ្ឋមន្ត្រី", "បាន", "ថ្លែង", "ថា"]
    assert words.word_count("Both sides — at last — agreed.") == 5  # dashes and full stops are no words


def test_offsets_count_characters_outside_the_basic_plane_once():
    text = "𝒜bc déf"  # the first letter is two UTF-16 units, one Python character
    assert words.words(text) == [(0, 3), (4, 7)]


@pytest.mark.parametrize(
    ("quote", "whole"),
    [
        ("มนตรีว่าการกระทรวง", "รัฐมนตรีว่าการกระทรวง"),  # starts inside รัฐมนตรี, "minister"
        ("ไทยและกัมพูชาตกลงหยุดยิงทัน", "ไทยและกัมพูชาตกลงหยุดยิงทันที"),  # ends inside ทันที, "at once"
    ],
)
def test_a_thai_quote_starting_or_ending_inside_a_word_is_refused_naming_the_whole_word(quote, whole):
    assert not find_passages(THAI, quote)
    hint = mismatch_hint(THAI, quote)
    assert "inside a word" in hint
    assert f"the source reads “{whole}”" in hint


def test_a_thai_quote_of_whole_words_is_accepted():
    (passage,) = find_passages(THAI, "ไทยและกัมพูชาตกลงหยุดยิงทันที")
    assert THAI[passage.start : passage.end] == "ไทยและกัมพูชาตกลงหยุดยิงทันที"


def test_a_khmer_quote_inside_a_word_is_refused_and_whole_words_accepted():
    assert not find_passages(KHMER, "ដ្ឋមន្ត្រីបាន")
    assert "“រដ្ឋមន្ត្រីបាន”" in mismatch_hint(KHMER, "ដ្ឋមន្ត្រីបាន")
    assert find_passages(KHMER, "រដ្ឋមន្ត្រីបានថ្លែង")


def test_a_thai_quote_refused_by_the_service_says_why(db):
    case = factories.CaseFactory()
    source = factories.SourceFactory(full_text=THAI)
    with pytest.raises(services.ServiceError) as refused:
        services.create_citation(case=case, source=source, quote="มนตรีว่าการกระทรวง")
    assert "รัฐมนตรีว่าการกระทรวง" in " ".join(refused.value.message_dict["quote"])


@pytest.mark.parametrize("typed", WOMAN)
@pytest.mark.parametrize("stored", WOMAN)
def test_khmer_subscripts_in_any_order_that_renders_alike_fold_together(stored, typed):
    text = f"{stored}និងកុមារ"
    assert fold(stored).text == fold(typed).text
    (passage,) = find_passages(text, f"{typed}និងកុមារ")
    assert text[passage.start : passage.end] == text  # the source's own characters


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ក\u17c1\u17b8", "ក\u17be"),  # Khmer vowel OE typed as its two parts
        ("ក\u17bb\u17c6", "ក\u17c6\u17bb"),  # a vowel and a sign, in either order
        ("\u1000\u103d\u103b", "\u1000\u103b\u103d"),  # Myanmar medials wa and ya
        ("\u0915\u093f\u093c", "\u0915\u093c\u093f"),  # Devanagari nukta typed after the vowel sign
    ],
)
def test_other_brahmic_orders_that_render_alike_fold_together(one, other):
    assert fold(one).text == fold(other).text


def test_characters_that_look_alike_in_another_order_are_named_by_code_point():
    # Thai SARA AM's parts typed around a tone mark: not canonically equivalent, not folded, alike.
    source, quote = "ตกลง กั่น ต่อ", "ตกลง ก่ัน ต่อ"
    assert not find_passages(source, quote)
    hint = mismatch_hint(source, quote)
    assert "another order" in hint
    assert "U+0E48" in hint and "U+0E31" in hint


@pytest.mark.parametrize(
    ("text", "limit", "shortened"),
    [
        ("The foreign minister said", 10, "The forei…"),
        ("विदेश मंत्री ने", 8, "विदेश…"),  # not "विदेश म…": म and its anusvara are one cluster
        (KHMER, 10, "នាយក…"),  # not inside រដ្ឋមន្ត្រី
        ("หยุดยิงทันที", 7, "หยุด…"),
    ],
)
def test_shortening_never_cuts_a_cluster_or_a_word_of_a_script_without_spaces(text, limit, shortened):
    assert shorten(text, limit) == shortened
    assert len(shortened) <= limit


def test_shortening_keeps_a_letter_with_its_combining_marks():
    # "Tu" without the diaeresis that follows would be another word: the cut goes before the u.
    assert shorten("Tu\u0308rkiye and Iran", 3) == "T…"
    assert shorten("Tu\u0308rkiye and Iran", 4) == "Tu\u0308…"


def test_a_long_first_word_is_still_cut_between_clusters():
    assert shorten("รัฐมนตรีว่าการกระทรวง", 4)[:-1] in ("รั", "รัฐ")


def test_the_report_recalls_a_thai_passage_by_its_first_words(db):
    case = factories.CaseFactory()
    measure = factories.MeasureFactory(case=case)
    source = factories.SourceFactory(full_text=THAI)
    citation = services.create_citation(case=case, source=source, quote=THAI)
    evidence = services.attach_evidence(citation=citation, measure=measure, stance="progress")
    excerpt = QuotedEvidence(evidence, footnote=None).excerpt
    assert excerpt.endswith("…") and excerpt[:-1] in THAI and len(excerpt) < len(THAI)
    # Eight words: รัฐมนตรี | ว่าการ | กระทรวง | การ | ต่าง | ประเทศ | แถลง | ว่า
    assert excerpt == "รัฐมนตรีว่าการกระทรวงการต่างประเทศแถลงว่า…"


# Insertions: the analyst's words in brackets.


def test_an_insertion_that_replaces_nothing_is_accepted_and_shown_as_the_analysts():
    text = "She thanked her counterpart."
    quote = "She [the foreign secretary] thanked her counterpart"
    (passage,) = find_passages(text, quote)
    assert passage_parts(text, passage.spans, quote) == [
        (SOURCE, "She"),
        (INSERTION, " [the foreign secretary] "),
        (SOURCE, "thanked her counterpart"),
    ]
    assert [text[s:e] for s, e in passage.spans] == ["She", "thanked her counterpart"]  # never source text


def test_an_insertion_replacing_nothing_must_stand_between_whole_words():
    assert not find_passages("She thanked her.", "Sh[the foreign secretary]e thanked her")
    assert not find_passages("Shethanked her.", "She [the foreign secretary] thanked her")


def test_an_insertion_hiding_the_sources_words_is_accepted_only_as_a_replacement():
    text = "Iran will not attack the border"
    assert not find_passages(text, "Iran [will] attack the border")  # "will not" hidden behind "[will]"
    (passage,) = find_passages("and he said the crossing would reopen", "and [the army chief] said")
    assert passage.spans == ((0, 3), (7, 11))


def test_elisions_and_a_changed_capital_are_shown_with_the_sources_characters():
    text = "The envoy said the talks were long. He added that both capitals had agreed."
    quote = "The envoy said […] both capitals had agreed"
    (passage,) = find_passages(text, quote)
    assert passage_parts(text, passage.spans, quote) == [
        (SOURCE, "The envoy said"),
        (ELISION, " […] "),
        (SOURCE, "both capitals had agreed"),
    ]
    (passage,) = find_passages("that the talks resumed", "[T]he talks resumed")
    assert passage_parts("that the talks resumed", passage.spans, "[T]he talks resumed") == [
        (INSERTION, "[T]"),
        (SOURCE, "he talks resumed"),
    ]


def test_she_thanked_through_the_service(db):
    case = factories.CaseFactory()
    source = factories.SourceFactory(full_text="Speaking in Tehran, she thanked her Iranian counterpart.")
    citation = services.create_citation(case=case, source=source, quote="she [the foreign secretary] thanked her")
    assert citation.quote == "she [the foreign secretary] thanked her"  # kept as typed, for the record
    assert citation.passage == "she [the foreign secretary] thanked her"
    assert [part.is_insertion for part in citation.parts] == [False, True, False]
    assert citation.source_characters == "she thanked her"


def test_a_timeline_label_never_cuts_a_khmer_cluster_or_word():
    import datetime

    from measures.models import Event
    from reading import charts

    title = "នាយករដ្ឋមន្ត្រីបានថ្លែងថាការចរចាសន្តិភាពនឹងបន្តនៅសប្តាហ៍ក្រោយ"  # longer than a label
    marker = charts.events_timeline(
        [Event(pk=1, date=datetime.date(2024, 1, 20), date_precision="day", direction="neutral", title=title)],
        start=datetime.date(2024, 1, 16),
        end=datetime.date(2024, 1, 31),
    ).markers[0]
    _, shown, cut = marker.label_parts
    assert cut and title.startswith(shown)
    assert words.is_boundary(title, len(shown))  # ends where a word ends, never inside a cluster
