"""Filters of the alert and digest mails."""

from django import template

from measures.models import Assessment

register = template.Library()


@register.filter
def level_label(level):
    """ "Minimal (1)" for "minimal"; the value itself for an unknown level."""
    try:
        return Assessment.Level(level).label
    except ValueError:
        return level


@register.filter
def measure_url(digest, measure):
    """The measure's page for the digest's week (alerts.digest.Digest.measure_url)."""
    return digest.measure_url(measure)
