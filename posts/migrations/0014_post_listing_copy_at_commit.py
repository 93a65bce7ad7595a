# PostgreSQL: a link to a post that another transaction has inserted but not yet committed
# cannot see that post, so 0013's trigger copies nothing (NULL) into it; the foreign key is
# only checked at commit, by which time the post is there, and the link would keep its
# empty copy (the post missing from its tag's list) until written again. Such a link is
# now copied once more when its own transaction commits: a deferred constraint trigger,
# queued only for a link whose copy is empty (a post's status is never NULL). Its UPDATE
# joins the post, so it writes nothing if the post is gone (the foreign key then fails the
# commit). SQLite has one writer at a time and needs none of this; a no-op elsewhere.

import importlib

from django.db import migrations

LINKS = importlib.import_module("posts.migrations.0013_post_listing_copy").LINKS


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for link, post_column in LINKS:
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {link}_copy_post_at_commit() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE {link} SET post_status = post.status,
                    post_published_at = post.published_at
                FROM posts_post AS post
                WHERE {link}.id = NEW.id AND post.id = NEW.{post_column};
                RETURN NULL;
            END
            $$"""
        )
        schema_editor.execute(
            f"CREATE CONSTRAINT TRIGGER {link}_copy_post_at_commit "
            f"AFTER INSERT OR UPDATE ON {link} DEFERRABLE INITIALLY DEFERRED "
            f"FOR EACH ROW WHEN (NEW.post_status IS NULL) "
            f"EXECUTE FUNCTION {link}_copy_post_at_commit()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for link, _ in LINKS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {link}_copy_post_at_commit ON {link}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {link}_copy_post_at_commit()")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0013_post_listing_copy"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
