# On SQLite, a trigram full-text index serves `?search=` (a case-insensitive substring of the
# title, plain excerpt or body; posts.search builds the queries). SQLite only, as the pg_trgm
# indexes of 0004_api are PostgreSQL only; a no-op elsewhere.
#
# - posts_post_search: an FTS5 table with the trigram tokenizer (case_sensitive 0), one
#   column per searched column. Contentless (content=''): it keeps the trigrams and their
#   positions, not a second copy of every body. A 3+ character query is one FTS5 phrase.
# - Each value is indexed with a newline appended, so that every 2-character substring,
#   the last two of a column included, begins some trigram: a 1-2 character query looks up
#   the trigrams starting with it in posts_post_search_terms (fts5vocab 'instance').
# - AFTER INSERT / UPDATE / DELETE triggers keep it in sync with posts_post, whatever writes
#   (the importer uses bulk_create/bulk_update, which send no signals). A contentless table
#   forgets a row only through the 'delete' command given the exact values indexed, which
#   the triggers pass from `old`.
#
# When a later migration makes Django rebuild posts_post on SQLite (it copies the table to
# change most columns), the old table's triggers go with it: that migration must run
# create_triggers again (tests/test_search.py fails if edits stop reaching the index).

from django.db import migrations

TABLE = "posts_post_search"
COLUMNS = ("title", "plain_excerpt", "body")


def _values(row):
    return ", ".join(f"{row}.{column} || char(10)" for column in COLUMNS)


def create_triggers(schema_editor):
    columns = ", ".join(COLUMNS)
    insert = f"INSERT INTO {TABLE}(rowid, {columns}) VALUES (new.id, {_values('new')});"
    delete = (
        f"INSERT INTO {TABLE}({TABLE}, rowid, {columns}) "
        f"VALUES ('delete', old.id, {_values('old')});"
    )
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in COLUMNS)
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON posts_post BEGIN {insert} END"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {columns} ON posts_post "
        f"WHEN {changed} BEGIN {delete} {insert} END"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON posts_post BEGIN {delete} END"
    )


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    columns = ", ".join(COLUMNS)
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({columns}, content='', "
        "tokenize='trigram case_sensitive 0')"
    )
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {TABLE}_terms USING fts5vocab({TABLE}, 'instance')"
    )
    schema_editor.execute(
        f"INSERT INTO {TABLE}(rowid, {columns}) SELECT id, {_values('posts_post')} "
        "FROM posts_post"
    )
    create_triggers(schema_editor)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for action in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{action}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}_terms")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0006_filter_indexes"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
    ]
