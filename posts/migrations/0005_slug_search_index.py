# The admin's post search runs `title OR slug OR body` (icontains on each). PostgreSQL can
# only combine indexes for an OR when every branch has one; without a trigram index on
# the slug it scanned the whole table (727 ms at 28,688 seed-site posts, 29 ms with it).
# PostgreSQL only, like the search indexes of 0004_api.

from django.db import migrations


def create_slug_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "post_search_slug_trgm" ON "posts_post" '
        'USING gin ((UPPER("slug")) gin_trgm_ops)'
    )


def drop_slug_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "post_search_slug_trgm"')


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0004_api"),
    ]

    operations = [
        migrations.RunPython(create_slug_index, drop_slug_index),
    ]
