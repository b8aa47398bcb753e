"""`{% quoted_passage passage %}`: measures/partials/quote.html written with `format_html`.

The measure page shows every passage of its evidence and of its assessments, hundreds for a measure
of a large case: the include's template per passage and its two `{% url %}` were most of the page's
rendering (docs/performance.md, "Figures behind the code"). The tag writes the same HTML, with the
source's and the event's page addresses reversed once per rendering (`reading.converters.url_maker`).
"""

from django import template
from django.utils.html import format_html

from reading.converters import url_maker

register = template.Library()


def _makers(context, slug):
    """(source page, event page) address makers of case `slug`, made once per rendering."""
    key = ("quoted_passage", slug)
    makers = context.render_context.get(key)
    if makers is None:
        makers = (url_maker("measures:source_detail", slug), url_maker("measures:event_detail", slug))
        context.render_context[key] = makers
    return makers


@register.simple_tag(takes_context=True)
def quoted_passage(context, passage):
    """A quoted passage (views.CitedPassage) with where it comes from, in the page's case (`case` in
    the context), its links carrying the page's `link_query` when there is one."""
    source_url, event_url = _makers(context, context["case"].slug)
    link_query = context.get("link_query")
    query = f"?{link_query}" if link_query else ""
    citation, source = passage.citation, passage.source
    publisher = format_html(", <bdi>{}</bdi>", source.publisher) if source.publisher else ""
    place = format_html(", {}", citation.place) if citation.place else ""
    if passage.date:
        when = format_html('<time datetime="{}">{}</time>', passage.date.date.isoformat(), passage.date)
    else:
        when = "undated"
    event = ""
    if citation.event:
        event = format_html(
            '· reports <a href="{}{}"><bdi>{}</bdi></a>', event_url(citation.event.pk), query, citation.event.title
        )
    return format_html(
        '\n<figure class="quote">\n  <blockquote><bdi>{}</bdi></blockquote>\n  <figcaption>\n'
        '    <a href="{}{}#{}">[<bdi>{}</bdi>] <bdi>{}</bdi></a>{}{}\n    · {}\n    {}\n  </figcaption>\n</figure>\n',
        citation.quote,
        source_url(source.pk),
        query,
        citation.anchor,
        source.short_label,
        source.title,
        publisher,
        place,
        when,
        event,
    )
