"""The quoted passages that the measure page and a type's page make in Python (reading.views.quotes)
are the markup the templates made, byte for byte: the passage as `passage.html` renders it (which the
source and event pages still include), in the figure that `quote.html` rendered before it was
replaced."""

import datetime

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string

from measures.models import Citation
from measures.state import evidence_dating
from reading.views.base import CitedPassage
from reading.views.quotes import QuoteLinks, passage_html, quote_html
from tests import factories

# The template the figure was rendered with until reading.views.quotes replaced it.
QUOTE_TEMPLATE = """{% comment %}A quoted passage with where it comes from. Context: passage (views.CitedPassage), case, link_query.{% endcomment %}
<figure class="quote">
  {% include "measures/partials/passage.html" with citation=passage.citation %}
  <figcaption>
    <a href="{% url 'measures:source_detail' case.slug passage.source.pk %}{% if link_query %}?{{ link_query }}{% endif %}#{{ passage.citation.anchor }}">[<bdi>{{ passage.source.short_label }}</bdi>] <bdi>{{ passage.source.title }}</bdi></a>{% if passage.source.publisher %}, <bdi>{{ passage.source.publisher }}</bdi>{% endif %}{% if passage.citation.place %}, {{ passage.citation.place }}{% endif %}
    · {% if passage.date %}<time datetime="{{ passage.date.date|date:'Y-m-d' }}">{{ passage.date }}</time>{% else %}undated{% endif %}
    {% if passage.citation.event %}· reports <a href="{% url 'measures:event_detail' case.slug passage.citation.event.pk %}{% if link_query %}?{{ link_query }}{% endif %}"><bdi>{{ passage.citation.event.title }}</bdi></a>{% endif %}
  </figcaption>
</figure>
"""  # noqa: E501


def _variants(case):
    """Citations of every shape the markup tells apart, loaded as the pages load them."""
    undated = factories.SourceFactory(publisher="", published_on=None, title="A <b>bold</b> & “quoted” title")
    made = [
        factories.CitationFactory(case=case),
        factories.CitationFactory(case=case, source=undated, locator=""),
        factories.CitationFactory(case=case, event=factories.EventFactory(case=case, title="Talks & <talks>")),
        factories.CitationFactory(
            case=case,
            passage_parts=[["source", "She "], ["insertion", "[the minister]"], ["source", " said"], ["elision", "…"]],
        ),
        factories.CitationFactory(
            case=case,
            language="ur",
            translation="They agreed <to> de-escalate.",
            translator="A. Translator",
            translated_on=datetime.date(2024, 1, 21),
        ),
        factories.CitationFactory(case=case, language="fa"),  # not translated yet
    ]
    return list(Citation.objects.with_source().filter(pk__in=[c.pk for c in made]).order_by("pk"))


@pytest.mark.django_db
@pytest.mark.parametrize("link_query", ["", "as_of=2024-01-31&known_on=2024-02-01"])
def test_quoted_passages_are_the_templates_markup(link_query):
    case = factories.CaseFactory()
    template = Template(QUOTE_TEMPLATE)
    for citation in _variants(case):
        passage = CitedPassage(citation, evidence_dating(citation))
        assert passage_html(citation) == render_to_string("measures/partials/passage.html", {"citation": citation})
        expected = template.render(Context({"passage": passage, "case": case, "link_query": link_query}))
        assert quote_html(passage, links=QuoteLinks(case.slug), link_query=link_query) == expected
