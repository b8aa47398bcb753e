"""The matching rule of quotes (measures.quoting), through the services and the admin.

Each row of ../shared/cases/quoting.md is a test below (test_shared_quoting_case); the other tests
cover the rest of each kind the issue names, the stored places of passages, and the hints.
"""

import string
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures import services
from measures.lib.quoting import (
    ELISION_MAX_GAP,
    MAX_GAPS,
    find_passages,
    fold,
    folding,
    mismatch_hint,
    normalise_text,
)
from tests import factories
from tests.helpers import examples

ENVOY = "The envoy said the talks were long. He added that both capitals had agreed to reopen the crossing on Monday."
TWICE = "\n".join(
    [
        "Intro.",
        "Two.",
        "On Monday talks resumed in Tehran.",
        "Four.",
        "Five.",
        "Six.",
        "Seven.",
        "Eight.",
        "On Friday talks resumed in Islamabad.",
        "Ten.",
    ]
)

# (row, source text, quote as typed, accepted?, words the refusal must contain)
SHARED_CASES = [
    (
        1,
        "the northern rivers\u2014Kabul and Swat\u2014to the lower riparian",
        "the northern rivers-Kabul and Swat-to the lower riparian",
        True,
        [],
    ),
    (2, "talks hosted by T\u00fcrkiye in March", "talks hosted by Tu\u0308rkiye in March", True, []),
    (3, "the \ufb01rst exchange of \ufb01re since April", "the first exchange of fire since April", True, []),
    (4, "a 72\u00a0hour pause in\u00a0shelling", "a 72 hour pause in shelling", True, []),
    (
        5,
        "both sides agreed to de-\nescalate along the frontier",
        "both sides agreed to de-escalate along the frontier",
        True,
        [],
    ),
    (6, "the commanders reaffir-\nmed the understanding", "the commanders reaffirmed the understanding", True, []),
    (7, ENVOY, "The envoy said [\u2026] both capitals had agreed to reopen the crossing", True, []),
    (8, ENVOY, "The envoy said ... both capitals had agreed", True, []),
    (9, ENVOY, "both capitals had agreed [\u2026] The envoy said", False, ["not in this order"]),
    (
        10,
        "He called the strikes \u201cminor irritants\u201d in a statement.",
        "\u201cminor irritants\u201d in a statement",
        True,
        [],
    ),
    (
        11,
        "the ministers agreed to restore ambassadors by Friday",
        "the ministers agreed to recall ambassadors by Friday",
        False,
        ["“recall", "“restore"],
    ),
    (
        12,
        "the Cyrillic-free word Iran",
        "the Cyrillic-free word Ir\u0430n",
        False,
        ["U+0430 CYRILLIC SMALL LETTER A", "U+0061 LATIN SMALL LETTER A"],
    ),
    (
        13,
        "The spokesman wrote \u0627\u0645\u0646 \u0648 \u0622\u0634\u062a\u06cc on the board.",
        "\u0627\u0645\u0646 \u0648 \u0622\u0634\u062a\u06cc",
        True,
        [],
    ),
    (
        14,
        "\u2026closed the crossing.\n\nOn Tuesday the crossing reopened\u2026",
        "closed the crossing. On Tuesday the crossing reopened",
        True,
        [],
    ),
]

