# On PostgreSQL, posts_post_ids_containing_pair (0008_pair_search_index) rewritten in
# PL/pgSQL, with the same query, settings and results. A SQL-language function that cannot
# be inlined (a set-returning one with SET clauses) plans its query anew on every call: on
# the benchmark's 2,100 posts that planning cost about as much as running the query, and
# every two-character search paid it (0.7-1.0 ms of 2-3 ms). PL/pgSQL keeps the plan of
# its query for the rest of the session, as prepared statements do. A no-op elsewhere.

import importlib

from django.db import migrations

PAIR_INDEX = importlib.import_module("posts.migrations.0008_pair_search_index")

CREATE = f"""
CREATE OR REPLACE FUNCTION posts_post_ids_containing_pair(pair text) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 1000
SET enable_seqscan = off SET enable_indexscan = off AS $$
BEGIN
    IF length(pair) <> 2 THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT id FROM posts_post
        WHERE {PAIR_INDEX.KEYS} @> posts_search_pairs(UPPER(pair));
END
$$;
"""


def create_plpgsql_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def restore_sql_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PAIR_INDEX.CREATE_FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0009_content_change_notify"),
    ]

    operations = [
        migrations.RunPython(create_plpgsql_function, restore_sql_function),
    ]
