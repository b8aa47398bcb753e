"""The passages of a source's text, as suggestions and the source reader count them: each
non-blank line is a paragraph (measures.quoting.paragraphs), numbered from 1 ("para. 4"), with its
offsets in the text."""

import hashlib
import re
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Passage:
    number: int  # the paragraph number, 1-based
    start: int  # offsets in the source's full text
    end: int
    text: str

    @property
    def locator(self):
        return f"para. {self.number}"

    @property
    def key(self):
        return passage_key(self.text)

    def contains(self, quote):
        """Whether `quote` (or, for a quote running over several paragraphs, its opening) lies in
        this passage, whitespace aside."""
        wanted = _fold(quote)
        mine = _fold(self.text)
        return bool(wanted) and (wanted in mine or wanted[:60] in mine)


def _fold(text):
    return _WHITESPACE.sub(" ", text or "").strip()


def passage_key(text):
    """SHA-256 (hex) of the passage with its whitespace folded: how a dismissal names a passage."""
    return hashlib.sha256(_fold(text).encode("utf-8")).hexdigest()


def split_passages(text):
    """[Passage] of `text`: its paragraphs as measures.quoting.paragraphs numbers them (each non-blank
    line), with their surrounding spaces left out."""
    from measures.lib.quoting import paragraphs

    passages = []
    for number, start, end in paragraphs(text):
        line = text[start:end]
        start += len(line) - len(line.lstrip())
        end -= len(line) - len(line.rstrip())
        passages.append(Passage(number=number, start=start, end=end, text=text[start:end]))
    return passages
