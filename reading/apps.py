from django.apps import AppConfig


class ReadingConfig(AppConfig):
    """The reading pages: case list, dashboard, measure, events, sources, exports. Owns no models."""

    name = "reading"
    verbose_name = "Reading pages"