# The rest of each kind the issue lists: accepted (source text, quote).
OTHER_ACCEPTED = [
    ("soft hyphen", "a cease\u00adfire was agreed", "a ceasefire was agreed"),
    ("zero-width space", "a cease\u200bfire was agreed", "a ceasefire was agreed"),
    ("bidirectional controls", "he said \u2067\u0627\u0645\u0646\u2069 twice", "he said \u0627\u0645\u0646 twice"),
    ("en dash with spaces", "from 26 \u2013 27 January", "from 26-27 January"),
    ("double hyphen for a dash", "the talks\u2014at last\u2014began", "the talks--at last--began"),
    ("minus sign", "temperatures of \u22125 degrees", "temperatures of -5 degrees"),
    (
        "Devanagari nukta composed/decomposed",
        "\u092e\u0902\u0924\u094d\u0930\u0940 \u0928\u0947 \u095b\u094b\u0930 \u0926\u093f\u092f\u093e",
        "\u092e\u0902\u0924\u094d\u0930\u0940 \u0928\u0947 \u091c\u093c\u094b\u0930 \u0926\u093f\u092f\u093e",
    ),
    (
        "kaf/keheh and yeh/farsi yeh",
        "\u0648\u0632\u06cc\u0631 \u062e\u0627\u0631\u062c\u06c1 \u0646\u06d2 \u06a9\u06c1\u0627",
        "\u0648\u0632\u064a\u0631 \u062e\u0627\u0631\u062c\u0647 \u0646\u06d2 \u0643\u0647\u0627",
    ),
    (
        "Arabic-Indic digits",
        "\u0633\u0627\u0644 \u06f2\u06f0\u06f2\u06f4",
        "\u0633\u0627\u0644 \u0662\u0660\u0662\u0664",
    ),
    ("elision with [...]", ENVOY, "The envoy said [...] reopen the crossing"),
    ("elision with (…)", ENVOY, "The envoy said (\u2026) reopen the crossing"),
    (
        "bracketed insertion",
        "and he said the crossing would reopen",
        "and [the army chief] said the crossing would reopen",
    ),
    ("changed capital in brackets", "that the talks resumed", "[T]he talks resumed"),
    (
        "single quote marks for double",
        "the so-called \u201cred line\u201d was crossed",
        "the so-called 'red line' was crossed",
    ),
    ("guillemets", "il a dit \u00abnon\u00bb hier", 'il a dit "non" hier'),
    ("full-width letters", "\uff34\uff41\uff4c\uff4b\uff53 resumed", "Talks resumed"),
]

OTHER_REFUSED = [
    ("a changed number", "72 hours", "27 hours"),
    ("an elided part far away", "Start here. " + "x " * ELISION_MAX_GAP + "End there.", "Start here. [...] End there."),
    ("a Greek omicron for o", "the word Iran and Tehran", "the word Tehran and Teh\u03bfran"),
    ("another capital", "that the talks resumed", "The talks resumed"),
]


@pytest.fixture
def case(db):
    return factories.CaseFactory()


def cite(case, text, quote, **kwargs):
    source = factories.SourceFactory(full_text=text)
    return services.create_citation(case=case, source=source, quote=quote, **kwargs)


@pytest.mark.parametrize(
    ("row", "text", "quote", "accepted", "words"), SHARED_CASES, ids=[f"row{c[0]}" for c in SHARED_CASES]
)
def test_shared_quoting_case(case, row, text, quote, accepted, words):
    if accepted:
        citation = cite(case, text, quote)
        assert citation.quote == quote.strip()  # stored exactly as typed
        start, end = citation.spans[0][0], citation.spans[-1][1]
        assert normalise_text(quote).split()[-1] in normalise_text(text[start:end])
    else:
        with pytest.raises(services.ServiceError) as refused:
            cite(case, text, quote)
        message = " ".join(refused.value.message_dict["quote"])
        for word in words:
            assert word in message


@pytest.mark.parametrize(("kind", "text", "quote"), OTHER_ACCEPTED, ids=[c[0] for c in OTHER_ACCEPTED])
def test_each_kind_of_difference_the_rule_folds_is_accepted(kind, text, quote):
    assert find_passages(text, quote), kind


@pytest.mark.parametrize(("kind", "text", "quote"), OTHER_REFUSED, ids=[c[0] for c in OTHER_REFUSED])
def test_real_differences_are_refused_with_a_hint(kind, text, quote):
    assert not find_passages(text, quote), kind
    assert mismatch_hint(text, quote)


def test_a_changed_capital_is_explained():
    assert "Only capital letters differ" in mismatch_hint("that the talks resumed", "The talks resumed")


def test_a_quote_found_twice_asks_which_and_the_place_follows_the_choice(case):
    with pytest.raises(services.ServiceError) as refused:
        cite(case, TWICE, "talks resumed")
    message = " ".join(refused.value.message_dict["quote"])
    assert "occurs 2 times" in message and "para. 3, para. 9" in message

    ninth = TWICE.index("On Friday")
    citation = cite(case, TWICE, "talks resumed", occurrence=ninth)
    assert citation.paragraph == 9 and citation.place == "para. 9"
    assert TWICE[citation.spans[0][0] : citation.spans[0][1]] == "talks resumed"
    assert citation.spans[0][0] > ninth


