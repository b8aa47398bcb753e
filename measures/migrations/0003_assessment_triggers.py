"""Database guarantees that CHECK constraints cannot express, on SQLite and PostgreSQL alike:

- an assessment's party is one of the assessed parties of its measure's case;
- assessments are append-only: an UPDATE is refused (corrections are new rows).
Deletion is already refused by PROTECT foreign keys and by the absence of any delete permission.
"""

from django.db import migrations

PARTY_MESSAGE = "assessment party is not an assessed party of the measure's case"
UPDATE_MESSAGE = "assessments are append-only: record a correction instead"

SQLITE = [
    f"""
    CREATE TRIGGER measures_assessment_party_in_case
    BEFORE INSERT ON measures_assessment
    WHEN NOT EXISTS (
        SELECT 1 FROM measures_case_assessed_parties cp
        JOIN measures_measure m ON m.case_id = cp.case_id
        WHERE m.id = NEW.measure_id AND cp.party_id = NEW.party_id
    )
    BEGIN SELECT RAISE(ABORT, "{PARTY_MESSAGE}"); END;
    """,
    f"""
    CREATE TRIGGER measures_assessment_append_only
    BEFORE UPDATE ON measures_assessment
    BEGIN SELECT RAISE(ABORT, "{UPDATE_MESSAGE}"); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS measures_assessment_party_in_case;",
    "DROP TRIGGER IF EXISTS measures_assessment_append_only;",
]

POSTGRESQL = [
    f"""
    CREATE FUNCTION measures_assessment_party_in_case() RETURNS trigger AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM measures_case_assessed_parties cp
            JOIN measures_measure m ON m.case_id = cp.case_id
            WHERE m.id = NEW.measure_id AND cp.party_id = NEW.party_id
        ) THEN
            RAISE EXCEPTION '{PARTY_MESSAGE.replace("'", "''")}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER measures_assessment_party_in_case
    BEFORE INSERT ON measures_assessment
    FOR EACH ROW EXECUTE FUNCTION measures_assessment_party_in_case();
    """,
    f"""
    CREATE FUNCTION measures_assessment_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{UPDATE_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER measures_assessment_append_only
    BEFORE UPDATE ON measures_assessment
    FOR EACH ROW EXECUTE FUNCTION measures_assessment_append_only();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS measures_assessment_party_in_case ON measures_assessment;",
    "DROP FUNCTION IF EXISTS measures_assessment_party_in_case();",
    "DROP TRIGGER IF EXISTS measures_assessment_append_only ON measures_assessment;",
    "DROP FUNCTION IF EXISTS measures_assessment_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRESQL_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("measures", "0002_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
