"""A post's state as a hash per field: how the importer and exporter tell who changed what.

At each import or export the state of the post as written is stored in `Post.synced_state`.
Later, a different state of the row means the admin edited it (never overwritten silently);
the exporter rewrites only the front matter keys of the fields whose hash changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

# Fields compared one by one; meta is compared key by key ("meta.<key>").
FIELDS = (
    "title",
    "slug",
    "body",
    "excerpt",
    "status",
    "published_at",
    "modified_at",
    "expires_at",  # in a state only where set (see state())
    "authors",
    "categories",
    "tags",
    "feature_image",
    "canonical_url",
)
META_PREFIX = "meta."

# The Post columns that record the file as last imported or exported (written together).
SOURCE_COLUMNS = [
    "source_path",
    "source_hash",
    "source_front_matter",
    "source_format",
    "source_encoding",
    "source_newline",
    "synced_state",
    "synced_at",
]


def _digest(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _when(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def state(post, *, authors: list[str], categories: list[str], tags: list[str]) -> dict:
    """The state of `post` with these related names (authors in order; the others as sets)."""
    values = {
        "title": post.title,
        "slug": post.slug,
        "body": post.body,
        "excerpt": post.excerpt,
        "status": post.status,
        "published_at": _when(post.published_at),
        "modified_at": _when(post.modified_at),
        "authors": list(authors),
        "categories": sorted(name.casefold() for name in categories),
        "tags": sorted(name.casefold() for name in tags),
        "feature_image": post.feature_image,
        "canonical_url": post.canonical_url,
    }
    result = {name: _digest(value) for name, value in values.items()}
    # Only where there is one: the states stored before posts had an expiry date then
    # still match (an added key would read as a change of every post).
    if post.expires_at is not None:
        result["expires_at"] = _digest(_when(post.expires_at))
    meta = post.meta or {}
    result["meta"] = _digest(list(meta))  # key order
    for key, value in meta.items():
        result[META_PREFIX + key] = _digest(value)
    return result


def state_of_row(post) -> dict:
    """The state of a saved post; prefetch `post_authors__author`, `categories` and `tags`."""
    return state(
        post,
        authors=[link.author.name for link in post.post_authors.all()],
        categories=[category.name for category in post.categories.all()],
        tags=[tag.name for tag in post.tags.all()],
    )


def synced_as(synced: dict, field: str, value) -> bool:
    """Whether `field` held `value` when the post was last imported or exported."""
    if isinstance(value, dt.datetime):
        value = _when(value)
    return synced.get(field) == _digest(value)


def path_fields_kept(synced: dict, data) -> bool:
    """Whether a file moved unchanged still gives the status and publication date it was
    last synced with. Both can come from its path: a move into `_drafts/` makes it a
    draft, a new `YYYY-MM-DD-` file name re-dates it."""
    return synced_as(synced, "status", data.status) and synced_as(
        synced, "published_at", data.published_at
    )


def changed_fields(old: dict, new: dict) -> set[str]:
    """Field names (and `meta.<key>` names) whose hash differs between two states."""
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
