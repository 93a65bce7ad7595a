import io
import stat
import zipfile

import pytest

from posts.uploads import UnsafeArchive, ZipLimits, extract_markdown_zip
from tests.markdown_helpers import zip_bytes


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
            "site/.eleventyignore": b"wip/\n",
            "site/.gitignore": b"private/\n",
            "__MACOSX/site/._x.md": b"junk",
        }
    )

    result = extract_markdown_zip(upload, tmp_path)

    assert sorted(result.written) == [
        "site/.eleventyignore",
        "site/.gitignore",
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


def _damaged() -> io.BytesIO:
    return io.BytesIO(
        zip_bytes({"a.md": b"hello world"}, zipfile.ZIP_STORED).replace(b"hello", b"hellX")
    )


def _patched(headers: tuple[tuple[bytes, int], ...], value: int, *, flag: bool) -> io.BytesIO:
    """A one-member zip with a 2-byte field of its local and central headers set."""
    data = bytearray(zip_bytes({"a.md": b"hello"}, zipfile.ZIP_STORED))
    for signature, offset in headers:
        at = data.index(signature) + offset
        old = int.from_bytes(data[at : at + 2], "little")
        data[at : at + 2] = (old | value if flag else value).to_bytes(2, "little")
    return io.BytesIO(bytes(data))


def _encrypted() -> io.BytesIO:
    return _patched(((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)), 0x1, flag=True)


def _deflate64() -> io.BytesIO:
    # Compression method 9, Deflate64, which Python cannot read.
    return _patched(((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)), 9, flag=False)


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (_damaged, "a.md: the archive is damaged"),
        (_encrypted, "a.md: the file is encrypted"),
        (_deflate64, "a.md: compressed in a way this server cannot read"),
        (lambda: make_zip({"x" * 300 + ".md": b"long"}), "cannot be written here"),
        (lambda: make_zip({"a.md": b"file", "a.md/b.md": b"below"}), "a.md/b.md: cannot be"),
    ],
)
def test_an_archive_that_cannot_be_extracted_is_refused_with_a_reason(tmp_path, upload, reason):
    # Each of these was a 500 in the admin's upload.
    with pytest.raises(UnsafeArchive, match=reason):
        extract_markdown_zip(upload(), tmp_path)


def test_utf8_names_without_the_utf8_flag_are_read_as_utf8(tmp_path):
    # Many zip tools write UTF-8 names without marking them; read as CP437 (the format's
    # default) they were mojibake, and the post's slug became `post`.
    data = bytearray(
        zip_bytes({"_posts/2024-01-01-夜市.md": b"---\ntitle: x\n---\n"}, zipfile.ZIP_STORED)
    )
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        flags = int.from_bytes(data[at : at + 2], "little") & ~0x800
        data[at : at + 2] = flags.to_bytes(2, "little")

    extracted = extract_markdown_zip(io.BytesIO(bytes(data)), tmp_path)

    assert extracted.written == ["_posts/2024-01-01-夜市.md"]
    assert (tmp_path / "_posts/2024-01-01-夜市.md").is_file()


def test_an_upload_of_more_markdown_files_than_a_request_imports_is_refused(tmp_path):
    upload = make_zip({f"_posts/2024-01-0{n}-p.md": b"x" for n in range(1, 4)})

    with pytest.raises(UnsafeArchive, match="3 markdown files; an upload imports at most 2"):
        extract_markdown_zip(upload, tmp_path, limits=ZipLimits(max_markdown_files=2))
    assert not any(tmp_path.iterdir())
