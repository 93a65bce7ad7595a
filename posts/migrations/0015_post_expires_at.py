# Posts get an expiry date (Hugo's expiryDate): from then on readers no longer see them
# (Post.objects.published). The index the visibility rule reads gains the column, so that
# lists and counts still read the index alone; a second index finds the expiry dates
# around "now" for the API's content state.
#
# Posts imported before kept Hugo's `expiryDate` (or `unpublishdate`) in `meta`. It moves
# to the new column here, as an import of the same file now does, and the post's synced
# state follows, so the file still counts as in sync (export writes it unchanged, the next
# import does not see an edit). A value that does not read as a date stays in `meta`.
#
# AddField of a nullable column is an ALTER TABLE on SQLite: posts_post is not rebuilt and
# keeps the triggers of 0007 and 0013.

import datetime as dt
import hashlib
import json
import zoneinfo

from django.conf import settings
from django.db import migrations, models
from django.utils.dateparse import parse_date, parse_datetime

EXPIRY_KEYS = ("expirydate", "unpublishdate")


def _digest(value) -> str:
    # posts.markdown_io.sync's hash of a field's value, as of this migration.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _moment(value, tz) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = dt.datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def _expiry_key(meta: dict) -> str | None:
    for name in EXPIRY_KEYS:
        for key, value in meta.items():
            if key.lower() == name and value not in (None, ""):
                return key
    return None


def move_expiry_out_of_meta(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    using = schema_editor.connection.alias
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE or "UTC")
    posts = Post.objects.using(using).only("meta", "synced_state").order_by("pk")
    for post in posts.iterator(chunk_size=500):
        meta = post.meta if isinstance(post.meta, dict) else {}
        key = _expiry_key(meta)
        moment = _moment(meta[key], tz) if key is not None else None
        if moment is None:
            continue
        kept = {k: v for k, v in meta.items() if k != key}
        state = dict(post.synced_state or {})
        if state:
            synced = state.pop(f"meta.{key}", None)
            if synced == _digest(meta[key]):  # the file's own value
                state["expires_at"] = _digest(moment.astimezone(dt.UTC).isoformat())
            elif synced is not None:  # edited since: the next export writes it
                state["expires_at"] = synced
            if state.get("meta") == _digest(list(meta)):
                state["meta"] = _digest(list(kept))
        Post.objects.using(using).filter(pk=post.pk).update(
            meta=kept, expires_at=moment, synced_state=state
        )


def move_expiry_back_to_meta(apps, schema_editor):
    """Unapplied: the column goes, so its dates go back to `meta` as `expiryDate`."""
    Post = apps.get_model("posts", "Post")
    using = schema_editor.connection.alias
    posts = Post.objects.using(using).filter(expires_at__isnull=False)
    for post in posts.only("meta", "synced_state", "expires_at").iterator(chunk_size=500):
        value = post.expires_at.astimezone(dt.UTC).isoformat()
        meta = {**(post.meta if isinstance(post.meta, dict) else {}), "expiryDate": value}
        state = dict(post.synced_state or {})
        if state.pop("expires_at", None) is not None:
            state["meta.expiryDate"] = _digest(value)
        Post.objects.using(using).filter(pk=post.pk).update(meta=meta, synced_state=state)


def analyze_posts(apps, schema_editor):
    """Statistics for the new column and indexes, as 0013 does for the links: without
    them PostgreSQL guessed that a third of the posts had expired and walked the
    publication-time index, filtering, to find a list page."""
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute("ANALYZE posts_post")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0014_post_listing_copy_at_commit"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="post",
            name="post_status_published",
        ),
        migrations.AddField(
            model_name="post",
            name="expires_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the post stops being public (Hugo's expiryDate). Empty: never.",
                null=True,
                verbose_name="expiry date",
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["status", "published_at", "id", "expires_at"],
                name="post_status_published_expiry",
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["status", "expires_at"], name="post_status_expires_at"),
        ),
        migrations.RunPython(move_expiry_out_of_meta, move_expiry_back_to_meta),
        migrations.RunPython(analyze_posts, migrations.RunPython.noop),
    ]
