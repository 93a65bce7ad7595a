"""Signed, expiring preview tokens: one unpublished post, nothing else, not for long."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from posts.preview import PreviewTokenError, make_preview_token, preview_url, read_preview_token
from tests.api_helpers import NOW, detail_url, draft, published, scheduled, slugs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_preview_token_opens_its_draft(client):
    post = draft(slug="wip", title="Work in progress", body="Not *yet*.")
    token = make_preview_token(post)

    response = client.get(detail_url(post), {"preview": token})

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Work in progress"
    assert body["status"] == "draft"
    assert body["body_html"] == "<p>Not <em>yet</em>.</p>\n"
    assert response["Cache-Control"] == "private, no-store"


def test_preview_token_opens_a_scheduled_post(client):
    post = scheduled(slug="soon")

    response = client.get(detail_url(post), {"preview": make_preview_token(post)})

    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"


def test_preview_token_opens_no_other_post(client):
    mine = draft(slug="mine")
    other = draft(slug="other")
    token = make_preview_token(mine)

    assert client.get(detail_url(other), {"preview": token}).status_code == 404
    assert client.get(detail_url(mine), {"preview": token}).status_code == 200


def test_preview_token_does_not_open_lists(client):
    post = draft(slug="mine")
    published(slug="public")

    response = client.get("/api/v1/posts/", {"preview": make_preview_token(post)})

    assert response.status_code == 400
    assert "mine" not in response.content.decode()
    assert slugs(client.get("/api/v1/posts/")) == ["public"]


def test_preview_token_expires(client, settings):
    settings.CMS_PREVIEW_MAX_AGE = 3600
    post = draft(slug="wip")
    token = make_preview_token(post)

    with time_machine.travel(NOW + dt.timedelta(minutes=59), tick=False):
        assert client.get(detail_url(post), {"preview": token}).status_code == 200
    with time_machine.travel(NOW + dt.timedelta(minutes=61), tick=False):
        response = client.get(detail_url(post), {"preview": token})

    assert response.status_code == 403
    assert "expired" in response.json()["preview"][0]


def test_an_expired_preview_link_cannot_revalidate_its_copy(client, settings):
    settings.CMS_PREVIEW_MAX_AGE = 3600
    post = draft(slug="wip")
    token = make_preview_token(post)
    etag = client.get(detail_url(post), {"preview": token})["ETag"]

    with time_machine.travel(NOW + dt.timedelta(minutes=59), tick=False):
        fresh = client.get(detail_url(post), {"preview": token}, HTTP_IF_NONE_MATCH=etag)
    with time_machine.travel(NOW + dt.timedelta(minutes=61), tick=False):
        expired = client.get(detail_url(post), {"preview": token}, HTTP_IF_NONE_MATCH=etag)

    assert fresh.status_code == 304
    assert expired.status_code == 403


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "eyJwb3N0IjoxfQ:1vxyz:forged-signature", "\u9999" * 40, "a:b:c:d"],
)
def test_forged_or_garbled_token_is_403(client, token):
    post = draft(slug="wip")

    response = client.get(detail_url(post), {"preview": token})

    assert response.status_code == 403
    assert "preview" in response.json()


def test_token_made_with_another_secret_key_is_refused(client, settings):
    post = draft(slug="wip")
    settings.SECRET_KEY = "another-secret-key-that-signed-this-token-000000000000"
    token = make_preview_token(post)
    settings.SECRET_KEY = "the-real-secret-key-of-this-site-1111111111111111111111"

    assert client.get(detail_url(post), {"preview": token}).status_code == 403


def test_token_follows_the_post_across_a_slug_change(client):
    post = draft(slug="first-slug")
    token = make_preview_token(post)
    post.slug = "second-slug"
    post.save()

    assert client.get(detail_url("second-slug"), {"preview": token}).status_code == 200
    assert client.get(detail_url("first-slug"), {"preview": token}).status_code == 404


def test_preview_of_a_published_post_is_private_too(client):
    post = published(slug="live")

    response = client.get(detail_url(post), {"preview": make_preview_token(post)})

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_read_preview_token_returns_the_post_key():
    class Stub:
        pk = 41

    assert read_preview_token(make_preview_token(Stub())) == 41
    with pytest.raises(PreviewTokenError):
        read_preview_token(make_preview_token(Stub()), max_age=-1)


def test_preview_url_points_at_the_front_end(settings):
    settings.CMS_POST_URL = "https://www.example.com/p/{slug}/"
    post = draft(slug="wip")

    url = preview_url(post)

    assert url.startswith("https://www.example.com/p/wip/?preview=")
    (token,) = parse_qs(urlsplit(url).query)["preview"]
    assert read_preview_token(token) == post.pk


def test_preview_url_is_the_front_ends_preview_page_where_one_is_set(settings):
    # The admin's "Preview on the site" link and preview_url() gave two addresses.
    settings.CMS_PREVIEW_URL = "https://www.example.com/preview/{slug}?id={id}&token={token}"
    post = draft(slug="夜市")

    url = preview_url(post)

    assert url.startswith(f"https://www.example.com/preview/%E5%A4%9C%E5%B8%82?id={post.pk}&token=")
    (token,) = parse_qs(urlsplit(url).query)["token"]
    assert read_preview_token(token) == post.pk
