"""JSON shapes of the read API.

Posts have one serializer for list and detail: the list shows LIST_FIELDS unless
`?fields=` names others, the detail shows every field. HTML fragments (body_html, an
author's bio_html, a category's description_html) are sanitised by posts.rendering.
Datetimes are ISO 8601 in UTC whatever TIME_ZONE is.
"""

import datetime as dt

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from posts import rendering
from posts.models import Author, Category, Post, Tag

LIST_FIELDS = (
    "id",
    "slug",
    "title",
    "excerpt",
    "status",
    "published_at",
    "updated_at",
    "reading_time",
    "feature_image",
    "authors",
    "categories",
    "tags",
    "url",
)
DETAIL_ONLY_FIELDS = ("body_markdown", "body_html", "meta", "canonical_url")
DETAIL_FIELDS = LIST_FIELDS + DETAIL_ONLY_FIELDS

# The columns each field reads, so a list loads only what it shows (bodies are large).
POST_COLUMNS = {
    "id": ("id",),
    "slug": ("slug",),
    "title": ("title",),
    "excerpt": ("plain_excerpt",),
    "status": ("status", "published_at", "expires_at"),
    "published_at": ("published_at",),
    "updated_at": ("updated_at",),
    "reading_time": ("reading_time",),
    "feature_image": ("feature_image",),
    "url": ("slug",),
    "body_markdown": ("body",),
    "body_html": ("body_html",),
    "meta": ("meta",),
    "canonical_url": ("canonical_url",),
}


def utc_datetime(**kwargs) -> serializers.DateTimeField:
    return serializers.DateTimeField(read_only=True, default_timezone=dt.UTC, **kwargs)


class SparseFieldsMixin:
    """`fields=` (names) keeps only those fields, in the declared order."""

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.only = None if fields is None else frozenset(fields)
        self.shown = tuple(n for n in self.Meta.fields if self.only is None or n in self.only)

    def get_fields(self):
        # Filtering here, lazily, keeps serializer construction cheap for the fast path.
        fields = super().get_fields()
        if self.only is not None:
            for name in set(fields) - self.only:
                fields.pop(name)
        return fields


class UnicodeSlugField(serializers.CharField):
    """A slug as stored: any Unicode letters (the models' SlugFields allow_unicode).

    DRF's SlugField would put `^[-\\w]+$` in the schema, which JavaScript validators and
    generated clients read with ASCII `\\w` and so reject slugs such as `夜市散步`.
    """

    def __init__(self, *, allow_unicode: bool = True, **kwargs):
        super().__init__(**kwargs)


class ReadModelSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.SlugField: UnicodeSlugField,
    }


class NamedSerializer(serializers.Serializer):
    """An author, category or tag inside a post: `{"name", "slug"}`."""

    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class PostSerializer(ReadModelSerializer):
    excerpt = serializers.CharField(
        source="plain_excerpt", read_only=True, help_text="Plain text: explicit or derived."
    )
    status = serializers.ChoiceField(
        source="display_status",
        choices=["published", "scheduled", "draft", "expired"],
        read_only=True,
        help_text="Anonymous clients only ever see `published`. `expired`: published, but "
        "past its expiry date (Hugo's expiryDate), so hidden from readers.",
    )
    published_at = utc_datetime(allow_null=True)
    updated_at = utc_datetime()
    authors = serializers.SerializerMethodField(help_text="In order; the first is primary.")
    categories = serializers.SerializerMethodField(help_text="By name.")
    tags = serializers.SerializerMethodField(help_text="By name.")
    url = serializers.CharField(
        source="public_url", read_only=True, help_text="The post's page on the public site."
    )
    body_markdown = serializers.CharField(
        source="body", read_only=True, help_text="Markdown source, as written."
    )
    body_html = serializers.CharField(read_only=True, help_text="Rendered and sanitised HTML.")
    meta = serializers.JSONField(
        read_only=True, help_text="Front-matter keys without a field of their own, in order."
    )

    class Meta:
        model = Post
        fields = DETAIL_FIELDS
        read_only_fields = DETAIL_FIELDS

    def to_representation(self, post: Post) -> dict:
        # The same output as DRF's field-by-field path (tests/test_api_serializers.py checks
        # it field for field), without its per-field machinery: most of an uncached list
        # page's serialising time. The declared fields stay the contract and the schema.
        return represent_posts([post], DETAIL_FIELDS if self.only is None else self.only)[0]

    # The relations come as [{name, slug}] lists that the views attach to each post
    # (posts.api.views.attach_relations: one query per relation for a whole page); a post
    # loaded elsewhere falls back to its managers.
    @extend_schema_field(NamedSerializer(many=True))
    def get_authors(self, post: Post) -> list[dict]:
        if hasattr(post, "api_authors"):
            return post.api_authors
        return [{"name": a.name, "slug": a.slug} for a in post.ordered_authors]

    @extend_schema_field(NamedSerializer(many=True))
    def get_categories(self, post: Post) -> list[dict]:
        if hasattr(post, "api_categories"):
            return post.api_categories
        return [{"name": c.name, "slug": c.slug} for c in post.categories.all()]

    @extend_schema_field(NamedSerializer(many=True))
    def get_tags(self, post: Post) -> list[dict]:
        if hasattr(post, "api_tags"):
            return post.api_tags
        return [{"name": t.name, "slug": t.slug} for t in post.tags.all()]


