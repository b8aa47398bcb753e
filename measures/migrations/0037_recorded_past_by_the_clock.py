"""An assessment may not be recorded in the future (0012_integrity_triggers): on PostgreSQL the guard
compares with the clock, not with the transaction's start.

PostgreSQL's now() is the time the transaction began: a transaction that ran for more than a minute
(a large case file's staged copy, a long events import batch, a test run holding one transaction)
refused assessments recorded at its end as "recorded in the future". clock_timestamp() is the time of
the statement. SQLite's strftime('now') is already the statement's time.
"""

from django.db import migrations

RECORDED_AT = "an assessment cannot be recorded in the future"


def _function(bound):
    return f"""
        CREATE OR REPLACE FUNCTION measures_assessment_recorded_past() RETURNS trigger AS $$
        BEGIN
            IF NEW.recorded_at > {bound} + interval '1 minute' THEN
                RAISE EXCEPTION '{RECORDED_AT}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
    """


def by_the_clock(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function("clock_timestamp()"))


def by_the_transaction(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function("now()"))


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0036_extraction_job"),
    ]

    operations = [migrations.RunPython(by_the_clock, by_the_transaction)]
