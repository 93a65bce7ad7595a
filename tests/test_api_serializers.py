"""The post serializer's fast path says exactly what DRF's generic path would."""

import datetime as dt

import pytest
from rest_framework import serializers as drf

from posts.api.serializers import DETAIL_FIELDS, READERS, PostSerializer
from posts.models import Post
from tests.api_helpers import rich_post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def generic(serializer: PostSerializer, post: Post) -> dict:
    return drf.ModelSerializer.to_representation(serializer, post)


@pytest.mark.parametrize(
    "post_factory",
    [
        lambda: rich_post(
            slug="rich",
            published_at=dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
            meta={"layout": "post", "comments": True, "n": [1, {"b": 2}]},
            canonical_url="https://x.example/a",
            feature_image="/img.png",
        ),
        lambda: PostFactory(status=Post.Status.DRAFT, published_at=None, slug="bare"),
    ],
)
def test_fast_representation_matches_drf_field_by_field(post_factory, settings):
    settings.TIME_ZONE = "Asia/Hong_Kong"  # output must stay UTC anyway
    post = post_factory()
    serializer = PostSerializer(fields=DETAIL_FIELDS)

    fast = serializer.to_representation(post)

    assert fast == generic(serializer, post)
    assert list(fast) == list(DETAIL_FIELDS)


def test_every_declared_field_has_a_reader():
    assert set(READERS) == set(PostSerializer().fields) == set(DETAIL_FIELDS)


SCRIPT_URLS = [
    "javascript:alert(1)",
    " JaVa\tScRiPt:alert(2)",
    "vbscript:msgbox(1)",
    "data:text/html,x",
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_url_fields_never_carry_a_script_url(client, url):
    """A front end puts these in href or src: only relative and http(s)-like URLs pass."""
    from tests.api_helpers import published
    from tests.factories import AuthorFactory

    author = AuthorFactory(name="Ada", avatar=url, website="https://ada.example/")
    published(slug="linked", feature_image=url, canonical_url=url, authors=[author])

    listed = client.get("/api/v1/posts/?fields=slug,feature_image,canonical_url").json()
    detail = client.get("/api/v1/posts/linked/").json()
    shown = client.get("/api/v1/authors/ada/").json()

    assert listed["results"][0]["feature_image"] == listed["results"][0]["canonical_url"] == ""
    assert detail["feature_image"] == detail["canonical_url"] == ""
    assert (shown["avatar"], shown["website"]) == ("", "https://ada.example/")


def test_relative_and_web_urls_are_served_as_stored(client):
    from tests.api_helpers import published

    published(slug="linked", feature_image="/img/a.png", canonical_url="https://x.example/a")

    detail = client.get("/api/v1/posts/linked/").json()

    assert (detail["feature_image"], detail["canonical_url"]) == (
        "/img/a.png",
        "https://x.example/a",
    )
