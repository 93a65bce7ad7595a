"""Importing a folder: identity, idempotency, moves, duplicates, conflicts, failures."""

import datetime as dt
import os
import shutil
import threading

import pytest
from django.db import connection

from posts.markdown_io.exporter import export_folder
from posts.markdown_io.importer import file_hash, import_folder, walk
from posts.models import Author, Category, Post, Tag
from tests.markdown_helpers import WriteCounter, jekyll, write_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    write_files(
        root,
        {
            "_posts/2020-01-02-first.md": jekyll(
                "First", author="Ann", categories="[news]", tags="[a, b]"
            ),
            "_posts/2020-01-03-second.md": jekyll(
                "Second", "2020-01-03", authors="[Ann, Bo]", tags="b c"
            ),
            "_drafts/idea.md": "---\ntitle: Idea\n---\nLater.\n",
        },
    )
    return root


def test_import_creates_posts_with_their_authors_categories_and_tags(site):
    report = import_folder(site)
    assert report.counts["created"] == 3 and report.ok
    first = Post.objects.get(source_path="_posts/2020-01-02-first.md")
    assert first.slug == "first"
    assert first.published_at == dt.datetime(2020, 1, 2, 10, tzinfo=dt.UTC)
    assert [a.name for a in first.ordered_authors] == ["Ann"]
    assert [c.name for c in first.categories.all()] == ["news"]
    assert sorted(t.name for t in first.tags.all()) == ["a", "b"]
    second = Post.objects.get(slug="second")
    assert [a.name for a in second.ordered_authors] == ["Ann", "Bo"]
    assert Post.objects.get(slug="idea").status == "draft"
    assert Author.objects.count() == 2 and Tag.objects.count() == 3
    assert first.body_html and first.reading_time == 1


def test_reimport_of_unchanged_folder_changes_nothing(site):
    import_folder(site)
    before = list(Post.objects.values_list("id", "updated_at", "synced_state"))
    with WriteCounter() as queries:
        report = import_folder(site)
    assert report.counts["unchanged"] == 3
    assert sum(report.counts.values()) == 3
    assert queries.writes == []
    assert list(Post.objects.values_list("id", "updated_at", "synced_state")) == before


def test_changed_file_updates_its_post(site):
    import_folder(site)
    post_id = Post.objects.get(slug="first").pk
    write_files(site, {"_posts/2020-01-02-first.md": jekyll("First, revised", tags="[z]")})
    report = import_folder(site)
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == 2
    post = Post.objects.get(pk=post_id)
    assert post.title == "First, revised"
    assert [t.name for t in post.tags.all()] == ["z"]
    assert post.ordered_authors == []


def test_admin_edit_is_kept_while_the_file_is_unchanged(site):
    import_folder(site)
    post = Post.objects.get(slug="first")
    post.title = "Edited in the admin"
    post.save()
    report = import_folder(site)
    assert report.counts["unchanged"] == 3
    assert Post.objects.get(pk=post.pk).title == "Edited in the admin"


def test_change_on_both_sides_is_a_conflict_unless_overwrite(site):
    import_folder(site)
    post = Post.objects.get(slug="first")
    post.title = "Edited in the admin"
    post.save()
    write_files(site, {"_posts/2020-01-02-first.md": jekyll("Edited on disk")})
    report = import_folder(site)
    assert report.counts["conflict"] == 1 and report.ok
    assert report.conflicts[0].path == "_posts/2020-01-02-first.md"
    assert Post.objects.get(pk=post.pk).title == "Edited in the admin"
    assert import_folder(site).counts["conflict"] == 1  # still, until resolved
    report = import_folder(site, overwrite=True)
    assert report.counts["updated"] == 1
    assert Post.objects.get(pk=post.pk).title == "Edited on disk"


def test_moved_file_updates_the_same_post(site):
    import_folder(site)
    post_id = Post.objects.get(slug="first").pk
    (site / "archived/2020-01-02").mkdir(parents=True)
    shutil.move(
        site / "_posts/2020-01-02-first.md", site / "archived/2020-01-02/2020-01-02-first.md"
    )
    report = import_folder(site)
    assert report.counts["moved"] == 1 and report.missing == []
    assert Post.objects.count() == 3
    assert Post.objects.get(pk=post_id).source_path == "archived/2020-01-02/2020-01-02-first.md"


def test_moved_file_keeps_admin_edits(site):
    import_folder(site)
    post = Post.objects.get(slug="first")
    post.excerpt = "Written in the admin."
    post.save()
    (site / "old").mkdir()
    shutil.move(site / "_posts/2020-01-02-first.md", site / "old/2020-01-02-first.md")
    assert import_folder(site).counts["moved"] == 1
    assert Post.objects.get(pk=post.pk).excerpt == "Written in the admin."


@pytest.mark.parametrize(
    "edit",
    [
        {"title": "Retitled in the admin"},
        {"published_at": dt.datetime(2020, 1, 3, 9, 0, tzinfo=dt.UTC)},
    ],
)
def test_a_moved_file_follows_its_post_after_a_title_or_date_edit_in_the_admin(site, edit):
    # Matched by the title and date as last synced: before, the move made a second post,
    # and --prune then deleted the edited one.
    import_folder(site)
    post = Post.objects.get(slug="first")
    for field, value in edit.items():
        setattr(post, field, value)
    post.save()
    (site / "old").mkdir()
    shutil.move(site / "_posts/2020-01-02-first.md", site / "old/2020-01-02-first.md")

    report = import_folder(site, prune=True)

    assert (report.counts["moved"], report.counts["created"], report.pruned) == (1, 0, 0)
    moved = Post.objects.get(pk=post.pk)
    assert moved.source_path == "old/2020-01-02-first.md"
    assert [getattr(moved, field) for field in edit] == list(edit.values())


def test_duplicate_is_reported_and_not_a_second_post(tmp_path):
    same = jekyll("Same", author="Ann", source="https://example.com/a%20b")
    also_same = jekyll("Same", author="Ann", source="https://example.com/a b")
    root = write_files(
        tmp_path,
        {"_posts/2020-01-02-same.md": same, "archived/2020-01-02/2020-01-02-same.md": also_same},
    )
    report = import_folder(root)
    assert (report.counts["created"], report.counts["duplicate"]) == (1, 1)
    duplicate = next(o for o in report.outcomes if o.action == "duplicate")
    assert duplicate.path == "archived/2020-01-02/2020-01-02-same.md"
    assert "_posts/2020-01-02-same.md" in duplicate.detail
    assert Post.objects.count() == 1
    # On re-import the duplicate is recognised by its hash, without parsing.
    assert import_folder(root).counts["unchanged"] == 2


@pytest.mark.parametrize(
    "paths",
    [
        ("_posts/2020-01-02-tags.md", "_posts/2020-01-02-empty-tags.md"),
        ("category/_posts/2020-01-02-x.md", "z_category/_posts/2020-01-02-x.md"),
        ("_posts/2020-01-02-x.md", "archived/2020-01-02/2020-01-02-y.md"),
    ],
)
def test_posts_sharing_a_title_and_day_are_not_duplicates_by_those_alone(tmp_path, paths):
    first, second = paths
    root = write_files(
        tmp_path,
        {first: jekyll("Some Tags", tags="[food]"), second: jekyll("Some Tags") + "Other.\n"},
    )

    report = import_folder(root)

    assert (report.counts["created"], report.counts["duplicate"]) == (2, 0)
    assert [t.name for t in Post.objects.get(source_path=first).tags.all()] == ["food"]


def test_keep_duplicates_imports_them_as_posts_with_distinct_slugs(tmp_path):
    root = write_files(
        tmp_path,
        {"a/2020-01-02-same.md": jekyll("Same"), "b/2020-01-02-same.md": jekyll("Same")},
    )
    report = import_folder(root, keep_duplicates=True)
    assert report.counts["created"] == 2
    assert len(set(Post.objects.values_list("slug", flat=True))) == 2


def test_same_file_name_alone_merges_nothing(tmp_path):
    root = write_files(
        tmp_path,
        {
            "en/news/_posts/2020-01-02-launch.md": jekyll("Launch"),
            "ja/news/_posts/2020-01-02-launch.md": jekyll("ローンチ"),
        },
    )
    report = import_folder(root)
    assert report.counts["created"] == 2
    slugs = sorted(Post.objects.values_list("slug", flat=True))
    assert slugs[0] == "launch" and slugs[1].startswith("launch-")
    assert [c.path for c in report.slug_clashes] == ["ja/news/_posts/2020-01-02-launch.md"]


