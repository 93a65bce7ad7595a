"""Exporting posts: byte-identical round trips, key-only edits, safe atomic writes."""

import codecs
import datetime as dt
import difflib
import os

import pytest

from posts.markdown_io import sync
from posts.markdown_io.exporter import check_relative_path, export_folder
from posts.markdown_io.importer import import_folder
from posts.models import Author, Category, Post
from tests.factories import PostFactory
from tests.markdown_helpers import write_files

pytestmark = pytest.mark.django_db

YAML_POST = (
    "---\n"
    "layout: post\n"
    "# a comment the exporter must keep\n"
    'title: "Quoted title"\n'
    "date: 2015-11-17 16:16:01 -0600\n"
    "author: Ann\n"
    "tags: [ one, two ]\n"
    "comments: True\n"
    "---\n"
    "\n"
    "Body with a rule\n"
    "---\n"
    "and <!--more--> {% raw %}liquid{% endraw %} {{< shortcode >}}\n"
)

FILES = {
    "_posts/2015-11-17-yaml.md": YAML_POST,
    "_posts/2016-01-01-crlf-bom.md": codecs.BOM_UTF8
    + b"---\r\ntitle: CRLF\r\ncategories: a b\r\n---\r\nLine one\r\nLine two\r\n",
    "_posts/2016-01-02-utf16.md": codecs.BOM_UTF16_LE
    + "---\r\ntitle: 十六\r\n---\r\n本文\r\n".encode("utf-16-le"),
    "content/posts/toml.md": (
        '+++\ntitle = "Toml"\ndate = 2017-07-24\ndraft = true\n'
        'tags = ["x"]  # trailing comment\n[menu.main]\nweight = 1\n+++\nBody\n'
    ),
    "content/posts/bundle/index.md": '{\n  "title": "Json",\n  "date": "2018-01-01"\n}\nBody\n',
    "notes/2019-02-03-plain.md": "# Just a heading\n\nNo front matter, no final newline",
}


@pytest.fixture
def imported(tmp_path):
    source = write_files(tmp_path / "source", FILES)
    report = import_folder(source)
    assert report.counts["created"] == len(FILES), report.render(verbosity=2)
    return source


def read(root, rel):
    return (root / rel).read_bytes()


def test_unedited_posts_are_written_back_byte_identical(imported, tmp_path):
    out = tmp_path / "out"
    report = export_folder(out)
    assert report.counts["written"] == len(FILES) and report.ok
    for rel in FILES:
        assert read(out, rel) == read(imported, rel), rel


def test_export_to_the_imported_folder_changes_nothing(imported):
    report = export_folder(imported)
    assert report.counts["unchanged"] == len(FILES)
    assert import_folder(imported).counts["unchanged"] == len(FILES)


