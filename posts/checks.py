"""System checks for a deployment (`manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


@checks.register(checks.Tags.security, deploy=True)
def public_links_point_at_the_site(app_configs, **kwargs):
    """CMS_POST_URL left at its development default: every `url` of the API, every feed
    link and every sitemap entry then points at http://127.0.0.1:8000."""
    host = urlsplit(settings.CMS_POST_URL).hostname or ""
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return [
            checks.Warning(
                f"CMS_POST_URL is {settings.CMS_POST_URL!r}: the API's post URLs, the feeds "
                "and the sitemap link to this machine, not to the public site.",
                hint="Set CMS_POST_URL to the front end's address of a post, such as "
                "https://example.com/posts/{slug}/.",
                id="posts.W001",
            )
        ]
    return []