def test_clashing_slugs_are_the_same_in_a_fresh_import(tmp_path):
    root = write_files(
        tmp_path,
        {"x/2020-01-02-post.md": jekyll("One"), "y/2020-01-02-post.md": jekyll("Two")},
    )
    import_folder(root)
    first = dict(Post.objects.values_list("source_path", "slug"))
    Post.objects.all().delete()
    import_folder(root)
    assert dict(Post.objects.values_list("source_path", "slug")) == first


def test_posts_of_the_archive_move_onto_their_recorded_duplicate(tmp_path):
    root = write_files(
        tmp_path,
        {
            "_posts/2020-01-02-x.md": jekyll("X", author="Ann"),
            "archived/2020-01-02/2020-01-02-x.md": jekyll("X", author="Ann") + "\n",
        },
    )
    import_folder(root)
    post = Post.objects.get()
    (root / "_posts/2020-01-02-x.md").unlink()
    report = import_folder(root)
    assert report.counts["moved"] == 1 and report.missing == []
    post.refresh_from_db()
    assert post.source_path == "archived/2020-01-02/2020-01-02-x.md"
    assert post.duplicate_sources == {}
    assert import_folder(root).counts["unchanged"] == 1


def test_gone_files_are_reported_and_deleted_only_with_prune(site):
    import_folder(site)
    (site / "_drafts/idea.md").unlink()
    report = import_folder(site)
    assert report.missing == ["_drafts/idea.md"]
    assert Post.objects.filter(slug="idea").exists()
    report = import_folder(site, prune=True)
    assert report.pruned == 1
    assert not Post.objects.filter(slug="idea").exists()


def test_prune_with_another_folder_is_refused_and_changes_nothing(site, tmp_path):
    import_folder(site)
    other = tmp_path / "other"
    write_files(other, {"_posts/2021-05-05-elsewhere.md": jekyll("Elsewhere")})

    with pytest.raises(ValueError, match="would delete all 3 imported posts"):
        import_folder(other, prune=True)

    assert sorted(Post.objects.values_list("slug", flat=True)) == ["first", "idea", "second"]


def test_prune_from_a_subfolder_of_the_imported_one_is_refused_and_changes_nothing(site):
    # `site/_posts` after `site`: the file names match, but pruning would delete the draft
    # in `_drafts/`, which is outside it.
    import_folder(site)
    before = sorted(Post.objects.values_list("slug", "source_path"))

    with pytest.raises(ValueError, match=r"looks like the folder '_posts/' .* _drafts/idea.md"):
        import_folder(site / "_posts", prune=True)

    assert sorted(Post.objects.values_list("slug", "source_path")) == before


def test_prune_after_moving_every_file_keeps_the_moved_posts(site, tmp_path):
    import_folder(site)
    moved = tmp_path / "moved"  # every path differs, every file name is the same
    shutil.copytree(site / "_posts", moved / "content" / "posts")
    shutil.copytree(site / "_drafts", moved / "content" / "drafts")

    report = import_folder(moved, prune=True)

    assert report.counts["moved"] == 3 and report.pruned == 0
    assert Post.objects.filter(source_path__startswith="content/").count() == 3


def test_one_bad_file_is_reported_and_the_rest_import(site):
    write_files(site, {"_posts/2020-01-04-bad.md": "---\ntitle: [unclosed\n---\n"})
    report = import_folder(site)
    assert report.counts["created"] == 3 and not report.ok
    [error] = report.errors
    assert (error.path, error.line) == ("_posts/2020-01-04-bad.md", 3)
    assert "invalid YAML" in error.detail
    assert not Post.objects.filter(source_path="_posts/2020-01-04-bad.md").exists()


def test_of_two_spellings_of_a_new_tag_the_first_file_s_is_kept(tmp_path):
    names = ["HTML", "Go", "Rust", "Vue", "CSS", "Deno", "Zig", "Nim"]
    write_files(
        tmp_path,
        {
            "_posts/2020-01-01-a.md": jekyll("A", tags=f"[{', '.join(names)}]"),
            "_posts/2020-01-02-b.md": jekyll("B", tags=f"[{', '.join(names).lower()}]"),
        },
    )

    import_folder(tmp_path)

    # Each pair was a coin toss before (a set's order): all eight right by luck is 1 in 256.
    assert sorted(Tag.objects.values_list("name", flat=True)) == sorted(names)


def test_an_impossible_date_fails_its_file_only(site):
    write_files(site, {"_posts/2024-02-01-leap.md": "---\ntitle: Leap\ndate: 2024-02-30\n---\n"})
    report = import_folder(site)
    assert report.counts["created"] == 3
    [error] = report.errors
    assert (error.path, error.line) == ("_posts/2024-02-01-leap.md", 3)
    assert "'2024-02-30' is not a date" in error.detail


@pytest.mark.parametrize("name", ["2023-02-30-feb.md", "2023-13-01-month.md"])
def test_a_post_whose_file_name_date_is_impossible_fails_instead_of_being_dated_now(tmp_path, name):
    # Dated at import time, it went to the top of every list; Jekyll stops on it.
    write_files(tmp_path, {f"_posts/{name}": "---\ntitle: Odd\n---\nText\n"})

    report = import_folder(tmp_path)

    [error] = report.errors
    assert error.path == f"_posts/{name}"
    assert f"file name's date {name[:10]} is not a real date" in error.detail
    assert not Post.objects.exists()


def test_an_impossible_file_name_date_is_no_matter_with_a_date_key_or_outside_posts(tmp_path):
    write_files(
        tmp_path,
        {
            "_posts/2023-02-30-feb.md": "---\ntitle: Dated\ndate: 2023-03-01\n---\n",
            "notes/10-20-30-tips.md": "---\ntitle: Tips\n---\n",
        },
    )

    report = import_folder(tmp_path)

    assert report.counts["created"] == 2 and report.ok
    dated = Post.objects.get(title="Dated")
    assert dated.published_at.date() == dt.date(2023, 3, 1)


def test_file_over_the_size_limit_fails(site):
    write_files(site, {"_posts/2020-01-05-huge.md": jekyll("Huge") + "x" * 2000})
    report = import_folder(site, max_bytes=1000)
    assert report.counts["created"] == 3
    [error] = report.errors
    assert error.path == "_posts/2020-01-05-huge.md"
    assert "over the limit of 1,000" in error.detail


def test_dry_run_reports_the_same_counts_and_writes_nothing(site):
    dry = import_folder(site, dry_run=True)
    assert Post.objects.count() == 0 and Author.objects.count() == 0
    real = import_folder(site)
    assert dry.counts == real.counts
    assert "Dry run" in dry.render()


def test_timezone_and_default_author_options(tmp_path):
    root = write_files(tmp_path, {"2020-06-01-p.md": "---\ndate: 2020-06-01 12:00\n---\n"})
    import_folder(root, timezone="Asia/Tokyo", default_author="Site Team")
    post = Post.objects.get()
    assert post.published_at == dt.datetime(2020, 6, 1, 3, tzinfo=dt.UTC)
    assert [a.name for a in post.ordered_authors] == ["Site Team"]


def test_unknown_timezone_is_an_error(site):
    with pytest.raises(ValueError, match="time zone"):
        import_folder(site, timezone="Mars/Olympus")


def test_taxonomy_names_match_case_insensitively(tmp_path):
    root = write_files(
        tmp_path,
        {
            "2020-01-01-a.md": jekyll("A", categories="[News]", tags="[Python]"),
            "2020-01-02-b.md": jekyll("B", "2020-01-02", categories="[news]", tags="[python]"),
        },
    )
    import_folder(root)
    assert Category.objects.count() == 1 and Tag.objects.count() == 1


def _folder(root, count):
    return write_files(
        root,
        {
            f"_posts/2020-01-{n % 28 + 1:02d}-post-{n}.md": jekyll(
                f"Post {n}", author=f"Author {n}", categories=f"[cat{n}]", tags=f"[t{n}, u{n}]"
            )
            for n in range(count)
        },
    )


def count_queries(function) -> int:
    """Statements `function()` sends. Counted as they run: the importer empties Django's
    query log after each batch, which CaptureQueriesContext reads."""
    sent = 0

    def count(execute, sql, params, many, context):
        nonlocal sent
        sent += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        function()
    return sent


