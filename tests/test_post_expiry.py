"""Expiry dates (Hugo's expiryDate): a post leaves every public path at its time."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from posts.markdown_io import sync
from posts.markdown_io.exporter import export_folder
from posts.markdown_io.importer import import_folder
from posts.models import Category, Post
from tests.admin_forms import form_data
from tests.api_helpers import NOW, detail_url, later, published, slugs, token_for
from tests.factories import AuthorFactory
from tests.markdown_helpers import WriteCounter, write_files

pytestmark = pytest.mark.django_db

LIST = "/api/v1/posts/"


@pytest.fixture(autouse=True)
def _frozen_clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def posts(db):
    """Two posts of one tag, author and category; one expired an hour ago."""
    ada = AuthorFactory(name="Ada")
    news = Category.objects.create(name="News")
    kept = published(slug="kept", title="Harbour kept", tags=["port"], authors=[ada])
    gone = published(
        slug="gone",
        title="Harbour gone",
        tags=["port"],
        authors=[ada],
        expires_at=NOW - dt.timedelta(hours=1),
    )
    for post in (kept, gone):
        post.categories.set([news])
    return kept, gone


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        LIST + "?tag=port",
        LIST + "?author=ada",
        LIST + "?category=news",
        LIST + "?search=Harbour",
        LIST + "?tag=port&ordering=published_at",
    ],
)
def test_an_expired_post_is_left_out_of_every_list_and_count(client, posts, url):
    body = client.get(url).json()

    assert [item["slug"] for item in body["results"]] == ["kept"]
    assert body["count"] == 1


def test_an_expired_post_is_not_found_and_not_counted_anywhere(client, posts):
    assert client.get(detail_url("gone")).status_code == 404
    for url in ("/api/v1/tags/port/", "/api/v1/authors/ada/", "/api/v1/categories/news/"):
        assert client.get(url).json()["post_count"] == 1, url
    for url in ("/feeds/rss/", "/feeds/atom/", "/feeds/tags/port/rss/", "/sitemap.xml"):
        content = client.get(url).content.decode()
        assert "/kept/" in content and "/gone/" not in content, url


def test_staff_see_an_expired_post_as_expired(client, posts):
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    headers = token_for(staff)

    everything = client.get(LIST + "?status=all", **headers).json()["results"]
    assert {item["slug"]: item["status"] for item in everything} == {
        "kept": "published",
        "gone": "expired",
    }
    assert slugs(client.get(LIST + "?status=expired", **headers)) == ["gone"]


def test_a_post_leaves_at_its_expiry_time_although_the_list_was_cached(client, posts):
    published(slug="until-noon-thirty", expires_at=NOW + dt.timedelta(minutes=30))
    early = client.get(LIST + "?tag=port")  # cached by the server from here on
    assert client.get(LIST)["Cache-Control"] == "public, max-age=60"
    assert "until-noon-thirty" in slugs(client.get(LIST))

    with later(30 * 60 - 20):
        # Neither the server cache nor browsers may keep the list past the expiry time.
        assert client.get(LIST)["Cache-Control"] == "public, max-age=20"
    with later(30 * 60):
        response = client.get(LIST, HTTP_IF_NONE_MATCH=early["ETag"])
        assert response.status_code == 200
        assert slugs(response) == ["kept"]
        assert client.get(detail_url("until-noon-thirty")).status_code == 404
        assert client.get(LIST + "?tag=port").json()["count"] == 1


def test_tag_lists_agree_with_the_posts_once_a_post_of_the_tag_expires(client):
    # The tag's links copy their posts' status and time, not the expiry date: no post
    # has expired yet, so the tag's list is read from them.
    ada = AuthorFactory(name="Ada")
    published(slug="kept", tags=["port"], authors=[ada])
    published(slug="soon", tags=["port"], authors=[ada], expires_at=NOW + dt.timedelta(minutes=5))
    for url in (LIST + "?tag=port", LIST + "?author=ada"):
        assert client.get(url).json()["count"] == 2
    assert client.get("/api/v1/tags/port/").json()["post_count"] == 2

    with later(5 * 60):
        for url in (LIST + "?tag=port", LIST + "?author=ada"):
            body = client.get(url).json()
            assert (body["count"], slugs_of(body)) == (1, ["kept"]), url
        assert client.get("/api/v1/tags/port/").json()["post_count"] == 1
        assert client.get("/api/v1/authors/ada/").json()["post_count"] == 1
    # Nothing was written: time alone took the post out.
    assert Post.objects.get(slug="soon").status == Post.Status.PUBLISHED


def slugs_of(body: dict) -> list[str]:
    return [item["slug"] for item in body["results"]]


# --- the admin ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    [
        {"_publish_now": "Publish now"},
        # Plain Save with Status = Published went around the publishing buttons' rule.
        {"status": "published"},
    ],
)
def test_publishing_a_post_past_its_expiry_date_is_refused(admin_client, how):
    post = published(status=Post.Status.DRAFT, expires_at=NOW - dt.timedelta(days=1))
    data = form_data(
        title=post.title,
        slug=post.slug,
        body=post.body,
        published_at_0="2026-02-01",
        published_at_1="08:00:00",
        expires_at_0="2026-02-28",
        expires_at_1="12:00:00",
        **how,
    )

    response = admin_client.post(reverse("admin:posts_post_change", args=[post.pk]), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["expires_at"]
    assert errors == [
        "The post would never be visible: this expiry date is not after it goes live. "
        "Clear it or set a later one."
    ]
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_moving_a_published_post_s_date_past_its_expiry_date_is_refused(admin_client):
    # Plain Save with a later date: listed as "goes live" in 2032, expiring in 2031.
    post = published(expires_at=NOW + dt.timedelta(days=5 * 365))
    data = form_data(
        title=post.title,
        slug=post.slug,
        body=post.body,
        status="published",
        published_at_0="2032-03-01",
        published_at_1="12:00:00",
        expires_at_0=post.expires_at.strftime("%Y-%m-%d"),
        expires_at_1=post.expires_at.strftime("%H:%M:%S"),
    )

    response = admin_client.post(reverse("admin:posts_post_change", args=[post.pk]), data)

    assert response.status_code == 200
    assert "would never be visible" in response.context["adminform"].form.errors["expires_at"][0]
    assert Post.objects.get(pk=post.pk).published_at == post.published_at


def test_the_admin_says_when_a_post_expired(admin_client, posts):
    _, gone = posts
    html = admin_client.get(reverse("admin:posts_post_change", args=[gone.pk])).content
    assert "Not visible to readers since" in html.decode()
    changelist = admin_client.get(reverse("admin:posts_post_changelist") + "?status=expired")
    assert [post.slug for post in changelist.context["cl"].result_list] == ["gone"]


# --- import and export ---------------------------------------------------------------------

HUGO = {
    "content/posts/left.md": (
        '+++\ntitle = "Left"\ndate = 2026-01-02T10:00:00Z\nexpiryDate = 2026-02-01\n'
        "weight = 3\n+++\n\nGone since February.\n"
    ),
    "content/posts/stays.md": (
        "---\ntitle: Stays\ndate: 2026-01-03\nunpublishdate: 2999-01-23T00:00:00+00:00\n"
        "---\n\nStill here.\n"
    ),
}


def test_hugo_expiry_dates_are_imported_and_applied(client, tmp_path):
    root = write_files(tmp_path / "site", HUGO)

    import_folder(root)

    left, stays = Post.objects.get(slug="left"), Post.objects.get(slug="stays")
    assert left.expires_at == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert stays.expires_at == dt.datetime(2999, 1, 23, tzinfo=dt.UTC)
    assert left.meta == {"weight": 3}  # the expiry date is a field, not extra front matter
    assert slugs(client.get(LIST)) == ["stays"]
    with WriteCounter() as counter:
        assert import_folder(root).counts["unchanged"] == 2
    assert counter.writes == []


def test_export_writes_expiry_dates_back(tmp_path):
    root = write_files(tmp_path / "site", HUGO)
    import_folder(root)
    out = tmp_path / "out"

    export_folder(out)
    for rel, text in HUGO.items():
        assert (out / rel).read_text() == text, rel

    left = Post.objects.get(slug="left")
    left.expires_at = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
    left.save()
    export_folder(root)
    assert "expiryDate = 2026-04-01T08:00:00Z\n" in (root / "content/posts/left.md").read_text()
    assert import_folder(root).counts["unchanged"] == 2
    assert Post.objects.get(slug="left").expires_at == left.expires_at


def test_an_expiry_date_set_in_the_admin_reaches_a_new_file(tmp_path):
    post = published(slug="new", title="New", expires_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))

    export_folder(tmp_path)

    (path,) = tmp_path.rglob("*.md")
    post.delete()
    import_folder(tmp_path)
    assert Post.objects.get(slug="new").expires_at == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert "expiryDate:" in path.read_text()


@pytest.mark.django_db(transaction=True)
def test_upgrading_moves_expiry_dates_kept_in_meta_to_the_column(tmp_path):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    root = write_files(tmp_path / "site", HUGO)
    import_folder(root)
    before, upgrade = (
        ("posts", "0014_post_listing_copy_at_commit"),
        ("posts", "0015_post_expires_at"),
    )

    # Back to before expiry dates: they return to the extra front matter, as imports
    # of those releases kept them.
    MigrationExecutor(connection).migrate([before])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT meta FROM posts_post WHERE slug = 'left'")
            meta = cursor.fetchone()[0]
        meta = json.loads(meta) if isinstance(meta, str) else meta  # PostgreSQL decodes
        assert meta == {"weight": 3, "expiryDate": "2026-02-01T00:00:00+00:00"}
        MigrationExecutor(connection).migrate([upgrade])
    finally:
        executor = MigrationExecutor(connection)  # the latest schema, for other tests
        executor.migrate(executor.loader.graph.leaf_nodes())

    left = Post.objects.prefetch_related("post_authors__author", "categories", "tags").get(
        slug="left"
    )
    assert left.expires_at == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert left.meta == {"weight": 3}
    # Still in sync with its file: an export leaves it alone, an import sees no edit.
    assert sync.state_of_row(left) == left.synced_state
    assert import_folder(root).counts["unchanged"] == 2