def _diff(before: bytes, after: bytes) -> list[str]:
    lines = difflib.unified_diff(
        before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0
    )
    return [line for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_edit_rewrites_only_the_lines_of_the_changed_keys(imported, tmp_path):
    post = Post.objects.get(source_path="_posts/2015-11-17-yaml.md")
    post.title = "New title"
    post.meta = {**post.meta, "comments": False}
    post.save()
    export_folder(tmp_path / "out")
    after = read(tmp_path / "out", "_posts/2015-11-17-yaml.md")
    assert _diff(read(imported, "_posts/2015-11-17-yaml.md"), after) == [
        '-title: "Quoted title"',
        '+title: "New title"',
        "-comments: True",
        "+comments: false",
    ]


def test_edited_taxonomy_keeps_flow_style(imported, tmp_path):
    post = Post.objects.get(source_path="_posts/2015-11-17-yaml.md")
    post.tags.add("three")
    export_folder(tmp_path / "out")
    after = read(tmp_path / "out", "_posts/2015-11-17-yaml.md").decode()
    assert "tags: [one, three, two]\n" in after
    assert "# a comment the exporter must keep\n" in after


def test_edited_toml_keeps_its_comments_and_tables(imported, tmp_path):
    post = Post.objects.get(source_path="content/posts/toml.md")
    post.status = Post.Status.PUBLISHED
    post.save()
    export_folder(tmp_path / "out")
    after = read(tmp_path / "out", "content/posts/toml.md").decode()
    assert "draft = false\n" in after
    assert 'tags = ["x"]  # trailing comment\n' in after and "[menu.main]" in after


def test_edited_eleventy_json_block_keeps_its_dashes(tmp_path):
    source = write_files(
        tmp_path / "source", {"posts/hi.md": '---json\n{\n  "title": "Hi"\n}\n---\nBody\n'}
    )
    import_folder(source)
    post = Post.objects.get()
    post.title = "Hello"
    post.save()

    export_folder(tmp_path / "out")

    after = read(tmp_path / "out", "posts/hi.md").decode()
    assert after == '---json\n{\n  "title": "Hello"\n}\n---\nBody\n'
    assert import_folder(tmp_path / "out").ok


def test_edited_body_keeps_bom_and_crlf(imported, tmp_path):
    post = Post.objects.get(source_path="_posts/2016-01-01-crlf-bom.md")
    post.body = "Rewritten\nin the admin\n"
    post.save()
    export_folder(tmp_path / "out")
    after = read(tmp_path / "out", "_posts/2016-01-01-crlf-bom.md")
    assert after == (
        codecs.BOM_UTF8
        + b"---\r\ntitle: CRLF\r\ncategories: a b\r\n---\r\nRewritten\r\nin the admin\r\n"
    )


@pytest.mark.parametrize(
    ("front_matter", "closed"),
    [
        ("---\ntitle: Stub\n---", "---\ntitle: Stub\n---\n"),
        ('+++\ntitle = "Stub"\n+++', '+++\ntitle = "Stub"\n+++\n'),
        ('{\n  "title": "Stub"\n}', '{\n  "title": "Stub"\n}\n'),
        ("---\r\ntitle: Stub\r\n---", "---\r\ntitle: Stub\r\n---\r\n"),
    ],
)
def test_a_body_given_to_a_file_of_front_matter_alone_starts_on_its_own_line(
    tmp_path, front_matter, closed
):
    # The block ended the file with no line break; the body was joined to its closing line.
    source = write_files(tmp_path / "site", {"_posts/2020-01-01-stub.md": front_matter})
    assert import_folder(source).counts["created"] == 1
    post = Post.objects.get()
    post.body = "Now it has a body\n"
    post.save()

    report = export_folder(source)

    assert report.ok, report.render(verbosity=2)
    newline = "\r\n" if "\r\n" in front_matter else "\n"
    expected = closed + "Now it has a body" + newline
    assert (source / "_posts/2020-01-01-stub.md").read_bytes() == expected.encode()
    assert import_folder(source).counts["updated"] == 0


@pytest.mark.parametrize("rel", ["_posts/2016-01-01-crlf-bom.md", "_posts/2016-01-02-utf16.md"])
def test_a_second_export_after_an_admin_edit_writes_the_same_bytes(imported, rel):
    post = Post.objects.get(source_path=rel)
    post.body += "Added in the admin\n"
    post.save()

    assert export_folder(imported).counts["written"] == 1
    first = read(imported, rel)
    report = export_folder(imported)

    assert read(imported, rel) == first
    assert report.counts["written"] == 0 and report.ok
    text = first.decode("utf-16" if "utf16" in rel else "utf-8-sig")
    assert "\n" not in text.replace("\r\n", "")  # CRLF throughout, the admin's line too


def test_importing_an_export_reproduces_the_database(imported, tmp_path):
    post = Post.objects.get(source_path="_posts/2015-11-17-yaml.md")
    post.title = "Changed"
    post.published_at = dt.datetime(2021, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
    post.modified_at = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    post.excerpt = "Summary."
    post.feature_image = "/img/a.png"
    post.meta = {"layout": "page", "new": [1, {"deep": True}]}
    post.save()
    post.set_authors([Author.objects.create(name="Zoe"), Author.objects.get(name="Ann")])
    post.categories.add(Category.objects.create(name="Added"))
    plain = Post.objects.get(source_path="notes/2019-02-03-plain.md")
    plain.body = "# Another heading\n"
    plain.save()
    made = PostFactory(title="Made in the admin", meta={"k": "v"})
    made.tags.add("admin")
    out = tmp_path / "out"
    assert export_folder(out).ok

    def snapshot():
        return {
            p.source_path: (sync.state_of_row(p), p.body_html, p.plain_excerpt)
            for p in Post.objects.prefetch_related("post_authors__author", "categories", "tags")
        }

    before = snapshot()
    assert made.source_path is None
    assert Post.objects.get(pk=made.pk).source_path.endswith("-made-in-the-admin.md")
    Post.objects.all().delete()
    report = import_folder(out)
    assert report.counts["created"] == len(FILES) + 1, report.render(verbosity=2)
    assert snapshot() == before


def test_new_post_gets_a_jekyll_file_name_and_front_matter(tmp_path):
    post = PostFactory(
        title="Hello", published_at=dt.datetime(2024, 3, 2, 1, 0, tzinfo=dt.UTC), status="draft"
    )
    post.tags.add("t")
    export_folder(tmp_path)
    text = (tmp_path / "2024-03-02-hello.md").read_text()
    assert text.startswith(
        "---\ntitle: Hello\ndate: 2024-03-02 01:00:00 +0000\npublished: false\ntags:\n  - t\n---\n"
    )


@pytest.mark.parametrize("force", [False, True])
def test_a_new_post_never_takes_another_post_s_file(tmp_path, force):
    imported = "---\ntitle: Imported\nslug: custom\ndate: 2024-01-01\n---\nMine.\n"
    root = write_files(tmp_path, {"2024-01-01-other.md": imported})
    import_folder(root)
    PostFactory(title="Other", slug="other", published_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))

    report = export_folder(root, force=force)

    assert report.ok and report.counts["written"] == 1
    assert (root / "2024-01-01-other.md").read_text() == imported
    assert "title: Other" in (root / "2024-01-01-other-2.md").read_text()
    assert Post.objects.get(slug="other").source_path == "2024-01-01-other-2.md"
    assert export_folder(root).counts["unchanged"] == 2


def test_an_undated_draft_is_written_to_drafts_and_imports_back_as_that_draft(tmp_path):
    PostFactory(title="Someday", status="draft", published_at=None)

    report = export_folder(tmp_path)

    assert report.ok and report.counts["written"] == 1
    assert (tmp_path / "_drafts/someday.md").read_text().startswith("---\ntitle: Someday\n")
    Post.objects.all().delete()
    import_folder(tmp_path)
    assert Post.objects.values_list("slug", "status").get() == ("someday", "draft")


def _admin_posts():
    PostFactory(
        title="Hello", published_at=dt.datetime(2024, 3, 2, 1, 0, tzinfo=dt.UTC), status="published"
    )
    PostFactory(title="Someday", status="draft", published_at=None)


@pytest.mark.parametrize(
    ("files", "hello", "someday"),
    [
        # Jekyll builds posts from _posts alone: at the root, a dated file is a page.
        (
            {"_posts/2020-01-01-old.md": "---\ntitle: Old\n---\n"},
            "_posts/2024-03-02-hello.md",
            "_drafts/someday.md",
        ),
        (
            {
                "news/_posts/2020-01-01-a.md": "---\ntitle: A\n---\n",
                "news/_drafts/b.md": "---\ntitle: B\n---\n",
                "about/_posts/2020-01-01-c.md": "---\ntitle: C\n---\n",
            },
            "news/_posts/2024-03-02-hello.md",
            "news/_drafts/someday.md",
        ),
    ],
)
def test_a_post_made_in_the_admin_goes_beside_the_imported_jekyll_posts(
    tmp_path, files, hello, someday
):
    root = write_files(tmp_path, files)
    import_folder(root)
    _admin_posts()

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    assert (
        (root / hello)
        .read_text()
        .startswith("---\ntitle: Hello\ndate: 2024-03-02 01:00:00 +0000\n")
    )
    assert "published: false" in (root / someday).read_text()
    again = import_folder(root)
    assert (again.counts["created"], again.counts["unchanged"]) == (0, len(files) + 2)


def test_a_post_made_in_the_admin_goes_where_jekyll_files_it_under_its_categories(tmp_path):
    # news/_posts makes a post a `news` one: a post outside that category written there
    # was refused ("would not import back the same: categories").
    post = "---\ntitle: P{}\n---\n"
    root = write_files(
        tmp_path,
        {"_config.yml": ""}
        | {f"news/_posts/2020-01-0{n}-p{n}.md": post.format(n) for n in range(1, 4)},
    )
    import_folder(root)
    news = Category.objects.get(name="news")
    _admin_posts()
    in_news = PostFactory(
        title="In news", published_at=dt.datetime(2024, 3, 3, tzinfo=dt.UTC), categories=[news]
    )

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    assert (root / "_posts/2024-03-02-hello.md").exists()
    assert (root / "_drafts/someday.md").exists()
    assert Post.objects.get(pk=in_news.pk).source_path == "news/_posts/2024-03-03-in-news.md"


@pytest.mark.parametrize(
    "files",
    [
        {"hugo.toml": 'title = "Site"\n', "content/posts/old.md": "+++\ntitle = 'Old'\n+++\n"},
        {"hugo.toml": 'title = "Site"\n'},  # a new site: Hugo's own layout
        {"content/posts/old/index.md": "---\ntitle: Old\n---\n"},  # a bundle
    ],
)
def test_a_post_made_in_the_admin_goes_in_a_hugo_sites_content_folder(tmp_path, files):
    # Hugo makes the file name the URL and reads `published` as a date: a Jekyll name at
    # the root was no page, and `published: false` no draft.
    root = write_files(tmp_path, files)
    import_folder(root)
    _admin_posts()

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    hello = (root / "content/posts/hello.md").read_text()
    assert hello.startswith("---\ntitle: Hello\ndate: '2024-03-02T01:00:00+00:00'\n")
    assert "draft" not in hello and "published" not in hello
    someday = (root / "content/posts/someday.md").read_text()
    assert "\ndraft: true\n" in someday and "published" not in someday
    Post.objects.all().delete()
    import_folder(root)
    assert sorted(
        Post.objects.filter(title__in=["Hello", "Someday"]).values_list("slug", "status")
    ) == [
        ("hello", "published"),
        ("someday", "draft"),
    ]


def test_a_file_deleted_in_the_folder_is_a_conflict_not_written_again(tmp_path):
    # Deleted in git on purpose: the export put it back, and the next import with it.
    root = write_files(
        tmp_path,
        {
            "_posts/2024-01-01-kept.md": "---\ntitle: Kept\n---\n",
            "_posts/2024-01-02-gone.md": "---\ntitle: Gone\n---\n",
        },
    )
    import_folder(root)
    (root / "_posts/2024-01-02-gone.md").unlink()

    report = export_folder(root)

    [conflict] = [o for o in report.outcomes if o.action == "conflict"]
    assert conflict.path == "_posts/2024-01-02-gone.md"
    assert "deleted since the last import or export" in conflict.detail
    assert not (root / "_posts/2024-01-02-gone.md").exists()
    assert export_folder(root, force=True).counts["written"] == 1
    assert (root / "_posts/2024-01-02-gone.md").read_text() == "---\ntitle: Gone\n---\n"


def test_publishing_a_post_its_site_hides_writes_the_files_own_key(tmp_path):
    # Jekyll's defaults made it a draft; the file's own `published: true` wins over them.
    config = "defaults:\n  - scope: {path: _posts/private}\n    values: {published: false}\n"
    text = "---\ntitle: Private\n---\nText.\n"
    root = write_files(
        tmp_path, {"_config.yml": config, "_posts/private/2024-01-01-private.md": text}
    )
    import_folder(root)
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    post.status = Post.Status.PUBLISHED
    post.save()

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    written = (root / "_posts/private/2024-01-01-private.md").read_text()
    assert written == "---\ntitle: Private\npublished: true\n---\nText.\n"
    Post.objects.all().delete()
    import_folder(root)
    assert Post.objects.get().status == Post.Status.PUBLISHED


@pytest.mark.parametrize("title", ["No", "off", "Y", "1.10", "12:30", "1_000", "~"])
def test_text_yaml_1_1_reads_as_another_type_is_written_quoted(tmp_path, title):
    # PyYAML (the importer) and Jekyll read YAML 1.1, where these are booleans, numbers
    # or null: the export refused such a title or tag ("would not import back the same").
    root = write_files(tmp_path, {"_posts/2024-01-01-x.md": "---\ntitle: Base\ntags: [a]\n---\n"})
    import_folder(root)
    post = Post.objects.get()
    post.title = title
    post.tags.add(title)
    post.save()
    PostFactory(title=title, slug="made", published_at=dt.datetime(2024, 3, 2, tzinfo=dt.UTC))

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    Post.objects.all().delete()
    import_folder(root)
    assert sorted(Post.objects.values_list("title", flat=True)) == [title, title]
    assert title in Post.objects.get(source_path="_posts/2024-01-01-x.md").tags.names()


def test_a_hugo_yaml_file_gets_its_modification_date_as_lastmod(tmp_path):
    root = write_files(tmp_path, {"hugo.toml": "", "content/posts/x.md": "---\ntitle: X\n---\n"})
    import_folder(root)
    post = Post.objects.get()
    post.modified_at = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
    post.save()

    assert export_folder(root).ok

    assert "\nlastmod: 2024-05-01 08:00:00 +0000\n" in (root / "content/posts/x.md").read_text()


def test_publishing_a_post_the_site_never_builds_is_refused_naming_the_site_setting(tmp_path):
    # A cascade's `build: {render: never}` makes no page; `draft: false` cannot change it.
    cascade = "---\ncascade:\n  build:\n    render: never\n---\n"
    text = "---\ntitle: Note\n---\nText.\n"
    root = write_files(
        tmp_path,
        {"hugo.toml": "", "content/notes/_index.md": cascade, "content/notes/a.md": text},
    )
    import_folder(root)
    post = Post.objects.get()
    post.status = Post.Status.PUBLISHED
    post.save()

    report = export_folder(root)

    (error,) = report.errors
    assert "the site hides it from outside the file: build set by a Hugo cascade" in error.detail
    assert (root / "content/notes/a.md").read_text() == text


@pytest.mark.parametrize("text", ["yEs", "1,000", "1,5", "-2,5"])
def test_text_jekylls_psych_reads_as_a_boolean_or_number_is_written_quoted(tmp_path, text):
    # Psych takes any case of yes/no/on/off and numbers with commas (`1,5` is 15), where
    # PyYAML reads text: Jekyll showed `true` or 15 as the title.
    PostFactory(title=text, slug="t", published_at=dt.datetime(2024, 3, 2, tzinfo=dt.UTC))

    assert export_folder(tmp_path).ok

    assert f"title: '{text}'\n" in (tmp_path / "2024-03-02-t.md").read_text()


def test_status_filter(imported, tmp_path):
    report = export_folder(tmp_path / "out", status="draft")
    assert [o.path for o in report.outcomes] == ["content/posts/toml.md"]


def test_file_changed_on_disk_is_a_conflict_unless_force(imported):
    target = imported / "_posts/2015-11-17-yaml.md"
    target.write_text(YAML_POST + "Edited by hand.\n")
    post = Post.objects.get(source_path="_posts/2015-11-17-yaml.md")
    post.title = "Edited in the admin"
    post.save()
    report = export_folder(imported)
    assert report.counts["conflict"] == 1
    assert target.read_text().endswith("Edited by hand.\n")
    assert export_folder(imported, force=True).counts["written"] == 1
    assert "Edited in the admin" in target.read_text()


def test_written_files_are_readable_by_others_as_the_umask_says(imported, tmp_path):
    old_mask = os.umask(0o022)
    try:
        export_folder(tmp_path / "out")
    finally:
        os.umask(old_mask)
    target = tmp_path / "out" / "_posts/2015-11-17-yaml.md"

    assert target.stat().st_mode & 0o777 == 0o644


def test_a_rewritten_file_keeps_its_permissions(imported):
    target = imported / "_posts/2015-11-17-yaml.md"
    target.chmod(0o664)
    post = Post.objects.get(source_path="_posts/2015-11-17-yaml.md")
    post.title = "Edited in the admin"
    post.save()

    assert export_folder(imported).counts["written"] == 1
    assert "Edited in the admin" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o664


def test_writes_leave_no_temporary_files(imported, tmp_path):
    export_folder(tmp_path / "out")
    names = [name for _, _, files in os.walk(tmp_path / "out") for name in files]
    assert not [n for n in names if n.startswith(".export-")]


@pytest.mark.parametrize(
    "path",
    ["../evil.md", "/etc/evil.md", "a/../../evil.md", "nul\x00.md", "x" * 300 + ".md", "a//b.md"],
)
def test_unsafe_paths_are_refused(path):
    with pytest.raises(ValueError):
        check_relative_path(path)


def test_post_with_unsafe_source_path_is_not_written(tmp_path):
    PostFactory(title="Evil", source_path="../escaped.md")
    out = tmp_path / "out"
    report = export_folder(out)
    assert report.counts["failed"] == 1 and "'..'" in report.errors[0].detail
    assert not (tmp_path / "escaped.md").exists()


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(outside)
    # A post that exports cleanly otherwise, to a folder whose name starts with the
    # output folder's (`outside`, `out`).
    PostFactory(title="X", slug="x", source_path="link/x.md")
    report = export_folder(out)
    assert report.counts["failed"] == 1
    assert list(outside.iterdir()) == []


def test_unpublishing_a_jekyll_post_writes_published_false(tmp_path):
    root = write_files(tmp_path, {"_posts/2020-01-01-yaml.md": "---\ntitle: Yaml\n---\nBody.\n"})
    import_folder(root)
    post = Post.objects.get()
    post.status = Post.Status.DRAFT
    post.save()

    export_folder(root)

    text = (root / "_posts/2020-01-01-yaml.md").read_text()
    assert "published: false" in text and "draft" not in text  # Jekyll has no `draft`
    assert import_folder(root).counts["unchanged"] == 1


@pytest.mark.parametrize(
    ("path", "keys", "written"),
    [
        # Decap's `draft` widget on a Jekyll collection: Jekyll reads `published` alone,
        # so `draft: true` by itself left the post on the site.
        (
            "_posts/2024-04-02-x.md",
            "published: true\ndraft: false\n",
            "published: false\ndraft: true\n",
        ),
        ("_posts/2024-04-02-x.md", "draft: false\n", "draft: true\npublished: false\n"),
        # Hugo's `published` is a date (publishDate's alias): not a status to flip.
        (
            "content/posts/x.md",
            "published: 2024-04-02\ndraft: false\n",
            "published: 2024-04-02\ndraft: true\n",
        ),
        ("content/posts/x.md", "published: 2024-04-02\n", "published: 2024-04-02\ndraft: true\n"),
    ],
)
def test_unpublishing_writes_every_status_key_the_generator_reads(tmp_path, path, keys, written):
    root = write_files(tmp_path, {path: f"---\ntitle: X\n{keys}---\nBody.\n"})
    import_folder(root)
    post = Post.objects.get()
    assert post.status == Post.Status.PUBLISHED
    post.status = Post.Status.DRAFT
    post.save()

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    assert (root / path).read_text() == f"---\ntitle: X\n{written}---\nBody.\n"
    assert import_folder(root).counts["unchanged"] == 1
    assert Post.objects.get().status == Post.Status.DRAFT


@pytest.mark.parametrize("published", [True, False])
def test_a_slug_longer_than_a_file_name_may_be_is_cut_and_kept_in_the_front_matter(
    tmp_path, published
):
    # 200 CJK characters: 600 bytes of UTF-8, where a file name has 255.
    slug = "長" * 200
    when = dt.datetime(2024, 3, 2, tzinfo=dt.UTC) if published else None
    PostFactory(title="長" * 200, slug=slug, published_at=when, status="draft")

    report = export_folder(tmp_path)

    assert report.ok, report.render(verbosity=2)
    (written,) = [path for path in tmp_path.rglob("*.md")]
    assert len(written.name.encode()) <= 255
    assert written.name.removesuffix(".md").endswith("長" * 70)
    Post.objects.all().delete()
    import_folder(tmp_path)
    assert Post.objects.get().slug == slug


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029"])
def test_a_key_edit_keeps_values_holding_characters_python_counts_as_line_breaks(
    tmp_path, character
):
    # YAML 1.2 reads these as text; str.splitlines cut the title in two.
    source = write_files(
        tmp_path / "source",
        {"_posts/2020-01-01-odd.md": f'---\ntitle: "A {character} B"\ntags: [x]\n---\nBody\n'},
    )
    import_folder(source)
    post = Post.objects.get()
    post.tags.add("y")
    post.save()

    report = export_folder(source)

    assert report.ok, report.render(verbosity=2)
    assert (source / "_posts/2020-01-01-odd.md").read_text() == (
        f'---\ntitle: "A {character} B"\ntags: [x, y]\n---\nBody\n'
    )


@pytest.mark.parametrize(
    ("text", "edit", "written"),
    [
        # Jekyll's own fixture: singular keys, whose text Jekyll takes whole (one tag
        # "code, python"), while it flattens a list under them.
        (
            "---\ntitle: A Tag\ntag: code\ncategory: news\n---\nWhoa.\n",
            lambda post: (post.tags.add("python"), post.categories.add(_category("more"))),
            "---\ntitle: A Tag\ntag:\n  - code\n  - python\n"
            "category:\n  - more\n  - news\n---\nWhoa.\n",
        ),
        (
            "---\ntitle: A Tag\ntag: code\n---\nWhoa.\n",
            lambda post: (post.tags.remove("code"), post.tags.add("clean code")),
            "---\ntitle: A Tag\ntag: clean code\n---\nWhoa.\n",
        ),
        # Jekyll splits a plural key's text at whitespace, commas or not: a name with a
        # space goes in a list, not in `Big News, jekyll`.
        (
            "---\ntitle: W\ncategories: jekyll news\n---\nBody\n",
            lambda post: (
                post.categories.remove(Category.objects.get(name="news")),
                post.categories.add(_category("Big News")),
            ),
            "---\ntitle: W\ncategories:\n  - Big News\n  - jekyll\n---\nBody\n",
        ),
        # A file written with commas keeps them.
        (
            "---\ntitle: W\ntags: one, two\n---\nBody\n",
            lambda post: post.tags.add("big three"),
            "---\ntitle: W\ntags: big three, one, two\n---\nBody\n",
        ),
        # A plural key's text is split at spaces: a name with one must go in a list.
        (
            '+++\ntitle = "C"\ntags = "foo"\n+++\nBody\n',
            lambda post: (post.tags.remove("foo"), post.tags.add("new tag")),
            '+++\ntitle = "C"\ntags = ["new tag"]\n+++\nBody\n',
        ),
        (
            "---\ntitle: W\ntags: one two\n---\nBody\n",
            lambda post: post.tags.add("three"),
            "---\ntitle: W\ntags: one three two\n---\nBody\n",
        ),
    ],
)
def test_tag_and_category_edits_are_written_so_they_read_back(tmp_path, text, edit, written):
    root = write_files(tmp_path, {"post.md": text})
    import_folder(root)
    post = Post.objects.get()
    edit(post)
    post.save()

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    assert (root / "post.md").read_text() == written


def test_an_edit_does_not_write_the_categories_jekyll_reads_from_the_folders(tmp_path):
    text = "---\ntitle: X\ncategories: [tech]\n---\nBody\n"
    root = write_files(tmp_path, {"_config.yml": "", "news/_posts/2020-01-01-x.md": text})
    import_folder(root)
    post = Post.objects.get()
    post.categories.add(_category("more"))
    post.save()

    report = export_folder(root)

    assert report.ok, report.render(verbosity=2)
    written = (root / "news/_posts/2020-01-01-x.md").read_text()
    assert written == "---\ntitle: X\ncategories: [more, tech]\n---\nBody\n"
    Post.objects.all().delete()
    import_folder(root)
    assert sorted(Post.objects.get().categories.values_list("name", flat=True)) == [
        "more",
        "news",
        "tech",
    ]


def test_removing_a_category_the_folders_give_is_refused_with_the_reason(tmp_path):
    text = "---\ntitle: X\n---\nBody\n"
    root = write_files(tmp_path, {"_config.yml": "", "news/_posts/2020-01-01-x.md": text})
    import_folder(root)
    post = Post.objects.get()
    post.categories.clear()
    post.save()

    report = export_folder(root)

    assert not report.ok
    (error,) = report.errors
    assert error.path == "news/_posts/2020-01-01-x.md"
    assert error.detail.endswith(
        "categories (Jekyll files a post under the folders above its _posts: news; "
        "move the file to drop them)"
    )
    assert (root / "news/_posts/2020-01-01-x.md").read_text() == text


def _category(name: str) -> Category:
    return Category.objects.create(name=name)


def test_an_author_edit_keeps_the_other_keys_of_authors_given_as_mappings(tmp_path):
    text = (
        "---\ntitle: T\nauthor:\n"
        "  - name: Ann Lee\n    email: ann@example.com\n    url: https://ann.example\n"
        "  - name: Bob\n    twitter: bob\n---\nBody\n"
    )
    root = write_files(tmp_path, {"post.md": text})
    import_folder(root)
    post = Post.objects.get()
    bob, ann = Author.objects.get(name="Bob"), Author.objects.get(name="Ann Lee")
    post.set_authors([bob, ann, Author.objects.create(name="Cy")])
    post.save()

    assert export_folder(root).ok

    Post.objects.all().delete()
    import_folder(root)
    assert [a.name for a in Post.objects.get().ordered_authors] == ["Bob", "Ann Lee", "Cy"]
    written = (root / "post.md").read_text()
    assert "email: ann@example.com" in written and "url: https://ann.example" in written
    assert "twitter: bob" in written


def publish(post: Post, when: dt.datetime) -> None:
    post.status = Post.Status.PUBLISHED
    post.published_at = when
    post.save()


def test_publishing_a_jekyll_draft_moves_its_file_to_posts_as_jekyll_publish_does(tmp_path):
    # Jekyll builds no post from _drafts: `draft: false` written there left the site
    # without the post the CMS showed as published.
    source = write_files(
        tmp_path / "site",
        {
            "_config.yml": "title: Site\n",
            "news/_drafts/a-draft.md": "---\ntitle: A draft\n---\nbody\n",
            "_posts/2020-01-01-p.md": "---\ntitle: P\n---\nbody\n",
        },
    )
    import_folder(source)
    publish(Post.objects.get(slug="a-draft"), dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC))

    report = export_folder(source)

    assert report.ok, report.render(verbosity=2)
    [moved] = [o for o in report.outcomes if o.action == "written"]
    assert moved.path == "news/_posts/2024-05-06-a-draft.md"
    assert moved.detail == "published: moved from news/_drafts/a-draft.md (jekyll publish)"
    assert not (source / "news/_drafts/a-draft.md").exists()
    assert Post.objects.get(slug="a-draft").source_path == "news/_posts/2024-05-06-a-draft.md"
    again = import_folder(source)
    assert again.counts["unchanged"] == 2 and not again.missing
    post = Post.objects.get(slug="a-draft")
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at == dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC)
    assert [c.name for c in post.categories.all()] == ["news"]


