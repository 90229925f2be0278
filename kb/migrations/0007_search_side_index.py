"""Articles and topics get an index of their own.

The search page matches articles and topics (a few thousand) beside the sections and
passages (a hundred thousand or more). In one shared index, finding the few articles that
contain a common word meant walking every section that contains it (tens of ms at 100,000
sections): SQLite gets a second FTS5 table, PostgreSQL a partial GIN index.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE kb_search_side_fts USING fts5("
    "heading, title, topics, body, tokenize = 'unicode61 remove_diacritics 0')",
    "INSERT INTO kb_search_side_fts (rowid, heading, title, topics, body) "
    "SELECT rowid, heading, title, topics, body FROM kb_search_fts WHERE rowid IN "
    "(SELECT id FROM kb_searchentry WHERE doc_type IN ('article', 'topic'))",
    "DELETE FROM kb_search_fts WHERE rowid IN "
    "(SELECT id FROM kb_searchentry WHERE doc_type IN ('article', 'topic'))",
    "DROP TRIGGER kb_searchentry_delete",
    "CREATE TRIGGER kb_searchentry_delete AFTER DELETE ON kb_searchentry BEGIN "
    "DELETE FROM kb_search_fts WHERE rowid = old.id; "
    "DELETE FROM kb_search_side_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = [
    "INSERT INTO kb_search_fts (rowid, heading, title, topics, body) "
    "SELECT rowid, heading, title, topics, body FROM kb_search_side_fts",
    "DROP TRIGGER kb_searchentry_delete",
    "CREATE TRIGGER kb_searchentry_delete AFTER DELETE ON kb_searchentry "
    "BEGIN DELETE FROM kb_search_fts WHERE rowid = old.id; END",
    "DROP TABLE kb_search_side_fts",
]
POSTGRESQL_FORWARD = [
    "CREATE INDEX kb_searchentry_side ON kb_searchentry USING gin (vector) "
    "WHERE doc_type IN ('article', 'topic')",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX kb_searchentry_side",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("kb", "0006_search_passages"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
