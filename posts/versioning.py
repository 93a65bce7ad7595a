"""What a saved version of a post holds (django-reversion).

A version of a post is the post's own fields plus its ordered authors and its tags. Both
go through explicit through models, which Django's serializer skips on the post itself, so
they are followed: `post_authors` (PostAuthor rows, with their position) and
`taggedpost_set` (TaggedPost rows). Categories are a plain many-to-many and are stored with
the post.

Each TaggedPost version follows its tag, so restoring a post whose tag was merged away
since brings the tag back instead of failing on a missing row. Authors are not kept in
versions: a post restored after one of its authors was deleted comes back without them.

Restoring (`revert_posts`, through posts.models.PostRevision) changes the posts of the
revision and their own links, nothing else: reversion's revert would also delete every
tag the post has now but did not have then (and so take it off every other post), put
back the names the post's tags had then, and restore the post's import bookkeeping
(its file's hash and sync state), so that the next import saw a conflict.
"""

from collections import defaultdict

import reversion
from django.db import transaction
from reversion.models import Version, _safe_revert

from posts.markdown_io.sync import SOURCE_COLUMNS
from posts.models import Author, Category, Post, PostAuthor, PostRevision, Tag, TaggedPost
from posts.slugs import unique_slug


def register_models() -> None:
    """Register the versioned models once (the admin imports this before it is built)."""
    if reversion.is_registered(Post):
        return
    reversion.register(Tag)
    reversion.register(TaggedPost, follow=["tag"])
    reversion.register(PostAuthor)
    reversion.register(Post, follow=["post_authors", "taggedpost_set"])


def revert_posts(revision: PostRevision, *, delete: bool = False) -> None:
    """Restore the posts of `revision` with their authors, categories and tags.

    `delete`: also remove the author and tag links each post has now but did not have
    then (never the authors or tags themselves). A tag is only brought back when it no
    longer exists (merged away since); one that exists keeps its current name.
    """
    versions = defaultdict(list)
    for version in revision.version_set.all():
        versions[version._model].append(version)
    if not versions:
        return
    using = next(iter(versions.values()))[0].db
    post_ids = [int(version.object_id) for version in versions[Post]]
    with transaction.atomic(using=using):
        bookkeeping = list(
            Post.objects.using(using).filter(pk__in=post_ids).values("pk", *SOURCE_COLUMNS)
        )
        if delete:
            kept_authors = [int(version.object_id) for version in versions[PostAuthor]]
            PostAuthor.objects.using(using).filter(post_id__in=post_ids).exclude(
                pk__in=kept_authors
            ).delete()
            kept_tags = [int(version.object_id) for version in versions[TaggedPost]]
            TaggedPost.objects.using(using).filter(content_object_id__in=post_ids).exclude(
                pk__in=kept_tags
            ).delete()
        saved_tags = {int(version.object_id) for version in versions[Tag]}
        linked_tags = {version.field_dict["tag_id"] for version in versions[TaggedPost]}
        existing = _existing(Tag, using, saved_tags | linked_tags)
        gone_tags = [v for v in versions[Tag] if int(v.object_id) not in existing]
        # A tag merged away whose name a new tag has taken since: link to that one.
        gone_tags, renamed = _reuse_named_tags(gone_tags, using)
        available = existing | saved_tags
        # A link to a tag deleted since, from a version saved without the tag: left out
        # (the restored post lacks that tag) rather than failing the whole restore.
        tag_links = [v for v in versions[TaggedPost] if v.field_dict["tag_id"] in available]
        tag_links = _relinked(tag_links, renamed, using)
        # Likewise an author deleted since (versions do not hold authors themselves).
        linked_authors = {version.field_dict["author_id"] for version in versions[PostAuthor]}
        authors = _existing(Author, using, linked_authors)
        author_links = [v for v in versions[PostAuthor] if v.field_dict["author_id"] in authors]
        for version in versions[Post]:
            _free_slug(version, using)
            _drop_gone_categories(version, using)
        restore = [*gone_tags, *versions[Post], *author_links, *tag_links]
        if restore:
            _safe_revert(restore)
        for row in bookkeeping:
            Post.objects.using(using).filter(pk=row.pop("pk")).update(**row)