def test_the_locator_is_derived_unless_the_analyst_writes_one(case):
    assert cite(case, TWICE, "in Tehran").place == "para. 3"
    assert cite(case, TWICE, "in Tehran", locator="p. 2").place == "p. 2"


def test_each_part_of_an_elided_quote_has_its_offsets(case):
    citation = cite(case, ENVOY, "The envoy said [\u2026] both capitals had agreed")
    assert [ENVOY[s:e] for s, e in citation.spans] == ["The envoy said", "both capitals had agreed"]


# Property tests: quotes taken from any span of a text, folded in any of the ways the rule allows.
WORDS = st.lists(
    st.sampled_from(
        [
            "talks",
            "resumed",
            "ceasefire",
            "Türkiye",
            "first",
            "de-escalate",
            "72\u00a0hour",
            "\u0627\u0645\u0646",
            "\u0648\u0632\u06cc\u0631",
            "\u0915\u0939\u093e",
            "\u0936\u093e\u0902\u0924\u093f",
            "“red line”",
            "—",
            "crossing,",
        ]
    ),
    min_size=4,
    max_size=40,
)

VARIANTS = {
    " ": ["\u00a0", "  ", "\n", "\u2009"],
    "ü": ["u\u0308"],
    "—": ["-", " - ", "--"],
    "fi": ["\ufb01"],
    "“": ['"', ""],
    "”": ['"', ""],
    "\u06cc": ["\u064a"],
    "\u06a9": ["\u0643"],
}


@settings(max_examples=examples(60), deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(words=WORDS, data=st.data())
def test_any_span_of_words_folded_any_allowed_way_is_found(words, data):
    text = " ".join(words)
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    quote = " ".join(words[start:end])
    for plain, variants in VARIANTS.items():
        if plain in quote and data.draw(st.booleans()):
            quote = quote.replace(plain, data.draw(st.sampled_from(variants)))
    if data.draw(st.booleans()):
        quote = quote.replace("a", "a\u200b", 1)  # an invisible character typed in
    if not normalise_text(quote):
        return
    assert find_passages(text, quote), (text, quote)


@settings(max_examples=examples(60), deadline=None, derandomize=True)
@given(words=WORDS, data=st.data(), replacement=st.text(alphabet="XQZJ", min_size=1, max_size=6))
def test_a_quote_with_a_changed_word_is_refused(words, data, replacement):
    text = " ".join(words)
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    changed = data.draw(st.integers(start, end - 1))
    quote_words = list(words[start:end])
    quote_words[changed - start] = replacement  # letters that never occur in the text
    quote = " ".join(quote_words)
    assert not find_passages(text, quote)
    assert mismatch_hint(text, quote)


def _starts_word(text, i):
    return i == 0 or (text[i - 1].isspace() and not text[:i].rstrip().endswith(("-", "\u00ad", "\u2014")))


def _ends_word(text, i):
    return i == len(text) or (text[i].isspace() and not text[:i].endswith(("-", "\u00ad", "\u2014")))


@settings(max_examples=examples(40), deadline=None, derandomize=True)
@given(text=st.text(alphabet=string.ascii_letters + " \n-—“”'\u00a0\u00ad\u200b", max_size=120), data=st.data())
def test_offsets_always_point_into_the_source(text, data):
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    passages = find_passages(text, quote)
    whole_words = _starts_word(text, start) and _ends_word(text, end)
    if whole_words and any(unicodedata.category(c).startswith("L") for c in quote):
        assert passages, (text, quote)
    for passage in passages:
        for span_start, span_end in passage.spans:
            assert 0 <= span_start < span_end <= len(text)


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("the illegitimate strikes", "legitimate strikes"),
        ("Iran has nothing to add", "Iran has not"),
        ("an unlawful attack", "lawful attack"),
        ("the commanders reaffir-\nmed it", "med it"),
    ],
)
def test_a_quote_cannot_start_or_end_inside_a_word(text, quote):
    assert not find_passages(text, quote)
    assert "inside a word" in mismatch_hint(text, quote)


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Iran\u2019s missile strike", "Iran"),  # the word before a possessive
        (
            "\u4e2d\u56fd\u547c\u5401\u53cc\u65b9\u4fdd\u6301\u514b\u5236",
            "\u547c\u5401\u53cc\u65b9",
        ),  # no spaces in Chinese
        ("[T]he quote's source: that the talks resumed", "[T]he talks resumed"),
        ("The dove \U0001f54a\ufe0f now flies", "dove \U0001f54a now"),  # variation selector after an emoji
        ("a combining\u034f grapheme joiner", "a combining grapheme joiner"),
        ("it\u2019s agreed", "it's agreed"),
        ("he recieved it", "he recieved [sic] it"),
    ],
)
def test_whole_words_and_ignorable_characters_still_match(text, quote):
    assert find_passages(text, quote), (text, quote)


