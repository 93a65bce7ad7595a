"""The post endpoints' contract: shape, every parameter, errors, visibility."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from posts.models import Category, Post
from tests.api_helpers import (
    NOW,
    day,
    detail_url,
    draft,
    published,
    rich_post,
    scheduled,
    slugs,
    token_for,
)
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


LIST_KEYS = {
    "id",
    "slug",
    "title",
    "excerpt",
    "status",
    "published_at",
    "updated_at",
    "reading_time",
    "feature_image",
    "authors",
    "categories",
    "tags",
    "url",
}
DETAIL_KEYS = LIST_KEYS | {"body_markdown", "body_html", "meta", "canonical_url"}


def test_list_has_the_documented_shape(client, settings):
    settings.CMS_POST_URL = "https://example.com/posts/{slug}/"
    post = rich_post(title="Hello", slug="hello", excerpt="Short *one*.", feature_image="/a.png")

    body = client.get("/api/v1/posts/").json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    item = body["results"][0]
    assert set(item) == LIST_KEYS
    assert item["id"] == post.pk
    assert item["excerpt"] == "Short one."
    assert item["status"] == "published"
    assert item["published_at"] == "2026-02-28T12:00:00Z"
    assert item["updated_at"].endswith("Z")
    assert item["reading_time"] == 1
    assert item["feature_image"] == "/a.png"
    assert item["url"] == "https://example.com/posts/hello/"
    assert item["authors"] == [
        {"name": "Zed Writer", "slug": "zed-writer"},
        {"name": "Amy Helper", "slug": "amy-helper"},
    ]
    assert item["categories"] == [
        {"name": "News", "slug": "news"},
        {"name": "Opinion", "slug": "opinion"},
    ]
    assert item["tags"] == [
        {"name": "python", "slug": "python"},
        {"name": "日本語", "slug": "日本語"},
    ]


def test_datetimes_are_utc_whatever_the_site_time_zone(client, settings):
    settings.TIME_ZONE = "Asia/Hong_Kong"
    published(published_at=dt.datetime(2026, 2, 20, 8, 30, tzinfo=dt.UTC))

    item = client.get("/api/v1/posts/").json()["results"][0]

    assert item["published_at"] == "2026-02-20T08:30:00Z"


def test_detail_adds_body_html_meta_and_canonical_url(client):
    meta = {"layout": "post", "from": "https://x.example/a", "comments": True}
    post = rich_post(
        slug="full",
        body="# Title\n\n<script>alert(1)</script>Text.\n",
        meta=meta,
        canonical_url="https://elsewhere.example/full",
    )

    item = client.get(detail_url(post)).json()

    assert set(item) == DETAIL_KEYS
    assert item["body_markdown"] == "# Title\n\n<script>alert(1)</script>Text.\n"
    assert '<h1 id="title">Title</h1>' in item["body_html"]
    assert "<script" not in item["body_html"]
    assert list(item["meta"].items()) == list(meta.items())
    assert item["canonical_url"] == "https://elsewhere.example/full"
    assert [a["name"] for a in item["authors"]] == ["Zed Writer", "Amy Helper"]


def test_unicode_slug_works_percent_encoded(client):
    post = published(title="老楊到處說：香港", slug="")

    response = client.get(detail_url(post))

    assert post.slug == "老楊到處說香港"
    assert response.status_code == 200
    assert response.json()["title"] == "老楊到處說：香港"


def test_unknown_slug_is_404(client):
    published(slug="exists")

    response = client.get("/api/v1/posts/missing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# Visibility ------------------------------------------------------------------------------


def test_drafts_and_scheduled_posts_are_absent_from_the_list(client):
    live = published(slug="live")
    draft(slug="secret-draft")
    scheduled(slug="future")

    body = client.get("/api/v1/posts/").json()

    assert body["count"] == 1
    assert slugs_of(body) == [live.slug]


def slugs_of(body) -> list[str]:
    return [item["slug"] for item in body["results"]]


@pytest.mark.parametrize("make", [draft, scheduled])
def test_unpublished_post_detail_is_404(client, make):
    post = make(slug="hidden")

    assert client.get(detail_url(post)).status_code == 404


@pytest.mark.parametrize("make", [draft, scheduled])
def test_unpublished_posts_are_not_found_by_search_or_filters(client, make):
    hidden = make(slug="hidden", title="Needle in the title")
    hidden.tags.set(["needle"])
    hidden.categories.set([Category.objects.create(name="Needles")])
    hidden.set_authors([AuthorFactory(name="Needle Writer")])

    for query in [
        "search=Needle",
        "tag=needle",
        "category=needles",
        "author=needle-writer",
    ]:
        body = client.get(f"/api/v1/posts/?{query}").json()
        assert body["count"] == 0, query
        assert body["results"] == [], query


def test_scheduled_post_appears_at_its_time_without_any_save(client):
    post = scheduled(slug="later", published_at=NOW + dt.timedelta(minutes=30))
    published(slug="earlier")
    assert slugs(client.get("/api/v1/posts/")) == ["earlier"]
    assert client.get(detail_url(post)).status_code == 404

    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        assert slugs(client.get("/api/v1/posts/")) == ["later", "earlier"]
        assert client.get(detail_url(post)).status_code == 200


# Staff and token access to unpublished posts ---------------------------------------------


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("editor", password="x", is_staff=True)


@pytest.fixture
def unpublished_mix(db):
    return {
        "live": published(slug="live"),
        "draft": draft(slug="a-draft"),
        "scheduled": scheduled(slug="coming"),
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("published", {"live"}),
        ("draft", {"a-draft"}),
        ("scheduled", {"coming"}),
        ("all", {"live", "a-draft", "coming"}),
    ],
)
def test_staff_session_may_ask_for_any_status(client, staff, unpublished_mix, status, expected):
    client.force_login(staff)

    response = client.get(f"/api/v1/posts/?status={status}")

    assert response.status_code == 200
    assert set(slugs(response)) == expected
    assert response["Cache-Control"] == "private, no-store"


def test_api_token_may_ask_for_drafts_and_sees_their_status(client, unpublished_mix):
    user = get_user_model().objects.create_user("frontend-build")

    response = client.get("/api/v1/posts/?status=all", **token_for(user))

    assert response.status_code == 200
    statuses = {item["slug"]: item["status"] for item in response.json()["results"]}
    assert statuses == {"live": "published", "a-draft": "draft", "coming": "scheduled"}
    assert response["Cache-Control"] == "private, no-store"


def test_staff_can_read_a_draft_by_slug_with_status(client, staff, unpublished_mix):
    client.force_login(staff)

    assert client.get("/api/v1/posts/a-draft/").status_code == 404
    response = client.get("/api/v1/posts/a-draft/?status=all")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_anonymous_status_draft_is_refused_naming_the_parameter(client, unpublished_mix):
    response = client.get("/api/v1/posts/?status=draft")

    assert response.status_code == 401
    assert "status" in response.json()
    assert response["WWW-Authenticate"] == "Token"


def test_logged_in_non_staff_user_cannot_ask_for_drafts(client, unpublished_mix):
    client.force_login(get_user_model().objects.create_user("reader", password="x"))

    response = client.get("/api/v1/posts/?status=draft")

    assert response.status_code == 403
    assert "status" in response.json()


def test_bad_token_is_401_not_a_silent_anonymous_view(client, unpublished_mix):
    response = client.get("/api/v1/posts/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401


def test_unknown_status_is_400(client, staff):
    client.force_login(staff)

    response = client.get("/api/v1/posts/?status=archived")

    assert response.status_code == 400
    assert "status" in response.json()


# Filters ---------------------------------------------------------------------------------


def test_tag_filter_takes_one_or_several_slugs(client):
    a = published(slug="a", tags=["python"])
    published(slug="b", tags=["日本語"])
    published(slug="c", tags=["rust"])
    both = published(slug="d", tags=["python", "日本語"])

    assert set(slugs(client.get("/api/v1/posts/?tag=python"))) == {a.slug, both.slug}
    body = client.get("/api/v1/posts/?tag=python,日本語").json()
    # A post with both tags is listed once.
    assert sorted(slugs_of(body)) == ["a", "b", "d"]
    assert body["count"] == 3


def test_category_filter(client):
    news, opinion = Category.objects.create(name="News"), Category.objects.create(name="Op")
    published(slug="n", categories=[news])
    published(slug="o", categories=[opinion])
    published(slug="both", categories=[news, opinion])
    published(slug="none")

    assert set(slugs(client.get("/api/v1/posts/?category=news"))) == {"n", "both"}
    assert sorted(slugs(client.get("/api/v1/posts/?category=news,op"))) == ["both", "n", "o"]


def test_author_filter_matches_any_position(client):
    ada, grace = AuthorFactory(name="Ada"), AuthorFactory(name="Grace")
    published(slug="ada-first", authors=[ada, grace])
    published(slug="grace-only", authors=[grace])
    published(slug="nobody")

    assert sorted(slugs(client.get("/api/v1/posts/?author=grace"))) == ["ada-first", "grace-only"]
    assert slugs(client.get("/api/v1/posts/?author=ada")) == ["ada-first"]


def test_unknown_filter_slug_gives_an_empty_list_not_an_error(client):
    published(slug="a", tags=["python"])

    response = client.get("/api/v1/posts/?tag=nope")

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_search_is_a_case_insensitive_substring_of_title_excerpt_or_body(client):
    published(slug="in-title", title="Learning PYTHON today")
    published(slug="in-excerpt", excerpt="All about python.")
    published(slug="in-body", body="Some text.\n\nDeep down: Python rocks.\n")
    published(slug="nowhere", title="Rust", body="Nothing here.")

    found = set(slugs(client.get("/api/v1/posts/?search=python")))

    assert found == {"in-title", "in-excerpt", "in-body"}


def test_search_finds_cjk_words_inside_text_without_spaces(client):
    published(slug="hk", title="今日新聞", body="老楊到處說香港人的故事，非常精彩。")
    published(slug="tw", title="台灣", body="台北的天氣很好。")

    assert slugs(client.get("/api/v1/posts/?search=香港人")) == ["hk"]
    assert slugs(client.get("/api/v1/posts/?search=香港")) == ["hk"]
    assert slugs(client.get("/api/v1/posts/?search=天氣")) == ["tw"]


def test_search_keeps_its_spaces(client):
    # Stripped, ` ab` matched like `ab`, and a search of spaces alone matched everything.
    published(slug="word", title="Jab at it")
    published(slug="start", title="An ab workout")
    published(slug="wide", title="全形　空白")

    assert slugs(client.get("/api/v1/posts/?search=%20ab")) == ["start"]
    assert slugs(client.get("/api/v1/posts/?search=%E3%80%80")) == ["wide"]


def test_search_treats_like_wildcards_literally(client):
    published(slug="percent", title="Growth of 100% this year")
    published(slug="plain", title="Growth of 1000 this year")

    assert slugs(client.get("/api/v1/posts/?search=100%25")) == ["percent"]
    assert slugs(client.get("/api/v1/posts/?search=_")) == []


def test_published_after_is_inclusive_and_published_before_exclusive(client):
    published(slug="d1", published_at=day(1))
    published(slug="d2", published_at=day(2))
    published(slug="d3", published_at=day(3))

    assert slugs(client.get("/api/v1/posts/?published_after=2026-02-03")) == ["d3", "d2"]
    assert slugs(client.get("/api/v1/posts/?published_before=2026-02-03")) == ["d1"]
    both = "/api/v1/posts/?published_after=2026-02-02&published_before=2026-02-04"
    # d1 at exactly 2026-02-02 is in, d3 at exactly 2026-02-04 is out.
    assert slugs(client.get(both)) == ["d2", "d1"]


def test_date_bounds_accept_datetimes_with_offsets(client):
    published(slug="morning", published_at=dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC))

    # 17:00 at +08:00 is 09:00 UTC: inclusive after, exclusive before.
    after = "/api/v1/posts/?published_after=2026-02-10T17:00:00%2B08:00"
    before = "/api/v1/posts/?published_before=2026-02-10T17:00:00%2B08:00"
    assert slugs(client.get(after)) == ["morning"]
    assert slugs(client.get(before)) == []
    assert slugs(client.get("/api/v1/posts/?published_after=2026-02-10T09:00:00Z")) == ["morning"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["c", "b", "a"]),
        ("-published_at", ["c", "b", "a"]),
        ("published_at", ["a", "b", "c"]),
        ("title", ["b", "c", "a"]),
        ("-title", ["a", "c", "b"]),
        ("updated_at", ["c", "a", "b"]),
        ("-updated_at", ["b", "a", "c"]),
        # A field's later terms change nothing (and no longer grow the ORDER BY).
        ("-title,title,-title", ["a", "c", "b"]),
        (",".join(["title"] * 2000), ["b", "c", "a"]),
    ],
)
def test_ordering(client, ordering, expected):
    with time_machine.travel(NOW - dt.timedelta(hours=3), tick=False):
        published(slug="c", title="Middle", published_at=day(3))
    with time_machine.travel(NOW - dt.timedelta(hours=2), tick=False):
        published(slug="a", title="Zebra", published_at=day(1))
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        published(slug="b", title="Apple", published_at=day(2))

    assert slugs(client.get(f"/api/v1/posts/?ordering={ordering}")) == expected


def test_pages_never_overlap_when_publication_times_tie(client):
    for number in range(7):
        published(slug=f"tie-{number}", published_at=day(5))

    seen = []
    for page in (1, 2, 3, 4):
        seen += slugs(client.get(f"/api/v1/posts/?page_size=2&page={page}"))

    assert sorted(seen) == sorted(f"tie-{n}" for n in range(7))
    assert len(seen) == 7


# Pagination ------------------------------------------------------------------------------


def test_default_page_size_is_20_and_links_follow_the_pages(client):
    for number in range(45):
        published(slug=f"p{number:02}", published_at=day(0) + dt.timedelta(minutes=number))

    first = client.get("/api/v1/posts/").json()
    assert first["count"] == 45
    assert len(first["results"]) == 20
    assert first["next"] == "http://testserver/api/v1/posts/?page=2"
    third = client.get("/api/v1/posts/?page=3").json()
    assert len(third["results"]) == 5
    assert third["next"] is None
    assert third["previous"] == "http://testserver/api/v1/posts/?page=2"
    second = client.get("/api/v1/posts/?page=2").json()
    assert second["previous"] == "http://testserver/api/v1/posts/"


@pytest.mark.parametrize("ordering", ["", "published_at", "-updated_at", "title", "-title"])
@pytest.mark.parametrize("tag", ["", "python"])
@pytest.mark.parametrize("ids_first_max", [1000, 5])  # 5: a filtered list too long for it
def test_later_pages_follow_the_order_of_the_whole_list(
    client, monkeypatch, ordering, tag, ids_first_max
):
    monkeypatch.setattr("posts.api.post_list.IDS_FIRST_MAX", ids_first_max)
    for number in range(11):
        published(
            slug=f"p{number:02}",
            title=f"Title {number % 4}",  # ties, broken by id
            published_at=day(number % 3),
            tags=["python"] if number % 5 else [],
        )
    query = f"ordering={ordering}&tag={tag}"
    whole = slugs(client.get(f"/api/v1/posts/?page_size=100&{query}"))

    paged = []
    for page in (1, 2, 3, 4):
        response = client.get(f"/api/v1/posts/?page_size=3&page={page}&{query}")
        if response.status_code == 404:
            break
        assert response.json()["count"] == len(whole)
        paged += slugs(response)

    assert paged == whole
    assert len(whole) == (8 if tag else 11)


def test_page_size_up_to_100(client):
    for number in range(3):
        published(slug=f"p{number}")

    body = client.get("/api/v1/posts/?page_size=2&tag=&search=").json()
    assert len(body["results"]) == 2
    assert body["next"].endswith("page_size=2&tag=&search=&page=2")
    assert client.get("/api/v1/posts/?page_size=100").status_code == 200


def test_links_keep_other_parameters_percent_encoded(client):
    for number in range(3):
        published(slug=f"hk{number}", title=f"香港 {number}")

    body = client.get("/api/v1/posts/?search=%E9%A6%99%E6%B8%AF&page_size=1").json()

    assert body["next"] == (
        "http://testserver/api/v1/posts/?search=%E9%A6%99%E6%B8%AF&page_size=1&page=2"
    )


def test_page_past_the_end_is_404(client):
    published()

    response = client.get("/api/v1/posts/?page=2")

    assert response.status_code == 404
    assert "past the last page" in response.json()["detail"]


def test_last_page_keyword(client):
    for number in range(3):
        published(slug=f"p{number}", published_at=day(number))

    assert slugs(client.get("/api/v1/posts/?page_size=2&page=last")) == ["p0"]


def test_first_page_of_an_empty_list_is_200(client):
    response = client.get("/api/v1/posts/")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


# Sparse fieldsets ------------------------------------------------------------------------


def test_fields_returns_exactly_the_named_keys(client):
    published(slug="one", title="One")

    item = client.get("/api/v1/posts/?fields=slug,title").json()["results"][0]

    assert item == {"slug": "one", "title": "One"}


def test_fields_may_name_detail_fields_on_the_list(client):
    published(slug="one", body="**Bold** text.")

    item = client.get("/api/v1/posts/?fields=slug,body_html,meta").json()["results"][0]

    assert item == {"slug": "one", "body_html": "<p><strong>Bold</strong> text.</p>\n", "meta": {}}


@pytest.mark.parametrize("fields", ["", ",", " , ,"])
def test_fields_naming_nothing_give_the_default_fields(client, fields):
    published(slug="one")

    default = client.get("/api/v1/posts/").json()["results"][0]
    item = client.get(f"/api/v1/posts/?fields={fields}").json()["results"][0]

    assert item == default
    assert "slug" in item


def test_fields_on_detail_and_with_relations(client):
    post = rich_post(slug="rich")

    item = client.get(detail_url(post) + "?fields=tags,authors").json()

    assert set(item) == {"tags", "authors"}
    assert [a["slug"] for a in item["authors"]] == ["zed-writer", "amy-helper"]


# Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("published_after=yesterday", "published_after"),
        ("published_after=2026-13-01", "published_after"),
        ("published_before=2026-02-30", "published_before"),
        ("published_before=2026-02-01T25:00:00", "published_before"),
        ("published_after=0001-01-01T00:00:00%2B01:00", "published_after"),
        ("published_before=9999-12-31T23:59:59-01:00", "published_before"),
        ("ordering=price", "ordering"),
        ("ordering=-id", "ordering"),
        ("ordering=title,bogus", "ordering"),
        ("fields=slug,nope", "fields"),
        ("fields=password", "fields"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=-5", "page_size"),
        ("page_size=ten", "page_size"),
        ("page_size=1.5", "page_size"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=two", "page"),
        ("search=" + "x" * 201, "search"),
        ("tag=" + ",".join(f"t{n}" for n in range(51)), "tag"),
    ],
)
def test_bad_parameter_is_400_naming_it(client, query, parameter):
    published()

    response = client.get(f"/api/v1/posts/?{query}")

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [parameter]
    assert body[parameter][0]


@pytest.mark.parametrize("parameter", ["ordering", "page_size", "page", "fields"])
def test_a_400_does_not_echo_a_long_bad_value_whole(client, parameter):
    response = client.get(f"/api/v1/posts/?{parameter}={'x' * 60_000}")

    assert response.status_code == 400
    assert len(response.content) < 300
    assert "xxxxxxxxxx" in response.json()[parameter][0]  # still shows what was sent


def test_preview_parameter_on_a_list_is_400(client):
    response = client.get("/api/v1/posts/?preview=abc")

    assert response.status_code == 400
    assert "preview" in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/posts/", "/api/v1/posts/x/", "/api/v1/tags/"])
def test_writes_are_405(client, method, url):
    published(slug="x", tags=["t"])

    response = getattr(client, method)(url, data={}, content_type="application/json")

    assert response.status_code == 405
    assert Post.objects.filter(slug="x").exists()


def test_writes_are_405_for_a_logged_in_staff_user_too(client):
    staff = get_user_model().objects.create_user("boss", password="x", is_staff=True)
    client.force_login(staff)
    post = published(slug="keep")

    response = client.delete(detail_url(post))

    assert response.status_code == 405
    assert Post.objects.filter(pk=post.pk).exists()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/posts", "/api/v1/posts/x", "/api/v1/tags"])
def test_writes_without_the_trailing_slash_are_405_not_a_redirect(
    client, settings, debug, method, url
):
    # A redirect would have the client repeat the write as a GET, and Django's DEBUG mode
    # raises on it (a 500) instead of redirecting.
    settings.DEBUG = debug
    published(slug="x", tags=["t"])

    response = getattr(client, method)(url, data={}, content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "not allowed" in response.json()["detail"]
    assert Post.objects.filter(slug="x").exists()


def test_a_write_to_an_unknown_url_without_the_slash_is_the_json_404(client):
    response = client.post("/api/v1/nothing-here", data={}, content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_reads_without_the_trailing_slash_redirect_keeping_the_query(client):
    response = client.get("/api/v1/posts?page=2&search=%E9%A6%99")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/posts/?page=2&search=%E9%A6%99"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/api/v1/posts/a%3Fb", "/api/v1/posts/a%3Fb/"),
        ("/api/v1/posts/100%25", "/api/v1/posts/100%25/"),
        ("/api/v1/posts/a%23b", "/api/v1/posts/a%23b/"),
        ("/api/v1/posts/%E9%A6%99", "/api/v1/posts/%E9%A6%99/"),
    ],
)
def test_the_slash_redirect_keeps_the_path_percent_encoded(client, path, location):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == location
