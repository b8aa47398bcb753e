"""The shared catalogue of measure types: the Theme and MeasureType models, a measure's type, and the
catalogue itself as data (measures.lib.catalogue: the ten steps of the Pakistan–Iran recommendations
and the steps real de-escalations use beyond them, in five themes, with the PAM and PA-X references
that could be confirmed).

The roles gain the permissions of the new models (groups keep whatever else administrators gave
them), and an existing Pakistan–Iran case gets its measures typed as its case file now types them.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import measures.lib.text
from measures.lib.catalogue import PAKISTAN_IRAN, PAKISTAN_IRAN_TYPES, THEMES, TYPES, ensure_catalogue


def add_catalogue(apps, schema_editor):
    ensure_catalogue(apps.get_model("measures", "Theme"), apps.get_model("measures", "MeasureType"))


def remove_catalogue(apps, schema_editor):
    Theme, MeasureType = apps.get_model("measures", "Theme"), apps.get_model("measures", "MeasureType")
    Measure = apps.get_model("measures", "Measure")
    Measure.objects.filter(type__isnull=False).update(type=None)
    MeasureType.objects.filter(slug__in=[row[0] for row in TYPES]).delete()
    Theme.objects.filter(slug__in=[row[0] for row in THEMES], types__isnull=True).delete()


def grant_permissions(apps, schema_editor):
    """Readers and analysts may view the catalogue; administrators may also edit it. Groups an
    administrator created or changed keep what they have; only these permissions are added."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    catalogue = Permission.objects.filter(
        content_type__app_label="measures", content_type__model__in=["theme", "measuretype"]
    )
    for group in Group.objects.filter(name__in=["Reader", "Analyst"]):
        group.permissions.add(*catalogue.filter(codename__startswith="view_"))
    for group in Group.objects.filter(name="Administrator"):
        group.permissions.add(*catalogue)


def type_pakistan_iran(apps, schema_editor):
    """An existing Pakistan–Iran case (loaded before measures had types) gets the types its case file
    now gives; a measure already typed, or renamed, is left alone."""
    Measure, MeasureType = apps.get_model("measures", "Measure"), apps.get_model("measures", "MeasureType")
    types = {t.slug: t for t in MeasureType.objects.filter(slug__in=PAKISTAN_IRAN_TYPES.values())}
    for measure in Measure.objects.filter(case__slug=PAKISTAN_IRAN, type__isnull=True):
        type_slug = PAKISTAN_IRAN_TYPES.get(measure.slug)
        if type_slug in types:
            Measure.objects.filter(pk=measure.pk).update(type=types[type_slug])


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0020_measure_requirement_plausible_dates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MeasureType",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "slug",
                    models.SlugField(
                        help_text="How case files name the type (measures[].type); keep it stable.",
                        max_length=80,
                        unique=True,
                    ),
                ),
                (
                    "name",
                    models.CharField(max_length=120, unique=True, validators=[measures.lib.text.NoControlCharacters()]),
                ),
                (
                    "definition",
                    models.TextField(
                        help_text="What a step of this type is, in any case.",
                        validators=[measures.lib.text.NoControlCharacters(multi_line=True)],
                    ),
                ),
                (
                    "pam_provision",
                    models.CharField(
                        blank=True,
                        help_text="The PAM provision this type corresponds to, as PAM names it; empty when none does.",
                        max_length=120,
                        validators=[measures.lib.text.NoControlCharacters()],
                        verbose_name="Peace Accords Matrix provision",
                    ),
                ),
                (
                    "pax_category",
                    models.CharField(
                        blank=True,
                        help_text="Its PA-X category and codebook variable, e.g. “Ceasefire (Ce)”; empty if none.",
                        max_length=120,
                        validators=[measures.lib.text.NoControlCharacters()],
                        verbose_name="PA-X category",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, help_text="Order within its theme.")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                "verbose_name": "measure type",
                "ordering": ["theme__position", "theme__name", "position", "name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalTheme",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("slug", models.SlugField(max_length=80)),
                (
                    "name",
                    models.CharField(
                        db_index=True, max_length=100, validators=[measures.lib.text.NoControlCharacters()]
                    ),
                ),
                (
                    "description",
                    models.TextField(blank=True, validators=[measures.lib.text.NoControlCharacters(multi_line=True)]),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Themes are listed by this number, then name."
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical theme",
                "verbose_name_plural": "historical themes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="historicalmeasure",
            name="type",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Its step in the shared catalogue, so that cases compare on it; empty when none fits.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="measures.measuretype",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="type",
            field=models.ForeignKey(
                blank=True,
                help_text="Its step in the shared catalogue, so that cases compare on it; empty when none fits.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measures",
                to="measures.measuretype",
            ),
        ),
        migrations.CreateModel(
            name="Theme",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=80, unique=True)),
                (
                    "name",
                    models.CharField(max_length=100, unique=True, validators=[measures.lib.text.NoControlCharacters()]),
                ),
                (
                    "description",
                    models.TextField(blank=True, validators=[measures.lib.text.NoControlCharacters(multi_line=True)]),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Themes are listed by this number, then name."
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                "ordering": ["position", "name"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("name", ""), _negated=True), name="theme_name_not_empty")
                ],
            },
        ),
        migrations.AddField(
            model_name="measuretype",
            name="theme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="types", to="measures.theme"
            ),
        ),
        migrations.CreateModel(
            name="HistoricalMeasureType",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "slug",
                    models.SlugField(
                        help_text="How case files name the type (measures[].type); keep it stable.", max_length=80
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        db_index=True, max_length=120, validators=[measures.lib.text.NoControlCharacters()]
                    ),
                ),
                (
                    "definition",
                    models.TextField(
                        help_text="What a step of this type is, in any case.",
                        validators=[measures.lib.text.NoControlCharacters(multi_line=True)],
                    ),
                ),
                (
                    "pam_provision",
                    models.CharField(
                        blank=True,
                        help_text="The PAM provision this type corresponds to, as PAM names it; empty when none does.",
                        max_length=120,
                        validators=[measures.lib.text.NoControlCharacters()],
                        verbose_name="Peace Accords Matrix provision",
                    ),
                ),
                (
                    "pax_category",
                    models.CharField(
                        blank=True,
                        help_text="Its PA-X category and codebook variable, e.g. “Ceasefire (Ce)”; empty if none.",
                        max_length=120,
                        validators=[measures.lib.text.NoControlCharacters()],
                        verbose_name="PA-X category",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, help_text="Order within its theme.")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical measure type",
                "verbose_name_plural": "historical measure types",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name="measuretype",
            constraint=models.CheckConstraint(
                condition=models.Q(("name", ""), _negated=True), name="measure_type_name_not_empty"
            ),
        ),
        migrations.AddConstraint(
            model_name="measuretype",
            constraint=models.CheckConstraint(
                condition=models.Q(("definition", ""), _negated=True), name="measure_type_definition_not_empty"
            ),
        ),
        migrations.RunPython(add_catalogue, remove_catalogue),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
        migrations.RunPython(type_pakistan_iran, migrations.RunPython.noop),
    ]
