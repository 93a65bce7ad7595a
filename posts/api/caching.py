"""HTTP caching for the read API, the feeds and the sitemap.

Three layers, all keyed on the *content state* (posts.api.content_state, which reads it
with one small query and keeps it while the database reports no change):

- the change counter `ContentVersion`, bumped by signals on every save/delete/m2m change of
  a post, author, category, tag or their links, and by `invalidate()` after bulk writes;
- the latest publication time already reached: when a scheduled post's time comes, this
  moves, so the post appears on time without anyone saving anything (and so does a post's
  expiry date: the post leaves on time);
- the next publication (or expiry) time still ahead: no cache entry, and no `max-age` told
  to browsers and CDNs, lasts past it.

From the state and the request come a weak ETag and a Last-Modified date; a conditional
GET that matches is answered 304 before any view code runs. Anonymous responses are
`public, max-age=CMS_API_MAX_AGE` and kept in the Django cache under the same key, so a
change anywhere makes every old entry unreachable at once. Authenticated and preview
responses are `private, no-store` and never cached server side.

Code that writes with `bulk_create()`, `bulk_update()` or `QuerySet.update()` sends no
signal and must call `invalidate()` afterwards (the importer does, after each run).
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework.authentication import TokenAuthentication

from posts.api.content_state import ContentState, content_state
from posts.api.throttling import throttled_response
from posts.models import Author, Category, ContentVersion, Post, PostAuthor, Tag, TaggedPost

CACHE_PREFIX = "api-response:"
# "Not found" answers that caches may keep without being told to (RFC 9110, 15.1).
HEURISTICALLY_CACHED_MISSES = (404, 410)
# Headers the cache layer sets itself on every response; never replayed from an entry.
OWN_HEADERS = {"etag", "last-modified", "cache-control", "expires", "content-length"}
CONDITIONAL_HEADERS = {
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
}


def invalidate() -> None:
    """Make every cached response and every ETag handed out so far stale, at once.

    Signals do this for ordinary saves; call it after writes that send no signal
    (bulk_create, bulk_update, QuerySet.update, raw SQL). Inside a transaction the change
    becomes visible when the transaction commits, together with the data.
    """
    ContentVersion.bump()


def _content_changed(sender, **kwargs) -> None:
    ContentVersion.bump()


def _m2m_changed(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        ContentVersion.bump()


def connect_signals() -> None:
    """Bump the change counter on every change to what the API, feeds or sitemap show."""
    for model in (Post, Author, Category, Tag, PostAuthor, TaggedPost, Post.categories.through):
        uid = f"posts.api.caching:{model._meta.label}"
        post_save.connect(_content_changed, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=uid + ":delete")
    for through in (Post.categories.through, TaggedPost, PostAuthor):
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"posts.api.caching:m2m:{through}"
        )


@functools.cache
def _release() -> str:
    """Changes with the code and settings that shape responses, so a deploy never serves
    entries (or answers 304 to ETags) made by an older release, e.g. from a shared Redis."""
    digest = hashlib.blake2b(digest_size=8)
    for value in (settings.CMS_POST_URL, settings.CMS_SITE_TITLE, settings.TIME_ZONE):
        digest.update(str(value).encode())
    digest.update(repr(settings.REST_FRAMEWORK.get("DEFAULT_RENDERER_CLASSES")).encode())
    package = Path(__file__).resolve().parent.parent
    for source in sorted([*package.glob("api/*.py"), *package.glob("*.py")]):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _key(request: HttpRequest, state: ContentState, scope: str) -> str:
    """One key per representation: release, state, audience, URL and negotiated format."""
    parts = [
        _release(),
        scope,
        str(state.generation),
        state.latest_publication.isoformat() if state.latest_publication else "-",
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        # No Accept header (anything goes) is not an empty one (nothing does: a 406).
        # Feeds and the sitemap answer every Accept alike and send no `Vary: Accept`: a
        # shared cache revalidating with another client's Accept got a 200, not a 304.
        "accept:" + request.META["HTTP_ACCEPT"]
        if "HTTP_ACCEPT" in request.META and getattr(request, "negotiates", True)
        else "-",
    ]
    material = "\n".join(parts).encode("utf-8", "backslashreplace")
    return hashlib.blake2b(material, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Validators:
    etag: str
    # Whole seconds, compared with If-Modified-Since.
    last_modified: int
    last_modified_header: str


def validators_for(request: HttpRequest, state: ContentState, scope: str) -> Validators:
    key = _key(request, state, scope)
    modified = math.floor(state.modified.timestamp())
    # HTTP dates have whole seconds. A representation made during the second of the last
    # change gets the second before it: a client holding it then cannot take a 304 for a
    # second change later within that same second.
    shown = modified - 1 if math.floor(state.now.timestamp()) <= modified else modified
    return Validators(f'W/"{key}"', modified, http_date(shown))


def _conditional(request: HttpRequest, validators: Validators, response=None):
    return get_conditional_response(
        request,
        etag=validators.etag,
        last_modified=validators.last_modified,
        response=response,
    )


def precondition_response(request: HttpRequest, validators: Validators) -> HttpResponse | None:
    """A 304 for a matching If-None-Match, decided before any view runs.

    An entity tag names one representation of one URL, so a client holding it got a 200
    there. Every other condition depends on whether the resource exists, which only the
    view (or a cached copy of its 200) tells: HTTP has a server ignore conditions where
    the answer would not be a 2xx, so `If-Modified-Since` alone must not turn a 404, a
    400 or a 401 into a 304. `late_conditional` answers those.
    """
    meta = request.META
    if meta.get("HTTP_IF_NONE_MATCH", "*").strip() == "*":
        return None
    if "HTTP_IF_MATCH" in meta or "HTTP_IF_UNMODIFIED_SINCE" in meta:
        return None
    return _conditional(request, validators)


def late_conditional(request: HttpRequest, validators: Validators, response: HttpResponse):
    """The response, or the 304/412 that the request's conditions make of it, once the
    representation is known to exist (a 200, made by the view or copied from the cache)."""
    if response.status_code != 200 or not CONDITIONAL_HEADERS.intersection(request.META):
        return response
    return _conditional(request, validators, response)


def _public_max_age(state: ContentState) -> int:
    max_age = settings.CMS_API_MAX_AGE
    until_next = state.seconds_until_next_publication()
    if until_next is not None:
        max_age = min(max_age, math.floor(until_next))
    return max(0, max_age)


def _entry_seconds(state: ContentState) -> int:
    seconds = settings.CMS_API_CACHE_SECONDS
    until_next = state.seconds_until_next_publication()
    if until_next is not None:
        seconds = min(seconds, math.floor(until_next))
    return max(0, seconds)


def _set_validators(response: HttpResponse, validators: Validators) -> None:
    response.headers["ETag"] = validators.etag
    response.headers["Last-Modified"] = validators.last_modified_header


def _public_headers(response: HttpResponse, validators: Validators, state: ContentState):
    if response.status_code in (200, 304):
        _set_validators(response, validators)
    if response.status_code in (200, 304, *HEURISTICALLY_CACHED_MISSES):
        # A 404 too: without a lifetime, shared caches may keep it as long as they like
        # (RFC 9111, 4.2.2), and a scheduled post's detail would stay missing past its time.
        response.headers["Cache-Control"] = f"public, max-age={_public_max_age(state)}"
    return response


def private_headers(response: HttpResponse, validators: Validators | None) -> HttpResponse:
    if validators is not None and response.status_code in (200, 304):
        _set_validators(response, validators)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _entry(response: HttpResponse) -> dict | None:
    if response.cookies or len(response.content) > settings.CMS_API_CACHE_MAX_BYTES:
        return None
    headers = {
        k: v for k, v in response.items() if k.lower() not in OWN_HEADERS and k != "Content-Type"
    }
    return {
        "content": response.content,
        "content_type": response["Content-Type"],
        "headers": headers,
    }


def _from_entry(entry: dict) -> HttpResponse:
    return HttpResponse(
        entry["content"], content_type=entry["content_type"], headers=entry["headers"]
    )


def serve_public(call_next, request: HttpRequest, state: ContentState) -> HttpResponse:
    """Answer an anonymous GET/HEAD: 304, a cached copy, or the view's response (stored)."""
    validators = validators_for(request, state, "public")
    early = precondition_response(request, validators)
    if early is not None:
        return _public_headers(early, validators, state)

    seconds = _entry_seconds(state) if settings.CMS_API_CACHE_SECONDS > 0 else 0
    cache_key = CACHE_PREFIX + validators.etag[3:-1]
    entry = cache.get(cache_key) if seconds else None
    if entry is not None:
        late = late_conditional(request, validators, _from_entry(entry))
        return _public_headers(late, validators, state)

    response = call_next(request)
    if response.status_code != 200:
        return _public_headers(response, validators, state)
    if hasattr(response, "render"):
        response.render()
    if seconds and (entry := _entry(response)) is not None:
        cache.set(cache_key, entry, seconds)
    return _public_headers(late_conditional(request, validators, response), validators, state)


