"""A measure's requirement apart from its evidence, the one rule of plausible dates, and the label clash.

- `Measure.requirement`: the passage a measure is drawn from (the recommendation) is what it requires,
  no longer evidence of conduct. Evidence rows that attached a measure's own defining text to it (a
  context passage of a policy recommendation holding the measure's description, as case files did)
  become its requirement, and the evidence rows go; going back restores them as context evidence.
- Database guards (SQLite and PostgreSQL, as 0012's): a measure's requirement is a citation of its
  own case, and a citation that defines a measure keeps its case.
- Date fields validate the plausible range (measures.lib.dates.plausible_date), with no change to
  the tables; the label constraint names the clash in words.
- A report PDF may list what was recorded since a date: `ReportJob.recorded_since`, in its key.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

import measures.lib.dates
from measures.lib.quoting import normalise_text

# Adding a column may remake measures_measure on SQLite, which 0012's triggers name: drop them before
# and create them again after, exactly as 0012 writes them (as 0013 does).
_triggers = importlib.import_module("measures.migrations.0012_integrity_triggers")
# 0003's assessment triggers name measures_measure too (going back removes the column by a remake).
_assessment_triggers = importlib.import_module("measures.migrations.0003_assessment_triggers")

REQUIREMENT_CASE = "a measure's requirement must be a citation of its own case"
REQUIREMENT_KEEPS_CASE = "a citation that defines a measure cannot move to another case"
GUARDS = [
    (
        "measures_measure_requirement_same_case",
        "measures_measure",
        ["INSERT", "UPDATE"],
        "NEW.requirement_id IS NOT NULL AND "
        "(SELECT c.case_id FROM measures_citation c WHERE c.id = NEW.requirement_id) <> NEW.case_id",
        REQUIREMENT_CASE,
    ),
    (
        "measures_citation_requirement_keeps_case",
        "measures_citation",
        ["UPDATE"],
        "OLD.case_id <> NEW.case_id AND EXISTS (SELECT 1 FROM measures_measure m WHERE m.requirement_id = OLD.id)",
        REQUIREMENT_KEEPS_CASE,
    ),
]
RECOMMENDED_NOTE = "The recommended step, in full."


def _drop_triggers_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _triggers.backwards(apps, schema_editor)
        _assessment_triggers.backwards(apps, schema_editor)


def _create_triggers_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _assessment_triggers.forwards(apps, schema_editor)
        _triggers.forwards(apps, schema_editor)


def _guards(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table, events, condition, message in GUARDS:
        if postgresql:
            statements = _triggers._postgresql_guard(name, table, events, condition, message)
        else:
            statements = [_triggers._sqlite_guard(name, table, event, condition, message) for event in events]
        for statement in statements:
            schema_editor.execute(statement, params=None)


def _drop_guards(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table, events, _, _ in GUARDS:
        if postgresql:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};", params=None)
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();", params=None)
        else:
            for event in events:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event.lower()};", params=None)


def requirements_from_evidence(apps, schema_editor):
    """A measure's own text attached to it as context evidence becomes its requirement."""
    Measure = apps.get_model("measures", "Measure")
    Evidence = apps.get_model("measures", "Evidence")
    for measure in Measure.objects.filter(requirement__isnull=True).order_by("pk"):
        wanted = normalise_text(measure.description)
        if not wanted:
            continue
        candidates = (
            Evidence.objects.filter(measure_id=measure.pk, stance="context", citation__source__kind="policy")
            .select_related("citation")
            .order_by("pk")
        )
        defining = [e for e in candidates if wanted in normalise_text(e.citation.quote)]
        if not defining:
            continue
        measure.requirement_id = defining[0].citation_id
        measure.save(update_fields=["requirement"])
        Evidence.objects.filter(pk=defining[0].pk).delete()


