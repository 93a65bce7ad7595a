"""The content model: posts with ordered authors, categories and tags.

Visibility lives in one place, `Post.objects.published()`; every reader of content
(API, feeds, sitemap, search, counts) goes through it.
"""

import datetime as dt
import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from posts import rendering, slugs
from posts.fields import OrderedJSONField
from posts.slugs import unique_slug


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = slugs.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="Used in URLs and API filters. Left blank, it is made from the name.",
    )
    bio = models.TextField(blank=True, help_text="Markdown.")
    avatar = models.CharField(
        "avatar URL", max_length=2000, blank=True, help_text="URL or site path of a picture."
    )
    website = models.URLField(max_length=2000, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The admin account of this author, if they log in to write.",
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Author, self.name, fallback="author", exclude_pk=self.pk)
        super().save(*args, **kwargs)

    @property
    def bio_html(self) -> str:
        return rendering.snippet_to_html(self.bio)


class Category(models.Model):
    name = models.CharField(max_length=200)
    slug = slugs.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="Used in URLs and API filters. Left blank, it is made from the name.",
    )
    description = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Category, self.name, fallback="category", exclude_pk=self.pk)
        super().save(*args, **kwargs)


class Tag(TagBase):
    """A tag; `Rails` and `rails` are one tag (TAGGIT_CASE_INSENSITIVE), slugs keep Unicode."""

    # Longer than taggit's default 100: real folders have long tags (e.g. whole CJK phrases).
    name = models.CharField("name", max_length=255, unique=True)
    slug = slugs.SlugField("slug", max_length=255, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name", "id"]

    def slugify(self, tag, i=None):
        """taggit's slug for a new tag (Django's slugify), keeping combining marks."""
        slug = slugs.make_slug(tag, fallback="tag")
        return slug if i is None else f"{slug}_{i}"


class PostListingCopy(models.Model):
    """A link to a post (a tag's, an author's) holding a copy of the post's status and
    publication time, so that one tag's visible posts, newest first, are a range of one
    index (`?tag=` lists) instead of a visibility check and a sort of every post it has.

    Database triggers keep the copy (migration 0013_post_listing_copy), whatever writes the
    post or the link: save(), update(), bulk_create(), raw SQL. Nothing in Python sets it;
    it is not serialised, so revisions and fixtures never bring back an old copy.
    """

    # NULL, not "": a link written before its post (a fixture) has no status to copy yet.
    post_status = models.CharField(  # noqa: DJ001
        max_length=10, null=True, editable=False, serialize=False
    )
    post_published_at = models.DateTimeField(null=True, editable=False, serialize=False)

    class Meta:
        abstract = True


class TaggedPost(TaggedItemBase, PostListingCopy):
    """Direct foreign keys (not taggit's generic relation), so tag filters are plain joins."""

    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_posts")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_post_tag"),
        ]
        # `?tag=` lists read a tag's posts from this index alone, in publication order.
        indexes = [
            models.Index(
                fields=["tag", "post_status", "post_published_at", "content_object"],
                name="tagged_post_listing",
            )
        ]

    def __str__(self) -> str:
        return super().__str__()  # taggit's "<post> tagged with <tag>"


class PostQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Posts a reader may see: status published, publication time reached and
        expiry time (Hugo's expiryDate), if any, not reached."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Post.Status.PUBLISHED,
            published_at__lte=now,
        )

    def scheduled(self, *, now=None):
        """Published posts whose time has not come yet."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__gt=now or timezone.now())

    def expired(self, *, now=None):
        """Published posts whose expiry time has passed: no longer shown to readers."""
        return self.filter(status=Post.Status.PUBLISHED, expires_at__lte=now or timezone.now())

    def drafts(self):
        return self.filter(status=Post.Status.DRAFT)

    def not_visible(self, *, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(status=Post.Status.DRAFT)
            | Q(published_at__gt=now)
            | Q(published_at__isnull=True)
            | Q(expires_at__lte=now)
        )


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=500)
    slug = slugs.SlugField(
        max_length=255,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="Used in URLs. Left blank, it is made from the title (Unicode is kept).",
    )
    body = models.TextField(
        blank=True, help_text="Markdown source, stored exactly as written (HTML allowed)."
    )
    body_html = models.TextField(editable=False, default="")
    excerpt = models.TextField(
        blank=True,
        help_text=(
            "Optional. Left blank, the text before <!--more--> or the first paragraph is used."
        ),
    )
    plain_excerpt = models.TextField(
        editable=False, default="", help_text="The excerpt as plain text, explicit or derived."
    )
    reading_time = models.PositiveIntegerField(
        editable=False, default=0, help_text="Minutes; CJK counted by character."
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Published with a future publication date means scheduled.",
    )
    published_at = models.DateTimeField(
        "publication date",
        null=True,
        blank=True,
        help_text="When the post goes live. Empty on publishing means now.",
    )
    expires_at = models.DateTimeField(
        "expiry date",
        null=True,
        blank=True,
        help_text="When the post stops being public (Hugo's expiryDate). Empty: never.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    authors = models.ManyToManyField(
        Author,
        through="PostAuthor",
        related_name="posts",
        blank=True,
        help_text="In order: the first is the primary author.",
    )
    categories = models.ManyToManyField(Category, related_name="posts", blank=True)
    tags = TaggableManager(through=TaggedPost, blank=True, related_name="posts")
    feature_image = models.CharField(
        max_length=2000, blank=True, help_text="URL or site path of the post's main image."
    )
    canonical_url = models.CharField(
        "canonical URL",
        max_length=2000,
        blank=True,
        help_text="Where this post was first published, if elsewhere.",
    )
    meta = OrderedJSONField(
        "extra front matter",
        default=dict,
        blank=True,
        help_text="Front-matter keys the model has no column for, in their original order.",
    )
    modified_at = models.DateTimeField(
        "last modified",
        null=True,
        blank=True,
        help_text="When the content was last revised (front matter lastmod, updated, ...).",
    )
    # Where the post came from on disk: its path relative to the imported folder.
    source_path = models.CharField(
        max_length=1024,
        null=True,
        blank=True,
        unique=True,
        default=None,
        help_text="The file this post was imported from, relative to the imported folder.",
    )
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Hash of the file's bytes at the last import or export.",
    )
    # What the importer and exporter need to write the file back byte for byte and to
    # tell an edit made in the admin from a change made on disk (see posts/markdown_io/).
    source_front_matter = models.TextField(
        blank=True,
        editable=False,
        help_text="The front matter block exactly as in the file, delimiters included.",
    )
    source_format = models.CharField(
        max_length=8, blank=True, editable=False, help_text="yaml, toml, json or none."
    )
    source_encoding = models.CharField(
        max_length=16,
        blank=True,
        editable=False,
        help_text="utf-8, utf-8-sig (with BOM), utf-16-le or utf-16-be (with BOM).",
    )
    source_newline = models.CharField(
        max_length=5, blank=True, editable=False, help_text="lf, crlf, mixed or empty."
    )
    synced_state = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="A hash of each field as of the last import or export: what the admin changed.",
    )
    synced_at = models.DateTimeField(
        "last import or export",
        null=True,
        blank=True,
        editable=False,
        help_text="Time of the last import or export.",
    )
    duplicate_sources = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Other files of the folder holding this same post: path -> hash of bytes.",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # The expiry time too, so that the visibility rule reads the index alone.
            models.Index(
                fields=["status", "published_at", "id", "expires_at"],
                name="post_status_published_expiry",
            ),
            models.Index(fields=["status", "expires_at"], name="post_status_expires_at"),
            models.Index(fields=["published_at", "id"], name="post_published_at"),
            models.Index(fields=["updated_at", "id"], name="post_updated_at"),
            models.Index(fields=["title", "id"], name="post_title"),
        ]
        # Roles (posts/roles.py): an Editor has both, an Author neither.
        permissions = [
            ("publish_post", "Can publish, schedule and unpublish posts"),
            ("change_any_post", "Can edit posts by anyone"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Post, self.title, fallback="post", exclude_pk=self.pk)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self._rendered_from != (self.body, self.excerpt):
            self.render()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"body", "excerpt"} & set(update_fields):
            kwargs["update_fields"] = set(update_fields) | {
                "body_html",
                "plain_excerpt",
                "reading_time",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:posts_post_change", args=[self.pk])

    # (body, excerpt) the derived fields are known to be rendered from: a save that changes
    # neither then skips rendering, a long body's most costly step (about 40 ms for a
    # seed-site body). Set by render(), and by callers that load posts whose stored HTML
    # they trust (bulk actions); None means render on save.
    _rendered_from: tuple[str, str] | None = None

    def render(self) -> None:
        """Recompute the derived fields (HTML, excerpt, reading time) from the source."""
        rendered = rendering.render(self.body, excerpt=self.excerpt)
        self.body_html = rendered.html
        self.plain_excerpt = rendered.excerpt
        self.reading_time = rendered.reading_time
        self._rendered_from = (self.body, self.excerpt)

    @property
    def ordered_authors(self) -> list[Author]:
        """Authors in their order (prefetch `post_authors__author` to avoid a query)."""
        return [link.author for link in self.post_authors.all()]

    def set_authors(self, authors) -> None:
        """Replace the authors with `authors`, in that order (repeats dropped)."""
        PostAuthor.objects.filter(post=self).delete()
        PostAuthor.objects.bulk_create(
            PostAuthor(post=self, author=author, position=position)
            for position, author in enumerate(dict.fromkeys(authors))
        )
        # bulk_create sends no signal: tell the API's response cache ourselves.
        ContentVersion.bump()

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and not self.is_expired
        )

    @property
    def is_expired(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def display_status(self) -> str:
        """draft, scheduled, published or expired: what a reader would call it right now."""
        return display_status(self.status, self.published_at, timezone.now(), self.expires_at)

    @property
    def public_url(self) -> str:
        """The post's address on the public site (a separate front end)."""
        return public_url(self.slug, self.pk)


