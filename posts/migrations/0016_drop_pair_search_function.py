# On PostgreSQL, drop posts_post_ids_containing_pair (0008_pair_search_index, 0010): a
# two-character search now writes the pair index's own expression in its WHERE clause
# (posts.search.pair_condition), so one bitmap scan finds the posts and checks their
# visibility; the function's ids were joined with every visible post instead (1.6 ms
# against 0.6 ms for `香港` at 2,100 posts). The seq scan that function was written to
# avoid needs statistics on the index, which 0008 turned off: the planner estimates every
# pair at 0.5% of the posts and reads the index even for `ht` at 28,688 posts. The index
# and posts_search_pairs stay. A no-op elsewhere.

import importlib

from django.db import migrations

PLPGSQL_FUNCTION = importlib.import_module("posts.migrations.0010_pair_search_plan_cache")


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS posts_post_ids_containing_pair(text)")


def restore_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PLPGSQL_FUNCTION.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0015_post_expires_at"),
    ]

    operations = [
        migrations.RunPython(drop_function, restore_function),
    ]