def test_a_draft_edited_on_disk_is_not_moved_over_when_published(tmp_path):
    source = write_files(tmp_path / "site", {"_drafts/idea.md": "---\ntitle: Idea\n---\nv1\n"})
    import_folder(source)
    publish(Post.objects.get(), dt.datetime(2024, 5, 6, tzinfo=dt.UTC))
    (source / "_drafts/idea.md").write_text("---\ntitle: Idea\n---\nv2 on disk\n")

    report = export_folder(source)

    [conflict] = report.outcomes
    assert (conflict.action, conflict.path) == ("conflict", "_drafts/idea.md")
    assert "--force publishes the post's version as _posts/2024-05-06-idea.md" in conflict.detail
    assert (source / "_drafts/idea.md").read_text().endswith("v2 on disk\n")
    assert not (source / "_posts").exists()
    assert export_folder(source, force=True).ok
    assert (source / "_posts/2024-05-06-idea.md").read_text().endswith("v1\n")
    assert not (source / "_drafts/idea.md").exists()


def test_an_edited_key_keeps_the_comment_that_ended_its_line(tmp_path):
    source = write_files(
        tmp_path / "site",
        {
            "_posts/2020-01-01-hello.md": (
                "---\ntitle: Hello  # TODO better title\ntags: [a, b]  # keep sorted\n"
                "author: Ann # who wrote it\n---\nText\n"
            )
        },
    )
    import_folder(source)
    post = Post.objects.get()
    post.title = "Hello world"
    post.save()
    post.tags.add("c")

    assert export_folder(source).counts["written"] == 1

    assert (source / "_posts/2020-01-01-hello.md").read_text() == (
        "---\ntitle: Hello world  # TODO better title\ntags: [a, b, c]  # keep sorted\n"
        "author: Ann # who wrote it\n---\nText\n"
    )


