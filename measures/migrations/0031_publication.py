"""Publication: a case's visibility (private, published, shared by link; private for every existing case),
share links, the permission to publish (administrators), and report PDFs made per audience (a public
one names no one)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import measures.lib.text
from measures.roles import grant_model_permissions


def administrators_publish(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # The Administrator group holds every permission: add the new ones (publish_case, the share links').
    grant_model_permissions(
        apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), ["case", "sharelink"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0030_review"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ShareLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="Whom it was given to and why (shown to administrators only).",
                        max_length=200,
                        validators=[measures.lib.text.NoControlCharacters()],
                    ),
                ),
                ("expires_on", models.DateField(help_text="The last day on which the link opens the case.")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AlterModelOptions(
            name="case",
            options={
                "ordering": ["-start_date", "name"],
                "permissions": [("publish_case", "Can publish a case or share it by link")],
            },
        ),
        migrations.AddField(
            model_name="case",
            name="visibility",
            field=models.CharField(
                choices=[
                    ("private", "Private: the team and readers with an account"),
                    ("published", "Published: anyone, without logging in"),
                    ("link", "Shared by link: holders of a valid share link, read-only"),
                ],
                default="private",
                help_text="Who reads its pages and report (published or shared: approved judgements only, no names)",
                max_length=9,
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="visibility",
            field=models.CharField(
                choices=[
                    ("private", "Private: the team and readers with an account"),
                    ("published", "Published: anyone, without logging in"),
                    ("link", "Shared by link: holders of a valid share link, read-only"),
                ],
                default="private",
                help_text="Who reads its pages and report (published or shared: approved judgements only, no names)",
                max_length=9,
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(("visibility__in", ["private", "published", "link"])), name="case_visibility_valid"
            ),
        ),
        migrations.AddField(
            model_name="sharelink",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="share_links", to="measures.case"
            ),
        ),
        migrations.AddField(
            model_name="sharelink",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="sharelink",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="sharelink",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("revoked_at__isnull", True), ("revoked_at__gte", models.F("created_at")), _connector="OR"
                ),
                name="share_link_revoked_after_created",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="reportjob",
            name="report_job_unique_per_version",
        ),
        migrations.RemoveConstraint(
            model_name="reportjob",
            name="report_job_unique_per_version_known_on",
        ),
        migrations.RemoveConstraint(
            model_name="reportjob",
            name="report_job_unique_per_version_recorded",
        ),
        migrations.RemoveConstraint(
            model_name="reportjob",
            name="report_job_unique_per_version_known_on_recorded",
        ),
        migrations.AddField(
            model_name="reportjob",
            name="audience",
            field=models.CharField(
                choices=[
                    ("account", "Readers with an account"),
                    ("public", "Anyone (a published or shared case): names no one"),
                ],
                default="account",
                help_text="Whom the PDF was made for: a public one names no one (not who asked for it).",
                max_length=7,
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", True), ("recorded_since__isnull", True)),
                fields=("case", "data_version", "others_version", "as_of", "since", "paper", "as_of_rule", "audience"),
                name="report_job_unique_per_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", False), ("recorded_since__isnull", True)),
                fields=(
                    "case",
                    "data_version",
                    "others_version",
                    "as_of",
                    "since",
                    "known_on",
                    "paper",
                    "as_of_rule",
                    "audience",
                ),
                name="report_job_unique_per_version_known_on",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", True), ("recorded_since__isnull", False)),
                fields=(
                    "case",
                    "data_version",
                    "others_version",
                    "as_of",
                    "since",
                    "recorded_since",
                    "paper",
                    "as_of_rule",
                    "audience",
                ),
                name="report_job_unique_per_version_recorded",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", False), ("recorded_since__isnull", False)),
                fields=(
                    "case",
                    "data_version",
                    "others_version",
                    "as_of",
                    "since",
                    "known_on",
                    "recorded_since",
                    "paper",
                    "as_of_rule",
                    "audience",
                ),
                name="report_job_unique_per_version_known_on_recorded",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("audience__in", ["account", "public"])), name="report_job_audience_valid"
            ),
        ),
        migrations.RunPython(administrators_publish, migrations.RunPython.noop),
    ]
