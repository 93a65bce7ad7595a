"""Nothing a client can send produces a 500."""

import pytest
from django.test import Client

from tests.api_helpers import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def raw_client():
    # A server error comes back as a 500 response instead of being raised in the test.
    return Client(raise_request_exception=False)


NASTY_QUERIES = [
    "search=%00",
    "tag=%00",
    "category=a%00b",
    "author=%FF%FE",
    "search=%FF%FE%FD",
    "search=%ED%A0%80",  # an encoded UTF-16 surrogate: invalid UTF-8
    "fields=%00",
    "ordering=%00",
    "status=%00",
    "page=%00",
    "page_size=%00",
    "published_after=%00",
    "published_before=2026-01-01%00",
    "page=99999999999999999999999999999999999999",
    "page=" + "9" * 5000,
    "page_size=" + "9" * 5000,
    "page=%EF%BC%91",  # a full-width digit one
    "published_after=99999-01-01",
    "published_after=2026-01-01T00:00:00%2B99:00",
    "published_after=-0001-01-01",
    "search=" + "%E9%A6%99" * 200,
    "tag=" + ",".join(["x" * 300] * 50),
    "tag=,,,,,",
    "fields=,,,",
    "ordering=,-,--title",
    "search=%25%25%5C_",
    # FTS5 query syntax, which SQLite's search index must read as plain text.
    "search=%22",
    "search=a%22b%22*",
    "search=NEAR(a%20b)%20OR%20-x",
    "search=%22%22%22%22",
    "search=%EF%BF%BE%EF%BF%BF",  # U+FFFE U+FFFF, which SQLite reads as U+FFFD
    "format=xml",
    "page=1&page=2&page=x",
]


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_nasty_query_strings_never_cause_a_server_error(raw_client, query):
    published(tags=["t"])

    for path in ["/api/v1/posts/", "/api/v1/tags/", "/feeds/rss/"]:
        response = raw_client.get(f"{path}?{query}")
        assert response.status_code < 500, (path, query, response.content[:300])


NASTY_PATHS = [
    "/api/v1/posts/%00/",
    "/api/v1/posts/%FF/",
    "/api/v1/posts/" + "x" * 5000 + "/",
    "/api/v1/posts/%E9%A6%99%00/",
    "/api/v1/tags/%00/",
    "/api/v1/authors/%C0%AF/",
    "/feeds/categories/%00/atom/",
    "/api/v1/posts/a.b/",
]


@pytest.mark.parametrize("path", NASTY_PATHS)
def test_nasty_paths_are_404_not_500(raw_client, path):
    published()

    response = raw_client.get(path)

    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["/api/v1/posts/a/b/", "/api/v1/", "/api/v1/nothing-here/"])
def test_unknown_api_urls_get_the_api_s_json_404(raw_client, path):
    response = raw_client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_missing_trailing_slash_still_redirects(raw_client):
    response = raw_client.get("/api/v1/posts")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/posts/"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_IF_NONE_MATCH": '"\x00"'},
        {"HTTP_IF_MODIFIED_SINCE": "Mon, 99 Foo 99999 99:99:99 GMT"},
        {"HTTP_IF_MATCH": '"nope"'},
        {"HTTP_IF_UNMODIFIED_SINCE": "Thu, 01 Jan 1970 00:00:00 GMT"},
        {"HTTP_ACCEPT": "text/html"},
        {"HTTP_ACCEPT": "\x00/\x00"},
        {"HTTP_AUTHORIZATION": "Token"},
        {"HTTP_AUTHORIZATION": "Token a b c"},
        {"HTTP_AUTHORIZATION": "Token \u00e9\u00e9"},
        {"HTTP_COOKIE": "sessionid=garbage"},
    ],
)
def test_odd_headers_never_cause_a_server_error(raw_client, headers):
    published()

    response = raw_client.get("/api/v1/posts/", **headers)

    assert response.status_code < 500


# Pages that only read and are not DRF views (which answer 405 themselves).
READ_ONLY_PAGES = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/tags/t/rss/",
    "/sitemap.xml",
    "/api/v1/docs/",
]


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "POST", "PUT", "PATCH", "DELETE"])
def test_feeds_sitemap_and_docs_answer_other_methods_with_405(raw_client, method):
    published(tags=["t"])

    for path in READ_ONLY_PAGES:
        response = raw_client.generic(method, path)

        assert response.status_code == 405, (path, response.status_code)
        assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/api/v1/posts/", "/api/v1/schema/", "/api/v1/docs/"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_writes_with_an_admin_session_are_405_not_a_csrf_403(admin_user, path, method):
    # A CSRF 403 suggests the write could work with a token; no write ever does.
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.generic(method, path)

    assert response.status_code == 405, (path, response.content)
    assert "POST" not in response["Allow"]