def test_an_eleventy_post_dated_by_its_file_time_can_be_edited_and_exported(tmp_path):
    # `date: Last Modified` failed every export after an admin edit: the writer read the
    # text as a date, without the file time the importer had.
    source = write_files(
        tmp_path / "site",
        {
            "eleventy.config.js": "module.exports = () => ({});\n",
            "posts/second.md": "---\ntitle: Second\ndate: Last Modified\n---\nhi\n",
        },
    )
    import_folder(source)
    post = Post.objects.get()
    post.title = "Second, edited"
    post.save()

    report = export_folder(source)

    assert report.ok, report.render(verbosity=2)
    assert (source / "posts/second.md").read_text() == (
        "---\ntitle: Second, edited\ndate: Last Modified\n---\nhi\n"
    )
    assert import_folder(source).counts["unchanged"] == 1


def test_decap_s_thumbnail_is_the_feature_image_and_edits_go_back_to_it(tmp_path):
    source = write_files(
        tmp_path / "site",
        {"_posts/2024-01-15-p.md": "---\ntitle: P\nthumbnail: /img/cover.jpg\n---\nHello\n"},
    )
    import_folder(source)
    post = Post.objects.get()
    assert (post.feature_image, post.meta) == ("/img/cover.jpg", {})
    post.feature_image = "/img/other.jpg"
    post.save()

    export_folder(source)

    assert "thumbnail: /img/other.jpg\n" in (source / "_posts/2024-01-15-p.md").read_text()
