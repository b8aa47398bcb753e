"""Typography of quoted text in the report: a passage we put in quotation marks must not bring its own
closing marks (“…””) and a note we follow with punctuation must not bring its own full stop (“.;”)."""

import re
from html import escape

from django import template
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


@register.simple_tag(takes_context=True)
def footnote_text(context, note):
    """The text of one numbered note (reports.Footnote): the passage, unless the section quotes it,
    then where it comes from, pointing at the bibliography: “…” [Label], 17 Jan 2024, para. 3.
    The source's label links to the passage on its page when the context has `source_urls`
    ({source pk: URL}, the served page only).

    A tag rather than template text, escaping with the standard library's html.escape and writing
    each source's part once per rendering: a large case's report has a thousand notes on a few dozen
    sources, and template text or format_html cost more per note (docs/performance.md, “Figures
    behind the code”)."""
    citation = note.citation
    source = citation.source
    sources = context.render_context.setdefault("footnote_sources", {})
    if source.pk not in sources:
        date = f", {escape(source.date_text)}" if source.published_on else ""
        sources[source.pk] = (f"[<bdi>{escape(source.short_label)}</bdi>]", date)
    label, date = sources[source.pk]
    source_urls = context.get("source_urls")
    if source_urls:
        label = f'<a href="{escape(source_urls[source.pk])}#{escape(citation.anchor)}">{label}</a>'
    quoted = "" if note.quoted_in_text else f"“<bdi>{escape(unquoted(citation.quote))}</bdi>” "
    place = f", {escape(citation.place)}" if citation.place else ""
    return mark_safe(f"{quoted}{label}{date}{place}.")


@register.simple_tag
def quoted_evidence(quoted):
    """One piece of evidence quoted in full under its measure (reports.QuotedEvidence), as a
    paragraph: “…” [note] Shows progress · the analyst's note. A tag for the speed of a large case's
    thousand quotes, as footnote_text."""
    evidence = quoted.evidence
    note = f" · {escape(evidence.note)}" if evidence.note else ""
    return mark_safe(
        f'<p class="quote stance-{escape(evidence.stance)}">“<bdi>{escape(unquoted(evidence.citation.quote))}</bdi>”'
        f"&#8239;[{quoted.footnote.number}] "
        f'<span class="quote-meta">{escape(evidence.get_stance_display())}{note}</span></p>'
    )