def never_visible(published_at: dt.datetime, expires_at, now: dt.datetime) -> bool:
    """Whether a published post's expiry date leaves it no time to be seen: the date is
    not after the post goes live (its publication time, or now if that has passed)."""
    return expires_at is not None and expires_at <= max(now, published_at)


def display_status(status: str, published_at, now, expires_at=None) -> str:
    """draft, scheduled, published or expired: what a reader would call a post at `now`."""
    if status == Post.Status.DRAFT:
        return "draft"
    if expires_at is not None and expires_at <= now:
        return "expired"
    if published_at is not None and published_at > now:
        return "scheduled"
    return "published"


def public_url(slug: str, pk: int) -> str:
    """A post's address on the public site (a separate front end): CMS_POST_URL."""
    return _post_url_template().format(slug=slug, id=pk)


@functools.cache
def _post_url_template() -> str:
    # Kept: reading a Django setting costs more than formatting the URL, and an API list
    # page, a feed or the sitemap makes one per post.
    return settings.CMS_POST_URL


def _forget_post_url_template(*, setting: str, **kwargs) -> None:
    if setting == "CMS_POST_URL":
        _post_url_template.cache_clear()


setting_changed.connect(_forget_post_url_template, dispatch_uid="posts.models:post_url")


class PostAuthor(PostListingCopy):
    """Orders a post's authors: position 0 is the primary author."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_authors")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="post_authors")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="unique_post_author"),
        ]
        # `?author=` lists read an author's posts from this index alone, in publication order.
        indexes = [
            models.Index(
                fields=["author", "post_status", "post_published_at", "post"],
                name="post_author_listing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.post} (#{self.position + 1})"


class ContentVersion(models.Model):
    """One row that counts content changes; the API's response cache and ETags key on it.

    It lives in the database, not in the cache, so that every app process (each with its
    own local-memory cache, or sharing Redis) sees a change at the same moment, and so
    that a rolled-back transaction rolls the count back too. Signals bump it on every
    change (see posts.api.caching); code that writes with bulk_create/update() calls
    `posts.api.caching.invalidate()`.
    """

    generation = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"content generation {self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    # Bumps this process has committed: posts.api.content_state compares it with the count
    # its kept state was read at, so a process sees its own changes without being told.
    local_bumps = 0

    @classmethod
    def bump(cls) -> None:
        """Count one more change, now."""
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(
            generation=models.F("generation") + 1, changed_at=now
        ):
            cls.objects.get_or_create(pk=1, defaults={"generation": 1, "changed_at": now})
        transaction.on_commit(cls._committed_here)

    @classmethod
    def _committed_here(cls) -> None:
        cls.local_bumps += 1


class PostRevision(Revision):
    """A django-reversion revision of posts, restored by posts.versioning.revert_posts.

    Reversion's own revert also deletes and rewrites what a post's links lead to (a tag
    shared with other posts) and brings back the post's import bookkeeping; the post
    admin restores through this proxy instead.
    """

    class Meta:
        proxy = True

    def revert(self, delete: bool = False) -> None:
        from posts.versioning import revert_posts  # versioning imports this module

        revert_posts(self, delete=delete)