def test_queries_per_batch_do_not_grow_with_the_files_in_it(tmp_path):
    small, large = _folder(tmp_path / "small", 4), _folder(tmp_path / "large", 30)
    few = count_queries(lambda: import_folder(small, batch_size=100))
    Post.objects.all().delete()
    many = count_queries(lambda: import_folder(large, batch_size=100))
    assert Post.objects.count() == 30
    assert few > 10
    assert many == few


def test_walk_takes_markdown_files_only_and_stays_in_the_folder(tmp_path):
    root = write_files(
        tmp_path / "site",
        {
            "a.md": "x",
            "b.MARKDOWN": "x",
            "c.mdown": "x",
            "d.mkd": "x",
            "e.mkdn": "x",
            "notes.txt": "x",
            ".hidden.md": "x",
            ".git/HEAD.md": "x",
            "2020-01-01-looks-like-a-post.md/inside.md": "x",
        },
    )
    outside = write_files(tmp_path / "outside", {"secret.md": "x"})
    (root / "linked").symlink_to(outside)
    (root / "linked.md").symlink_to(outside / "secret.md")
    os.mkfifo(root / "pipe.md")  # opening it for reading would wait for a writer forever
    assert [rel for rel, _ in walk(root)] == [
        "a.md",
        "b.MARKDOWN",
        "c.mdown",
        "d.mkd",
        "e.mkdn",
        "2020-01-01-looks-like-a-post.md/inside.md",
    ]
    assert [rel for rel, _ in walk(root, extensions=[".txt"])] == ["notes.txt"]


@pytest.mark.parametrize("language", ["", ".de"])
def test_section_pages_are_skipped_and_bundles_named_after_their_folder(tmp_path, language):
    # Also Hugo's multilingual file names: a language code before the extension.
    root = write_files(
        tmp_path,
        {
            f"content/posts/_index{language}.md": '+++\ntitle = "Posts"\n+++\n',
            f"content/posts/my-trip/index{language}.md": '+++\ntitle = "My trip"\n+++\n',
        },
    )

    report = import_folder(root)

    assert (report.counts["skipped"], report.counts["created"]) == (1, 1)
    assert Post.objects.get().slug == "my-trip"


HUGO_BUNDLE_SITE = {
    "content/posts/my-trip/index.md": '+++\ntitle = "My trip"\n+++\n',
    "content/posts/my-trip/index.de.md": '+++\ntitle = "Meine Reise"\n+++\n',
    "content/posts/my-trip/packing-list.md": "- socks\n",
    "content/posts/my-trip/day-1/index.md": "---\ntitle: Day one\n---\n",
    "content/posts/news/_index.md": '+++\ntitle = "News"\n+++\n',
    "content/posts/news/launch.md": "---\ntitle: Launch\n---\n",
}


@pytest.mark.parametrize("import_from", [".", "content"])
def test_hugo_leaf_bundle_files_besides_its_index_are_resources_not_posts(tmp_path, import_from):
    root = write_files(tmp_path, {"hugo.toml": 'title = "Site"\n', **HUGO_BUNDLE_SITE})

    report = import_folder(root / import_from)

    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "Launch",
        "Meine Reise",
        "My trip",
    ]
    skipped = {
        o.path.rsplit("/", 1)[-1]: o.detail for o in report.outcomes if o.action == "skipped"
    }
    assert (
        skipped["packing-list.md"]
        == skipped["index.md"]
        == (
            "a resource of the page bundle "
            + ("content/" if import_from == "." else "")
            + "posts/my-trip/ (Hugo), not a post"
        )
    )


def test_a_hugo_content_folder_without_its_config_is_known_by_its_section_pages(tmp_path):
    root = write_files(tmp_path, HUGO_BUNDLE_SITE)

    import_folder(root / "content")

    assert Post.objects.count() == 3


def test_outside_a_hugo_site_every_file_of_a_folder_with_an_index_is_a_post(tmp_path):
    # Jekyll and Eleventy build a page of each.
    files = {"docs/guide/index.md": "# Guide\n", "docs/guide/setup.md": "# Setup\n"}
    root = write_files(tmp_path, {**files, "docs/guide/more/index.md": "# More\n"})

    import_folder(root)

    assert sorted(Post.objects.values_list("title", flat=True)) == ["Guide", "More", "Setup"]


def test_a_hugo_site_in_a_subfolder_of_the_imported_one_is_read_as_hugo(tmp_path):
    files = {"site/hugo.yaml": "title: Site\n", "site/content/a/index.md": "# A\n"}
    root = write_files(tmp_path, {**files, "site/content/a/fragment.md": "# Fragment\n"})

    import_folder(root)

    assert list(Post.objects.values_list("title", flat=True)) == ["A"]


def test_a_post_made_of_a_bundle_resource_before_is_gone_and_pruned(tmp_path):
    files = {
        "content/posts/my-trip/index.md": "# My trip\n",
        "content/posts/my-trip/notes.md": "# Notes\n",
    }
    root = write_files(tmp_path, files)
    import_folder(root)  # no config yet: two posts
    (tmp_path / "hugo.toml").write_text('title = "Site"\n')

    report = import_folder(root, prune=True)

    assert (report.counts["skipped"], report.pruned) == (1, 1)
    assert list(Post.objects.values_list("title", flat=True)) == ["My trip"]


@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_the_planner_statistics_of_what_it_wrote(tmp_path):
    files = {f"_posts/2024-01-{day:02d}-post.md": jekyll(f"Post {day}") for day in range(1, 31)}
    import_folder(write_files(tmp_path, files))

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'posts_post'")
            estimated_posts = {int(stat.split()[0]) for (stat,) in cursor.fetchall()}
            # Without statistics SQLite read posts given by id through the status index.
            assert estimated_posts == {30}
            return
        cursor.execute(
            "SELECT reltuples, relpages, relallvisible FROM pg_class WHERE relname = 'posts_post'"
        )
        estimated_posts, pages, all_visible_pages = cursor.fetchone()

    # Never analyzed, PostgreSQL estimates -1 and guesses from the table's size: it took
    # 2,100 freshly imported posts for 2 (and sorted them all for each list page).
    assert estimated_posts == 30
    # Vacuumed: counts of posts read the index alone, not every row.
    assert pages > 0 and all_visible_pages == pages


def test_moving_a_post_into_drafts_makes_it_a_draft_and_back_publishes_it(site):
    import_folder(site)
    (site / "_drafts").mkdir(exist_ok=True)
    (site / "_posts/2020-01-02-first.md").rename(site / "_drafts/2020-01-02-first.md")

    import_folder(site)
    assert Post.objects.get(title="First").status == Post.Status.DRAFT
    assert not Post.objects.published().filter(title="First").exists()

    (site / "_drafts/2020-01-02-first.md").rename(site / "_posts/2020-01-02-first.md")
    import_folder(site)
    assert Post.objects.published().filter(title="First").exists()
    assert Post.objects.filter(title="First").count() == 1


def hugo_page(title: str, body: str) -> str:
    return f'+++\ntitle = "{title}"\ndate = 2020-01-02\nauthor = "Ann"\n+++\n{body}\n'


def test_bundles_of_one_title_and_day_are_two_posts_but_a_bundle_copy_is_a_duplicate(tmp_path):
    # Every bundle's file is index.md: its folder is its name.
    root = write_files(
        tmp_path,
        {
            "posts/monday/index.md": hugo_page("Weekly notes", "Monday's notes."),
            "posts/tuesday/index.md": hugo_page("Weekly notes", "Tuesday's notes."),
            "archive/monday/index.md": hugo_page("Weekly notes", "Monday's notes."),
        },
    )

    report = import_folder(root)

    assert (report.counts["created"], report.counts["duplicate"]) == (2, 1)
    bodies = {post.source_path: post.body for post in Post.objects.all()}
    assert "Tuesday's notes." in bodies["posts/tuesday/index.md"]
    assert "Monday's notes." in (bodies.get("posts/monday/index.md") or "") + (
        bodies.get("archive/monday/index.md") or ""
    )


