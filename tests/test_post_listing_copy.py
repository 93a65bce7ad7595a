"""`?tag=` and `?author=` lists read the links' copy of their posts' status and time.

Database triggers keep the copy (posts.models.PostListingCopy, migration 0013): whatever
writes a post or a link, one tag's or author's list shows exactly the visible posts, as
the same filter over the posts themselves (another tag alongside) does.
"""

import datetime as dt
import itertools

import psycopg
import pytest
import time_machine
from django.db import connection, transaction

from posts.models import Post, Tag, TaggedPost
from tests.api_helpers import NOW, draft, published, scheduled, slugs
from tests.factories import AuthorFactory, PostFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/posts/"


@pytest.fixture(autouse=True)
def _frozen_uncached(settings):
    settings.CMS_API_CACHE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        yield


def listed(client, **params) -> tuple[int, list[str]]:
    """(count, slugs of every page) of the post list with these parameters."""
    found, page = [], 1
    while True:
        response = client.get(LIST, {**params, "page_size": 2, "page": page})
        assert response.status_code == 200, response.content
        found += slugs(response)
        if response.json()["next"] is None:
            return response.json()["count"], found
        page += 1


def expected(tag: str, *, ordering: str = "-published_at", after=None, before=None) -> list:
    """What the list must show: the visible posts with the tag, by the posts' own fields."""
    posts = Post.objects.published(now=NOW).filter(tags__slug=tag)
    if after is not None:
        posts = posts.filter(published_at__gte=after)
    if before is not None:
        posts = posts.filter(published_at__lt=before)
    direction = "-" if ordering.startswith("-") else ""
    ordered = posts.order_by(f"{direction}published_at", f"{direction}id")
    return list(ordered.values_list("slug", flat=True))


@pytest.fixture
def mixed_posts():
    """Posts tagged `python` in every state, with ties in publication time."""
    moments = [NOW - dt.timedelta(days=n // 2) for n in range(2, 9)]  # pairs share a moment
    for number, moment in enumerate(moments):
        published(slug=f"pub-{number}", published_at=moment, tags=["python"])
    draft(slug="draft", tags=["python"])
    scheduled(slug="soon", tags=["python"])
    published(slug="other-tag", tags=["rust"])
    PostFactory(slug="undated-draft", status=Post.Status.DRAFT, published_at=None, tags=["python"])


@pytest.mark.parametrize(
    ("ordering", "bounds"),
    list(
        itertools.product(
            ["", "-published_at", "published_at"],
            [{}, {"after": NOW - dt.timedelta(days=3)}, {"before": NOW - dt.timedelta(days=2)}],
        )
    ),
)
def test_a_tag_list_shows_the_visible_posts_in_order(client, mixed_posts, ordering, bounds):
    params = {"tag": "python"}
    if ordering:
        params["ordering"] = ordering
    if "after" in bounds:
        params["published_after"] = bounds["after"].isoformat()
    if "before" in bounds:
        params["published_before"] = bounds["before"].isoformat()

    count, shown = listed(client, **params)

    want = expected("python", ordering=ordering or "-", **bounds)
    assert shown == want
    assert count == len(want)
    assert "draft" not in shown and "soon" not in shown


def test_the_listing_agrees_with_the_filter_over_the_posts(client, mixed_posts):
    # `tag=python,nothing` is the same set, read from the posts rather than the copy.
    assert listed(client, tag="python") == listed(client, tag="python,no-such-tag")


def test_publishing_unpublishing_and_rescheduling_reach_the_tag_list(client):
    post = draft(slug="story", tags=["python"])
    assert listed(client, tag="python") == (0, [])

    post.status = Post.Status.PUBLISHED
    post.save()
    assert listed(client, tag="python") == (1, ["story"])

    # A bulk update sends no signal and saves no model: the admin's actions do this.
    Post.objects.filter(pk=post.pk).update(published_at=NOW + dt.timedelta(hours=1))
    assert listed(client, tag="python") == (0, [])
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert listed(client, tag="python") == (1, ["story"])

    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert listed(client, tag="python") == (0, [])


def test_a_tag_added_later_or_in_bulk_lists_its_post(client):
    later = published(slug="later")
    later.tags.add("python")
    bulk = published(slug="bulk")
    TaggedPost.objects.bulk_create(
        [TaggedPost(content_object=bulk, tag=Tag.objects.get(slug="python"))]
    )

    # Same publication time: the newer post (higher id) first.
    assert listed(client, tag="python") == (2, ["bulk", "later"])


def test_a_link_saved_with_a_wrong_copy_still_hides_a_draft(client):
    post = draft(slug="secret", tags=["python"])
    link = TaggedPost.objects.get(content_object=post)
    link.post_status, link.post_published_at = Post.Status.PUBLISHED, NOW - dt.timedelta(days=9)
    link.save()

    assert listed(client, tag="python") == (0, [])


def test_links_written_before_their_post_list_it(client):
    """A fixture may load links before the posts they point to."""
    tag = Tag.objects.create(name="Python", slug="python")
    with transaction.atomic():  # the foreign key is checked at commit
        TaggedPost.objects.create(content_object_id=4242, tag=tag)
        published(id=4242, slug="loaded")

    assert listed(client, tag="python") == (1, ["loaded"])


def test_an_author_list_follows_the_posts_status(client):
    writer = AuthorFactory(name="Ada", slug="ada")
    first = published(slug="first", published_at=NOW - dt.timedelta(days=2))
    second = draft(slug="second")
    for post in (first, second):
        post.set_authors([writer])
    assert listed(client, author="ada") == (1, ["first"])

    second.status = Post.Status.PUBLISHED
    second.save()
    Post.objects.filter(pk=first.pk).update(status=Post.Status.DRAFT)

    assert listed(client, author="ada") == (1, ["second"])


@pytest.mark.django_db(transaction=True)
def test_a_link_to_a_post_another_transaction_has_not_committed_gets_its_copy(client):
    """PostgreSQL: a link written while its post is still uncommitted elsewhere cannot see
    the post; it is copied again when its own transaction commits."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions: PostgreSQL (SQLite has one writer at a time)")

    tag = Tag.objects.create(name="Python", slug="python")
    other = psycopg.connect(**connection.get_connection_params())
    try:
        with transaction.atomic():
            post = published(slug="concurrent")
            other.execute(
                "INSERT INTO posts_taggedpost (content_object_id, tag_id) VALUES (%s, %s)",
                [post.pk, tag.pk],
            )
        other.commit()  # after the post's transaction: the foreign key holds
    finally:
        other.close()

    assert listed(client, tag="python") == (1, ["concurrent"])
