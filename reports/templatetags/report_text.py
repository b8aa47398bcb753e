"""Typography of quoted text in the report: a passage we put in quotation marks must not bring its own
closing marks (“…””) and a note we follow with punctuation must not bring its own full stop (“.;”);
each passage is printed as its source has it, in its language and direction, with its translation."""

import re
from html import escape

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from measures.lib.quoting import INSERTION

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


def _inner_marks(text):
    return text.replace("“", "‘").replace("”", "’")


def passage_html(citation, working_language):
    """The passage of `citation` as its source has it (Citation.parts), ready to be wrapped in “ ”
    (as `unquoted` does to a text), isolated in its language and direction; the analyst's bracketed
    words marked as theirs, in `working_language`. Escaped with html.escape."""
    parts = [(part.kind, part.text) for part in citation.parts]
    whole = "".join(text for _, text in parts).strip()
    if parts and _OUTER.match(whole) and not re.search(r'[“”"]', _OUTER.match(whole).group(1)):
        parts[0] = (parts[0][0], re.sub(r'^\s*[“"«]\s*', "", parts[0][1]))
        parts[-1] = (parts[-1][0], re.sub(r'\s*[”"»]\s*$', "", parts[-1][1]))
    if parts:
        parts[0] = (parts[0][0], parts[0][1].lstrip())
        parts[-1] = (parts[-1][0], parts[-1][1].rstrip())
    html = []
    for kind, text in parts:
        text = escape(_inner_marks(text))
        if kind == INSERTION:
            html.append(f'<span class="insertion" lang="{escape(working_language)}">{text}</span>')
        else:
            html.append(text)
    return f'<bdi lang="{escape(citation.lang)}" dir="{citation.dir}">{"".join(html)}</bdi>'


def translation_html(citation, working_language, direction):
    """ "Translation (by …, 3 Feb 2024): ‘…’" for a citation with a translation, else ""."""
    if not citation.translation:
        return ""
    when = f", {date_format(citation.translated_on)}" if citation.translated_on else ""
    return (
        f'<span class="translation-label">Translation (by <bdi>{escape(citation.translator)}</bdi>{when}):</span> '
        f'“<bdi lang="{escape(working_language)}" dir="{direction}">{escape(unquoted(citation.translation))}</bdi>”'
    )


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
    case = context["report"].case
    sources = context.render_context.setdefault("footnote_sources", {})
    if source.pk not in sources:
        date = f", {escape(source.date_text)}" if source.published_on else ""
        sources[source.pk] = (f"[<bdi>{escape(source.short_label)}</bdi>]", date)
    label, date = sources[source.pk]
    source_urls = context.get("source_urls")
    if source_urls:
        label = f'<a href="{escape(source_urls[source.pk])}#{escape(citation.anchor)}">{label}</a>'
    quoted, translated = "", ""
    if not note.quoted_in_text:
        quoted = f"“{passage_html(citation, case.working_language)}” "
        translation = translation_html(citation, case.working_language, case.working_direction)
        translated = f" {translation}" if translation else ""
    place = f", {escape(citation.place)}" if citation.place else ""
    return mark_safe(f"{quoted}{label}{date}{place}.{translated}")


@register.simple_tag(takes_context=True)
def quoted_evidence(context, quoted):
    """One piece of evidence quoted in full under its measure (reports.QuotedEvidence), as a
    paragraph: “…” [note] Shows progress · the analyst's note; the passage as its source has it, in
    its language and direction, then its translation (marked as such) on a line of its own. A tag
    for the speed of a large case's thousand quotes, as footnote_text."""
    evidence = quoted.evidence
    case = context["report"].case
    citation = evidence.citation
    note = f" · {escape(evidence.note)}" if evidence.note else ""
    translation = translation_html(citation, case.working_language, case.working_direction)
    translated = f'<span class="quote-translation">{translation}</span>' if translation else ""
    return mark_safe(
        f'<p class="quote stance-{escape(evidence.stance)}">“{passage_html(citation, case.working_language)}”'
        f"&#8239;[{quoted.footnote.number}] "
        f'<span class="quote-meta">{escape(evidence.get_stance_display())}{note}</span>{translated}</p>'
    )