def test_a_bundle_once_recorded_as_a_copy_of_another_becomes_its_own_post(tmp_path):
    # What imports before bundles were named by their folder recorded.
    root = write_files(
        tmp_path, {"posts/monday/index.md": hugo_page("Weekly notes", "Monday's notes.")}
    )
    import_folder(root)
    tuesday = hugo_page("Weekly notes", "Tuesday's notes.").encode()
    write_files(root, {"posts/tuesday/index.md": tuesday})
    Post.objects.update(duplicate_sources={"posts/tuesday/index.md": file_hash(tuesday)})

    report = import_folder(root)

    assert report.counts["created"] == 1
    assert "Tuesday's notes." in Post.objects.get(source_path="posts/tuesday/index.md").body
    assert Post.objects.get(source_path="posts/monday/index.md").duplicate_sources == {}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("---\ntitle: Old\ndate: 0001-01-01 00:00:00 +0100\n---\n", 3, "date: '0001-01-01"),
        ("---\ntitle: Late\nupdated: 9999-12-31 23:00:00 -0500\n---\n", 3, "out of range"),
        ('{\n"title": "Half \\ud800 a pair"\n}\n', 2, "title: holds a lone UTF-16 surrogate"),
        ('{\n"meta": {"k": ["\\udfff"]}\n}\n', 2, "meta: holds a lone UTF-16 surrogate"),
    ],
)
def test_a_file_no_database_can_store_fails_alone_and_named(tmp_path, text, line, reason):
    # Before, these stopped the whole import with a traceback naming no file.
    root = write_files(
        tmp_path, {"_posts/2020-01-01-bad.md": text, "_posts/2020-01-02-good.md": jekyll("Good")}
    )

    report = import_folder(root)

    assert (report.counts["created"], report.counts["failed"]) == (1, 1)
    (error,) = report.errors
    assert (error.path, error.line) == ("_posts/2020-01-01-bad.md", line)
    assert reason in error.detail
    assert Post.objects.get().title == "Good"


def test_a_file_failing_while_stored_fails_alone_and_the_batch_is_retried(tmp_path, monkeypatch):
    # Whatever goes wrong for one file (here: a value the mapping rules did not foresee),
    # the other files of its batch are stored and the file is named with the reason.
    from posts.markdown_io import importer

    real_fill = importer.fill

    def fill(post, data, **kwargs):
        if data.title == "Trouble":
            raise OverflowError("date value out of range")
        real_fill(post, data, **kwargs)

    monkeypatch.setattr(importer, "fill", fill)
    root = write_files(
        tmp_path,
        {f"_posts/2020-01-0{n}-post.md": jekyll(title) for n, title in enumerate("ABC", 1)}
        | {"_posts/2020-01-05-trouble.md": jekyll("Trouble")},
    )

    report = import_folder(root)

    assert (report.counts["created"], report.counts["failed"]) == (3, 1)
    (error,) = report.errors
    assert error.path == "_posts/2020-01-05-trouble.md"
    assert error.detail == "could not be stored (OverflowError): date value out of range"
    assert sorted(Post.objects.values_list("title", flat=True)) == ["A", "B", "C"]


@pytest.mark.parametrize("date_in_front_matter", [False, True])
def test_a_re_dated_jekyll_file_is_the_same_post_with_its_slug(tmp_path, date_in_front_matter):
    def hello(day: str) -> str:
        date = f"date: {day} 10:00:00 +0000\n" if date_in_front_matter else ""
        return f"---\ntitle: Hello\n{date}---\n\nHello.\n"

    root = write_files(tmp_path, {"_posts/2020-01-01-hello.md": hello("2020-01-01")})
    import_folder(root)
    post = Post.objects.get()
    (root / "_posts/2020-01-01-hello.md").unlink()
    write_files(root, {"_posts/2021-05-05-hello.md": hello("2021-05-05")})

    report = import_folder(root)

    assert (report.counts["moved"], report.counts["created"], report.missing) == (1, 0, [])
    moved = Post.objects.get()
    assert (moved.pk, moved.slug) == (post.pk, "hello")
    assert moved.published_at.date() == dt.date(2021, 5, 5)
    assert moved.source_path == "_posts/2021-05-05-hello.md"


@pytest.mark.parametrize("folder", ["", "news/"])
def test_a_published_jekyll_draft_is_the_same_post_with_its_slug(tmp_path, folder):
    # `jekyll publish` moves _drafts/x.md to _posts/DATE-x.md and dates it: before, the
    # post became a second one with a hashed slug, and the draft a missing file.
    root = write_files(
        tmp_path, {f"{folder}_drafts/a-draft.md": "---\ntitle: A draft\n---\n\nSoon.\n"}
    )
    import_folder(root)
    draft = Post.objects.get()
    assert draft.status == Post.Status.DRAFT
    (root / f"{folder}_drafts/a-draft.md").unlink()
    published = "---\ntitle: A draft\ndate: 2023-12-01 09:00:00 +0000\n---\n\nSoon.\n"
    write_files(root, {f"{folder}_posts/2023-12-01-a-draft.md": published})

    report = import_folder(root)

    assert (report.counts["moved"], report.counts["created"], report.missing) == (1, 0, [])
    post = Post.objects.get()
    assert (post.pk, post.slug, post.status) == (draft.pk, "a-draft", Post.Status.PUBLISHED)
    assert post.source_path == f"{folder}_posts/2023-12-01-a-draft.md"


def test_an_unpublished_jekyll_post_back_in_drafts_is_the_same_post(tmp_path):
    root = write_files(tmp_path, {"_posts/2023-12-01-idea.md": jekyll("Idea")})
    import_folder(root)
    post = Post.objects.get()
    (root / "_posts/2023-12-01-idea.md").unlink()
    write_files(root, {"_drafts/idea.md": jekyll("Idea")})

    report = import_folder(root)

    assert (report.counts["moved"], report.counts["created"]) == (1, 0)
    moved = Post.objects.get()
    assert (moved.pk, moved.slug, moved.status) == (post.pk, "idea", Post.Status.DRAFT)


def test_a_draft_published_into_another_folders_posts_is_not_a_move(tmp_path):
    root = write_files(tmp_path, {"news/_drafts/idea.md": jekyll("Idea")})
    import_folder(root)
    (root / "news/_drafts/idea.md").unlink()
    write_files(root, {"blog/_posts/2023-12-01-idea.md": jekyll("Idea")})

    report = import_folder(root)

    assert (report.counts["moved"], report.counts["created"]) == (0, 1)
    assert report.missing == ["news/_drafts/idea.md"]


@pytest.mark.parametrize(
    ("site", "path", "categories"),
    [
        ({"_config.yml": ""}, "news/tech/_posts/2020-01-01-x.md", ["Jekyll", "news", "tech"]),
        ({"_config.yml": ""}, "news/_drafts/x.md", ["Jekyll", "news", "tech"]),
        # Without a config, the site is the outermost folder holding a _posts folder.
        (
            {"_posts/2020-01-01-y.md": jekyll("Y")},
            "news/_posts/2020-01-01-x.md",
            ["Jekyll", "news", "tech"],
        ),
        # The folder above a site (its repository): the site's folder is no category.
        ({}, "docs/_posts/2020-01-01-x.md", ["Jekyll", "tech"]),
        ({"site/_config.yml": ""}, "site/a/_posts/2020-01-01-x.md", ["Jekyll", "a", "tech"]),
        # Folders inside _posts are not categories, nor is anything outside Jekyll's.
        ({"_config.yml": ""}, "_posts/tech/2020-01-01-x.md", ["Jekyll", "tech"]),
        ({}, "content/news/x.md", ["Jekyll", "tech"]),
    ],
)
def test_jekyll_posts_get_the_folders_above_posts_as_categories(tmp_path, site, path, categories):
    # As Jekyll does: news/tech/_posts/x.md is in news and tech, besides its own.
    root = write_files(tmp_path, {**site, path: jekyll("X", categories="[tech, Jekyll]")})

    report = import_folder(root)

    assert report.ok, report.render(verbosity=2)
    post = Post.objects.get(title="X")
    assert sorted(c.name for c in post.categories.all()) == categories


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("content/posts/my-trip.md", "content/posts/my-trip/index.md"),
        ("content/posts/my-trip/index.md", "content/posts/my-trip.md"),
        ("content/posts/my-trip.de.md", "content/posts/my-trip/index.de.md"),
    ],
)
def test_a_hugo_page_made_a_bundle_is_the_same_post(tmp_path, before, after):
    # Hugo's usual step to add a picture: the page keeps its URL. It was a second
    # published post with a hashed slug, and --prune deleted the edited one.
    text = "---\ntitle: My trip\ndate: 2024-05-01\n---\nWe went.\n"
    root = write_files(tmp_path, {"hugo.toml": "", before: text})
    import_folder(root)
    post = Post.objects.get()
    post.tags.add("travel")
    (root / before).unlink()
    write_files(root, {after: text})

    report = import_folder(root, prune=True)

    assert (report.counts["moved"], report.counts["created"]) == (1, 0), report.render(2)
    moved = Post.objects.get()
    assert (moved.pk, moved.slug, moved.source_path) == (post.pk, post.slug, after)
    assert list(moved.tags.names()) == ["travel"]


