# On PostgreSQL, `NOTIFY cms_content` whenever the content change counter
# (posts_contentversion) is written and the write commits, so that each app process can
# keep the content state it read and trust it until told otherwise (posts.api.
# content_state): a cached API response then needs no query at all. A statement-level
# trigger, so a transaction that bumps the counter many times sends one notification
# (PostgreSQL also folds identical notifications of one transaction into one); TRUNCATE
# too, which flushes (tests, `manage.py flush`) use. A no-op elsewhere.

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION posts_notify_content_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cms_content', '');
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS posts_content_changed ON posts_contentversion;
CREATE TRIGGER posts_content_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts_contentversion
    FOR EACH STATEMENT EXECUTE FUNCTION posts_notify_content_changed();
"""

DROP = """
DROP TRIGGER IF EXISTS posts_content_changed ON posts_contentversion;
DROP FUNCTION IF EXISTS posts_notify_content_changed();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0008_pair_search_index"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
