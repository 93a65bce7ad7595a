"""Signed, expiring preview links: let a front end render one unpublished post.

The admin makes a token with `make_preview_token(post)`; the front end passes it as
`?preview=<token>` to `/api/v1/posts/{slug}/`, which then shows that post (and only that
post) whatever its status, with `Cache-Control: private, no-store`. The token is signed
with SECRET_KEY (django.core.signing), names the post by primary key (so a new slug
does not matter, and it opens no other post), and expires after CMS_PREVIEW_MAX_AGE
seconds. Rotating SECRET_KEY revokes every token.
"""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.core import signing

SALT = "posts.preview"


class PreviewTokenError(Exception):
    """The token is malformed, forged, or expired; the message says which, for the client."""


def make_preview_token(post) -> str:
    """A URL-safe token that opens `post` in the API until CMS_PREVIEW_MAX_AGE passes."""
    return signing.dumps({"post": post.pk}, salt=SALT)


def read_preview_token(token: str, *, max_age: int | None = None) -> int:
    """The primary key of the post `token` opens; PreviewTokenError when it opens nothing."""
    if max_age is None:
        max_age = settings.CMS_PREVIEW_MAX_AGE
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise PreviewTokenError("This preview link has expired; make a new one.") from exc
    except signing.BadSignature as exc:
        raise PreviewTokenError("This preview token is not valid.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("post"), int):
        raise PreviewTokenError("This preview token is not valid.")
    return payload["post"]


def preview_url(post, token: str | None = None) -> str:
    """The front end's preview address for `post`: CMS_PREVIEW_URL with `{slug}`, `{id}`
    and `{token}` filled in where it is set (the admin's "Preview on the site" link), else
    the post's public address with `?preview=<token>`."""
    token = token or make_preview_token(post)
    if settings.CMS_PREVIEW_URL:
        return settings.CMS_PREVIEW_URL.format(slug=quote(post.slug), id=post.pk, token=token)
    separator = "&" if "?" in post.public_url else "?"
    return f"{post.public_url}{separator}{urlencode({'preview': token})}"