@pytest.mark.parametrize(
    "config",
    [
        {
            "hugo.toml": (
                '[languages.en]\ncontentDir = "content/en"\n'
                '[languages.de]\ncontentDir = "content/de"\n'
            )
        },
        {
            "config/_default/hugo.toml": "",
            "config/_default/languages.toml": (
                '[en]\ncontentDir = "content/en"\n[de]\ncontentDir = "content/de"\n'
            ),
        },
    ],
)
def test_a_hugo_page_in_each_languages_content_folder_is_a_post_of_its_own(tmp_path, config):
    # Hugo's translation by content folder: one file name, often one title and author.
    page = "---\ntitle: Release 2.0\ndate: 2024-06-01\nauthor: Ana\n---\n"
    root = write_files(
        tmp_path,
        {
            **config,
            "content/en/posts/release-2.md": page + "It is out.\n",
            "content/de/posts/release-2.md": page + "Es ist da.\n",
        },
    )

    report = import_folder(root)

    assert (report.counts["created"], report.counts["duplicate"]) == (2, 0)
    assert sorted(Post.objects.values_list("body", flat=True)) == ["Es ist da.\n", "It is out.\n"]


HIDDEN_BY_THE_SITE = {
    # Hugo: a section's cascade reaches every page below it.
    "hugo cascade": (
        {
            "hugo.toml": "",
            "content/posts/secret/_index.md": "---\ncascade:\n  draft: true\n---\n",
            "content/posts/secret/deeper/_index.md": "---\ntitle: Deeper\n---\n",
        },
        ["content/posts/secret/plans.md", "content/posts/secret/deeper/more.md"],
        ["content/posts/open.md"],
    ),
    "hugo cascade of build options, as a list": (
        {
            "hugo.toml": "",
            "content/notes/_index.md": (
                "+++\n[[cascade]]\n[cascade.build]\nrender = 'never'\nlist = 'never'\n+++\n"
            ),
        },
        ["content/notes/a.md"],
        ["content/posts/open.md"],
    ),
    "hugo site config cascade to pages": (
        {"hugo.toml": "[[cascade]]\ndraft = true\n[cascade._target]\nkind = 'page'\n"},
        ["content/posts/plans.md"],
        [],
    ),
    "jekyll defaults": (
        {
            "_config.yml": (
                "defaults:\n"
                "  - scope: {path: _posts/private}\n    values: {published: false, layout: x}\n"
                "  - scope: {path: _posts/private/ok, type: posts}\n    values: {published: true}\n"
            )
        },
        ["_posts/private/2024-01-01-private.md"],
        ["_posts/2024-01-01-open.md", "_posts/private/ok/2024-01-01-fine.md"],
    ),
    # Each language has its own section page, and cascade.
    "hugo translated section page": (
        {
            "hugo.toml": "[languages.en]\nweight = 1\n[languages.de]\nweight = 2\n",
            "content/posts/_index.de.md": "---\ntitle: Beiträge\ncascade:\n  draft: true\n---\n",
            "content/posts/_index.md": "---\ntitle: Posts\n---\n",
            "content/news/_index.md": "---\ncascade:\n  draft: true\n---\n",
        },
        ["content/posts/secret.de.md", "content/news/x.md", "content/news/y.en.md"],
        ["content/posts/secret.md", "content/news/x.de.md"],
    ),
    "hugo config/_default cascade": (
        {"config/_default/hugo.toml": "[cascade]\ndraft = true\n"},
        ["content/posts/a.md"],
        [],
    ),
    "hugo config/_default/cascade.yaml": (
        {"config/_default/hugo.toml": "", "config/_default/cascade.yaml": "draft: true\n"},
        ["content/posts/a.md"],
        [],
    ),
    "jekyll _config.toml defaults": (
        {
            "_config.toml": (
                "[[defaults]]\n[defaults.scope]\npath = ''\n[defaults.values]\npublished = false\n"
            )
        },
        ["_posts/2024-01-01-n.md"],
        [],
    ),
    # A theme's site-wide `published: true` does not publish the drafts folder.
    "jekyll drafts under a site-wide published default": (
        {"_config.yml": "defaults:\n  - scope: {path: ''}\n    values: {published: true}\n"},
        ["_drafts/unfinished.md"],
        ["_posts/2024-01-01-live.md"],
    ),
    "eleventy directory data": (
        {"src/posts/posts.json": '{"permalink": false, "layout": "post.njk"}'},
        ["src/posts/hidden.md"],
        ["src/open.md"],
    ),
    "eleventy template data": (
        {"src/hidden.11tydata.json": '{"draft": true}'},
        ["src/hidden.md"],
        ["src/open.md"],
    ),
}


@pytest.mark.parametrize("case", HIDDEN_BY_THE_SITE)
def test_posts_the_site_hides_from_outside_their_file_are_drafts(tmp_path, case):
    # Each generator can hide a folder from one place; reading the file alone, the
    # importer published these.
    site, hidden, public = HIDDEN_BY_THE_SITE[case]
    posts = {path: "---\ntitle: T\ndate: 2024-01-01\n---\nText.\n" for path in hidden + public}
    root = write_files(tmp_path, {**site, **posts})

    report = import_folder(root)

    assert report.ok, report.render(verbosity=2)
    status = dict(Post.objects.values_list("source_path", "status"))
    assert status == {path: "draft" for path in hidden} | {path: "published" for path in public}


@pytest.mark.parametrize(
    ("site", "imported", "path"),
    [
        (
            {
                "_config.yml": (
                    "timezone: Asia/Tokyo\n"
                    "defaults:\n  - scope: {path: news}\n    values: {published: false}\n"
                )
            },
            "news",
            "news/_posts/2024-03-02-n.md",
        ),
        (
            {
                "hugo.toml": 'timeZone = "Asia/Tokyo"\n',
                "content/_index.md": "---\ncascade:\n  draft: true\n---\n",
            },
            "content/blog",
            "content/blog/2024-03-02-n.md",
        ),
    ],
)
def test_a_subfolder_imported_alone_keeps_what_its_site_sets(tmp_path, site, imported, path):
    # `site/news` (or `site/content/blog`) imported alone lost the site's defaults,
    # cascade and time zone: a draft was published, at the wrong time.
    write_files(tmp_path, {**site, path: "---\ntitle: N\n---\nText.\n"})

    import_folder(tmp_path / imported)

    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert post.published_at == dt.datetime(2024, 3, 1, 15, 0, tzinfo=dt.UTC)


def test_an_eleventy_folder_imported_alone_keeps_its_own_data_file(tmp_path):
    write_files(
        tmp_path,
        {"notes/notes.json": '{"permalink": false}', "notes/n1.md": "---\ntitle: N\n---\n"},
    )

    import_folder(tmp_path / "notes")

    assert Post.objects.get().status == Post.Status.DRAFT


def test_the_current_folder_and_a_linked_one_find_their_site_above(tmp_path, monkeypatch):
    # `import_markdown .` searched no folder above "."; a linked folder failed the run.
    config = "defaults:\n  - scope: {path: _posts}\n    values: {published: false}\n"
    write_files(
        tmp_path,
        {"site/_config.yml": config, "site/_posts/2024-01-01-h.md": "---\ntitle: H\n---\n"},
    )
    monkeypatch.chdir(tmp_path / "site/_posts")

    import_folder(".")

    assert Post.objects.get().status == Post.Status.DRAFT
    Post.objects.all().delete()
    (tmp_path / "linked").symlink_to(tmp_path / "site/_posts")
    import_folder(tmp_path / "linked")
    assert Post.objects.get().status == Post.Status.DRAFT


@pytest.mark.parametrize(
    ("files", "imported"),
    [
        # Another program's config at the repository's root.
        ({"app/.git/HEAD": "", "app/config.json": '{"timezone": "Asia/Tokyo"}'}, "app/blog"),
        # A home folder's Jekyll config, above a folder with no _posts.
        ({"me/_config.yml": "timezone: Asia/Tokyo\n"}, "me/Downloads/blog"),
    ],
)
def test_a_config_above_the_folder_that_is_no_site_of_its_posts_sets_nothing(
    tmp_path, settings, files, imported
):
    settings.TIME_ZONE = "UTC"
    post = {f"{imported}/hello.md": "---\ntitle: H\ndate: 2024-01-01 10:00:00\n---\n"}
    write_files(tmp_path, {**files, **post})

    import_folder(tmp_path / imported)

    assert Post.objects.get().published_at == dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.UTC)


