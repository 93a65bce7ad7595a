"""`/sitemap.xml`: every published post, at its address on the public front end.

One sitemap holds up to 50,000 URLs (the protocol's limit); past that Django pages it
with `?p=2`, and a sitemap index would be the next step.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.utils.encoding import iri_to_uri

from posts.models import Post


class PostSitemap(Sitemap):
    limit = 50_000

    def items(self):
        return (
            Post.objects.published()
            .only("id", "slug", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, post: Post):
        return post.updated_at

    def location(self, post: Post) -> str:
        parts = urlsplit(post.public_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return iri_to_uri(path)

    # The front end lives elsewhere: scheme and host come from CMS_POST_URL, not the request.
    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.CMS_POST_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.CMS_POST_URL).netloc


SITEMAPS = {"posts": PostSitemap}
