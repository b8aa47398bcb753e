"""Database guarantees for the invariants of docs/invariants.md that CHECK constraints cannot express,
on INSERT and UPDATE, on SQLite and PostgreSQL alike (0003 holds the assessment's own two):

- a measure, citation or event keeps its case once anything relies on it (assessments or evidence
  for a measure; evidence or assessments citing a citation; citations reporting an event);
- an evidence row links a citation and a measure of the same case;
- a citation's event belongs to the citation's case;
- an assessment cites only citations of its measure's case;
- a party stays an assessed party of a case while it has assessments in it (on UPDATE of the link);
- an assessment's recorded_at is not in the future (one minute of clock difference allowed);
- adding, removing, moving or re-quoting a citation bumps its source's version, so that an editor
  who opened the source before cannot save a text over a citation they have not seen.

Whether a quote occurs in its source's text is decided by Python (measures.models.Source.find_quote,
with its Unicode folding); the database cannot repeat that rule, so it is enforced in the model's
clean() and the services, and the version bump above is the database's part of it.
"""

from django.db import migrations

MEASURE_CASE = "a measure with assessments or evidence cannot move to another case"
CITATION_CASE = "a citation used as evidence or cited by an assessment cannot move to another case"
EVENT_CASE = "an event reported by citations cannot move to another case"
EVIDENCE_CASE = "evidence must link a citation and a measure of the same case"
CITATION_EVENT_CASE = "a citation's event must belong to the citation's case"
ASSESSMENT_CITATION_CASE = "an assessment can cite only citations of its measure's case"
ASSESSED_PARTY = "a party with assessments in a case must stay one of its assessed parties"
RECORDED_AT = "an assessment cannot be recorded in the future"

MEASURE_DEPENDANTS = (
    "EXISTS (SELECT 1 FROM measures_assessment a WHERE a.measure_id = OLD.id)"
    " OR EXISTS (SELECT 1 FROM measures_evidence e WHERE e.measure_id = OLD.id)"
)
CITATION_DEPENDANTS = (
    "EXISTS (SELECT 1 FROM measures_evidence e WHERE e.citation_id = OLD.id)"
    " OR EXISTS (SELECT 1 FROM measures_assessmentcitation ac WHERE ac.citation_id = OLD.id)"
)
EVENT_DEPENDANTS = "EXISTS (SELECT 1 FROM measures_citation c WHERE c.event_id = OLD.id)"
EVIDENCE_MISMATCH = (
    "(SELECT c.case_id FROM measures_citation c WHERE c.id = NEW.citation_id)"
    " <> (SELECT m.case_id FROM measures_measure m WHERE m.id = NEW.measure_id)"
)
CITATION_EVENT_MISMATCH = (
    "NEW.event_id IS NOT NULL AND (SELECT ev.case_id FROM measures_event ev WHERE ev.id = NEW.event_id) <> NEW.case_id"
)
ASSESSMENT_CITATION_MISMATCH = (
    "(SELECT c.case_id FROM measures_citation c WHERE c.id = NEW.citation_id)"
    " <> (SELECT m.case_id FROM measures_assessment a JOIN measures_measure m ON m.id = a.measure_id"
    " WHERE a.id = NEW.assessment_id)"
)
ASSESSED_PARTY_IN_USE = (
    "EXISTS (SELECT 1 FROM measures_assessment a JOIN measures_measure m ON m.id = a.measure_id"
    " WHERE m.case_id = OLD.case_id AND a.party_id = OLD.party_id)"
)

GUARDS = [
    # name, table, events, condition (SQL both databases read, with NEW./OLD. row references), message
    (
        "measures_measure_keeps_case",
        "measures_measure",
        ["UPDATE"],
        f"OLD.case_id <> NEW.case_id AND ({MEASURE_DEPENDANTS})",
        MEASURE_CASE,
    ),
    (
        "measures_citation_keeps_case",
        "measures_citation",
        ["UPDATE"],
        f"OLD.case_id <> NEW.case_id AND ({CITATION_DEPENDANTS})",
        CITATION_CASE,
    ),
    (
        "measures_event_keeps_case",
        "measures_event",
        ["UPDATE"],
        f"OLD.case_id <> NEW.case_id AND ({EVENT_DEPENDANTS})",
        EVENT_CASE,
    ),
    ("measures_evidence_same_case", "measures_evidence", ["INSERT", "UPDATE"], EVIDENCE_MISMATCH, EVIDENCE_CASE),
    (
        "measures_citation_event_same_case",
        "measures_citation",
        ["INSERT", "UPDATE"],
        CITATION_EVENT_MISMATCH,
        CITATION_EVENT_CASE,
    ),
    (
        "measures_assessmentcitation_same_case",
        "measures_assessmentcitation",
        ["INSERT", "UPDATE"],
        ASSESSMENT_CITATION_MISMATCH,
        ASSESSMENT_CITATION_CASE,
    ),
    (
        "measures_assessed_party_kept",
        "measures_case_assessed_parties",
        # Not on DELETE: SQLite empties tables with DELETE (flush, restore), and a guard there would
        # stop it; removing the link is refused by CaseForm (docs/invariants.md).
        ["UPDATE"],
        ASSESSED_PARTY_IN_USE,
        ASSESSED_PARTY,
    ),
]

