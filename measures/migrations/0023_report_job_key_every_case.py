"""The report job's key (one PDF per version of the case and of every case, per period, as known on and
recorded since) takes every case's version: the constraints of 0020 and 0022 as one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0022_report_job_others_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", True), ("recorded_since__isnull", True)),
                fields=("case", "data_version", "others_version", "as_of", "since", "paper", "as_of_rule"),
                name="report_job_unique_per_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", False), ("recorded_since__isnull", True)),
                fields=("case", "data_version", "others_version", "as_of", "since", "known_on", "paper", "as_of_rule"),
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
                ),
                name="report_job_unique_per_version_known_on_recorded",
            ),
        ),
    ]