def test_hugo_reads_one_root_config_and_its_bom(tmp_path, settings):
    # hugo.toml wins over a config.yaml another tool left beside it; a BOM (Windows
    # editors) hid contentDir while the zone was read, so the README became a post.
    settings.TIME_ZONE = "UTC"
    hugo = '\ufefftitle = "S"\r\ncontentDir = "src"\r\n'
    root = write_files(
        tmp_path,
        {
            "hugo.toml": hugo,
            "config.yaml": "timezone: Asia/Tokyo\n",
            "README.md": "# Site\n",
            "src/posts/p.md": "---\ntitle: P\ndate: 2024-01-01T10:00:00\n---\n",
        },
    )

    import_folder(root)

    post = Post.objects.get()
    assert (post.source_path, post.published_at) == (
        "src/posts/p.md",
        dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("config", "text"),
    [
        ("_config.yml", "defaults:\n  - scope: {path: _posts\n    values: {published: false}\n"),
        ("hugo.toml", "[cascade\ndraft = true\n"),
    ],
)
def test_a_site_config_that_cannot_be_read_stops_the_import_naming_it(tmp_path, config, text):
    # Left out, its defaults or cascade would not hide the posts they hide: published.
    root = write_files(
        tmp_path,
        {config: text, "_posts/2024-01-01-h.md": "---\ntitle: H\n---\n", "content/p.md": "x"},
    )

    with pytest.raises(ValueError, match=f"the site's config .*{config} cannot be read"):
        import_folder(root)

    assert not Post.objects.exists()


def test_an_eleventy_sites_tags_string_is_one_tag(tmp_path):
    # Eleventy takes `tags: web development` whole; Jekyll splits it at spaces.
    root = write_files(
        tmp_path,
        {
            "eleventy.config.js": "export default function () {}\n",
            "posts/a.md": "---\ntitle: A\ntags: web development\n---\n",
        },
    )

    import_folder(root)

    assert list(Post.objects.get().tags.names()) == ["web development"]
    post = Post.objects.get()
    post.tags.add("css")
    post.save()
    assert export_folder(root).ok
    assert "tags:\n  - css\n  - web development\n" in (root / "posts/a.md").read_text()


@pytest.mark.parametrize("import_from", [".", "content"])
def test_a_hugo_sites_taxonomy_strings_are_one_term_each(tmp_path, import_from):
    # Hugo reads a string as one term (types.ToStringSlicePreserveString): `web
    # development` was split into `web` and `development`, `news, foundation` into two.
    root = write_files(
        tmp_path,
        {
            "hugo.yaml": "baseURL: https://example.org/\n",
            "content/posts/hello.md": (
                "---\ntitle: Hello\ntags: web development\ncategories: news, foundation\n---\n"
            ),
        },
    )

    import_folder(root / import_from)

    post = Post.objects.get()
    assert list(post.tags.names()) == ["web development"]
    assert [c.name for c in post.categories.all()] == ["news, foundation"]
    post.tags.add("css")
    post.save()
    assert export_folder(root / import_from).ok
    text = (root / "content/posts/hello.md").read_text()
    assert "tags:\n  - css\n  - web development\n" in text
    assert "categories: news, foundation\n" in text


def test_a_files_own_status_key_wins_over_what_it_inherits(tmp_path):
    root = write_files(
        tmp_path,
        {
            "hugo.toml": "",
            "content/posts/secret/_index.md": "---\ncascade:\n  draft: true\n---\n",
            "content/posts/secret/out.md": "---\ntitle: Out\ndraft: false\n---\n",
        },
    )

    import_folder(root)

    assert Post.objects.get().status == Post.Status.PUBLISHED


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({"_config.yml": "timezone: America/Chicago\n"}, "_posts/2024-01-01-x.md"),
        ({"hugo.toml": 'timeZone = "America/Chicago"\n'}, "content/posts/x.md"),
    ],
)
def test_naive_dates_are_in_the_zone_the_sites_config_gives(tmp_path, settings, config, path):
    # Jekyll and Hugo read `date: 2024-01-01 10:00:00` in the site's zone: imported in
    # TIME_ZONE (UTC), every post was six hours early.
    settings.TIME_ZONE = "UTC"
    root = write_files(
        tmp_path, {**config, path: "---\ntitle: X\ndate: 2024-01-01 10:00:00\n---\n"}
    )

    import_folder(root)

    assert Post.objects.get().published_at == dt.datetime(2024, 1, 1, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "config",
    [
        {"_config.toml": 'timezone = "America/Chicago"\n'},
        {"config/_default/hugo.toml": 'timeZone = "America/Chicago"\n'},
    ],
)
def test_the_sites_zone_is_read_from_every_form_of_its_config(tmp_path, settings, config):
    settings.TIME_ZONE = "UTC"
    text = "---\ntitle: X\ndate: 2024-01-01 10:00:00\n---\n"
    path = (
        "content/posts/x.md" if "config/_default/hugo.toml" in config else "_posts/2024-01-01-x.md"
    )
    root = write_files(tmp_path, {**config, path: text})

    import_folder(root)

    assert Post.objects.get().published_at == dt.datetime(2024, 1, 1, 16, 0, tzinfo=dt.UTC)


def test_a_jekyll_post_moved_out_of_posts_keeps_its_time_and_identity(tmp_path, settings):
    # Jekyll's timezone sets the zone of the whole build, archived/ copies included: read
    # in UTC there, the moved post was a second post six hours late.
    settings.TIME_ZONE = "UTC"
    text = "---\ntitle: X\ndate: 2024-01-01 10:00:00\nauthor: A\n---\n"
    root = write_files(
        tmp_path, {"_config.yml": "timezone: America/Chicago\n", "_posts/2024-01-01-x.md": text}
    )
    import_folder(root)
    (root / "_posts/2024-01-01-x.md").unlink()
    write_files(root, {"archived/2024-01-01/2024-01-01-x.md": text})

    report = import_folder(root)

    assert (report.counts["moved"], report.counts["created"]) == (1, 0)
    assert Post.objects.get().published_at == dt.datetime(2024, 1, 1, 16, 0, tzinfo=dt.UTC)


def test_timezone_given_to_the_import_wins_over_the_sites(tmp_path):
    root = write_files(
        tmp_path,
        {
            "_config.yml": "timezone: America/Chicago\n",
            "_posts/2024-01-01-x.md": "---\ntitle: X\ndate: 2024-01-01 10:00:00\n---\n",
        },
    )

    import_folder(root, timezone="Asia/Tokyo")

    assert Post.objects.get().published_at == dt.datetime(2024, 1, 1, 1, 0, tzinfo=dt.UTC)


def test_a_new_dated_post_beside_a_gone_one_of_another_title_is_not_a_move(tmp_path):
    root = write_files(tmp_path, {"_posts/2020-01-01-notes.md": jekyll("Notes of January")})
    import_folder(root)
    (root / "_posts/2020-01-01-notes.md").unlink()
    write_files(root, {"_posts/2020-02-01-notes.md": jekyll("Notes of February")})

    report = import_folder(root)

    assert (report.counts["moved"], report.counts["created"]) == (0, 1)
    assert report.missing == ["_posts/2020-01-01-notes.md"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("content/widgets/index.md", '+++\ntitle = "Widgets"\nheadless = true\n+++\n'),
        ("content/p/x.md", '+++\ntitle = "X"\n[build]\nrender = "never"\n+++\n'),
        ("content/p/y.md", "---\ntitle: Y\n_build:\n  render: false\n---\n"),
        ("content/p/z.md", "---\ntitle: Z\nbuild:\n  render: link\n---\n"),
        ("posts/data.md", "---\ntitle: Data\npermalink: false\n---\n"),
    ],
)
def test_files_the_generator_writes_no_page_for_are_drafts_kept_as_they_were(tmp_path, path, text):
    # Public, each would be a page the site does not have.
    root = write_files(tmp_path, {path: text + "Text.\n"})

    import_folder(root)

    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert "Text." in post.body
    assert not Post.objects.published().exists()
    assert import_folder(root).counts["unchanged"] == 1
    assert export_folder(tmp_path / "out").ok
    assert (tmp_path / "out" / path).read_text() == text + "Text.\n"


