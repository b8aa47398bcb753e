from django.apps import AppConfig
from django.conf import settings


class ReadingConfig(AppConfig):
    """The reading pages: case list, dashboard, measure, events, sources, exports. Owns no models."""

    name = "reading"
    verbose_name = "Reading pages"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_logged_out, dispatch_uid="reading.caching.forget_session")


def _logged_out(sender, request, **kwargs):
    """A logout drops its session's entry of reading.caching.sessions (its session is flushed too)."""
    from reading.caching import forget_session

    forget_session(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
