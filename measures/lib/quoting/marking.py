"""Passages in a source's text: a cited passage as the source has it (passage_parts), and marking cited
passages for the source reader."""

from dataclasses import dataclass

from measures.lib.quoting.matching import paragraphs, split_quote

# The kinds of a passage's parts (passage_parts): the source's own characters, a mark for words left
# out, the analyst's words in brackets.
SOURCE, ELISION, INSERTION = "source", "elision", "insertion"
ELISION_MARK = "[…]"


def passage_parts(source_text, spans, quote):
    """A cited passage as the source has it: [(kind, text)], kind SOURCE, ELISION or INSERTION.

    Each SOURCE part is `source_text[start:end]` for one of `spans` (the citation's offsets), in
    order: the source's own characters, whatever spelling the quote was typed in. Between them
    stands what the quote has there: "[…]" for words left out, or the analyst's bracketed insertion
    as typed ("[the foreign secretary]"), which is never source text; an insertion before the first
    part or after the last ("[T]he") is kept too. Spaces around a mark follow the source (a
    replaced letter inside a word gets none). [] when there are no spans (no source text)."""
    if not spans:
        return []
    quote_parts = split_quote(quote)
    if len(quote_parts.gaps) != len(spans) - 1:
        gaps = [None] * (len(spans) - 1)  # offsets kept from an earlier rule: mark the gaps as elisions
    else:
        gaps = list(quote_parts.gaps)
    result = []
    if quote_parts.leading is not None:
        result.append((INSERTION, quote_parts.leading.shown))
    previous_end = None
    for index, (start, end) in enumerate(spans):
        if index:
            gap = gaps[index - 1]
            elision = gap is None or gap.elision
            between = source_text[previous_end:start]
            before = " " if elision or between[:1].isspace() else ""
            after = " " if elision or between[-1:].isspace() else ""
            result.append(
                (ELISION, f"{before}{ELISION_MARK}{after}") if elision else (INSERTION, f"{before}{gap.shown}{after}")
            )
        result.append((SOURCE, source_text[start:end]))
        previous_end = end
    if quote_parts.trailing is not None:
        result.append((INSERTION, quote_parts.trailing.shown))
    return result


def passage_text(parts):
    """The passage of `parts` (passage_parts) as one line of text."""
    return "".join(text for _, text in parts)


@dataclass
class Segment:
    """A run of a paragraph's text: `numbers` of the citations whose passage covers it, `anchors`
    (fragment ids) of the citations whose passage begins here, `starts` their numbers."""

    text: str
    numbers: tuple = ()
    anchors: tuple = ()
    starts: tuple = ()

    @property
    def anchor(self):
        return self.anchors[0] if self.anchors else ""

    @property
    def more_anchors(self):
        """Fragment ids of other citations of the same passage, beginning here too."""
        return self.anchors[1:]


@dataclass
class Paragraph:
    number: int
    start: int
    end: int
    segments: list


def mark_passages(text, cited):
    """The paragraphs of `text` with the cited passages marked, for the source reader.

    `cited` is [(number, anchor, spans)]: the citation's number on the page, its fragment id and
    its [[start, end], …] offsets in `text`. Returns [Paragraph]; the template escapes every
    segment (source text is never trusted as HTML).
    """
    edges_by_number = []
    for number, anchor, spans in cited:
        for index, (start, end) in enumerate(spans):
            edges_by_number.append((max(0, start), min(len(text), end), number, anchor if index == 0 else ""))
    result = []
    for number, start, end in paragraphs(text):
        inside = [
            (max(s, start), min(e, end), n, a if s >= start else "")
            for s, e, n, a in edges_by_number
            if s < end and e > start
        ]
        cuts = sorted({start, end, *(s for s, _, _, _ in inside), *(e for _, e, _, _ in inside)})
        segments = []
        for left, right in zip(cuts, cuts[1:], strict=False):
            covering = [(n, a, s) for s, e, n, a in inside if s <= left and right <= e]
            anchors = sorted({(n, a) for n, a, s in covering if a and s == left})
            segments.append(
                Segment(
                    text=text[left:right],
                    numbers=tuple(sorted({n for n, _, _ in covering})),
                    anchors=tuple(a for _, a in anchors),
                    starts=tuple(sorted({n for n, a, s in covering if a and s == left})),
                )
            )
        result.append(Paragraph(number, start, end, segments))
    return result
