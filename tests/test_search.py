"""`?search=` finds exactly the posts holding the text, case-insensitively, on every database,
and the search index follows every way posts are written."""

import random
from pathlib import Path

import pytest
from django.db import connection

from posts.api.filters import SearchFilter
from posts.markdown_io.importer import import_folder
from posts.models import Post
from posts.search import fts_forms
from tests.api_helpers import day, published, slugs

pytestmark = pytest.mark.django_db

# (title, excerpt, body): CJK without spaces, mixed-case ASCII, LIKE and FTS5 syntax,
# whitespace, values of one and two characters, emoji.
POSTS = [
    ("香港人的故事", "", "老楊到處說香港人的故事，非常精彩。\n\n新聞：香港天氣"),
    ("台灣", "台北的天氣很好。", "台北的天氣很好。"),
    ("港", "", "港"),
    ("香港", "", ""),
    ("新聞 News", "今日新聞。", "Hong Kong 新聞 in English and 中文 mixed: HongKong香港"),
    ("Learning PYTHON Today", "All about python.", "Deep down: Python rocks.\n"),
    ("Growth of 100% this year", "", 'Under_score, back\\slash and "quoted" text'),
    ("Tabs\tand  double  spaces", "", "line one\nline two\r\nline three"),
    ("AB", "", "ab"),
    ("x", "", "y"),
    ('ends with a quote "', "", "say \"hi\" and 'bye'"),
    ("FTS words: NEAR AND OR NOT", "", "col:umn * ^start (paren) -minus +plus {brace}"),
    ("Emoji 🎉 party", "", "🎉🎉 and 100%_done"),
]

FIXED_QUERIES = [
    "香港", "香港人", "港", "港人", "新聞", "天氣", "台北的天氣很好", "聞：香", "中文", "香港天氣",
    "python", "PYTHON", "PyThOn", "py", "Py", "n", "N",
    "%", "_", "100%", "%_", "\\", "back\\slash", '"', '""', '"quoted"', "'", "'bye'",
    " ", "  ", "\t", "\n", "\r\n", "one\nline", "港\n", "ab\n", "x\n",
    "NEAR", "AND", "OR", "NOT", "*", "^", "col:umn", "(paren)", "-minus", "{brace}",
    "🎉", "🎉🎉", "y 🎉", "ab", "AB", "aB", "b", "Hong Kong", "hongkong香港", "nowhere", "zz",
]  # fmt: skip


def casefold_ascii_and_cjk(text: str) -> bool:
    """Whether Python's casefold is the one meaning of "case-insensitive" for `text`:
    every character is ASCII or has no case (CJK, digits, punctuation, emoji)."""
    return all(char.isascii() or char.casefold() == char == char.upper() for char in text)


def queries_from(posts: list[Post], count: int) -> list[str]:
    """Substrings of 1 to 4 characters of the posts' text, some with their case changed."""
    rng = random.Random(20261125)
    texts = [value for post in posts for value in (post.title, post.plain_excerpt, post.body)]
    found = set()
    for text in texts:
        for length in (1, 2, 3, 4):
            for start in range(len(text) - length + 1):
                found.add(text[start : start + length])
    picked = rng.sample(sorted(found), min(count, len(found)))
    return picked + [query.swapcase() for query in picked[::3]]


def expected(posts: list[Post], query: str) -> set[int]:
    needle = query.casefold()
    return {
        post.pk
        for post in posts
        if any(needle in value.casefold() for value in (post.title, post.plain_excerpt, post.body))
    }


def found(query: str) -> set[int]:
    return set(SearchFilter().filter(Post.objects.all(), query).values_list("pk", flat=True))


@pytest.fixture
def posts():
    made = [published(title=t, excerpt=e, body=b) for t, e, b in POSTS]
    return [Post.objects.get(pk=post.pk) for post in made]  # the stored values


def test_search_finds_exactly_the_posts_holding_the_text_in_any_case(posts):
    queries = [
        query
        for query in dict.fromkeys(FIXED_QUERIES + queries_from(posts, 400))
        if casefold_ascii_and_cjk(query)
    ]
    assert len(queries) > 300
    assert {len(query) for query in queries} >= {1, 2, 3, 4}

    wrong = [(query, found(query), expected(posts, query)) for query in queries]
    wrong = [(query, got, want) for query, got, want in wrong if got != want]

    assert wrong == []


def test_search_through_the_api_finds_two_and_three_character_cjk_words(client, posts):
    by_pk = {post.pk: post.slug for post in posts}

    for query in ["香港", "香港人", "港", "新聞"]:
        response = client.get("/api/v1/posts/", {"search": query, "page_size": 100})
        assert set(slugs(response)) == {by_pk[pk] for pk in expected(posts, query)}, query
        assert response.json()["count"] == len(expected(posts, query)), query


@pytest.mark.parametrize("query", ["香港", "香港人", "py"])
def test_later_pages_of_a_long_search_hold_the_next_matching_posts(client, monkeypatch, query):
    """A list too long to read its ids first is counted and paged in SQL, where a page's
    ids come from a subquery: the search condition must name that subquery's posts."""
    monkeypatch.setattr("posts.api.post_list.IDS_FIRST_MAX", 2)
    for number in range(7):
        published(slug=f"hit-{number}", title=f"香港人 python {number}", published_at=day(number))
        published(slug=f"miss-{number}", title=f"台灣 {number}", published_at=day(number))

    pages = [
        client.get("/api/v1/posts/", {"search": query, "page_size": 3, "page": n})
        for n in (1, 2, 3)
    ]

    assert [page.json()["count"] for page in pages] == [7, 7, 7]
    assert [slugs(page) for page in pages] == [
        ["hit-6", "hit-5", "hit-4"],
        ["hit-3", "hit-2", "hit-1"],
        ["hit-0"],
    ]