def is_anonymous(request: HttpRequest) -> bool:
    """No credentials: no API token (`Authorization: Token ...`) and no logged-in session.

    Another Authorization scheme (`Bearer x`, `Basic ...`) is no credential here: DRF's
    TokenAuthentication ignores it and the client gets the public answer, so it is
    throttled and served from the cache like any anonymous client. Before, any such
    header took the private path, past the throttle and the cache.
    """
    words = request.META.get("HTTP_AUTHORIZATION", "").split(maxsplit=1)
    if words and words[0].lower() == TokenAuthentication.keyword.lower():
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return not request.user.is_authenticated
    return True


def respond(request: HttpRequest, call_next, *, public_only: bool) -> HttpResponse:
    """The cache layer for one GET or HEAD of a cached view; `call_next` makes the response.

    `public_only`: the view shows the same thing to everyone (feeds, sitemap), so every
    request takes the public path. API views pass False: requests with credentials or a
    preview token take the private path, where the view itself (after authentication)
    answers conditional requests and this layer marks the response private.
    """
    anonymous = public_only or is_anonymous(request)
    request.negotiates = not public_only
    if anonymous and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        # Without a session cookie there is no one to look up. Setting the user here
        # (before the throttle asks for it) also leaves the session unread, so a response
        # made by the view carries the same headers (no `Vary: Cookie`) as a cached copy.
        request.user = AnonymousUser()
    if anonymous and (limited := throttled_response(request)) is not None:
        return limited
    state = content_state()
    request.content_state = state
    if public_only or (anonymous and "preview" not in request.GET):
        request.cache_scope = "public"
        response = serve_public(call_next, request, state)
    else:
        request.cache_scope = "private"
        response = call_next(request)
        validators = getattr(request, "private_validators", None)
        if validators is not None and response.status_code == 200:
            if hasattr(response, "render"):
                response.render()
            response = late_conditional(request, validators, response)
        response = private_headers(response, validators)
    if not public_only:
        # What the API answers depends on Accept (`indent=`, or a 406), so shared caches
        # must key on it; a 304 names the same Vary as the 200 it stands for.
        patch_vary_headers(response, ("Accept",))
    return response


def cached_view(view, *, public_only: bool = False):
    """Mark a view for the cache layer (validators, Cache-Control, throttling, the cache).

    posts.api.middleware.ResponseCacheMiddleware applies it before the session, CSRF and
    message middleware and the URL dispatch run, which is most of a cached response's
    cost; without that middleware (a project that leaves it out) this wrapper applies it.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or hasattr(request, "cache_scope"):
            return view(request, *args, **kwargs)
        return respond(
            request, lambda request: view(request, *args, **kwargs), public_only=public_only
        )

    wrapper.response_cache = "public" if public_only else "per-client"
    return wrapper
