"""Top-level URLs: the admin, the read API, feeds, the sitemap, and the reader site at `/`."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from cms.health import health
from posts import feeds
from posts.api.caching import cached_view
from posts.sitemaps import SITEMAPS

admin.site.site_header = "Headless CMS"
admin.site.site_title = "Headless CMS admin"

# Any Unicode slug, percent-encoded; no NUL or slash.
SLUG = r"(?P<slug>[^/\x00]+)"


def public(view):
    """Feeds and the sitemap show everyone the same: cached, with ETag and Last-Modified.

    They only read: any method but GET and HEAD is a 405 naming those two (not a CSRF
    403 for a POST, nor the view run for an OPTIONS, which the cache layer never saw).
    """
    return cached_view(csrf_exempt(require_safe(view)), public_only=True)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("posts.api.urls")),
    path("feeds/rss/", public(feeds.LatestPostsFeed()), name="feed-rss"),
    path("feeds/atom/", public(feeds.LatestPostsAtomFeed()), name="feed-atom"),
    re_path(rf"^feeds/tags/{SLUG}/rss/$", public(feeds.TagFeed()), name="feed-tag-rss"),
    re_path(rf"^feeds/tags/{SLUG}/atom/$", public(feeds.TagAtomFeed()), name="feed-tag-atom"),
    re_path(
        rf"^feeds/categories/{SLUG}/rss/$", public(feeds.CategoryFeed()), name="feed-category-rss"
    ),
    re_path(
        rf"^feeds/categories/{SLUG}/atom/$",
        public(feeds.CategoryAtomFeed()),
        name="feed-category-atom",
    ),
    path("sitemap.xml", public(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", health, name="health"),
    path("", include("posts.reader")),
]
