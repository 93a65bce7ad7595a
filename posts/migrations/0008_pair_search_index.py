# On PostgreSQL, a GIN index that serves `?search=` for texts of two characters (`香港`, `新聞`),
# which the pg_trgm indexes of 0004_api cannot: a trigram needs three characters, so such a
# query scanned every body (630 ms at 28,688 seed-site posts; 50-100 ms with this index, see
# README, "Search"). PostgreSQL only, like 0004_api; a no-op elsewhere.
#
# - posts_search_pairs(values...): the distinct pairs of adjacent characters of the values,
#   each as one bigint (code point << 21 | next code point: integer keys build and compare
#   faster than text). IMMUTABLE, as an index expression must be.
# - post_search_pairs: a GIN index on posts_search_pairs(UPPER(title), UPPER(plain_excerpt),
#   UPPER(body)). A post holds a two-character text, case-insensitively as icontains means it
#   (UPPER(column) LIKE UPPER(text)), exactly when its pairs contain the pair of UPPER(text).
#   No statistics: ANALYZE would run the function over 30,000 sampled bodies (~16 s), and
#   the query below never asks the planner to estimate it.
# - posts_post_ids_containing_pair(pair): the ids of those posts, always through the index.
#   Written in the query itself, the condition let the planner choose: it charges the pair
#   function for every row a bitmap scan returns (an exact bitmap never runs it), so for a
#   pair in most posts (`ht` at 28,688 posts) it chose a sequential scan that ran the
#   function on every body: 9.5 s. Inside this function the pair is a parameter the planner
#   has no statistics for, and the SET clauses leave the bitmap scan as the only plan even
#   where a PostgreSQL version plans with the value.

from django.db import migrations

KEYS = "posts_search_pairs(UPPER(title), UPPER(plain_excerpt), UPPER(body))"

CREATE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION posts_search_pairs(VARIADIC "values" text[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$
    SELECT coalesce(array_agg(DISTINCT (ascii(first)::bigint << 21) | ascii(second)), '{{}}')
    FROM unnest("values") AS value,
        LATERAL string_to_array(value, NULL) AS characters,
        LATERAL unnest(characters, characters[2:]) AS pair(first, second)
    WHERE second IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION posts_post_ids_containing_pair(pair text) RETURNS SETOF bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 1000
SET enable_seqscan = off SET enable_indexscan = off AS $$
    SELECT id FROM posts_post
    WHERE length(pair) = 2 AND {KEYS} @> posts_search_pairs(UPPER(pair))
$$;
"""


def create_pair_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTIONS)
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "post_search_pairs" ON "posts_post" USING gin (({KEYS}))'
    )
    schema_editor.execute('ALTER INDEX "post_search_pairs" ALTER COLUMN 1 SET STATISTICS 0')


def drop_pair_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS posts_post_ids_containing_pair(text)")
    schema_editor.execute('DROP INDEX IF EXISTS "post_search_pairs"')
    schema_editor.execute("DROP FUNCTION IF EXISTS posts_search_pairs(text[])")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0007_sqlite_search_index"),
    ]

    operations = [
        migrations.RunPython(create_pair_index, drop_pair_index),
    ]
