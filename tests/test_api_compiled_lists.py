"""Post lists run SQL compiled once per request shape: fresh values on every run."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from posts.api.compiled import SAMPLE_MOMENTS
from tests.api_helpers import NOW, published, scheduled, slugs

pytestmark = pytest.mark.django_db

LIST = "/api/v1/posts/"


@pytest.fixture(autouse=True)
def _no_response_cache(settings):
    # Every request below runs its queries; none is answered from the response cache.
    settings.CMS_API_CACHE_SECONDS = 0


def test_the_same_list_later_shows_a_post_whose_time_came(client):
    published(slug="old")
    scheduled(slug="soon", published_at=NOW + dt.timedelta(minutes=5))

    with time_machine.travel(NOW, tick=False):
        before = client.get(LIST)
    with time_machine.travel(NOW + dt.timedelta(minutes=6), tick=False):
        after = client.get(LIST)

    assert slugs(before) == ["old"]
    assert before.json()["count"] == 1
    assert slugs(after) == ["soon", "old"]
    assert after.json()["count"] == 2


@pytest.mark.parametrize("moment", [SAMPLE_MOMENTS[0][0], SAMPLE_MOMENTS[1][0]])
def test_a_date_filter_equal_to_a_compile_sample_is_kept(client, moment):
    """The samples used to compile a query are ordinary dates a client may send too."""
    published(slug="before-sample", published_at=moment - dt.timedelta(seconds=1))
    published(slug="at-sample", published_at=moment)
    stamp = moment.isoformat().replace("+00:00", "Z")

    with time_machine.travel(NOW, tick=False):
        after = client.get(LIST, {"published_after": stamp})
        before = client.get(LIST, {"published_before": stamp})

    assert slugs(after) == ["at-sample"]
    assert slugs(before) == ["before-sample"]


def test_each_page_of_a_list_gets_its_own_rows(client):
    for number in range(5):
        published(slug=f"p{number}", published_at=NOW - dt.timedelta(days=number + 1))

    with time_machine.travel(NOW, tick=False):
        pages = [slugs(client.get(LIST, {"page_size": 2, "page": page})) for page in (1, 2, 3)]
        again = slugs(client.get(LIST, {"page_size": 2, "page": 1}))

    assert pages == [["p0", "p1"], ["p2", "p3"], ["p4"]]
    assert again == ["p0", "p1"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_repeated_lists_run_prepared_statements_with_fresh_values(client):
    """PostgreSQL plans a list's queries once, not on every request, and the prepared
    statements still see each request's values (here, a post published in between)."""
    published(slug="first", tags=["python"])
    for _ in range(3):
        assert slugs(client.get(f"{LIST}?tag=python")) == ["first"]
    published(slug="second", tags=["python"], published_at=NOW + dt.timedelta(seconds=1))
    with time_machine.travel(NOW + dt.timedelta(seconds=2), tick=False):
        assert slugs(client.get(f"{LIST}?tag=python")) == ["second", "first"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "posts_post"' in sql and '"posts_taggedpost"' in sql for sql in prepared)
    assert any('"posts_postauthor"' in sql for sql in prepared)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_prepared_statements_can_be_turned_off_for_poolers(client, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    published(slug="first", tags=["python"])

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared()
    for search in ("alpha", "beta", "gamma"):  # new shapes each time
        assert client.get(f"{LIST}?tag=python&search={search}").status_code == 200
    assert prepared() == before
