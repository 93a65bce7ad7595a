"""RSS 2.0 and Atom feeds of the latest published posts: all, per tag, per category.

Links point at the public front end (CMS_POST_URL); descriptions are the plain-text
excerpt, escaped. Tags and categories without a published post have no feed (404), like
in the API. Responses go through the API's cache layer (ETag, Last-Modified, 304).
"""

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404
from django.utils.encoding import iri_to_uri
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from posts.models import Category, Post, PostAuthor, Tag

FEED_ITEMS = 20

# Characters XML 1.0 has no place for (its `Char` production, section 2.2): C0 controls
# but tab and line breaks, surrogates, U+FFFE and U+FFFF. Django refuses the controls
# (a 500 for the whole feed) and writes the others (a feed no reader can parse).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value):
    """`value` (text, or a list or tuple of texts) without what XML cannot hold: spaces
    for the controls that separate words (a vertical tab from a pasted line break)."""
    if isinstance(value, str):
        return NOT_XML.sub(lambda m: " " if m.group().isspace() else "", value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_text(item) for item in value)
    return value


def site_url() -> str:
    """The public site's home page, from CMS_POST_URL's scheme and host."""
    parts = urlsplit(settings.CMS_POST_URL)
    return f"{parts.scheme}://{parts.netloc}/"


@dataclass(frozen=True)
class FeedScope:
    now: dt.datetime
    tag: Tag | None = None
    category: Category | None = None
    url: str = ""  # the feed's own address: an Atom feed's id


class LatestPostsFeed(Feed):
    """`/feeds/rss/`: the latest published posts."""

    def get_object(self, request, *args, **kwargs) -> FeedScope:
        return self.scope(request)

    def get_feed(self, obj, request):
        # Every text of the feed and its items passes here once: titles, excerpts,
        # author, tag and category names, from any import or admin edit.
        feed = super().get_feed(obj, request)
        feed.feed = {key: xml_text(value) for key, value in feed.feed.items()}
        feed.items = [{key: xml_text(value) for key, value in item.items()} for item in feed.items]
        return feed

    @staticmethod
    def scope(request, **kwargs) -> FeedScope:
        # The cache layer read the content state (and its clock) for this request.
        url = request.build_absolute_uri(request.path)
        return FeedScope(now=request.content_state.now, url=url, **kwargs)

    def posts(self, scope: FeedScope):
        return Post.objects.published(now=scope.now)

    def items(self, scope: FeedScope):
        return (
            self.posts(scope)
            .defer("body", "body_html", "meta")
            .prefetch_related(
                Prefetch("post_authors", queryset=PostAuthor.objects.select_related("author")),
                "categories",
                "tags",
            )[:FEED_ITEMS]
        )

    def title(self, scope: FeedScope) -> str:
        return settings.CMS_SITE_TITLE

    def link(self, scope: FeedScope) -> str:
        return site_url()

    def description(self, scope: FeedScope) -> str:
        return f"The latest posts of {settings.CMS_SITE_TITLE}."

    def author_name(self, scope: FeedScope) -> str:
        # RFC 4287, 4.1.1: an Atom feed must name an author unless every entry does, and
        # imported posts often have none. Entries without one inherit the site. (RSS
        # writes no feed-level author without an email.)
        return settings.CMS_SITE_TITLE

    def feed_guid(self, scope: FeedScope) -> str:
        # Atom's <id> must tell feeds apart (RFC 4287, 4.2.6); the site's address, the
        # default, was every feed's, so readers could merge a tag's feed into the site's.
        return iri_to_uri(scope.url)

    def item_title(self, post: Post) -> str:
        # An Atom title is text (RFC 4287's default type="text"), which the generator
        # escapes for XML; Django's default escapes it as HTML first, so readers showed
        # `Don&#x27;t`. RSS keeps that escaping: many RSS readers show titles as HTML.
        if issubclass(self.feed_type, Atom1Feed):
            return post.title
        return super().item_title(post)

    def item_description(self, post: Post) -> str:
        return escape(post.plain_excerpt)

    def item_link(self, post: Post) -> str:
        return iri_to_uri(post.public_url)

    def item_pubdate(self, post: Post):
        return post.published_at

    def item_updateddate(self, post: Post):
        return post.updated_at

    def item_author_name(self, post: Post) -> str | None:
        authors = post.ordered_authors
        return ", ".join(author.name for author in authors) if authors else None

    def item_categories(self, post: Post) -> list[str]:
        names = [category.name for category in post.categories.all()]
        names += [tag.name for tag in post.tags.all()]
        return list(dict.fromkeys(names))


class LatestPostsAtomFeed(LatestPostsFeed):
    """`/feeds/atom/`: the same as Atom 1.0."""

    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class TagFeed(LatestPostsFeed):
    """`/feeds/tags/<slug>/rss/`: the latest published posts with one tag."""

    def get_object(self, request, slug: str) -> FeedScope:
        now = request.content_state.now
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None or not self.posts(FeedScope(now=now, tag=tag)).exists():
            raise Http404("No tag with published posts has this slug.")
        return self.scope(request, tag=tag)

    def posts(self, scope: FeedScope):
        tagged = scope.tag.tagged_posts.values("content_object_id")
        return Post.objects.published(now=scope.now).filter(pk__in=tagged)

    def title(self, scope: FeedScope) -> str:
        return f"{settings.CMS_SITE_TITLE}: {scope.tag.name}"

    def description(self, scope: FeedScope) -> str:
        return f"The latest posts tagged {scope.tag.name}."


class TagAtomFeed(TagFeed):
    """`/feeds/tags/<slug>/atom/`."""

    feed_type = Atom1Feed
    subtitle = TagFeed.description


class CategoryFeed(LatestPostsFeed):
    """`/feeds/categories/<slug>/rss/`: the latest published posts in one category."""

    def get_object(self, request, slug: str) -> FeedScope:
        now = request.content_state.now
        category = Category.objects.filter(slug=slug).first()
        if category is None or not self.posts(FeedScope(now=now, category=category)).exists():
            raise Http404("No category with published posts has this slug.")
        return self.scope(request, category=category)

    def posts(self, scope: FeedScope):
        linked = Post.categories.through.objects.filter(category=scope.category).values("post_id")
        return Post.objects.published(now=scope.now).filter(pk__in=linked)

    def title(self, scope: FeedScope) -> str:
        return f"{settings.CMS_SITE_TITLE}: {scope.category.name}"

    def description(self, scope: FeedScope) -> str:
        return f"The latest posts in {scope.category.name}."


class CategoryAtomFeed(CategoryFeed):
    """`/feeds/categories/<slug>/atom/`."""

    feed_type = Atom1Feed
    subtitle = CategoryFeed.description
