"""A quoted passage with where it comes from, as HTML made in Python: a page that quotes many passages
(a measure's history and evidence, a type's page) renders each one without a template of its own.
The markup is `templates/measures/partials/passage.html`'s, byte for byte (tests/reading/test_quotes.py
compares the two), inside the figure that names its source, date and event."""

from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from reading.converters import url_maker


class QuoteLinks:
    """The addresses the quotes of one case link to (its sources' and events' pages), reversed once
    for a page's quotes rather than twice a quote (`url_maker`)."""

    def __init__(self, case_slug):
        self.source = url_maker("measures:source_detail", case_slug)
        self.event = url_maker("measures:event_detail", case_slug)


def passage_html(citation):
    """What `{% include "measures/partials/passage.html" %}` renders for `citation` (its source and
    case loaded): the passage as its source has it, then its translation or the note that it has none."""
    case = citation.case
    parts = []
    for part in citation.parts:
        text = conditional_escape(part.text)
        if part.is_insertion:
            parts.append(
                format_html(
                    '<span class="insertion" lang="{}" title="Added by the analyst, not in the source">{}</span>',
                    case.working_language,
                    text,
                )
            )
        elif part.is_elision:
            parts.append(format_html('<span class="elision" title="Words of the source left out">{}</span>', text))
        else:
            parts.append(text)
    html = format_html(
        '\n<blockquote class="passage" lang="{}" dir="{}"><p>{}</p></blockquote>\n',
        citation.lang,
        citation.dir,
        mark_safe("".join(parts)),
    )
    if citation.translation:
        html += format_html(
            '\n  <div class="translation">\n    <p class="translation-label">Translation into {} by <bdi>{}</bdi>,'
            ' {}:</p>\n    <blockquote lang="{}" dir="{}"><p>{}</p></blockquote>\n  </div>\n',
            case.working_language_name,
            citation.translator,
            _date(citation.translated_on),
            case.working_language,
            case.working_direction,
            citation.translation,
        )
    elif citation.needs_translation:
        html += format_html(
            '\n  <p class="translation-missing">Not translated into {} yet (the passage is in {}).</p>\n',
            case.working_language_name,
            citation.language_name,
        )
    return html + mark_safe("\n")


def quote_html(passage, *, links, link_query):
    """What `{% include "measures/partials/quote.html" %}` rendered for `passage` (a CitedPassage whose
    citation has its source, event and case loaded): the passage, then its source, place, date and
    the event it reports, linked (`links`: the QuoteLinks of the passage's case) with `link_query`
    (the period's query, or "")."""
    citation = passage.citation
    source = citation.source
    query = f"?{link_query}" if link_query else ""
    caption = format_html(
        '<a href="{}{}#{}">[<bdi>{}</bdi>] <bdi>{}</bdi></a>',
        links.source(source.pk),
        query,
        citation.anchor,
        source.short_label,
        source.title,
    )
    if source.publisher:
        caption += format_html(", <bdi>{}</bdi>", source.publisher)
    if citation.place:
        caption += format_html(", {}", citation.place)
    if passage.date:
        dated = format_html('<time datetime="{}">{}</time>', date_format(passage.date.date, "Y-m-d"), passage.date)
    else:
        dated = "undated"
    event = ""
    if citation.event:
        event = format_html(
            '· reports <a href="{}{}"><bdi>{}</bdi></a>',
            links.event(citation.event.pk),
            query,
            citation.event.title,
        )
    return format_html(
        '\n<figure class="quote">\n  {}\n  <figcaption>\n    {}\n    · {}\n    {}\n  </figcaption>\n</figure>\n',
        passage_html(citation),
        caption,
        dated,
        event,
    )


def _date(value):
    """`{{ value|date }}`: the date in DATE_FORMAT, "" for none."""
    return date_format(value) if value else ""
