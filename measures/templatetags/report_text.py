"""Typography of quoted text in the report: a passage we put in quotation marks must not bring its own
closing marks (“…””) and a note we follow with punctuation must not bring its own full stop (“.;”)."""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_OUTER = re.compile(r'^\s*[“"«]\s*(.*?)\s*[”"»]\s*$', re.S)


@register.filter
def unquoted(text):
    """The passage ready to be wrapped in “ ”: a passage that is itself one quotation loses its outer
    marks, and the typographic double quotation marks inside become single ones (‘ ’), as a quotation
    within a quotation, so that no closing mark is doubled (“… ‘minor irritants.’”). Straight marks
    are left as written (they may be part of quoted code or markup)."""
    text = str(text or "").strip()
    match = _OUTER.match(text)
    if match and not re.search(r'[“”"]', match.group(1)):
        text = match.group(1)
    return text.replace("“", "‘").replace("”", "’")


@register.filter
def sentence_end(text):
    """The text without its closing full stop, for a place where our punctuation follows."""
    return str(text or "").rstrip().rstrip(".").rstrip()


@register.filter
def item(mapping, key):
    """`mapping[key]`, or '' when the key is missing: for a dictionary keyed by a value of the loop."""
    return mapping.get(key, "")


@register.simple_tag(takes_context=True)
def footnote_text(context, note):
    """The text of one numbered note (reports.Footnote): the passage, unless the section quotes it,
    then where it comes from, pointing at the bibliography: “…” [Label], 17 Jan 2024, para. 3.
    The source's label links to the passage on its page when the context has `source_urls`
    ({source pk: URL}, the served page only). A tag rather than template text: a large case's report
    has a thousand notes, and the template took 0.14 ms to write each."""
    citation = note.citation
    source = citation.source
    parts = []
    if not note.quoted_in_text:
        parts.append(format_html("“<bdi>{}</bdi>” ", unquoted(citation.quote)))
    label = format_html("[<bdi>{}</bdi>]", source.short_label)
    source_urls = context.get("source_urls")
    if source_urls:
        label = format_html('<a href="{}#{}">{}</a>', source_urls[source.pk], citation.anchor, label)
    parts.append(label)
    if source.published_on:
        parts.append(format_html(", {}", source.date_text))
    if citation.place:
        parts.append(format_html(", {}", citation.place))
    return mark_safe("".join(parts) + ".")
