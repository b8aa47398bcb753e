"""The citation picker of the assessment forms: the admin's autocomplete, with results a person can judge.

Each result shows the part of the quote around the words searched for (not its first words, which
may not contain them), the source and the passage's date, so that an analyst picks the right
passage without opening it.
"""

import re

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils.formats import date_format

from measures.lib.text import shorten
from measures.state import evidence_date

EXCERPT_CHARS = 160
SOURCE_CHARS = 60


def quote_excerpt(quote, term, limit=EXCERPT_CHARS):
    """The part of `quote` (at most `limit` characters) around the first word of `term` it contains.

    Words are matched case-insensitively, runs of whitespace counting as one space. Cut ends are
    marked with "…"; a quote that contains none of the words (found by its source or event) shows
    from its start.
    """
    text = " ".join(quote.split())
    if len(text) <= limit:
        return text
    starts = [m.start() for word in term.split() if (m := re.search(re.escape(word), text, re.IGNORECASE))]
    hit = min(starts, default=0)
    # The match about a third of the way in, so that the words before it give it context.
    start = max(0, min(hit - limit // 3, len(text) - limit))
    if start > 0 and text[start - 1] != " ":  # begin at a word
        space = text.find(" ", start, hit + 1)
        start = space + 1 if space != -1 else start
    end = start + limit
    if end < len(text) and text[end] != " ":  # end at a word, unless that would cut the match
        space = text.rfind(" ", max(start, hit + 1), end)
        end = space if space != -1 else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def citation_label(citation, term=""):
    """“excerpt” — source, date (locator): one line that tells passages apart. The source is named by
    its label, as readers meet it on the pages and in the report."""
    date = evidence_date(citation)
    where = shorten(citation.source.short_label, SOURCE_CHARS)
    if date is not None:
        where += f", {date_format(date)}"
    if citation.locator:
        where += f" ({citation.locator})"
    return f"“{quote_excerpt(citation.quote, term)}” — {where}"


class CitationPickView(AutocompleteJsonView):
    """The admin's autocomplete JSON for the assessment forms' citations field (see CaseCitationsWidget)."""

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": citation_label(obj, self.term)}