def _free_slug(version, using: str) -> None:
    """Give a post version whose slug another post has taken since a free one (`x-2`).

    Otherwise the unique slug refused the row and reversion reported a "missing
    dependency": a deleted post could not be recovered once its slug was reused. The
    form then shows the new slug, which the editor may change before saving.
    """
    post = version._object_version.object
    taken = Post.objects.using(using).filter(slug=post.slug).exclude(pk=post.pk)
    if taken.exists():
        post.slug = unique_slug(Post, post.slug, fallback="post", exclude_pk=post.pk)


def _drop_gone_categories(version, using: str) -> None:
    """Leave out the categories deleted (or merged away) since the version was saved.

    Categories are stored with the post as ids; restoring a missing one failed on the
    foreign key (a 500). The post comes back without it, as without a deleted author.
    """
    m2m = version._object_version.m2m_data
    ids = [int(pk) for pk in m2m.get("categories") or ()]
    if ids:
        kept = _existing(Category, using, set(ids))
        m2m["categories"] = [pk for pk in ids if pk in kept]


def _reuse_named_tags(gone_tags: list, using: str) -> tuple[list, dict[int, int]]:
    """(the gone tags to bring back, {gone tag id: id of the tag that now has its slug})."""
    if not gone_tags:
        return gone_tags, {}
    wanted = {v._object_version.object.slug: v for v in gone_tags}
    now = dict(Tag.objects.using(using).filter(slug__in=wanted).values_list("slug", "pk"))
    renamed = {int(v.object_id): now[slug] for slug, v in wanted.items() if slug in now}
    return [v for v in gone_tags if int(v.object_id) not in renamed], renamed


def _relinked(tag_links: list, renamed: dict[int, int], using: str) -> list:
    """The tag link versions, pointed at the tags that took their gone tags' names; a link
    the post already has (under another id) is not restored twice."""
    if not renamed:
        return tag_links
    post_ids = {v.field_dict["content_object_id"] for v in tag_links}
    # (post, tag) -> the id of the link the post has now
    linked = {
        (post, tag): pk
        for post, tag, pk in TaggedPost.objects.using(using)
        .filter(content_object_id__in=post_ids)
        .values_list("content_object_id", "tag_id", "pk")
    }
    result = []
    for version in tag_links:
        link = version._object_version.object
        link.tag_id = renamed.get(link.tag_id, link.tag_id)
        if linked.get((link.content_object_id, link.tag_id), link.pk) == link.pk:
            result.append(version)
    return result


def _existing(model, using: str, pks: set[int]) -> set[int]:
    """Those of `pks` that still exist (one query)."""
    return set(model.objects.using(using).filter(pk__in=pks).values_list("pk", flat=True))


# `before` of keep_first_versions for an edit (the admin's form, a bulk action).
BEFORE_FIRST_CHANGE = "its first change in the admin"


def keep_first_versions(post_ids, *, user, before: str) -> int:
    """Keep a version of each of these posts that has none yet, as the database holds it
    now, with a comment saying what comes next (`before`: "its first change in the admin",
    "it was deleted"); the number kept.

    The importer writes posts in bulk, without versions: an imported post's first edit in
    the admin left no way back to the state it was imported in, and one deleted before any
    edit could not be recovered. Call it outside any revision block (reversion merges a
    nested block into the outer revision, where the edit would overwrite this state).
    """
    ids = [str(pk) for pk in post_ids]
    versioned = set(
        Version.objects.get_for_model(Post)
        .filter(object_id__in=ids)
        .values_list("object_id", flat=True)
    )
    kept = 0
    for post in Post.objects.filter(pk__in=[pk for pk in ids if pk not in versioned]):
        with reversion.create_revision(manage_manually=True):
            reversion.add_to_revision(post)
            reversion.set_user(user)
            source = (
                f"As imported from {post.source_path}, before" if post.source_path else "Before"
            )
            reversion.set_comment(f"{source} {before}")
        kept += 1
    return kept