def requirements_to_evidence(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    Evidence = apps.get_model("measures", "Evidence")
    for measure in Measure.objects.filter(requirement__isnull=False).order_by("pk"):
        Evidence.objects.get_or_create(
            measure_id=measure.pk,
            citation_id=measure.requirement_id,
            defaults={"stance": "context", "note": RECOMMENDED_NOTE},
        )
        measure.requirement_id = None
        measure.save(update_fields=["requirement"])


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0019_passage_dismissal_text"),
    ]

    operations = [
        migrations.RunPython(_drop_triggers_on_sqlite, _create_triggers_on_sqlite),
        migrations.AddField(
            model_name="historicalmeasure",
            name="requirement",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=(
                    "The passage that defines this step (the recommendation it comes from), quoted from its source. "
                    "Shown as what the measure requires, never counted as evidence of conduct."
                ),
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="measures.citation",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="requirement",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "The passage that defines this step (the recommendation it comes from), quoted from its source. "
                    "Shown as what the measure requires, never counted as evidence of conduct."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requirement_of",
                to="measures.citation",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="effective_date",
            field=models.DateField(
                help_text="When the situation held in the world.", validators=[measures.lib.dates.plausible_date]
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="end_date",
            field=models.DateField(
                blank=True,
                help_text="When the crisis ended, as its sources support it; required for a closed case.",
                null=True,
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="start_date",
            field=models.DateField(
                help_text="When the crisis began; no assessment may be effective earlier.",
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="date",
            field=models.DateField(
                help_text="With month or approximate precision, the best estimate of the day.",
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="end_date",
            field=models.DateField(
                blank=True,
                help_text="For an event that lasted several days (26–27 Jan), its last day.",
                null=True,
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="historicalcase",
            name="end_date",
            field=models.DateField(
                blank=True,
                help_text="When the crisis ended, as its sources support it; required for a closed case.",
                null=True,
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="historicalcase",
            name="start_date",
            field=models.DateField(
                help_text="When the crisis began; no assessment may be effective earlier.",
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="historicalevent",
            name="date",
            field=models.DateField(
                help_text="With month or approximate precision, the best estimate of the day.",
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="historicalevent",
            name="end_date",
            field=models.DateField(
                blank=True,
                help_text="For an event that lasted several days (26–27 Jan), its last day.",
                null=True,
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="published_on",
            field=models.DateField(
                blank=True,
                help_text=(
                    "Leave empty when the document shows no date. With month or year precision, any day in it: it is "
                    "stored as the last day of that month or year."
                ),
                null=True,
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="published_on",
            field=models.DateField(
                blank=True,
                help_text=(
                    "Leave empty when the document shows no date. With month or year precision, any day in it: it is "
                    "stored as the last day of that month or year."
                ),
                null=True,
                validators=[measures.lib.dates.plausible_date],
            ),
        ),
        migrations.AlterConstraint(
            model_name="source",
            name="source_label_unique",
            constraint=models.UniqueConstraint(
                condition=models.Q(("label", ""), _negated=True),
                fields=("label",),
                name="source_label_unique",
                violation_error_message="Another source already has this label: labels are unique across cases.",
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
        migrations.AddField(
            model_name="reportjob",
            name="recorded_since",
            field=models.DateField(
                blank=True,
                help_text="The report lists what was recorded from this day on (empty: no such list).",
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", True), ("recorded_since__isnull", True)),
                fields=("case", "data_version", "as_of", "since", "paper", "as_of_rule"),
                name="report_job_unique_per_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", False), ("recorded_since__isnull", True)),
                fields=("case", "data_version", "as_of", "since", "known_on", "paper", "as_of_rule"),
                name="report_job_unique_per_version_known_on",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", True), ("recorded_since__isnull", False)),
                fields=("case", "data_version", "as_of", "since", "recorded_since", "paper", "as_of_rule"),
                name="report_job_unique_per_version_recorded",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("known_on__isnull", False), ("recorded_since__isnull", False)),
                fields=("case", "data_version", "as_of", "since", "known_on", "recorded_since", "paper", "as_of_rule"),
                name="report_job_unique_per_version_known_on_recorded",
            ),
        ),
        migrations.RunPython(_create_triggers_on_sqlite, _drop_triggers_on_sqlite),
        migrations.RunPython(_guards, _drop_guards),
        migrations.RunPython(requirements_from_evidence, requirements_to_evidence),
    ]
