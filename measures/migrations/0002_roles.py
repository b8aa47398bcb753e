"""Create the Reader, Analyst and Administrator groups so that every deployment has them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from measures.roles import ADMINISTRATOR, ANALYST, READER, permission_codenames


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    measures_perms = Permission.objects.filter(content_type__app_label="measures")
    model_names = sorted(set(measures_perms.values_list("content_type__model", flat=True)))
    for role in (READER, ANALYST):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(measures_perms.filter(codename__in=permission_codenames(role, model_names)))
    admin_group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    admin_group.permissions.set(Permission.objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
