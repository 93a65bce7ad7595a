"""The API's response cache as a middleware, so a cached response skips most of Django.

A GET or HEAD of a view marked with posts.api.caching.cached_view (the API, the feeds,
the sitemap) is answered here: a 304, a copy from the cache, or the view's response,
stored on the way out. Placed after the session and authentication middleware (it must
tell staff from anonymous clients) and before CSRF, messages and the URL dispatch, which
a cached response does not need. Everything else passes through untouched.
"""

import functools

from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from posts.api.caching import respond


@functools.lru_cache(maxsize=4096)
def cached_view_kind(path: str) -> str | None:
    """`public`, `per-client` or None (not a cached view), for a request path.

    Resolving costs about as much as serving a cached copy, hence the memo; the URL
    configuration is fixed once the process has started (tests that change it clear it).
    """
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return getattr(match.func, "response_cache", None)


def _forget_urls(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        cached_view_kind.cache_clear()


setting_changed.connect(_forget_urls, dispatch_uid="posts.api.middleware:urls")


class NoCookiesOnSharedResponsesMiddleware:
    """A response that sets a cookie is not one for shared caches: `private, no-store`.

    Placed before (outside) the session middleware, which adds its cookies last: a
    request carrying an expired or unknown session cookie gets it deleted, and a CDN must
    not keep that deletion (with the API's public Cache-Control) for other visitors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.cookies and "public" in response.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "private, no-store"
        return response


class NotModifiedWithoutLengthMiddleware:
    """A 304 without Content-Length (RFC 9110, 8.6: a 304 may only carry the 200's).

    Placed before (outside) CommonMiddleware, which gives every response without one the
    length of its content: `Content-Length: 0` on every 304, which a cache that updates
    its stored headers from a 304 could take for the representation's length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 304 and "Content-Length" in response:
            del response["Content-Length"]
        return response


class ResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and not hasattr(request, "urlconf"):
            kind = cached_view_kind(request.path_info)
            if kind is not None:
                return respond(request, self.get_response, public_only=kind == "public")
        return self.get_response(request)
