from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alerts, weekly digests and feeds of a case's changes: a front end that owns no models."""

    name = "alerts"
    verbose_name = "Alerts and digests"
