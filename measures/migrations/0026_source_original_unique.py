from django.db import migrations, models
from django.db.models import Count, Q


def refuse_duplicates(apps, schema_editor):
    """Two sources saved with the same original at the same moment (the check ran before the
    transaction) cannot both keep it under the new constraint: say which, rather than fail on the index."""
    Source = apps.get_model("measures", "Source")
    shared = (
        Source.objects.exclude(original_sha256="")
        .values("original_sha256")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("original_sha256", flat=True)
    )
    groups = []
    for digest in shared:
        ids = list(Source.objects.filter(original_sha256=digest).order_by("pk").values_list("pk", flat=True))
        groups.append(", ".join(f"#{pk}" for pk in ids))
    if groups:
        raise RuntimeError(
            "These sources share one original document (the same file uploaded twice at once): "
            + "; ".join(groups)
            + ". Keep one of each group (move the others' citations to it in the admin, then delete them), "
            "then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0025_report_job_lease"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.UniqueConstraint(
                condition=Q(("original_sha256", ""), _negated=True),
                fields=("original_sha256",),
                name="source_original_unique",
                violation_error_message="This file is already the original of another source.",
            ),
        ),
    ]