def test_a_page_hugo_writes_but_does_not_list_stays_published(tmp_path):
    text = '+++\ntitle = "About"\n[build]\nlist = "never"\nrender = "always"\n+++\n'
    import_folder(write_files(tmp_path, {"content/about.md": text}))

    assert Post.objects.get().status == Post.Status.PUBLISHED


def test_a_file_renamed_to_the_composed_form_of_its_name_is_a_move(tmp_path):
    # macOS <-> Linux copies and git's precomposeunicode turn e + U+0301 into é.
    decomposed, composed = "_posts/2020-03-02-cafe\u0301.md", "_posts/2020-03-02-caf\u00e9.md"
    root = write_files(tmp_path, {decomposed: jekyll("Café")})
    import_folder(root)
    post = Post.objects.get()
    (root / decomposed).rename(root / composed)

    report = import_folder(root)

    assert (report.counts["moved"], report.counts["created"], report.missing) == (1, 0, [])
    assert Post.objects.get().pk == post.pk


def _in_thread(target):
    """Run `target` in a thread with its own database connection; returns (thread, result)."""
    result = {}

    def run():
        try:
            result["value"] = target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_both_import_every_file(tmp_path):
    # Both create the same authors and tags: before, the second run's batches failed on
    # their unique slugs (every file), or on "database is locked".
    def folder(name: str):
        files = {
            f"_posts/2020-01-{day:02d}-{name}.md": jekyll(f"{name} {day}", author=f"A{day % 3}")
            + "tags: [shared, common]\n"
            for day in range(1, 21)
        }
        return write_files(tmp_path / name, files)

    first, second = folder("one"), folder("two")
    threads = [_in_thread(lambda root=root: import_folder(root)) for root in (first, second)]
    for thread, _ in threads:
        thread.join(60)

    reports = [result["value"] for _, result in threads]
    assert [report.counts["created"] for report in reports] == [20, 20]
    assert [report.counts["failed"] for report in reports] == [0, 0]
    assert sorted(Author.objects.values_list("name", flat=True)) == ["A0", "A1", "A2"]


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_the_one_running_and_says_so(tmp_path):
    from posts.markdown_io.run_lock import one_import_at_a_time

    root = write_files(tmp_path, {"_posts/2020-01-01-a.md": jekyll("A")})
    holding, release, waiting = threading.Event(), threading.Event(), threading.Event()

    def other_import():
        with one_import_at_a_time("default"):
            holding.set()
            release.wait(30)

    other, _ = _in_thread(other_import)
    assert holding.wait(30)
    this, result = _in_thread(lambda: import_folder(root, on_wait=waiting.set))

    assert waiting.wait(30)
    this.join(0.5)
    assert this.is_alive() and not Post.objects.exists()  # waiting, nothing written
    release.set()
    other.join(30)
    this.join(30)
    assert result["value"].counts["created"] == 1


def test_folders_no_generator_builds_pages_from_are_left_out(tmp_path):
    # A site's root imported whole: npm packages' READMEs, Jekyll's includes and
    # layouts were posts (or failures) before.
    root = write_files(
        tmp_path,
        {
            "node_modules/pkg/README.md": "# pkg\n",
            "_includes/sig.markdown": "-- me\n",
            "_layouts/post.md": "{{ content }}\n",
            "_posts/2020-01-01-post.md": "---\ntitle: Post\n---\n",
            "_site/copy.md": "---\ntitle: Copy\n---\n",
            "about.md": "---\ntitle: About\n---\n",
        },
    )

    assert [rel for rel, _ in walk(root)] == ["about.md", "_posts/2020-01-01-post.md"]


def test_at_a_hugo_sites_root_only_its_content_folder_is_read(tmp_path):
    # Hugo builds pages from content/ alone: the site's README, archetype templates
    # (`{{ .Date }}` failed the run) and themes' example sites were posts before.
    root = write_files(
        tmp_path,
        {
            "hugo.toml": 'title = "Site"\n',
            "README.md": "# My site\n\nRun `hugo server`.\n",
            "content/posts/hello.md": "---\ntitle: Hello\n---\n",
            "content/themes/on-themes.md": "---\ntitle: A section named themes\n---\n",
            "archetypes/default.md": "---\ndate: {{ .Date }}\n---\n",
            "themes/ananke/exampleSite/content/demo.md": "---\ntitle: Demo\n---\n",
            "docs/notes.md": "# Notes\n",
        },
    )

    assert [rel for rel, _ in walk(root)] == [
        "content/posts/hello.md",
        "content/themes/on-themes.md",
    ]
    report = import_folder(root)
    assert report.ok, report.render(verbosity=2)
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "A section named themes",
        "Hello",
    ]


@pytest.mark.parametrize(
    ("config", "text"),
    [
        ("hugo.toml", 'contentDir = "src/pages"\n'),
        ("config.yaml", "contentDir: src/pages\n"),
        ("hugo.json", '{"contentDir": "src/pages"}'),
        ("config/_default/hugo.toml", 'contentDir = "src/pages"\n'),
        ("hugo.toml", '[languages.de]\ncontentDir = "src/pages"\n'),
    ],
)
def test_a_hugo_site_reads_the_content_folder_its_config_names(tmp_path, config, text):
    root = write_files(
        tmp_path,
        {
            config: text,
            "README.md": "# My site\n",
            "src/pages/post.md": "---\ntitle: Post\n---\n",
            "src/notes.md": "# Notes\n",
        },
    )

    assert [rel for rel, _ in walk(root)] == ["src/pages/post.md"]


def test_a_hugo_config_without_a_content_folder_reads_the_root_as_before(tmp_path):
    # A stray config.json need not mean Hugo: nothing is left out but Hugo's own folders.
    root = write_files(
        tmp_path,
        {
            "config.json": "{}",
            "posts/a.md": "---\ntitle: A\n---\n",
            "archetypes/default.md": "---\ndate: {{ .Date }}\n---\n",
        },
    )

    assert [rel for rel, _ in walk(root)] == ["posts/a.md"]


def test_outside_a_hugo_sites_root_a_folder_named_like_hugos_is_content(tmp_path):
    root = write_files(tmp_path, {"themes/dark-mode.md": "---\ntitle: Dark\n---\n"})

    assert [rel for rel, _ in walk(root)] == ["themes/dark-mode.md"]


JEKYLL_SITE = {
    "_config.yml": "title: Site\nexclude:\n  - CHANGELOG.md\n  - notes/\n  - '*.txt.md'\n",
    "index.markdown": "---\nlayout: home\n---\n",
    "about.markdown": "---\nlayout: page\ntitle: About\npermalink: /about/\n---\nAbout me\n",
    "README.md": "# My site\n",
    "CHANGELOG.md": "# Changes\n",
    "notes/2020-01-01-todo.md": jekyll("Todo"),
    "draft.txt.md": jekyll("Txt"),
    "_templates/post.md": "---\ntitle: Post template\n---\n",
    "_articles/2020-01-01-collected.md": jekyll("Collected"),
    "_posts/_template.md": "---\ntitle: Underscored\n---\n",
    "_posts/notes.md": "---\ntitle: Undated\ndate: 2020-01-01\n---\n",
    "_posts/2024-01-01-welcome.markdown": jekyll("Welcome"),
    "_posts/2024/2024-02-01-nested.md": jekyll("Nested"),
    "_drafts/an-idea.md": "---\ntitle: An idea\n---\n",
    "archived/2019-05-05/2019-05-05-old-post.md": jekyll("Old post"),
}


def test_in_a_jekyll_site_only_its_posts_become_posts(tmp_path):
    # `jekyll new` gives index.markdown and about.markdown: they were the two newest posts.
    root = write_files(tmp_path, JEKYLL_SITE)

    report = import_folder(root)

    assert report.ok, report.render(verbosity=2)
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "An idea",
        "Nested",
        "Old post",  # dated, out of _posts: a site's archive, as the seed site keeps one
        "Welcome",
    ]
    skipped = {o.path: o.detail for o in report.outcomes if o.action == "skipped"}
    page = "a page of the Jekyll site (only _posts holds its posts), not a post"
    excluded = "excluded by `exclude: {}` in the _config of the Jekyll site"
    assert skipped == {
        "index.markdown": page,
        "about.markdown": page,
        "README.md": page,
        "CHANGELOG.md": excluded.format("CHANGELOG.md"),
        "notes/2020-01-01-todo.md": excluded.format("notes/"),
        "draft.txt.md": excluded.format("*.txt.md"),
        "_templates/post.md": "_templates starts with _: Jekyll reads no post there",
        "_articles/2020-01-01-collected.md": "_articles starts with _: Jekyll reads no post there",
        "_posts/_template.md": "_template.md starts with _: Jekyll reads no post there",
        "_posts/notes.md": (
            "in _posts without a date in its name (YYYY-MM-DD-title.md): not a post"
        ),
    }


