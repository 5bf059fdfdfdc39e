"""Full-text search of the case list (see `ecohotline.cases.search`): a trigram index over title,
description, address, polluter and order number, filled for the existing cases.

PostgreSQL: the `pg_trgm` extension (trusted: the database owner may create it) and a GIN index on the
expression the search filters on. Its trigrams of Chinese text need a database whose LC_CTYPE is not "C"
(C.UTF-8 or zh_CN.UTF-8 are fine). SQLite: an FTS5 table with the `trigram` tokenizer (SQLite 3.34+) whose
content is cases_case itself, and triggers that keep it in step with every insert, update and delete,
raw INSERTs included. Not in the model state: nothing to keep in `Case.Meta`.
"""

from django.db import migrations

FIELDS = ("title", "description", "address", "polluter", "external_id")
COLUMNS = ", ".join(FIELDS)
NEW = ", ".join(f"new.{name}" for name in FIELDS)
OLD = ", ".join(f"old.{name}" for name in FIELDS)
DOCUMENT = " || ' ' || ".join(FIELDS)

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX cases_case_search_trgm ON cases_case USING gin (({DOCUMENT}) gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS cases_case_search_trgm"]

_INSERT = f"INSERT INTO cases_case_search(rowid, {COLUMNS}) VALUES (new.id, {NEW});"
_DELETE = f"INSERT INTO cases_case_search(cases_case_search, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});"
SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE cases_case_search USING fts5({COLUMNS}, content='cases_case', content_rowid='id', "
    "tokenize='trigram')",
    # Merge the index's segments less eagerly: about a fifth less work per case written (bulk imports),
    # a few more segments for a search to look in.
    "INSERT INTO cases_case_search(cases_case_search, rank) VALUES ('automerge', 16)",
    f"CREATE TRIGGER cases_case_search_insert AFTER INSERT ON cases_case BEGIN {_INSERT} END",
    f"CREATE TRIGGER cases_case_search_delete AFTER DELETE ON cases_case BEGIN {_DELETE} END",
    f"CREATE TRIGGER cases_case_search_update AFTER UPDATE OF {COLUMNS} ON cases_case "
    f"BEGIN {_DELETE} {_INSERT} END",
    # Index the cases already there.
    "INSERT INTO cases_case_search(cases_case_search) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_case_search_update",
    "DROP TRIGGER IF EXISTS cases_case_search_delete",
    "DROP TRIGGER IF EXISTS cases_case_search_insert",
    "DROP TABLE IF EXISTS cases_case_search",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_reply_templates"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
