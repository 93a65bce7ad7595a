"""HTTP caching: validators, 304s, Cache-Control, and a server cache that is never stale."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.http import http_date

from posts.api.caching import invalidate
from posts.models import Author, Category, Post, Tag
from tests.api_helpers import (
    NOW,
    detail_url,
    draft,
    later,
    published,
    scheduled,
    slugs,
    token_for,
)
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/posts/"


@pytest.fixture(autouse=True)
def _frozen_clock(frozen_clock):
    return frozen_clock


URLS = [
    LIST,
    "/api/v1/posts/?tag=python&fields=slug",
    "/api/v1/posts/cached/",
    "/api/v1/authors/",
    "/api/v1/authors/ada/",
    "/api/v1/categories/",
    "/api/v1/categories/news/",
    "/api/v1/tags/",
    "/api/v1/tags/python/",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/tags/python/rss/",
    "/feeds/categories/news/atom/",
    "/sitemap.xml",
]


@pytest.fixture
def content(db):
    post = published(slug="cached", tags=["python"], authors=[AuthorFactory(name="Ada")])
    post.categories.set([Category.objects.create(name="News")])
    return post


@pytest.mark.parametrize("url", URLS)
def test_every_list_and_detail_has_validators_and_public_cache_control(client, content, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("url", URLS)
def test_if_none_match_answers_304_with_the_same_validators(
    client, content, url, django_assert_num_queries
):
    first = client.get(url)

    # One query: the content state. Nothing is looked up, serialised or rendered.
    with django_assert_num_queries(1):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    # RFC 9110, 8.6: no Content-Length on a 304 unless it is the 200's (it was 0).
    assert "Content-Length" not in again
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/sitemap.xml"])
def test_feeds_and_the_sitemap_answer_304_whatever_the_accept_header(client, content, url):
    # They send no `Vary: Accept`, so a shared cache revalidates one copy with whichever
    # client's Accept comes next: the ETag must not depend on it.
    first = client.get(url)
    assert "Accept" not in first.get("Vary", "")

    again = client.get(
        url, HTTP_ACCEPT="application/rss+xml, */*;q=0.5", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304
    assert "Content-Length" not in again


def test_if_modified_since_answers_304_until_something_changes(client, content):
    with later(5):
        first = client.get(LIST)
        since = first["Last-Modified"]
        assert client.get(LIST, HTTP_IF_MODIFIED_SINCE=since).status_code == 304

        content.title = "Renamed"
        content.save()
    with later(10):
        response = client.get(LIST, HTTP_IF_MODIFIED_SINCE=since)
        assert response.status_code == 200
        assert response.json()["results"][0]["title"] == "Renamed"


def test_a_change_in_the_same_second_is_not_hidden_by_if_modified_since(client, content):
    """Last-Modified has whole seconds: a copy made in the second of a change must not
    validate against a second change later in that same second."""
    invalidate()  # a change at NOW
    first = client.get(LIST)
    with later(0.4):
        content.title = "Changed again, same second"
        content.save()
    with later(3):
        response = client.get(LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == "Changed again, same second"


def test_if_none_match_wins_over_if_modified_since(client, content):
    with later(5):
        first = client.get(LIST)
        response = client.get(
            LIST,
            HTTP_IF_NONE_MATCH='W/"something-else"',
            HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
        )

    assert response.status_code == 200


def test_stale_etag_gets_the_new_content(client, content):
    etag = client.get(LIST)["ETag"]
    published(slug="newer", published_at=NOW - dt.timedelta(minutes=1))

    response = client.get(LIST, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert slugs(response)[0] == "newer"


def test_if_none_match_star_needs_the_resource_to_exist(client, content):
    assert client.get(detail_url(content), HTTP_IF_NONE_MATCH="*").status_code == 304
    assert client.get("/api/v1/posts/nope/", HTTP_IF_NONE_MATCH="*").status_code == 404


@pytest.mark.parametrize("url", [detail_url("cached"), LIST, "/feeds/rss/"])
@pytest.mark.parametrize(
    "headers, status",
    [
        ({"HTTP_IF_NONE_MATCH": "*"}, 304),
        ({"HTTP_IF_MATCH": '"someone-elses"'}, 412),
        ({"HTTP_IF_UNMODIFIED_SINCE": "Mon, 01 Jan 1990 00:00:00 GMT"}, 412),
    ],
)
def test_conditions_on_an_existing_resource_hold_for_cached_copies_too(
    client, content, url, headers, status
):
    # The first request makes the response (and caches it), the second is served the copy.
    assert [client.get(url, **headers).status_code for _ in range(2)] == [status, status]


def test_if_match_is_checked_for_authenticated_clients(client, content):
    headers = token_for(get_user_model().objects.create_user("build-bot"))

    response = client.get(LIST, HTTP_IF_MATCH='"someone-elses"', **headers)

    assert response.status_code == 412
    assert response["Cache-Control"] == "private, no-store"


def test_api_responses_and_their_304s_vary_on_accept(client, content):
    first = client.get(LIST)
    not_modified = client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    for response in (first, not_modified):
        assert "accept" in response["Vary"].lower()


def test_an_empty_accept_header_is_not_served_the_copy_made_for_no_header(client, content):
    assert client.get(LIST).status_code == 200

    assert client.get(LIST, HTTP_ACCEPT="").status_code == 406


def test_garbage_conditional_headers_are_ignored(client, content):
    response = client.get(
        LIST, HTTP_IF_NONE_MATCH="not an etag\x01", HTTP_IF_MODIFIED_SINCE="yesterday-ish"
    )

    assert response.status_code == 200


def test_errors_get_no_validators(client, content):
    response = client.get("/api/v1/posts/?page=9")

    assert response.status_code == 404
    assert "ETag" not in response and "Last-Modified" not in response
    # A lifetime all the same, or shared caches choose their own for a 404.
    assert response["Cache-Control"] == "public, max-age=60"
    assert client.get("/api/v1/posts/?ordering=nope").get("Cache-Control") is None


# The server-side response cache ----------------------------------------------------------


def test_a_repeated_request_is_served_from_the_cache(client, content, django_assert_num_queries):
    first = client.get(LIST)

    with django_assert_num_queries(1):
        again = client.get(LIST)

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", URLS)
def test_a_cached_copy_has_the_same_headers_as_the_first_response(client, content, url):
    first = client.get(url)
    again = client.get(url)

    assert again.content == first.content
    assert dict(again.headers) == dict(first.headers)
    # Anonymous responses are the same whatever cookies a client sends, so a shared
    # cache (a CDN) may keep one copy for everyone.
    assert "Cookie" not in again.get("Vary", "")


def _rename(obj):
    obj.name = obj.name + " renamed"
    obj.save()


def _unpublish(post):
    post.status = Post.Status.DRAFT
    post.save()


def _retitle(post):
    post.title = "New title"
    post.save()


CHANGES = {
    "post saved": _retitle,
    "post unpublished": _unpublish,
    "post deleted": lambda post: post.delete(),
    "author renamed": lambda post: _rename(Author.objects.get(slug="ada")),
    "authors reordered": lambda post: post.set_authors(
        [AuthorFactory(name="Bea"), *post.ordered_authors]
    ),
    "author deleted": lambda post: Author.objects.get(slug="ada").delete(),
    "category renamed": lambda post: _rename(Category.objects.get(slug="news")),
    "category removed from post": lambda post: post.categories.clear(),
    "category added to post": lambda post: post.categories.add(
        Category.objects.create(name="Extra")
    ),
    "tag added": lambda post: post.tags.add("rust"),
    "tag removed": lambda post: post.tags.remove("python"),
    "tag renamed": lambda post: _rename(Tag.objects.get(slug="python")),
    "tag deleted": lambda post: Tag.objects.get(slug="python").delete(),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_any_change_through_the_orm_invalidates_cached_responses(client, content, change):
    before = {url: client.get(url).content for url in URLS}

    CHANGES[change](content)
    after = {url: client.get(url).content for url in URLS}

    assert any(after[url] != before[url] for url in URLS), "no response changed"
    # Every response is what a server with an empty cache says now.
    cache.clear()
    assert after == {url: client.get(url).content for url in URLS}


def test_giving_authors_to_a_post_without_any_invalidates(client):
    post = published(slug="lonely")
    author = AuthorFactory(name="Late Author")
    assert client.get(detail_url(post)).json()["authors"] == []

    post.set_authors([author])  # bulk_create inside: no signal of its own

    assert client.get(detail_url(post)).json()["authors"] == [
        {"name": "Late Author", "slug": "late-author"}
    ]


def test_bulk_writes_are_seen_after_invalidate(client, content):
    cached = client.get(LIST).json()
    Post.objects.filter(pk=content.pk).update(title="Bulk-updated")  # sends no signal
    # Until invalidate() is called, a bulk write is invisible to the cache; the importer
    # calls it after each run.
    assert client.get(LIST).json() == cached

    invalidate()

    assert client.get(LIST).json()["results"][0]["title"] == "Bulk-updated"


def test_a_rolled_back_change_does_not_invalidate(client, content, django_assert_num_queries):
    from django.db import transaction

    client.get(LIST)
    with pytest.raises(RuntimeError), transaction.atomic():
        content.title = "Never committed"
        content.save()
        raise RuntimeError

    with django_assert_num_queries(1):
        assert client.get(LIST).json()["results"][0]["title"] != "Never committed"


def test_scheduled_post_shows_at_its_time_although_the_list_was_cached(client, content):
    scheduled(slug="at-noon-thirty", published_at=NOW + dt.timedelta(minutes=30))
    early = client.get(LIST)
    assert slugs(early) == ["cached"]
    # The server cache and browsers may not keep the list past the publication time.
    assert early["Cache-Control"] == "public, max-age=60"

    with later(30 * 60 - 20):
        assert client.get(LIST)["Cache-Control"] == "public, max-age=20"
        assert slugs(client.get(LIST)) == ["cached"]
    with later(30 * 60):
        response = client.get(LIST, HTTP_IF_NONE_MATCH=early["ETag"])
        assert response.status_code == 200
        assert slugs(response) == ["at-noon-thirty", "cached"]
        assert client.get(detail_url("at-noon-thirty")).status_code == 200


def test_a_scheduled_posts_404_is_not_kept_past_its_publication_time(client, content):
    # Without a lifetime a shared cache may keep a 404 as long as it likes.
    scheduled(slug="at-noon-thirty", published_at=NOW + dt.timedelta(minutes=30), tags=["soon"])

    with later(30 * 60 - 20):
        for url in [detail_url("at-noon-thirty"), "/feeds/tags/soon/rss/"]:
            response = client.get(url)
            assert response.status_code == 404
            assert response["Cache-Control"] == "public, max-age=20"


def test_server_cache_can_be_turned_off(client, content, settings, django_assert_num_queries):
    settings.CMS_API_CACHE_SECONDS = 0
    client.get(LIST)

    # The content state (with the list's count), posts and their relations: nothing from
    # the cache.
    with django_assert_num_queries(3):
        assert client.get(LIST).status_code == 200


def test_max_age_follows_the_setting(client, content, settings):
    settings.CMS_API_MAX_AGE = 300

    assert client.get(LIST)["Cache-Control"] == "public, max-age=300"


def test_last_modified_is_the_latest_change(client, content):
    with later(120):
        invalidate()
    with later(200):
        response = client.get(LIST)

    assert response["Last-Modified"] == http_date((NOW + dt.timedelta(seconds=120)).timestamp())


# Private responses -----------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("editor", password="x", is_staff=True)


def test_authenticated_responses_are_private_and_never_cached(client, content, staff):
    client.force_login(staff)

    first = client.get(LIST)
    second = client.get("/api/v1/posts/?status=all")

    for response in (first, second):
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert response["ETag"]


def test_private_conditional_request_gets_304(client, content):
    user = get_user_model().objects.create_user("build-bot")
    headers = token_for(user)
    etag = client.get("/api/v1/posts/?status=all", **headers)["ETag"]

    response = client.get("/api/v1/posts/?status=all", HTTP_IF_NONE_MATCH=etag, **headers)

    assert response.status_code == 304
    assert response["Cache-Control"] == "private, no-store"


def test_staff_who_are_no_longer_staff_get_403_not_304(client, content, staff):
    client.force_login(staff)
    url = "/api/v1/posts/?status=all"
    etag = client.get(url)["ETag"]
    staff.is_staff = False
    staff.save()

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 403


def test_a_stale_session_cookie_gets_the_public_cached_response(
    client, content, django_assert_num_queries
):
    """A logged-out browser still sends its old session cookie: it is an anonymous client.

    The session middleware deletes that cookie in the response, so the response is not
    for shared caches: a CDN keeping it would delete other visitors' session cookies.
    """
    first = client.get(LIST)
    client.cookies["sessionid"] = "expired-or-made-up"

    with django_assert_num_queries(2):  # the session lookup, the content state
        again = client.get(LIST)

    assert again.content == first.content
    assert again.cookies["sessionid"].value == ""  # deleted
    assert again["Cache-Control"] == "private, no-store"
    # Without the cookie, the same list is public again.
    del client.cookies["sessionid"]
    assert client.get(LIST)["Cache-Control"].startswith("public")


def test_if_modified_since_alone_never_turns_an_error_into_a_304(client, content):
    """HTTP has a server ignore conditions where the answer would not be a 2xx."""
    future = http_date((NOW + dt.timedelta(days=3650)).timestamp())
    for url in (
        detail_url("no-such-post"),
        "/api/v1/tags/no-such-tag/",
        LIST + "?page=99",
        LIST + "?ordering=bogus",
        LIST + "?status=draft",
        "/feeds/tags/no-such-tag/rss/",
    ):
        plain = client.get(url).status_code
        assert plain >= 400, url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=future).status_code == plain, url
    # A resource that exists is still answered 304, from the view or the cache.
    for _ in range(2):
        assert client.get(LIST, HTTP_IF_MODIFIED_SINCE=future).status_code == 304


def test_staff_get_the_same_public_feed(client, content, staff):
    anonymous = client.get("/feeds/rss/")
    client.force_login(staff)

    response = client.get("/feeds/rss/")

    assert response["Cache-Control"].startswith("public")
    assert response.content == anonymous.content


def test_a_draft_seen_by_staff_never_reaches_anonymous_clients(client, content, staff):
    draft(slug="staff-only")
    url = "/api/v1/posts/?status=all"
    client.force_login(staff)
    assert "staff-only" in slugs(client.get(url))

    client.logout()
    assert client.get(url).status_code == 401
    assert "staff-only" not in slugs(client.get(LIST))


# Throttling ------------------------------------------------------------------------------


def test_anonymous_throttling_counts_cached_responses_too(client, content, settings):
    settings.CMS_API_ANON_THROTTLE = "3/minute"

    codes = [client.get(LIST).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    limited = client.get(LIST)
    assert limited["Retry-After"]
    assert "throttled" in limited.json()["detail"]


def test_a_made_up_forwarded_for_address_does_not_escape_the_throttle(client, content, settings):
    settings.CMS_API_ANON_THROTTLE = "2/minute"

    codes = [client.get(LIST, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]

    assert codes == [200, 200, 429]


def test_behind_a_proxy_each_forwarded_client_has_its_own_rate(client, content, settings):
    settings.CMS_API_ANON_THROTTLE = "1/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def get(address):
        # The proxy appends the address it saw to whatever the client sent.
        return client.get(LIST, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {address}").status_code

    assert [get("198.51.100.1"), get("198.51.100.2"), get("198.51.100.1")] == [200, 200, 429]


def test_throttled_responses_do_not_vary_on_cookies(client, content, settings):
    settings.CMS_API_ANON_THROTTLE = "100/minute"

    response = client.get(LIST)

    assert "Cookie" not in response.get("Vary", "")


def test_authenticated_clients_are_not_throttled(client, content, settings):
    settings.CMS_API_ANON_THROTTLE = "1/minute"
    headers = token_for(get_user_model().objects.create_user("bot"))

    assert [client.get(LIST, **headers).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("header", ["Bearer x", "Basic eDp5", "x", "token-ish abc"])
def test_an_authorization_header_that_is_no_token_is_throttled_and_cached_as_anonymous(
    client, content, settings, header
):
    # DRF ignores these schemes and answers with the public list: so must the throttle and
    # the cache, or any made-up header escaped both.
    settings.CMS_API_ANON_THROTTLE = "2/minute"

    responses = [client.get(LIST, HTTP_AUTHORIZATION=header) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert responses[0]["Cache-Control"].startswith("public")


def test_throttling_is_off_by_default(client, content):
    assert all(client.get(LIST).status_code == 200 for _ in range(30))


def test_an_import_run_invalidates_cached_responses(client, content, tmp_path):
    """The importer writes in bulk (no signals); its posts must show at once all the same."""
    from posts.markdown_io.importer import import_folder

    before = client.get(LIST).json()
    post_file = tmp_path / "_posts" / "2020-01-02-older.md"
    post_file.parent.mkdir()
    # Older than the cached newest post, so only the importer's invalidation can reveal it.
    post_file.write_text("---\ntitle: Imported earlier\ndate: 2020-01-02\n---\nText.\n")

    import_folder(tmp_path)

    after = client.get(LIST).json()
    assert after["count"] == before["count"] + 1
    assert "Imported earlier" in [result["title"] for result in after["results"]]

    post_file.write_text("---\ntitle: Imported, then edited\ndate: 2020-01-02\n---\nText.\n")
    import_folder(tmp_path)

    titles = [result["title"] for result in client.get(LIST).json()["results"]]
    assert "Imported, then edited" in titles


def test_merging_tags_in_the_admin_invalidates_cached_responses(client, content):
    from posts.admin.actions import merge_tags

    other = published(slug="other", tags=["py"])
    assert client.get(LIST + "?tag=python").json()["count"] == 1

    merge_tags(target=Tag.objects.get(name="python"), others=[Tag.objects.get(name="py")])

    assert client.get(LIST + "?tag=python").json()["count"] == 2
    assert other.slug in slugs(client.get(LIST + "?tag=python"))
