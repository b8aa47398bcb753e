"""Passages in a source's text: marking cited passages for the source reader."""

from dataclasses import dataclass

from measures.lib.quoting.matching import paragraphs


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
