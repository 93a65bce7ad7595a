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
