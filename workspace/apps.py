from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The analysts' workspace: the admin, the assessment and intake flows. Owns no models."""

    name = "workspace"
    verbose_name = "Analysts' workspace"
