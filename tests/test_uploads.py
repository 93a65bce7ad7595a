import io
import stat
import zipfile

import pytest

from posts.uploads import UnsafeArchive, ZipLimits, extract_markdown_zip


def make_zip(entries: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    buffer.seek(0)
    return buffer


def test_markdown_files_and_site_settings_are_extracted_and_the_rest_ignored(tmp_path):
    # The settings that can hide posts come too: without them, their drafts went public.
    upload = make_zip(
        {
            "site/_posts/2024-01-02-hello.md": b"---\ntitle: Hello\n---\nHi\n",
            "site/content/bundle/index.markdown": b"+++\ntitle = 'B'\n+++\n",
            "site/images/a.png": b"\x89PNG",
            "site/_config.yml": b"title: x",
            "site/config/_default/languages.toml": b"[en]\n",
            "site/notes/notes.json": b"{}",
            "site/notes/n.11tydata.json": b"{}",
            "site/assets/manifest.json": b"{}",
            "site/eleventy.config.js": b"export default function () {}",
            "__MACOSX/site/._x.md": b"junk",
        }
    )

    result = extract_markdown_zip(upload, tmp_path)

    assert sorted(result.written) == [
        "site/_config.yml",
        "site/_posts/2024-01-02-hello.md",
        "site/config/_default/languages.toml",
        "site/content/bundle/index.markdown",
        "site/eleventy.config.js",
        "site/notes/n.11tydata.json",
        "site/notes/notes.json",
    ]
    assert (tmp_path / "site/_posts/2024-01-02-hello.md").read_bytes().startswith(b"---\ntitle")
    assert not (tmp_path / "site/images/a.png").exists()
    assert len(result.ignored) == 3


@pytest.mark.parametrize(
    "name", ["../evil.md", "a/../../evil.md", "/etc/evil.md", "C:/evil.md", "..\\evil.md"]
)
def test_paths_escaping_the_folder_are_refused(tmp_path, name):
    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(UnsafeArchive, match="evil.md"):
        extract_markdown_zip(make_zip({name: b"x"}), target)

    assert not any(tmp_path.rglob("evil.md"))


def test_symlink_members_are_not_followed(tmp_path):
    result = extract_markdown_zip(
        make_zip({"link.md": b"/etc/passwd"}, symlinks=("link.md",)), tmp_path
    )

    assert result.written == []
    assert not (tmp_path / "link.md").exists()


def test_zip_bomb_is_refused(tmp_path):
    bomb = make_zip({"bomb.md": b"0" * (20 * 1024 * 1024)})

    with pytest.raises(UnsafeArchive, match="bomb.md"):
        extract_markdown_zip(bomb, tmp_path)


def test_understated_sizes_are_caught_while_inflating(tmp_path):
    limits = ZipLimits(max_total_bytes=1000, max_ratio=10_000)
    upload = make_zip({"a.md": b"x" * 800, "b.md": b"y" * 800})

    with pytest.raises(UnsafeArchive, match="inflates past the size limit"):
        extract_markdown_zip(upload, tmp_path, limits=limits)


def test_oversized_upload_and_non_zip_are_refused_with_a_reason(tmp_path):
    with pytest.raises(UnsafeArchive, match="the limit is 10 bytes"):
        extract_markdown_zip(
            make_zip({"a.md": b"hello"}), tmp_path, limits=ZipLimits(max_upload_bytes=10)
        )
    with pytest.raises(UnsafeArchive, match="not a zip archive"):
        extract_markdown_zip(io.BytesIO(b"plain text, not a zip"), tmp_path)
