"""Suggested passages: for a source and a case, the passages most related to each measure.

Ranking is TF-IDF cosine similarity (scikit-learn, offline): the vocabulary and its weights are
fitted on the source's passages together with the measures' texts, so a word that every passage
uses weighs little. Words are the search terms of measures.lib.terms, in every script: Unicode's word
rules with ICU's dictionaries for scripts written without spaces (a Thai or Khmer paragraph is many
words, not one), folded by the matching rule of quotes. Each measure is described by one text: its
title and description, the names of the parties it applies to (with their names in other scripts,
`Party.other_names`), then the passages of its past evidence in the case from other sources (with
their translations); a passage's score for a measure is the cosine similarity of the two. (On the
Pakistan–Iran case this did better than scoring against the best-matching one of those texts, and
than the description alone: see docs/analysts-guide.md for the figures.) Passages of fewer than
MIN_WORDS words (headings, captions) are not suggested, nor passages already cited
as evidence for the measure, nor passages an analyst dismissed for it.

How often this puts the passage an analyst chose in the top three is measured by `evaluate` on a
case's existing citations, held out source by source (`manage.py evaluate_suggestions SLUG`).
"""

import re
from dataclasses import dataclass, field

from measures.intake.passages import Passage, split_passages
from measures.lib import terms, words
from measures.lib.quoting import SourceWords, normalise_text

MIN_WORDS = 6
TOP = 3


@dataclass
class Suggestion:
    passage: Passage
    score: float
    parties: list = field(default_factory=list)  # Party objects named in the passage


@dataclass
class MeasureSuggestions:
    measure: object
    suggestions: list
    dismissed: int = 0  # passages of this source an analyst dismissed for the measure
    cited: int = 0  # passages already cited as evidence for it


def _tokens(text):
    """The words TF-IDF counts: the search terms of `text` without English stop words and without
    one-letter Latin terms (the "s" of "Pakistan's"), as scikit-learn's own tokenizer leaves them out;
    a one-character word of Chinese or Japanese counts."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return [t for t in terms.terms(text) if t not in ENGLISH_STOP_WORDS and not (len(t) == 1 and t.isascii())]


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        tokenizer=_tokens, lowercase=False, token_pattern=None, sublinear_tf=True, ngram_range=(1, 2)
    )


def rank(passages, profiles):
    """Scores of each passage against each profile.

    `passages`: [str]; `profiles`: [[str]], for each measure its texts (description first, then
    past evidence), taken together as one document. Returns a list (one per profile) of lists of
    floats in [0, 1] (one per passage): the cosine similarity of the passage and the profile."""
    from sklearn.metrics.pairwise import cosine_similarity

    if not passages or not profiles:
        return [[0.0] * len(passages) for _ in profiles]
    documents = ["\n".join(texts) for texts in profiles]
    try:
        matrix = _vectorizer().fit_transform(list(passages) + documents)
    except ValueError:  # nothing but stop words
        return [[0.0] * len(passages) for _ in profiles]
    similarity = cosine_similarity(matrix[len(passages) :], matrix[: len(passages)])
    return [[float(value) for value in row] for row in similarity]


def party_patterns(parties):
    """[(party, [folded names], code regex)]: what finds a party in a text (parties_in)."""
    return [
        (
            party,
            [name for name in map(normalise_text, party.names) if name],
            re.compile(rf"\b{re.escape(party.code)}\b"),
        )
        for party in parties
    ]


def parties_in(text, patterns):
    """The parties a text names: by one of its names (`Party.names`, in any script) starting a word,
    so that "Iran" finds "Iranian" and ایران finds ایرانی, compared by the matching rule of quotes
    (keyboard variants, invisible characters…); or by its code as a whole word in capitals."""
    found_words = SourceWords(text)
    named = []
    for party, names, code in patterns:
        starts = (match.start() for name in names for match in re.finditer(re.escape(name), found_words.text))
        if any(found_words.is_boundary(start) for start in starts) or code.search(text):
            named.append(party)
    return named


def measure_profile(measure, evidence_quotes, party_names=(), *, leave_out_source=None):
    """The texts that describe a measure: its title with its description, the names of the parties
    it applies to, the passage that defines it (its requirement, unless it comes from
    `leave_out_source`, a source id), then past evidence. `measure.requirement` should be loaded with
    its citation (select_related)."""
    names = " ".join(party_names)
    requirement = measure.requirement
    defining = [requirement.passage] if requirement is not None and requirement.source_id != leave_out_source else []
    return [f"{measure.title}. {measure.description}", *([names] if names else []), *defining, *evidence_quotes]


def _party_names(measure, case_parties):
    """The names (in every script) of the parties `measure` applies to (prefetched)."""
    return [name for party in measure.parties_applying(case_parties) for name in party.names]


def _evidence_text(citation):
    """A past piece of evidence as a measure's profile reads it: the passage, and its translation."""
    return f"{citation.passage}\n{citation.translation}" if citation.translation else citation.passage


def candidate_passages(text):
    """The passages of `text` long enough to suggest: MIN_WORDS words at least (_word_count)."""
    return [p for p in split_passages(text) if _word_count(p.text) >= MIN_WORDS]


