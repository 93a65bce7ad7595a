"""Shared bits of the API tests: a fixed clock and small builders."""

import datetime as dt
from urllib.parse import quote

import time_machine
from rest_framework.authtoken.models import Token

from posts.models import Category, Post
from tests.factories import AuthorFactory, PostFactory

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def day(n: int) -> dt.datetime:
    """Midnight UTC, n days after 2026-02-01."""
    return dt.datetime(2026, 2, 1, tzinfo=dt.UTC) + dt.timedelta(days=n)


def published(**kwargs) -> Post:
    kwargs.setdefault("published_at", NOW - dt.timedelta(days=1))
    return PostFactory(**kwargs)


def draft(**kwargs) -> Post:
    kwargs.setdefault("published_at", NOW - dt.timedelta(days=2))
    return PostFactory(status=Post.Status.DRAFT, **kwargs)


def scheduled(**kwargs) -> Post:
    kwargs.setdefault("published_at", NOW + dt.timedelta(hours=2))
    return PostFactory(**kwargs)


def detail_url(post_or_slug) -> str:
    slug = getattr(post_or_slug, "slug", post_or_slug)
    return f"/api/v1/posts/{quote(slug)}/"


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def token_for(user) -> dict[str, str]:
    """Headers of an API-token client for `user`."""
    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def rich_post(**kwargs) -> Post:
    """A published post with two ordered authors, two categories and two tags."""
    post = published(**kwargs)
    post.set_authors([AuthorFactory(name="Zed Writer"), AuthorFactory(name="Amy Helper")])
    post.categories.set(
        [Category.objects.create(name="News"), Category.objects.create(name="Opinion")]
    )
    post.tags.set(["python", "日本語"])
    return post


def later(seconds: float):
    """The clock stopped `seconds` after NOW."""
    return time_machine.travel(NOW + dt.timedelta(seconds=seconds), tick=False)