class AuthorSerializer(ReadModelSerializer):
    bio_html = serializers.SerializerMethodField(help_text="The bio rendered and sanitised.")
    post_count = serializers.IntegerField(read_only=True, help_text="Published posts only.")
    # Text, not `format: uri`: empty when there is none, or when it was not a safe URL.
    website = serializers.CharField(read_only=True, help_text="An http(s) URL, or empty.")

    class Meta:
        model = Author
        fields = ("name", "slug", "bio", "bio_html", "avatar", "website", "post_count")
        read_only_fields = fields

    def get_bio_html(self, author: Author) -> str:
        return rendering.snippet_to_html(author.bio)

    def to_representation(self, author: Author) -> dict:
        data = super().to_representation(author)
        for name in ("avatar", "website"):
            if name in data:
                data[name] = rendering.safe_url(data[name])
        return data


class CategorySerializer(ReadModelSerializer):
    description_html = serializers.SerializerMethodField(
        help_text="The description rendered and sanitised."
    )
    post_count = serializers.IntegerField(read_only=True, help_text="Published posts only.")

    class Meta:
        model = Category
        fields = ("name", "slug", "description", "description_html", "post_count")
        read_only_fields = fields

    def get_description_html(self, category: Category) -> str:
        return rendering.snippet_to_html(category.description)


class TagSerializer(ReadModelSerializer):
    post_count = serializers.IntegerField(read_only=True, help_text="Published posts only.")

    class Meta:
        model = Tag
        fields = ("name", "slug", "post_count")
        read_only_fields = fields


def utc_iso(moment: dt.datetime | None) -> str | None:
    """DRF's ISO 8601 rendering, in UTC with a `Z`."""
    if moment is None:
        return None
    text = moment.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def represent_posts(posts, fields) -> list[dict]:
    """PostSerializer's output for each post, with the given fields in their declared order.

    Lists call this directly: building DRF serializer instances for every request costs
    more than representing a small page."""
    readers = [(name, READERS[name]) for name in DETAIL_FIELDS if name in fields]
    return [{name: read(None, post) for name, read in readers} for post in posts]


# How PostSerializer.to_representation reads each field.
READERS = {
    "id": lambda s, post: post.pk,
    "slug": lambda s, post: post.slug,
    "title": lambda s, post: post.title,
    "excerpt": lambda s, post: post.plain_excerpt,
    "status": lambda s, post: post.display_status,
    "published_at": lambda s, post: utc_iso(post.published_at),
    "updated_at": lambda s, post: utc_iso(post.updated_at),
    "reading_time": lambda s, post: post.reading_time,
    "feature_image": lambda s, post: rendering.safe_url(post.feature_image),
    "authors": PostSerializer.get_authors,
    "categories": PostSerializer.get_categories,
    "tags": PostSerializer.get_tags,
    "url": lambda s, post: post.public_url,
    "body_markdown": lambda s, post: post.body,
    "body_html": lambda s, post: post.body_html,
    "meta": lambda s, post: post.meta,
    "canonical_url": lambda s, post: rendering.safe_url(post.canonical_url),
}