def _word_count(text):
    """Words as a heading's length is judged: a run between spaces is one word (a hyphenated
    "Pakistan-Iran" too, so that a five-word heading stays a heading), and a run of a script written
    without spaces counts its words (measures.lib.words: a Thai paragraph is many words, not one)."""
    return sum(
        words.word_count(run) if words.has_spaceless(run) else 1
        for run in text.split()
        if any(words.is_wordy(char) for char in run)
    )


def suggest(*, source, case, top=TOP):
    """[MeasureSuggestions] for every measure of `case`, in measure order, each with up to `top`
    passages of `source`, best first, with a score above zero. Runs a fixed number of queries."""
    from measures.models import Evidence, Party, PassageDismissal

    measures = list(
        case.measures.select_related("requirement").prefetch_related("applicable_parties").order_by("number")
    )
    case_parties = list(case.assessed_parties.all())
    evidence = list(
        Evidence.objects.filter(measure__case=case)
        .select_related("citation")
        .only(
            "measure_id",
            "citation__quote",
            "citation__passage_parts",
            "citation__translation",
            "citation__source_id",
        )
    )
    dismissed = {}
    for measure_id, key in PassageDismissal.objects.filter(source=source, measure__case=case).values_list(
        "measure_id", "passage_sha256"
    ):
        dismissed.setdefault(measure_id, set()).add(key)
    passages = candidate_passages(source.full_text)
    profiles = []
    cited = {}
    defining = {}  # the passage that defines a measure is what it requires, never suggested as its evidence
    for measure in measures:
        mine = [e for e in evidence if e.measure_id == measure.pk]
        others = [_evidence_text(e.citation) for e in mine if e.citation.source_id != source.pk]
        profiles.append(
            measure_profile(measure, others, _party_names(measure, case_parties), leave_out_source=source.pk)
        )
        cited[measure.pk] = [e.citation.passage for e in mine if e.citation.source_id == source.pk]
        if measure.requirement is not None and measure.requirement.source_id == source.pk:
            defining[measure.pk] = measure.requirement.passage
    scores = rank([p.text for p in passages], profiles)
    patterns = party_patterns(Party.objects.order_by("name"))
    results = []
    for measure, measure_scores in zip(measures, scores, strict=True):
        skip = dismissed.get(measure.pk, set())
        already = cited[measure.pk]
        n_cited = 0
        ranked = []
        for passage, score in sorted(zip(passages, measure_scores, strict=True), key=lambda pair: -pair[1]):
            if measure.pk in defining and passage.contains(defining[measure.pk]):
                continue
            if any(passage.contains(quote) for quote in already):
                n_cited += 1
                continue
            if passage.key in skip or score <= 0:
                continue
            if len(ranked) < top:
                ranked.append(Suggestion(passage=passage, score=score, parties=parties_in(passage.text, patterns)))
        results.append(MeasureSuggestions(measure=measure, suggestions=ranked, dismissed=len(skip), cited=n_cited))
    return results


@dataclass
class Evaluation:
    """How often the passage holding a held-out citation ranks in the top `top` for its measure."""

    top: int
    pairs: int = 0  # (citation, measure) evidence pairs evaluated
    hits: int = 0
    chance: float = 0.0  # the expected hits of a random ranking
    by_source: dict = field(default_factory=dict)  # source title -> [pairs, hits, passages]

    @property
    def rate(self):
        return self.hits / self.pairs if self.pairs else 0.0

    @property
    def chance_rate(self):
        return self.chance / self.pairs if self.pairs else 0.0


def evaluate(case, *, top=TOP):
    """Leave one source out: for each source the case cites, its citations are held out, the
    measures are described by their text and the evidence from the other sources only, and each
    piece of evidence from the held-out source counts a hit when the passage holding its quote ranks
    in the top `top` of the source's passages for its measure. Returns an Evaluation."""
    from measures.models import Evidence

    measures = list(
        case.measures.select_related("requirement").prefetch_related("applicable_parties").order_by("number")
    )
    case_parties = list(case.assessed_parties.all())
    evidence = list(Evidence.objects.filter(measure__case=case).select_related("citation__source"))
    result = Evaluation(top=top)
    sources = {e.citation.source_id: e.citation.source for e in evidence}
    for source_id, source in sorted(sources.items()):
        passages = candidate_passages(source.full_text)
        profiles = [
            measure_profile(
                m,
                [
                    _evidence_text(e.citation)
                    for e in evidence
                    if e.measure_id == m.pk and e.citation.source_id != source_id
                ],
                _party_names(m, case_parties),
                leave_out_source=source_id,
            )
            for m in measures
        ]
        scores = dict(zip([m.pk for m in measures], rank([p.text for p in passages], profiles), strict=True))
        counts = result.by_source.setdefault(source.title, [0, 0, len(passages)])
        for item in evidence:
            if item.citation.source_id != source_id:
                continue
            order = sorted(range(len(passages)), key=lambda i: -scores[item.measure_id][i])
            holding = [i for i in order if passages[i].contains(item.citation.passage)]
            if not holding:
                continue  # the quote lies in a passage too short to suggest
            result.pairs += 1
            counts[0] += 1
            result.chance += min(top, len(passages)) / len(passages)
            if order.index(holding[0]) < top:
                result.hits += 1
                counts[1] += 1
    return result
