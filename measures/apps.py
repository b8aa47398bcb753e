from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def ensure_roles_after_migrate(sender, apps=global_apps, using="default", **kwargs):
    """post_migrate: the roles exist after every `migrate` and `flush`. measures is the last app with models in
    INSTALLED_APPS, so every app's permissions have been created when this runs. `flush` sends no
    `apps` (the installed models then), `migrate` sends the migrated state's."""
    from measures.roles import ensure_roles

    try:
        Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    except LookupError:  # migrated backwards past auth: nothing to hold the roles
        return
    ensure_roles(Group, Permission, using=using)


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "De-escalation measures"

    def ready(self):
        post_migrate.connect(ensure_roles_after_migrate, sender=self, dispatch_uid="measures.ensure_roles")
