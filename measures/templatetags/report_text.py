"""Typography of quoted text in the report: a passage we put in quotation marks must not bring its own
closing marks (“…””) and a note we follow with punctuation must not bring its own full stop (“.;”)."""

import re

from django import template

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
