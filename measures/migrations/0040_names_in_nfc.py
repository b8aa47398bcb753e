"""Unique names stored before they were stored in NFC (measures.models.base.StoredInNfc) rewritten in
NFC, so that the database's constraint and measures.lib.text.name_key compare them alike. A name whose
NFC form another record already has (two records that read the same, saved before the rule) is left
as it is, and named on the console, for an administrator to rename: the migration never fails on it."""

import unicodedata

from django.db import migrations

NAMES = [("Party", "name"), ("Theme", "name"), ("MeasureType", "name"), ("Source", "label")]


def names_in_nfc(apps, schema_editor):
    for model_name, field in NAMES:
        model = apps.get_model("measures", model_name)
        for pk, value in model.objects.values_list("pk", field):
            normal = unicodedata.normalize("NFC", value or "")
            if normal == (value or ""):
                continue
            if model.objects.filter(**{field: normal}).exclude(pk=pk).exists():
                print(f"\n  {model_name} {pk}: “{value}” reads as another's name; left as it is: rename it.")
                continue
            model.objects.filter(pk=pk).update(**{field: normal})


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0039_leased_jobs_and_event_import_job"),
    ]

    operations = [migrations.RunPython(names_in_nfc, migrations.RunPython.noop)]
