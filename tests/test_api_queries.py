"""A fixed number of SQL queries per request, whatever the page size."""

import pytest
import time_machine
from django.core.cache import cache

from posts.models import Category
from tests.api_helpers import NOW, detail_url, published
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def many_posts(db):
    """12 published posts, each with 2 authors, 2 categories and 2 tags."""
    categories = [Category.objects.create(name="News"), Category.objects.create(name="Op")]
    authors = [AuthorFactory(name=f"Writer {n}") for n in range(3)]
    posts = []
    for number in range(12):
        post = published(slug=f"post-{number}", categories=categories)
        post.set_authors([authors[number % 3], authors[(number + 1) % 3]])
        post.tags.set(["python", f"tag-{number}"])
        posts.append(post)
    return posts


# (url, queries): the content state, count, rows, and one for all relations shown. The
# state counts the unfiltered list; a page after the first finds its ids in the rows query,
# and so does a page of one tag's or author's posts (from the links' listing index).
CASES = [
    ("/api/v1/posts/?page_size={size}", 3),
    ("/api/v1/posts/?page_size={size}&tag=python", 4),
    ("/api/v1/posts/?page_size={size}&author=writer-1&published_after=2000-01-01", 4),
    ("/api/v1/posts/?page_size={size}&tag=python,tag-1&ordering=title", 4),
    ("/api/v1/posts/?page_size={size}&search=Post&author=writer-1", 4),
    ("/api/v1/posts/?page_size={size}&fields=slug,title,body_html", 2),
    ("/api/v1/posts/?page_size={size}&fields=slug,tags", 3),
    ("/api/v1/authors/?page_size={size}", 3),
    ("/api/v1/categories/?page_size={size}", 3),
    ("/api/v1/tags/?page_size={size}", 3),
]


@pytest.mark.parametrize(("url", "queries"), CASES)
@pytest.mark.parametrize("size", [1, 12])
def test_list_query_count_does_not_grow_with_the_page(
    client, many_posts, django_assert_num_queries, url, queries, size
):
    with django_assert_num_queries(queries):
        response = client.get(url.format(size=size))

    assert response.status_code == 200
    assert len(response.json()["results"]) >= min(size, 2)


@pytest.mark.parametrize(
    ("url", "queries"),
    [("/api/v1/posts/?page_size=5&page=3", 3), ("/api/v1/posts/?page=2&page_size=5&tag=python", 4)],
)
def test_a_later_page_costs_the_same_queries(
    client, many_posts, django_assert_num_queries, url, queries
):
    with django_assert_num_queries(queries):
        response = client.get(url)

    assert len(response.json()["results"]) == (2 if "page=3" in url else 5)


DETAILS = [
    (lambda posts: detail_url(posts[0]), 3),  # state, post, its authors+categories+tags
    (lambda posts: detail_url(posts[0]) + "?fields=title,body_html", 2),
    (lambda posts: "/api/v1/authors/writer-1/", 2),
    (lambda posts: "/api/v1/categories/news/", 2),
    (lambda posts: "/api/v1/tags/python/", 2),
]


@pytest.mark.parametrize(("make_url", "queries"), DETAILS)
def test_detail_query_count(client, many_posts, django_assert_num_queries, make_url, queries):
    url = make_url(many_posts)

    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/feeds/rss/", 5),  # state, posts, authors, categories, tags
        ("/feeds/atom/", 5),
        ("/feeds/tags/python/rss/", 7),  # + the tag, + does it have a published post
        ("/feeds/categories/news/atom/", 7),
        ("/sitemap.xml", 3),  # state, count, rows
    ],
)
def test_feed_and_sitemap_query_counts(client, many_posts, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_cached_responses_cost_one_query(client, many_posts, django_assert_num_queries):
    urls = [case[0].format(size=12) for case in CASES] + ["/feeds/rss/", "/sitemap.xml"]
    for url in urls:
        client.get(url)

    for url in urls:
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    cache.clear()
