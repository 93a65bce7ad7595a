# The read API's two database needs:
# - ContentVersion, the one-row change counter the response cache and ETags key on;
# - on PostgreSQL only, pg_trgm GIN indexes that serve `?search=` (a case-insensitive
#   substring match, Django's `icontains`, which PostgreSQL runs as UPPER(col) LIKE UPPER(%q%)).
#   Trigrams work for CJK under this cluster's LC_CTYPE (C.UTF-8 classifies CJK as letters),
#   so 3+ character queries in any script use the index; 1-2 character queries cannot be
#   served by trigrams (2 characters: the pair index of 0008_pair_search_index; 1: a
#   sequential scan; see README, "Search").
# SQLite needs neither: its search index is the FTS5 table of 0007_sqlite_search_index.

import django.utils.timezone
from django.db import migrations, models

SEARCH_COLUMNS = ["title", "plain_excerpt", "body"]


def create_counter_row(apps, schema_editor):
    ContentVersion = apps.get_model("posts", "ContentVersion")
    ContentVersion.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCH_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "post_search_{column}_trgm" ON "posts_post" '
            f'USING gin ((UPPER("{column}")) gin_trgm_ops)'
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "post_search_{column}_trgm"')


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0003_import_source'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContentVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('generation', models.PositiveBigIntegerField(default=0)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(create_counter_row, migrations.RunPython.noop),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
