"""CORS: exactly the configured origins, read methods only, validators exposed."""

import pytest

from tests.api_helpers import published

pytestmark = pytest.mark.django_db

FRONT = "https://www.example.com"
OTHER_FRONT = "https://preview.example.com"


@pytest.fixture(autouse=True)
def _origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT, OTHER_FRONT]


def test_allowed_origin_is_echoed_exactly_and_etag_is_exposed(client):
    published()

    response = client.get("/api/v1/posts/", HTTP_ORIGIN=FRONT)

    assert response["Access-Control-Allow-Origin"] == FRONT
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response


def test_other_origins_get_no_cors_headers(client):
    published()

    response = client.get("/api/v1/posts/", HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_a_cached_response_carries_the_header_for_the_asking_origin(client):
    published()
    client.get("/api/v1/posts/", HTTP_ORIGIN=FRONT)

    again = client.get("/api/v1/posts/", HTTP_ORIGIN=OTHER_FRONT)
    bare = client.get("/api/v1/posts/", HTTP_ORIGIN="https://evil.example")

    assert again["Access-Control-Allow-Origin"] == OTHER_FRONT
    assert "Access-Control-Allow-Origin" not in bare


def test_preflight_allows_read_methods_only(client):
    response = client.options(
        "/api/v1/posts/", HTTP_ORIGIN=FRONT, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}


def test_feeds_are_readable_cross_origin(client):
    published()

    response = client.get("/feeds/rss/", HTTP_ORIGIN=FRONT)

    assert response["Access-Control-Allow-Origin"] == FRONT


def test_no_origin_is_allowed_when_none_is_configured(client, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    published()

    response = client.get("/api/v1/posts/", HTTP_ORIGIN=FRONT)

    assert "Access-Control-Allow-Origin" not in response


def test_preflight_lets_a_front_end_revalidate_with_the_validators_it_read(client):
    response = client.options(
        "/api/v1/posts/",
        HTTP_ORIGIN=FRONT,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, if-modified-since",
    )

    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"if-none-match", "if-modified-since", "authorization"} <= allowed


def test_a_throttled_front_end_can_read_how_long_to_wait(client, settings):
    # Retry-After is not a CORS-safelisted header: without exposing it, a script on an
    # allowed origin saw the 429 but not when to try again.
    settings.CMS_API_ANON_THROTTLE = "1/minute"
    published()

    codes = [client.get("/api/v1/posts/", HTTP_ORIGIN=FRONT).status_code for _ in range(2)]
    limited = client.get("/api/v1/posts/", HTTP_ORIGIN=FRONT)

    assert codes == [200, 429]
    assert limited["Retry-After"]
    exposed = {h.strip().lower() for h in limited["Access-Control-Expose-Headers"].split(",")}
    assert "retry-after" in exposed
