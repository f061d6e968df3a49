"""On PostgreSQL, the instruments' search document becomes a stored generated column,
`search_document`, and the GIN index `instrument_search` is rebuilt on it.

Until now the index was built on the expression `search_vector(SEARCH_FIELDS)` (0004). The
index finds the matching rows, but ranking them, and rechecking the index's matches, worked the
document out again from each row's text: at 100,000 instruments a search matching 7,000 of
them spent 90 ms on it. The column holds the same document, kept up to date by PostgreSQL on
every write (bulk `COPY` included), so the search reads it instead.

The column is not a model field: SQLite has no such type, and the project migrates on it too,
where this does nothing. `text_search` reads it through `StoredDocument` on PostgreSQL only. The
fields are frozen here, as a migration must be (a test compares them with SEARCH_FIELDS).
"""

from django.db import migrations

from policytracker.core.search import document_sql, search_vector

TABLE = "instruments_instrument"
COLUMN = "search_document"
INDEX = "instrument_search"
FIELDS = ("title", "short_name", "original_title", "summary", "issuing_body")


def _expression_index():
    from django.contrib.postgres.indexes import GinIndex

    return GinIndex(search_vector(FIELDS), name=INDEX)


def add_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("instruments", "instrument")
    document = document_sql(model, FIELDS, schema_editor.connection)
    schema_editor.remove_index(model, _expression_index())
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS ({document}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin ({COLUMN})")


def remove_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("instruments", "instrument")
    schema_editor.execute(f"DROP INDEX {INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN {COLUMN}")
    schema_editor.add_index(model, _expression_index())


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0014_jurisdiction_title_index"),
    ]

    operations = [
        migrations.RunPython(add_search_document, remove_search_document, elidable=False),
    ]
