"""Report stored dates outside the plausible range (measures.lib.dates: 1900 to a year after today).

Dates were not bounded before: an approximate event of 0001-01-01, a source published in 2567 (a
Buddhist-era year) may be stored. Nothing is changed or deleted (the date may be the only record of
what a source said); each such date is named, with its record, on the migration's output and in the
log ("measures.dates"), for an analyst to correct in the admin, where the form now refuses it.
"""

import datetime
import logging
import sys

from django.db import migrations
from django.db.models import Q

from measures.lib import dates

logger = logging.getLogger("measures.dates")

# (model, date fields) of every date a person or a file gives.
DATE_FIELDS = [
    ("Case", ["start_date", "end_date"]),
    ("Event", ["date", "end_date"]),
    ("Source", ["published_on"]),
    ("Assessment", ["effective_date"]),
]


def implausible_dates(apps, today=None):
    """The stored dates outside the plausible range, as sentences ("Event 12 "Talks": date 0001-01-01 is
    before 1900."), in model and id order. `apps` is a registry (a migration's, or django.apps.apps)."""
    earliest = datetime.date(dates.EARLIEST_YEAR, 1, 1)
    latest = dates.latest_plausible(today)
    found = []
    for model_name, fields in DATE_FIELDS:
        model = apps.get_model("measures", model_name)
        outside = Q()
        for field in fields:
            outside |= Q(**{f"{field}__lt": earliest}) | Q(**{f"{field}__gt": latest})
        for record in model._base_manager.filter(outside).order_by("pk").iterator(chunk_size=500):
            for field in fields:
                problem = dates.date_problem(getattr(record, field), today=today, label=field.replace("_", " "))
                if problem:
                    found.append(f'{model_name} {record.pk} "{str(record)[:60]}": {problem}')
    return found


def report_implausible_dates(apps, schema_editor):
    found = implausible_dates(apps)
    for line in found:
        logger.warning("Implausible stored date: %s", line)
    if found:
        sys.stdout.write(
            f"\n  {len(found)} stored date(s) outside 1900 to a year after today (kept; correct them in the admin):\n"
            + "".join(f"    {line}\n" for line in found)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0017_commitments_and_alerts"),
    ]

    operations = [
        migrations.RunPython(report_implausible_dates, migrations.RunPython.noop, elidable=True),
    ]
