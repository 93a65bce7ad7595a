"""Authors, categories and tags: name order, visible post counts, sanitised HTML."""

import pytest
import time_machine

from posts.models import Author, Category
from tests.api_helpers import NOW, draft, published, scheduled
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def results(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_authors_are_listed_by_name_with_counts_of_published_posts_only(client):
    zed = AuthorFactory(name="Zed", bio="Writes *a lot*.", website="https://zed.example")
    amy = AuthorFactory(name="Amy")
    published(authors=[zed])
    published(authors=[zed, amy])
    draft(authors=[zed])
    scheduled(authors=[amy])

    body = client.get("/api/v1/authors/").json()

    assert body["count"] == 2
    assert body["results"] == [
        {
            "name": "Amy",
            "slug": "amy",
            "bio": "",
            "bio_html": "",
            "avatar": "",
            "website": "",
            "post_count": 1,
        },
        {
            "name": "Zed",
            "slug": "zed",
            "bio": "Writes *a lot*.",
            "bio_html": "<p>Writes <em>a lot</em>.</p>\n",
            "avatar": "",
            "website": "https://zed.example",
            "post_count": 2,
        },
    ]


def test_author_bio_html_is_sanitised(client):
    author = Author.objects.create(
        name="Mallory", bio='Hi <script>alert(1)</script><a href="javascript:x">me</a>'
    )
    published(authors=[author])

    item = client.get("/api/v1/authors/mallory/").json()

    assert "<script" not in item["bio_html"]
    assert "javascript:" not in item["bio_html"]


def test_an_edited_bio_is_shown_rendered_anew(client, settings):
    settings.CMS_API_CACHE_SECONDS = 0
    author = AuthorFactory(name="Zed", bio="Old *words*.")
    other = AuthorFactory(name="Amy", bio="Old *words*.")
    published(authors=[author, other])
    before = client.get("/api/v1/authors/zed/").json()["bio_html"]

    author.bio = "New **words**."
    author.save()
    after = client.get("/api/v1/authors/zed/").json()["bio_html"]

    assert before == "<p>Old <em>words</em>.</p>\n"
    assert after == "<p>New <strong>words</strong>.</p>\n"
    assert client.get("/api/v1/authors/amy/").json()["bio_html"] == before


def test_category_detail_with_sanitised_description(client):
    news = Category.objects.create(name="News", description='**Daily** <img src=x onerror="x()">')
    published(categories=[news])
    published(categories=[news])
    draft(categories=[news])

    item = client.get("/api/v1/categories/news/").json()

    assert item["post_count"] == 2
    assert item["description"].startswith("**Daily**")
    assert item["description_html"].startswith("<p><strong>Daily</strong>")
    assert "onerror" not in item["description_html"]


def test_tags_list_and_detail(client):
    published(tags=["python", "日本語"])
    published(tags=["python"])

    assert results(client, "/api/v1/tags/") == [
        {"name": "python", "slug": "python", "post_count": 2},
        {"name": "日本語", "slug": "日本語", "post_count": 1},
    ]
    assert client.get("/api/v1/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/").json() == {
        "name": "日本語",
        "slug": "日本語",
        "post_count": 1,
    }


@pytest.mark.parametrize("make", [draft, scheduled])
def test_a_tag_used_only_by_unpublished_posts_is_not_revealed(client, make):
    make(tags=["secret-launch"], authors=[AuthorFactory(name="Ghost")])
    make(categories=[Category.objects.create(name="Embargoed")])
    published(tags=["public"])

    assert [t["slug"] for t in results(client, "/api/v1/tags/")] == ["public"]
    assert results(client, "/api/v1/authors/") == []
    assert results(client, "/api/v1/categories/") == []
    for url in [
        "/api/v1/tags/secret-launch/",
        "/api/v1/authors/ghost/",
        "/api/v1/categories/embargoed/",
    ]:
        assert client.get(url).status_code == 404, url


def test_taxonomies_paginate_like_posts(client):
    for number in range(3):
        published(tags=[f"tag-{number}"])

    body = client.get("/api/v1/tags/?page_size=2").json()
    assert [t["slug"] for t in body["results"]] == ["tag-0", "tag-1"]
    assert body["next"] == "http://testserver/api/v1/tags/?page_size=2&page=2"
    assert client.get("/api/v1/tags/?page=3&page_size=2").status_code == 404
    assert "page_size" in client.get("/api/v1/tags/?page_size=1000").json()


def test_taxonomy_fields_parameter(client):
    published(tags=["python"])

    assert results(client, "/api/v1/tags/?fields=slug") == [{"slug": "python"}]
    response = client.get("/api/v1/tags/?fields=body_html")
    assert response.status_code == 400
    assert "fields" in response.json()


def test_unknown_taxonomy_slug_is_404(client):
    for url in ["/api/v1/authors/nobody/", "/api/v1/categories/none/", "/api/v1/tags/none/"]:
        assert client.get(url).status_code == 404
