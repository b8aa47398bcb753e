from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The status report: its build, the PDF, the background job and their pages. Owns no models."""

    name = "reports"
    verbose_name = "Status reports"
