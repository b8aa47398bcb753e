"""The two full-text engines behind measures.search, with one interface: SQLite's FTS5 and PostgreSQL's
text search (tsvector, tsquery, GIN index). Both index the terms of measures.lib.terms as they are
and answer the same query (every group of terms found, a group's terms next to each other in order,
narrowed by tags: measures.search.documents), ranked by the engine's own measure (BM25 for FTS5,
ts_rank for PostgreSQL), a title term weighing more than a body term and a tag nothing. The table is
created by migration 0029.

Each backend gives `match` (the SQL condition selecting the rows found, within the cases searched)
and `rank` (the expression ordered by, best first); `ROW` names the column of a row's id
(documents.row_id), from which the rows' kinds and records are read.
"""

from measures.search import documents

TABLE = "measures_searchindex"
# How much more a term of a title weighs than one of a body (FTS5's bm25 column weights;
# PostgreSQL's ts_rank weighs its A positions 1.0 against D's 0.1); tags (C) weigh nothing.
TITLE_WEIGHT = 4.0
MAX_POSITION = 16383  # PostgreSQL keeps positions up to this one


def _day(value):
    return value.isoformat() if value is not None else None


def _quoted(term, quote):
    return f"{quote}{term}{quote}"


class SQLiteBackend:
    vendor = "sqlite"
    ROW = "rowid"

    def delete(self, cursor, row_ids):
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start : start + 500]
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk)

    def clear(self, cursor):
        cursor.execute(f"DELETE FROM {TABLE}")

    def insert(self, cursor, documents):
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, title, body, tags, kind, object_id, case_id, language, day) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    d.row_id,
                    " ".join(d.title),
                    " ".join(d.body),
                    " ".join(d.tags),
                    d.kind,
                    d.object_id,
                    d.case_id,
                    d.language,
                    _day(d.day),
                )
                for d in documents
            ],
        )

    def day_parameter(self, day):
        return day.isoformat()

    def match(self, query, case_ids, tag_groups, *, uncited=False):
        """(SQL condition, params) selecting the rows that match `query` (measures.lib.terms.Query),
        belong to one of the cases `case_ids` (a source: is cited by one; with `uncited`, or is cited
        by none: documents.UNCITED_TAG) and carry, for each of `tag_groups` (lists of tags: a kind, a
        language), one of its tags. FTS5 narrows by the cases' tags as it finds the words (reading a
        column of each row found costs more)."""
        found = ['"' + " ".join(group) + '"' for group in query.groups]
        groups = [_case_tags(case_ids, uncited), *tag_groups]
        found += ["tags : (" + " OR ".join(_quoted(tag, '"') for tag in tags) + ")" for tags in groups]
        return f"{TABLE} MATCH %s", [" AND ".join(found)]

    def rank(self, query):
        """(SQL expression, params) to ORDER BY, best first: BM25 of the MATCH's phrases (the tags'
        column weighs nothing)."""
        return f"bm25({TABLE}, {TITLE_WEIGHT}, 1.0, 0.0)", []


# Up to this many cases searched, PostgreSQL narrows by their tags in the index; beyond, by a check
# of each row found (PostgreSQLBackend.match): the two cost about the same at 20 cases of the 100×
# demo data (docs/performance.md).
CASES_IN_TSQUERY = 20


class PostgreSQLBackend:
    vendor = "postgresql"
    ROW = "id"

    def delete(self, cursor, row_ids):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = ANY(%s)", [list(row_ids)])

    def clear(self, cursor):
        cursor.execute(f"TRUNCATE {TABLE}")

    def insert(self, cursor, documents):
        cursor.executemany(
            f"INSERT INTO {TABLE} (id, kind, object_id, case_id, language, day, document) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s::tsvector)",
            [(d.row_id, d.kind, d.object_id, d.case_id, d.language, d.day, _vector(d)) for d in documents],
        )

    def day_parameter(self, day):
        return day

    def match(self, query, case_ids, tag_groups, *, uncited=False):
        """As SQLiteBackend.match. The GIN index finds the words (and a kind's or language's tag).
        The cases: up to CASES_IN_TSQUERY of them, their tags go to the index too, which intersects
        a few short lists; more, and they are checked on the row the engine visits anyway: its
        case_id, or for a source (no case_id) its cases' tags. Either way the same rows (a row's
        case tag is made from its case_id). The tags of a reader's 50 cases in the tsquery made the
        index merge lists holding nearly every row and check each row found against 52 items
        (docs/performance.md, “Figures behind the code”)."""
        case_tags = _case_tags(case_ids, uncited)
        if len(case_ids) <= CASES_IN_TSQUERY:
            return "document @@ %s::tsquery", [_tsquery(query, [case_tags, *tag_groups])]
        cases = "(" + " | ".join(f"'{tag}':C" for tag in case_tags) + ")"
        return (
            "document @@ %s::tsquery"
            " AND (case_id = ANY(%s::bigint[]) OR (case_id IS NULL AND document @@ %s::tsquery))",
            [_tsquery(query, tag_groups), list(case_ids), cases],
        )

    def rank(self, query):
        """ts_rank of the query's words alone, weights of D (body), C (tags), B, A (title) positions:
        the same score as with the tags for two words or more (a tag's weight is 0), and a real one
        for a single word (the tags made every document's 0)."""
        return "-ts_rank('{0.1, 0, 0.4, 1.0}', document, %s::tsquery)", [_tsquery(query, [])]


# PostgreSQL keeps at most 256 positions of a lexeme and refuses a tsvector over 1 MB (1,048,575 bytes):
# a source of several megabytes is indexed by its terms, each with its first positions, until the
# vector would pass that size (what lies beyond is not found by search; the source's page shows it all).
MAX_POSITIONS_PER_TERM = 256
MAX_VECTOR_BYTES = 1_000_000


def _vector(document):
    """A tsvector literal of the document's terms with their positions, title terms weighted A, tags C:
    each term once with up to MAX_POSITIONS_PER_TERM positions, the whole under MAX_VECTOR_BYTES.
    Terms and tags hold neither quote marks nor backslashes, so quoting them needs no escapes."""
    positions = {}
    size = 0
    position = 0
    for weight, found in (("A", document.title), ("", document.body), ("C", document.tags)):
        for term in found:
            position = min(position + 1, MAX_POSITION)
            entry = f"{position}{weight}"
            listed = positions.get(term)
            if listed is None:
                added = len(term.encode()) + len(entry) + 4  # 'term':entry and a space
                if size + added > MAX_VECTOR_BYTES:
                    continue
                positions[term] = [entry]
                size += added
            elif (
                len(listed) < MAX_POSITIONS_PER_TERM
                and listed[-1] != entry
                and size + len(entry) + 1 <= MAX_VECTOR_BYTES
            ):
                listed.append(entry)
                size += len(entry) + 1
    return " ".join(f"'{term}':{','.join(entries)}" for term, entries in positions.items())


def _tsquery(query, tag_groups):
    found = ["(" + " <-> ".join(_quoted(term, "'") for term in group) + ")" for group in query.groups]
    found += ["(" + " | ".join(f"'{tag}':C" for tag in tags) + ")" for tags in tag_groups]
    return " & ".join(found)


def _case_tags(case_ids, uncited):
    """The tags of the cases searched, and the uncited sources' with `uncited` (documents.UNCITED_TAG)."""
    return [documents.case_tag(pk) for pk in case_ids] + ([documents.UNCITED_TAG] if uncited else [])


def backend_for(connection):
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"No search index for {connection.vendor}.")
