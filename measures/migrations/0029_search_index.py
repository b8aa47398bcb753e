"""The search index (measures.search): a table of the databases' own full-text engines.

SQLite: an FTS5 virtual table (FTS5 ships in the sqlite3 of Python). Its columns (title, body, and
the tags a search is narrowed by: measures.search.documents) hold search terms already made by
measures.lib.terms, separated by spaces; its tokenizer (unicode61, diacritics kept,
letters, marks, digits and private-use characters as word characters) only splits them there again,
so that both databases index the same terms. PostgreSQL: a table with a tsvector written from the same
terms (never parsed by a text search configuration; tags at weight C) and a GIN index on it.

Either way, one row per indexed record, its id derived from the record's kind and primary key
(measures.search.documents.row_id). The index is filled from the data at the end (for a database
migrated with data in it); `manage.py rebuild_search_index` does the same at any time.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE VIRTUAL TABLE measures_searchindex USING fts5(
        title, body, tags,
        kind UNINDEXED, object_id UNINDEXED, case_id UNINDEXED, language UNINDEXED, day UNINDEXED,
        tokenize = "unicode61 remove_diacritics 0 categories 'L* M* N* Co'"
    )
    """
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS measures_searchindex"]

POSTGRESQL = [
    """
    CREATE TABLE measures_searchindex (
        id bigint PRIMARY KEY,
        kind varchar(10) NOT NULL,
        object_id bigint NOT NULL,
        case_id bigint NULL,
        language varchar(35) NOT NULL,
        day date NULL,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX measures_searchindex_document ON measures_searchindex USING GIN (document)",
    "CREATE INDEX measures_searchindex_case ON measures_searchindex (case_id)",
]
POSTGRESQL_REVERSE = ["DROP TABLE IF EXISTS measures_searchindex"]


def create_index(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    statements = POSTGRESQL_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


def fill_index(apps, schema_editor):
    from measures.search import rebuild

    rebuild(using=schema_editor.connection.alias, models=apps)


class Migration(migrations.Migration):
    dependencies = [("measures", "0028_languages_translations_passages")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill_index, migrations.RunPython.noop),
    ]