@pytest.mark.parametrize(("query", "title"), [("ÉTÉ", "L'été à Paris"), ("ét", "ÉTÉ à Paris")])
def test_search_folds_case_of_accented_letters_in_longer_queries(query, title):
    post = published(title=title)

    assert found(query) == {post.pk}


def test_fts_forms_cover_how_sqlite_folds_each_character():
    assert fts_forms("Ab") == {"ab"}
    assert fts_forms("香港") == {"香港"}
    # SQLite's tables fold É to é; they predate Georgian capitals, which it keeps as they are.
    assert "ét" in fts_forms("ÉT")
    assert {"Აბ", "აბ"} <= fts_forms("Აბ")


# --- the index follows every way posts are written ---------------------------------------


def test_editing_a_post_changes_what_search_finds():
    post = published(title="香港人", body="python")

    post.title, post.body = "台灣人", "rust"
    post.save()

    assert found("香港") == found("香港人") == found("python") == set()
    assert found("台灣") == found("台灣人") == found("rust") == {post.pk}


def test_deleted_posts_leave_the_search_index():
    keep = published(title="香港人 one")
    gone = published(title="香港人 two")

    gone.delete()

    assert found("香港人") == found("香港") == {keep.pk}
    assert_index_matches_the_posts()


def test_posts_written_in_bulk_are_searchable():
    created = Post.objects.bulk_create(
        [Post(title=f"新聞 {n}", slug=f"bulk-{n}", body="香港人") for n in range(3)]
    )
    Post.objects.filter(pk=created[0].pk).update(body="python")
    created[1].title = "台灣"
    Post.objects.bulk_update([created[1]], ["title"])

    assert found("香港人") == {created[1].pk, created[2].pk}
    assert found("新聞") == {created[0].pk, created[2].pk}
    assert found("python") == {created[0].pk}
    assert found("台灣") == {created[1].pk}
    assert_index_matches_the_posts()


def write_post(folder: Path, name: str, title: str, body: str) -> None:
    (folder / name).write_text(
        f"---\ntitle: {title}\ndate: 2024-05-01\n---\n{body}\n", encoding="utf-8"
    )


def test_an_import_is_searchable_and_a_reimport_or_prune_updates_search(tmp_path):
    write_post(tmp_path, "2024-05-01-hk.md", "香港人的故事", "老楊到處說香港人")
    write_post(tmp_path, "2024-05-01-tw.md", "台灣", "台北的天氣很好")
    import_folder(tmp_path)
    hk = Post.objects.get(source_path="2024-05-01-hk.md")
    tw = Post.objects.get(source_path="2024-05-01-tw.md")

    assert found("香港人") == found("香港") == {hk.pk}
    assert found("天氣") == {tw.pk}

    write_post(tmp_path, "2024-05-01-hk.md", "香港人的故事", "今天天氣很好")
    (tmp_path / "2024-05-01-tw.md").unlink()
    import_folder(tmp_path, prune=True)

    assert found("老楊") == set()
    assert found("天氣") == {hk.pk}
    assert not Post.objects.filter(pk=tw.pk).exists()
    assert_index_matches_the_posts()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN pending lists: PostgreSQL")
def test_an_import_leaves_no_queued_index_entries_for_searches_to_read(tmp_path):
    write_post(tmp_path, "2024-05-01-hk.md", "香港人的故事", "老楊到處說香港人")
    import_folder(tmp_path)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(gin_clean_pending_list(index.indexrelid)) "
            "FROM pg_index AS index JOIN pg_class AS class ON class.oid = index.indexrelid "
            "JOIN pg_am AS method ON method.oid = class.relam "
            "WHERE index.indrelid = 'posts_post'::regclass AND method.amname = 'gin'"
        )
        indexes, queued_pages = cursor.fetchone()

    assert indexes == 5
    assert queued_pages == 0


def assert_index_matches_the_posts():
    """On SQLite, the FTS index holds exactly what indexing the current rows gives: no
    trigram of an old value survived its update or delete."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE temp.fresh USING fts5(title, plain_excerpt, body, "
            "content='', tokenize='trigram case_sensitive 0')"
        )
        cursor.execute(
            "CREATE VIRTUAL TABLE temp.fresh_terms USING fts5vocab(temp, fresh, 'instance')"
        )
        try:
            cursor.execute(
                "INSERT INTO temp.fresh(rowid, title, plain_excerpt, body) SELECT id, "
                "title || char(10), plain_excerpt || char(10), body || char(10) FROM posts_post"
            )
            rows = "SELECT term, doc, col, offset FROM {} ORDER BY 1, 2, 3, 4"
            cursor.execute(rows.format("posts_post_search_terms"))
            indexed = cursor.fetchall()
            cursor.execute(rows.format("temp.fresh_terms"))
            fresh = cursor.fetchall()
        finally:
            cursor.execute("DROP TABLE temp.fresh_terms")
            cursor.execute("DROP TABLE temp.fresh")
    assert indexed and indexed == fresh
