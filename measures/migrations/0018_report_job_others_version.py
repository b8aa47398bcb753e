"""A stored report PDF is reused only while no case's data changed: its key judgements compare the
case with the others (ReportJob.others_version joins the key)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0017_measure_type_catalogue"),
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
        migrations.AddField(
            model_name="reportjob",
            name="others_version",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Every case's data version when asked for: the key judgements compare it with the others.",
                max_length=100,
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", True)),
                fields=("case", "data_version", "others_version", "as_of", "since", "paper", "as_of_rule"),
                name="report_job_unique_per_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", False)),
                fields=("case", "data_version", "others_version", "as_of", "since", "known_on", "paper", "as_of_rule"),
                name="report_job_unique_per_version_known_on",
            ),
        ),
    ]
