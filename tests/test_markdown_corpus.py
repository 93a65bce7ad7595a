"""Import and export real folders from ../shared/corpus (skipped where it is absent)."""

import os
import shutil
from zoneinfo import ZoneInfo

import pytest

from posts.markdown_io.exporter import export_folder
from posts.markdown_io.importer import import_folder, walk
from posts.markdown_io.parsing import ParseError, parse_post
from posts.models import Post

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]

MALFORMED = (
    "archived/2022-04-25/2022-04-25-城寨新聞25 April 2022 究竟係語文水平\\智力\\定中共問題 "
    "丶余英時最後訪問力斥香港教育官.md"
)


def test_jekyll_fixtures(corpus):
    report = import_folder(corpus / "jekyll-fixtures")
    failed = {o.path for o in report.errors}
    # _includes/sig.markdown (which opens `---` and never closes it) is an include, not a
    # page: not read at all.
    assert failed == {
        "test/source/_broken/bad_post.md",  # `bad yaml: [`
        "docs/_posts/2023-01-29-jekyll-3-9-3-released.markdown",  # date with two years
    }
    # Jekyll makes each file of a `_posts` folder a post: none is a duplicate of another,
    # though eight pairs share a title and a day (and no author).
    assert report.counts["created"] == 194 and report.counts["duplicate"] == 0
    tagged = Post.objects.get(source_path="test/source/_posts/2009-05-18-tags.markdown")
    assert sorted(t.name for t in tagged.tags.all()) == ["cooking", "food", "pizza"]
    post = Post.objects.get(source_path="test/source/_posts/2009-01-27-categories.markdown")
    assert sorted(c.name for c in post.categories.all()) == ["bar", "baz", "foo"]
    # Jekyll's categories from folders above _posts, not inside it, and not from the
    # folders above the site (test/source, whose _posts is the outermost).
    for path, categories in [
        ("test/source/foo/_posts/bar/2008-12-12-topical-post.markdown", ["foo"]),
        ("test/source/z_category/_posts/2008-09-23-categories.markdown", ["z_category"]),
        ("docs/_posts/2016-03-10-making-it-easier-to-contribute-to-jekyll.md", ["community"]),
    ]:
        post = Post.objects.get(source_path=path)
        assert sorted(c.name for c in post.categories.all()) == categories, path
    number = Post.objects.get(source_path="test/source/_posts/2013-05-10-number-category.markdown")
    assert [c.name for c in number.categories.all()] == ["2013"]
    assert Post.objects.get(source_path__endswith="2008-02-02-not-published.markdown").status == (
        "draft"
    )
    bom = Post.objects.get(source_path="test/source/_encodings/UTF8CRLFandBOM.md")
    utf16 = Post.objects.get(source_path="test/source/_encodings/Unicode16LECRLFandBOM.md")
    assert (bom.title, bom.source_encoding) == ("UTF8CRLFandBOM", "utf-8-sig")
    assert (utf16.title, utf16.source_encoding) == ("Unicode16CRLFandBOM", "utf-16-le")
    assert Post.objects.get(source_path__endswith="2017-2-5-i-dont-like-zeroes.md").slug == (
        "i-dont-like-zeroes"
    )


def test_hugo_site_has_exactly_its_ten_drafts_and_three_pages_hugo_does_not_write(corpus):
    report = import_folder(corpus / "hugo-toml")
    assert report.ok
    # The _index.md section pages, and the markdown resources of two leaf bundles.
    assert report.counts["skipped"] == 15
    assert not Post.objects.filter(source_path__contains="/page-bundle-a/bar.md").exists()
    assert Post.objects.filter(source_path__endswith="/page-bundle-a/index.md").exists()
    unwritten = {
        "posts/build-front-matter/do-not-render.md",  # _build: {render: never}
        "posts/build-front-matter/do-not-render-or-list.md",  # _build: {render: false}
        "bundles/headless-page-bundle-x/index.md",  # headless: true
    }
    drafts = {post.source_path.removeprefix("test/site/content/") for post in Post.objects.drafts()}
    assert len(drafts) == 13
    assert unwritten < drafts
    assert Post.objects.get(source_path__endswith="title-with-just-date-chars.md").title == (
        "2020-04-19"
    )


def _seedsite_slice(seedsite, target):
    """500 files: 495 plain posts, the malformed file, a byte-identical duplicated pair and a
    pair that differs in bytes but has the same title, date and author."""
    archived = {}
    for rel, _ in walk(seedsite / "archived"):
        archived.setdefault(os.path.basename(rel), "archived/" + rel)
    posts = [rel for rel, _ in walk(seedsite / "_posts")]
    identical = differing = None
    for name in posts:
        twin = archived.get(name)
        if twin is None:
            continue
        a, b = (seedsite / "_posts" / name).read_bytes(), (seedsite / twin).read_bytes()
        if a == b and identical is None:
            identical = name
        elif a != b and differing is None:
            pa = parse_post(a, "_posts/" + name, tz=ZoneInfo("UTC"))
            pb = parse_post(b, twin, tz=ZoneInfo("UTC"))
            if (pa.title, pa.published_at, pa.authors) == (pb.title, pb.published_at, pb.authors):
                differing = name
        if identical and differing:
            break
    pairs = [identical, differing]
    in_posts = set(posts)
    plain = [p for n, p in sorted(archived.items()) if n not in in_posts and p != MALFORMED]
    chosen = (
        plain[:495] + [f"_posts/{n}" for n in pairs] + [archived[n] for n in pairs] + [MALFORMED]
    )
    for rel in chosen:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(seedsite / rel, target / rel)
    return chosen


def test_seedsite_slice_imports_with_expected_counts_and_exports_identically(corpus, tmp_path):
    folder = tmp_path / "seedsite"
    chosen = _seedsite_slice(corpus / "seedsite", folder)
    assert len(chosen) == 500
    with pytest.raises(ParseError):
        parse_post((folder / MALFORMED).read_bytes(), MALFORMED, tz=ZoneInfo("UTC"))

    report = import_folder(folder)
    counts = report.counts
    assert (counts["created"], counts["duplicate"], counts["failed"]) == (497, 2, 1)
    assert [o.path for o in report.errors] == [MALFORMED]
    assert report.errors[0].line == 3
    assert Post.objects.count() == 497

    again = import_folder(folder)
    assert (again.counts["unchanged"], again.counts["failed"]) == (499, 1)

    out = tmp_path / "export"
    exported = export_folder(out)
    assert exported.counts["written"] == 497 and exported.ok
    for post in Post.objects.only("source_path"):
        assert (out / post.source_path).read_bytes() == (folder / post.source_path).read_bytes()
    some = Post.objects.filter(title__regex=r"[\u4e00-\u9fff]").first()
    assert some is not None and some.meta["layout"] == "post" and "from" in some.meta