def test_an_apostrophe_between_letters_is_kept_so_its_is_not_its():
    assert not find_passages("it\u2019s agreed", "its agreed")


def test_a_bracketed_insertion_cannot_hide_words_it_claims_to_replace():
    text = "Iran will not attack the border"
    assert not find_passages(text, "Iran [will] attack the border")
    # An insertion between two whole words replaces nothing: the analyst's words, shown in brackets.
    assert find_passages(text, "Iran will [never] not attack")
    assert not find_passages(text, "Iran wi[never]ll not attack")  # but not inside a word
    assert find_passages("and he said the crossing would reopen", "and [the army chief] said the crossing")


@pytest.mark.parametrize("quote", [",", "[…]", "...", "“”"])
def test_a_quote_needs_words(quote):
    assert not find_passages("Talks resumed, at last.", quote)
    assert "needs words" in mismatch_hint("Talks resumed, at last.", quote)


def test_too_many_elisions_are_refused_at_once():
    text = " ".join(f"word{n}" for n in range(3000))
    quote = " [...] ".join(f"word{n}" for n in range(0, 2600, 100))
    assert not find_passages(text, quote)
    assert f"at most {MAX_GAPS} places" in mismatch_hint(text, quote)
    within = " [...] ".join(f"word{n}" for n in range(0, 2000, 100))
    assert find_passages(text, within)


def test_look_alike_words_of_different_lengths_name_the_extra_character():
    hint = mismatch_hint("the Cyrillic-free word Iran now", "the Cyrillic-free word Ir\u200c\u0430n now")
    assert "U+0430 CYRILLIC SMALL LETTER A" in hint


def test_a_quote_without_words_is_refused_with_the_reason(case):
    with pytest.raises(services.ServiceError) as refused:
        cite(case, TWICE, ",")
    assert "needs words" in " ".join(refused.value.message_dict["quote"])


def test_a_source_text_stays_folded_while_many_quotes_are_checked_against_it():
    # A form with many citations checks each quote against its source in turn: the quotes must not
    # push the (costly) folded source texts out of the cache, or every request folds them all again.
    sources = [" ".join(f"Source {n} sentence {i} reports talks." for i in range(40)) for n in range(8)]
    folded = [fold(text) for text in sources]
    for text in sources * 3:
        for i in range(10):
            assert find_passages(text, f"sentence {i} reports talks")
    assert all(fold(text) is before for text, before in zip(sources, folded, strict=True))


# Characters where fold()'s shortcut for plain ASCII runs meets the general way: the plain ones, spaces,
# hyphens and line breaks (soft breaks), quote marks and apostrophes, combining marks after a plain
# letter, Arabic letters and marks, invisible and compatibility characters, Hangul jamo.
FOLD_ALPHABET = (
    "abXZ09.,;:!?()"
    + "    \t\n\r\u00a0"
    + "-\u2010\u2011\u00ad\u2014\u2212"
    + "'\"`\u2019\u201c\u00b4"
    + "\u0301\u0308\u064b\u0640\u0644\u0627\u06cc\u0663"
    + "\u200b\ufe0f\ufb01\uff11\u1100\u1161\u11a8"
)


@settings(max_examples=examples(300), deadline=None, derandomize=True)
@given(text=st.text(alphabet=FOLD_ALPHABET, max_size=40))
def test_folding_plain_runs_in_one_step_changes_nothing(text):
    """fold() copies runs of plain ASCII in one step; the folded text and every offset must be what
    folding each character the general way gives."""
    fast, general = folding._fold(text, folding._PLAIN_RUN), folding._fold(text, None)
    assert (fast.text, list(fast.starts), list(fast.ends)) == (general.text, list(general.starts), list(general.ends))
