"""On PostgreSQL, indexes serve `?search=` and the admin's post search: pg_trgm for 3+
characters, the GIN index of character pairs for two."""

import pytest
from django.db import connection

from posts.api.filters import SearchFilter
from posts.models import Post
from tests.api_helpers import published

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="these indexes exist on PostgreSQL only"
    ),
]


def test_trigrams_are_extracted_from_cjk_text():
    # pg_trgm only sees letters its LC_CTYPE calls alphanumeric; under the C locale CJK
    # text has no trigrams at all and every CJK search would scan the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm(%s)", ["老楊到處說香港"])
        (trigrams,) = cursor.fetchone()

    assert len(trigrams) >= 5


@pytest.mark.parametrize("word", ["香港人", "python"])
def test_search_sql_matches_the_trigram_indexes(word):
    published(title="香港人 and python", body="Some body.")
    # The search condition alone: other conditions would let other indexes compete.
    queryset = SearchFilter().filter(Post.objects.order_by(), word).only("id")
    sql, params = queryset.query.sql_with_params()

    with connection.cursor() as cursor:
        # A handful of rows would be scanned anyway; forbid that to see whether the
        # indexes match the SQL Django writes (UPPER(col) LIKE UPPER(%q%)).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    for column in ("title", "plain_excerpt", "body"):
        assert f"post_search_{column}_trgm" in plan, plan


def test_admin_post_search_can_use_an_index_for_every_field():
    """The admin searches title OR slug OR body: one unindexed branch means a full scan."""
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    published(title="香港人 and python", body="Some body.")
    model_admin = site._registry[Post]
    request = RequestFactory().get("/admin/posts/post/", {"q": "香港人"})
    queryset, _ = model_admin.get_search_results(request, Post.objects.order_by(), "香港人")
    sql, params = queryset.only("id").query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Seq Scan" not in plan, plan
    for field in model_admin.search_fields:
        assert f"post_search_{field}_trgm" in plan, plan


def index_scans(name: str) -> int:
    """Scans of an index so far in this transaction (the test's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_xact_numscans(%s::regclass)", [name])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("pair", ["香港", "Py"])
def test_two_character_search_reads_the_pair_index(pair):
    """Trigrams cannot serve two characters; without this index such a search scans every
    body. With a few hundred posts (and their statistics) the planner already prefers it."""
    match = published(title="香港人 and python", body="Some body.")
    Post.objects.bulk_create(
        Post(title=f"台灣 {number}", slug=f"filler-{number}", body="Nothing here.")
        for number in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post")
    before = index_scans("post_search_pairs")

    found = list(SearchFilter().filter(Post.objects.all(), pair).values_list("pk", flat=True))

    assert found == [match.pk]
    assert index_scans("post_search_pairs") == before + 1