SQLITE_RECORDED_AT = "NEW.recorded_at > strftime('%Y-%m-%d %H:%M:%f', 'now', '+1 minute')"
POSTGRESQL_RECORDED_AT = "NEW.recorded_at > now() + interval '1 minute'"


def _sqlite_guard(name, table, event, condition, message):
    return f"""
    CREATE TRIGGER {name}_{event.lower()}
    BEFORE {event} ON {table}
    WHEN {condition}
    BEGIN SELECT RAISE(ABORT, '{message.replace("'", "''")}'); END;
    """


def _postgresql_guard(name, table, events, condition, message):
    return [
        f"""
        CREATE FUNCTION {name}() RETURNS trigger AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{message.replace("'", "''")}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"""
        CREATE TRIGGER {name}
        BEFORE {" OR ".join(events)} ON {table}
        FOR EACH ROW EXECUTE FUNCTION {name}();
        """,
    ]


def _sqlite_statements():
    statements = []
    for name, table, events, condition, message in GUARDS:
        for event in events:
            statements.append(_sqlite_guard(name, table, event, condition, message))
    statements.append(
        _sqlite_guard(
            "measures_assessment_recorded_past", "measures_assessment", "INSERT", SQLITE_RECORDED_AT, RECORDED_AT
        )
    )
    statements += [
        """
        CREATE TRIGGER measures_citation_bumps_source_insert AFTER INSERT ON measures_citation
        BEGIN UPDATE measures_source SET version = version + 1 WHERE id = NEW.source_id; END;
        """,
        """
        CREATE TRIGGER measures_citation_bumps_source_delete AFTER DELETE ON measures_citation
        BEGIN UPDATE measures_source SET version = version + 1 WHERE id = OLD.source_id; END;
        """,
        """
        CREATE TRIGGER measures_citation_bumps_source_update AFTER UPDATE OF source_id, quote ON measures_citation
        WHEN OLD.source_id <> NEW.source_id OR OLD.quote <> NEW.quote
        BEGIN UPDATE measures_source SET version = version + 1 WHERE id IN (OLD.source_id, NEW.source_id); END;
        """,
    ]
    return statements


def _sqlite_reverse():
    names = [f"{name}_{event.lower()}" for name, _, events, _, _ in GUARDS for event in events]
    names += [
        "measures_assessment_recorded_past_insert",
        "measures_citation_bumps_source_insert",
        "measures_citation_bumps_source_delete",
        "measures_citation_bumps_source_update",
    ]
    return [f"DROP TRIGGER IF EXISTS {name};" for name in names]


def _postgresql_statements():
    statements = []
    for guard in GUARDS:
        statements += _postgresql_guard(*guard)
    statements += _postgresql_guard(
        "measures_assessment_recorded_past", "measures_assessment", ["INSERT"], POSTGRESQL_RECORDED_AT, RECORDED_AT
    )
    statements += [
        """
        CREATE FUNCTION measures_citation_bumps_source() RETURNS trigger AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE measures_source SET version = version + 1 WHERE id = OLD.source_id;
            END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.source_id <> OLD.source_id) THEN
                UPDATE measures_source SET version = version + 1 WHERE id = NEW.source_id;
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql;
        """,
        """
        CREATE TRIGGER measures_citation_bumps_source_insert_delete
        AFTER INSERT OR DELETE ON measures_citation
        FOR EACH ROW EXECUTE FUNCTION measures_citation_bumps_source();
        """,
        """
        CREATE TRIGGER measures_citation_bumps_source_update
        AFTER UPDATE OF source_id, quote ON measures_citation
        FOR EACH ROW WHEN (OLD.source_id <> NEW.source_id OR OLD.quote <> NEW.quote)
        EXECUTE FUNCTION measures_citation_bumps_source();
        """,
    ]
    return statements


def _postgresql_reverse():
    tables = {name: table for name, table, *_ in GUARDS}
    tables["measures_assessment_recorded_past"] = "measures_assessment"
    statements = []
    for name, table in tables.items():
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        statements.append(f"DROP FUNCTION IF EXISTS {name}();")
    statements += [
        "DROP TRIGGER IF EXISTS measures_citation_bumps_source_insert_delete ON measures_citation;",
        "DROP TRIGGER IF EXISTS measures_citation_bumps_source_update ON measures_citation;",
        "DROP FUNCTION IF EXISTS measures_citation_bumps_source();",
    ]
    return statements


def forwards(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in _postgresql_statements() if postgresql else _sqlite_statements():
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in _postgresql_reverse() if postgresql else _sqlite_reverse():
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("measures", "0011_case_file_keys")]

    operations = [migrations.RunPython(forwards, backwards)]
