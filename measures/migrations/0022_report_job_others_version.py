"""A stored report PDF is reused only while no case's data changed: its key judgements compare the
case with the others (ReportJob.others_version joins the key;
the key's constraints are migration 0023)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0021_measure_type_catalogue"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
    ]
