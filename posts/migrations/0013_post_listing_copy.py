# Tag and author links hold a copy of their post's status and publication time
# (posts.models.PostListingCopy), so that `?tag=` and `?author=` lists read one index range
# in order: at 2,100 posts, a tag with 772 of them took SQLite 1.1 ms to check and sort
# post by post, and takes 0.1 ms to count and page from the index.
#
# Triggers keep the copy, on SQLite and PostgreSQL, whatever writes (the importer's
# bulk_create, queryset.update(), revisions, raw SQL):
# - a post's insert or a change of its status or publication time is copied to its links;
# - a link's insert, or any update of it, copies from its post (so no write can put a
#   wrong copy in place).
# On PostgreSQL a link reads its post FOR SHARE: a transaction publishing the post and one
# adding the link cannot both miss each other's change. Other databases get the columns
# but no triggers, and the API never reads the copy there (posts.api.post_list).
#
# As with 0007_sqlite_search_index: a later migration that makes Django rebuild one of
# these tables on SQLite drops its triggers and must create them again
# (tests/test_post_listing_copy.py fails if a write stops reaching the copy).

from django.db import migrations, models

# (link table, its column naming the post)
LINKS = (("posts_taggedpost", "content_object_id"), ("posts_postauthor", "post_id"))
COPY = ("post_status", "post_published_at")
SOURCE = ("status", "published_at")


def _from_post(post_id: str, template: str, joiner: str) -> str:
    """`template` (with {column}, {source}) for each copied column, `post_id` the SQL
    naming the post, joined."""
    return joiner.join(
        template.format(
            column=column, source=f"(SELECT {source} FROM posts_post WHERE id = {post_id})"
        )
        for column, source in zip(COPY, SOURCE, strict=True)
    )


def _sqlite_triggers(link: str, post_column: str) -> list[str]:
    copied = _from_post(f"new.{post_column}", "{column} = {source}", ", ")
    stale = _from_post(f"new.{post_column}", "new.{column} IS NOT {source}", " OR ")
    copy = f"UPDATE {link} SET {copied} WHERE id = new.id;"
    return [
        f"CREATE TRIGGER {link}_copy_post_insert AFTER INSERT ON {link} BEGIN {copy} END",
        # Only when the copy differs: the trigger's own UPDATE then stops here.
        f"CREATE TRIGGER {link}_copy_post_update AFTER UPDATE ON {link} WHEN {stale} "
        f"BEGIN {copy} END",
    ]


def _sqlite_post_triggers() -> list[str]:
    copies = " ".join(
        f"UPDATE {link} SET post_status = new.status, post_published_at = new.published_at "
        f"WHERE {post_column} = new.id;"
        for link, post_column in LINKS
    )
    changed = "old.status IS NOT new.status OR old.published_at IS NOT new.published_at"
    return [
        # A post inserted after its links (a fixture loaded in any order).
        f"CREATE TRIGGER posts_post_copy_to_links_insert AFTER INSERT ON posts_post "
        f"BEGIN {copies} END",
        f"CREATE TRIGGER posts_post_copy_to_links_update AFTER UPDATE OF status, published_at "
        f"ON posts_post WHEN {changed} BEGIN {copies} END",
    ]


def _postgresql_functions() -> list[str]:
    statements = []
    for link, post_column in LINKS:
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {link}_copy_post() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                SELECT status, published_at INTO NEW.post_status, NEW.post_published_at
                FROM posts_post WHERE id = NEW.{post_column} FOR SHARE;
                RETURN NEW;
            END
            $$""",
            f"CREATE TRIGGER {link}_copy_post BEFORE INSERT OR UPDATE ON {link} "
            f"FOR EACH ROW EXECUTE FUNCTION {link}_copy_post()",
        ]
    copies = "\n".join(
        f"UPDATE {link} SET post_status = NEW.status, post_published_at = NEW.published_at "
        f"WHERE {post_column} = NEW.id;"
        for link, post_column in LINKS
    )
    changed = (
        "OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.published_at IS DISTINCT FROM NEW.published_at"
    )
    statements += [
        f"""
        CREATE OR REPLACE FUNCTION posts_post_copy_to_links() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {copies}
            RETURN NULL;
        END
        $$""",
        "CREATE TRIGGER posts_post_copy_to_links_insert AFTER INSERT ON posts_post "
        "FOR EACH ROW EXECUTE FUNCTION posts_post_copy_to_links()",
        "CREATE TRIGGER posts_post_copy_to_links_update AFTER UPDATE OF status, published_at "
        f"ON posts_post FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION posts_post_copy_to_links()",
    ]
    return statements


def create_triggers(schema_editor) -> None:
    """The triggers, on SQLite or PostgreSQL (also for a later migration to call again)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [s for link in LINKS for s in _sqlite_triggers(*link)]
        statements += _sqlite_post_triggers()
    elif vendor == "postgresql":
        statements = _postgresql_functions()
    else:
        return
    for statement in statements:
        schema_editor.execute(statement)


def copy_posts(apps, schema_editor):
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        return
    create_triggers(schema_editor)
    for link, post_column in LINKS:
        copied = _from_post(f"{link}.{post_column}", "{column} = {source}", ", ")
        schema_editor.execute(f"UPDATE {link} SET {copied}")


def analyze_links(apps, schema_editor):
    """Statistics for the new indexes. Without them SQLite kept the removed index's and
    planned the tag list's post counts as a scan of every tag (34 ms instead of 9 ms at
    2,100 posts); the importer refreshes them too, but only when it writes."""
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        for link, _ in LINKS:
            schema_editor.execute(f"ANALYZE {link}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = [f"{link}_copy_post{end}" for link, _ in LINKS for end in ("_insert", "_update")]
    names += ["posts_post_copy_to_links_insert", "posts_post_copy_to_links_update"]
    if vendor == "sqlite":
        for name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        for link, _ in LINKS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {link}_copy_post ON {link}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {link}_copy_post()")
        for name in names[-2:]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON posts_post")
        schema_editor.execute("DROP FUNCTION IF EXISTS posts_post_copy_to_links()")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0012_post_revision"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="postauthor", name="post_author_by_author"),
        migrations.RemoveIndex(model_name="taggedpost", name="tagged_post_by_tag"),
        migrations.AddField(
            model_name="postauthor",
            name="post_published_at",
            field=models.DateTimeField(editable=False, null=True, serialize=False),
        ),
        migrations.AddField(
            model_name="postauthor",
            name="post_status",
            field=models.CharField(editable=False, max_length=10, null=True, serialize=False),
        ),
        migrations.AddField(
            model_name="taggedpost",
            name="post_published_at",
            field=models.DateTimeField(editable=False, null=True, serialize=False),
        ),
        migrations.AddField(
            model_name="taggedpost",
            name="post_status",
            field=models.CharField(editable=False, max_length=10, null=True, serialize=False),
        ),
        migrations.RunPython(copy_posts, drop_triggers),
        migrations.AddIndex(
            model_name="postauthor",
            index=models.Index(
                fields=["author", "post_status", "post_published_at", "post"],
                name="post_author_listing",
            ),
        ),
        migrations.AddIndex(
            model_name="taggedpost",
            index=models.Index(
                fields=["tag", "post_status", "post_published_at", "content_object"],
                name="tagged_post_listing",
            ),
        ),
        migrations.RunPython(analyze_links, migrations.RunPython.noop),
    ]