def test_without_a_jekyll_config_every_markdown_file_is_a_post(tmp_path):
    # No config, no known rules: a plain folder of posts (the seed site has none).
    files = {name: text for name, text in JEKYLL_SITE.items() if name != "_config.yml"}
    root = write_files(tmp_path, files)

    report = import_folder(root)

    assert report.counts["created"] == len(files) and report.counts["skipped"] == 0


def test_a_jekyll_site_s_rules_hold_for_its_posts_folder_imported_alone_and_in_a_subsite(
    tmp_path,
):
    root = write_files(
        tmp_path,
        {
            "_config.yml": "title: Site\ninclude: [notes/]\nexclude: [notes/]\n",
            "_posts/2024-01-01-welcome.md": jekyll("Welcome"),
            "_posts/undated.md": jekyll("Undated"),
            "notes/2020-01-01-kept.md": jekyll("Kept"),  # include: undoes exclude:
        },
    )

    report = import_folder(root / "_posts")

    assert list(Post.objects.values_list("title", flat=True)) == ["Welcome"]
    assert [o.path for o in report.outcomes if o.action == "skipped"] == ["undated.md"]
    import_folder(root)
    assert sorted(Post.objects.values_list("title", flat=True)) == ["Kept", "Welcome"]


def test_pages_imported_before_a_jekyll_config_are_gone_and_pruned(tmp_path):
    root = write_files(
        tmp_path, {"about.md": "# About\n", "_posts/2024-01-01-welcome.md": jekyll("Welcome")}
    )
    import_folder(root)
    write_files(root, {"_config.yml": "title: Site\n"})

    report = import_folder(root, prune=True)

    assert (report.missing, report.pruned) == (["about.md"], 1)
    assert list(Post.objects.values_list("title", flat=True)) == ["Welcome"]


def test_a_hugo_or_eleventy_site_with_a_jekyll_config_file_is_read_as_itself(tmp_path):
    root = write_files(
        tmp_path,
        {
            "_config.yml": "title: Leftover\n",
            ".eleventy.js": "module.exports = {};\n",
            "about.md": "# About\n",
        },
    )

    import_folder(root)

    assert list(Post.objects.values_list("title", flat=True)) == ["About"]


REREAD_FILES = {
    "_posts/2020-05-05-tokyo.md": "---\ntitle: Tokyo\ndate: 2020-05-05 10:00:00\n---\nText\n",
    "_posts/2020-05-06-signed.md": (
        "---\ntitle: Signed\ndate: 2020-05-06 10:00:00 +0000\nauthor: Bo\n---\nText\n"
    ),
}


def test_reread_applies_a_forgotten_timezone_and_default_author_to_unchanged_files(tmp_path):
    # Unchanged files are skipped by their bytes: without --reread a corrected option
    # never reached the posts it was meant for.
    root = write_files(tmp_path, REREAD_FILES)
    import_folder(root)
    options = {"timezone": "Asia/Tokyo", "default_author": "Ann"}
    assert import_folder(root, **options).counts["unchanged"] == 2

    report = import_folder(root, reread=True, **options)

    assert (report.counts["updated"], report.counts["unchanged"]) == (1, 1), report.render(
        verbosity=2
    )
    tokyo = Post.objects.get(slug="tokyo")
    assert tokyo.published_at == dt.datetime(2020, 5, 5, 1, 0, tzinfo=dt.UTC)
    assert [a.name for a in tokyo.ordered_authors] == ["Ann"]
    signed = Post.objects.get(slug="signed")
    assert [a.name for a in signed.ordered_authors] == ["Bo"]
    assert import_folder(root, reread=True, **options).counts["unchanged"] == 2
    assert export_folder(root).counts["written"] == 0  # the files say the same as before


def test_reread_reaches_a_site_setting_added_after_the_import(tmp_path):
    root = write_files(tmp_path, REREAD_FILES)
    import_folder(root)
    write_files(root, {"_config.yml": "timezone: America/Chicago\n"})

    report = import_folder(root, reread=True)

    assert report.counts["updated"] == 1
    assert Post.objects.get(slug="tokyo").published_at == dt.datetime(
        2020, 5, 5, 15, 0, tzinfo=dt.UTC
    )


def test_reread_leaves_admin_edits_as_a_conflict_unless_overwrite(tmp_path):
    root = write_files(tmp_path, REREAD_FILES)
    import_folder(root)
    post = Post.objects.get(slug="tokyo")
    post.title = "Tokyo, edited"
    post.save()

    report = import_folder(root, reread=True, timezone="Asia/Tokyo")

    [conflict] = [o for o in report.outcomes if o.action == "conflict"]
    assert conflict.path == "_posts/2020-05-05-tokyo.md"
    assert conflict.detail.startswith("edited in the admin since the last import")
    assert Post.objects.get(pk=post.pk).title == "Tokyo, edited"
    import_folder(root, reread=True, timezone="Asia/Tokyo", overwrite=True)
    post.refresh_from_db()
    assert (post.title, post.published_at.hour) == ("Tokyo", 1)


def test_translations_in_a_folder_per_language_are_two_posts_not_duplicates(tmp_path):
    # Decap's i18n `multiple_folders` (the date shared with `i18n: duplicate`): the French
    # page was reported as a duplicate of the English one and never imported.
    root = write_files(
        tmp_path,
        {
            "content/blog/en/paris.md": jekyll("Paris"),
            "content/blog/fr/paris.md": jekyll("Paris"),
            "content/blog/pt_BR/paris.md": jekyll("Paris"),
            # A copy: its path differs where no language is named.
            "content/copy/en/paris.md": jekyll("Paris"),
        },
    )

    report = import_folder(root)

    assert report.counts["created"] == 3, report.render(verbosity=2)
    [duplicate] = [o for o in report.outcomes if o.action == "duplicate"]
    assert duplicate.path == "content/copy/en/paris.md"


def test_in_an_eleventy_site_what_eleventy_ignores_or_does_not_read_is_no_post(tmp_path):
    # An ignored work-in-progress folder and the project's README were published.
    root = write_files(
        tmp_path,
        {
            "eleventy.config.js": 'export default () => ({ dir: { input: "src" } });\n',
            ".eleventyignore": "# not ready\nwip/\n*.draft.md\n",
            ".gitignore": "node_modules/\nsrc/private/\n",
            "src/.eleventyignore": "notes.md\n",
            "README.md": "# Project\n",
            "src/wip/secret.md": jekyll("Unfinished secret"),
            "src/posts/idea.draft.md": jekyll("Idea"),
            "src/private/diary.md": jekyll("Diary"),
            "src/notes.md": jekyll("Notes"),
            "src/posts/ok.md": jekyll("Post"),
        },
    )

    report = import_folder(root)

    assert list(Post.objects.values_list("title", flat=True)) == ["Post"]
    skipped = {o.path: o.detail for o in report.outcomes if o.action == "skipped"}
    assert skipped == {
        "README.md": "outside the Eleventy input folder src/ (its config), not a page",
        "src/wip/secret.md": "ignored by `wip/` in .eleventyignore (Eleventy builds no page of it)",
        "src/posts/idea.draft.md": (
            "ignored by `*.draft.md` in .eleventyignore (Eleventy builds no page of it)"
        ),
        "src/private/diary.md": (
            "ignored by `src/private/` in .gitignore (Eleventy builds no page of it)"
        ),
        "src/notes.md": (
            "ignored by `notes.md` in src/.eleventyignore (Eleventy builds no page of it)"
        ),
    }


def test_an_eleventy_input_folder_imported_alone_keeps_its_site_s_ignores(tmp_path):
    root = write_files(
        tmp_path,
        {
            ".eleventy.js": "module.exports = () => ({ dir: { input: 'src' } });\n",
            ".eleventyignore": "src/wip/\n",
            "src/wip/secret.md": jekyll("Unfinished secret"),
            "src/ok.md": jekyll("Post"),
        },
    )

    import_folder(root / "src")

    assert list(Post.objects.values_list("title", flat=True)) == ["Post"]
