"""Unpacking an uploaded .zip of a markdown folder, safely.

The archive comes from a browser, so nothing in it is trusted: not the names (absolute
paths, `..`, drive letters, NUL bytes, symlinks), not the sizes its headers declare (zip
bombs lie about them), not the number of members. Only markdown files are written, and
only inside the target folder.
"""

import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from posts.markdown_io.site_config import (
    DATA_EXTENSIONS,
    ELEVENTY_CONFIGS,
    ELEVENTY_IGNORE_FILES,
    HUGO_CONFIG_FOLDER,
    HUGO_CONFIGS,
    JEKYLL_CONFIGS,
)

MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
CHUNK = 64 * 1024


class UnsafeArchive(ValueError):
    """The upload is refused as a whole; the message says why, for the editor."""


@dataclass(frozen=True)
class ZipLimits:
    max_upload_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 500 * 1024 * 1024
    max_file_bytes: int = 10 * 1024 * 1024
    max_members: int = 50_000
    # Markdown files in one upload: imported within the request, at about 150 files a
    # second on PostgreSQL, so that an upload ends within the server's timeout
    # (gunicorn.conf.py: 120 s). Larger folders: `manage.py import_markdown`.
    max_markdown_files: int = 10_000
    # Markdown compresses well (about 5:1), nothing honest gets near this.
    max_ratio: int = 200


@dataclass
class Extracted:
    written: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def safe_member_path(name: str) -> PurePosixPath:
    """The relative path a member may be written to, or UnsafeArchive."""
    if "\x00" in name:
        raise UnsafeArchive(f"{name!r}: a file name contains a NUL byte")
    normalised = name.replace("\\", "/")
    path = PurePosixPath(normalised)
    if path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
        raise UnsafeArchive(f"{name}: absolute paths are not allowed in the archive")
    if ".." in path.parts:
        raise UnsafeArchive(f"{name}: the path leaves the folder ('..')")
    return path


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


SETTING_EXTENSIONS = tuple(f".{ext}" for ext in DATA_EXTENSIONS)


def is_site_setting(relative) -> bool:
    """A file that can hide posts from outside them (posts.markdown_io.inherited): a
    Jekyll or Hugo config, `config/_default/*`, an Eleventy folder data file or ignore
    file (`.eleventyignore`, `.gitignore`). Left out of an uploaded site, its drafts were
    published."""
    name, suffix = relative.name.lower(), relative.suffix.lower()
    if name in (*JEKYLL_CONFIGS, *HUGO_CONFIGS, *ELEVENTY_CONFIGS, *ELEVENTY_IGNORE_FILES):
        return True
    if suffix not in SETTING_EXTENSIONS:
        return False
    stem = name.removesuffix(suffix)
    return (
        relative.parent.as_posix().lower().endswith(HUGO_CONFIG_FOLDER)
        or name.endswith(".11tydata.json")
        or (suffix == ".json" and stem == relative.parent.name.lower())
    )


def extract_markdown_zip(
    upload: BinaryIO,
    target: Path,
    *,
    limits: ZipLimits = ZipLimits(),
    extensions: tuple[str, ...] = MARKDOWN_EXTENSIONS,
) -> Extracted:
    """Write the markdown files of the zip `upload` under `target`, and the site settings
    that decide which of them are public (`is_site_setting`); ignore everything else."""
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    if size > limits.max_upload_bytes:
        raise UnsafeArchive(
            f"the upload is {size:,} bytes; the limit is {limits.max_upload_bytes:,} bytes"
        )
    try:
        archive = zipfile.ZipFile(upload)
        if _utf8_names_without_flag(archive):
            archive.close()
            upload.seek(0)
            archive = zipfile.ZipFile(upload, metadata_encoding="utf-8")
    except zipfile.BadZipFile as exc:
        raise UnsafeArchive(f"not a zip archive ({exc})") from exc

    result = Extracted()
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise UnsafeArchive(
                f"the archive holds {len(members):,} entries; the limit is {limits.max_members:,}"
            )
        markdown = sum(
            1
            for info in members
            if not info.is_dir() and PurePosixPath(info.filename).suffix.lower() in extensions
        )
        if markdown > limits.max_markdown_files:
            raise UnsafeArchive(
                f"the archive holds {markdown:,} markdown files; an upload imports at most "
                f"{limits.max_markdown_files:,} (import a larger folder with "
                "`manage.py import_markdown`)"
            )
        root = target.resolve()
        total = 0
        for info in members:
            if info.is_dir():
                continue
            relative = safe_member_path(info.filename)
            wanted = relative.suffix.lower() in extensions or is_site_setting(relative)
            if not wanted or _is_symlink(info) or "__MACOSX" in relative.parts:
                result.ignored.append(info.filename)
                continue
            if info.file_size > limits.max_file_bytes:
                raise UnsafeArchive(
                    f"{info.filename}: {info.file_size:,} bytes; "
                    f"the limit per file is {limits.max_file_bytes:,}"
                )
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                raise UnsafeArchive(f"{info.filename}: compression ratio too high (zip bomb?)")
            destination = (root / relative).resolve()
            if not destination.is_relative_to(root):
                raise UnsafeArchive(f"{info.filename}: the path leaves the folder")
            if info.flag_bits & 0x1:
                raise UnsafeArchive(
                    f"{info.filename}: the file is encrypted; upload an archive without a password"
                )
            try:
                total = _extract_member(archive, info, destination, total, limits)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise UnsafeArchive(f"{info.filename}: the archive is damaged ({exc})") from exc
            except NotImplementedError as exc:
                raise UnsafeArchive(
                    f"{info.filename}: compressed in a way this server cannot read ({exc}); "
                    "make the archive with the usual Deflate compression"
                ) from exc
            except OSError as exc:
                raise UnsafeArchive(
                    f"{info.filename}: cannot be written here ({exc.strerror or exc})"
                ) from exc
            result.written.append(relative.as_posix())
    return result


def _utf8_names_without_flag(archive: zipfile.ZipFile) -> bool:
    """Whether the names the archive does not mark as UTF-8 (read as CP437, the format's
    default) are all UTF-8 in fact, as many zip tools write them: `夜市.md` came out as
    mojibake, and its slug as `post`."""
    unmarked = [info.filename for info in archive.infolist() if not info.flag_bits & 0x800]
    raw = [name.encode("cp437") for name in unmarked if not name.isascii()]
    try:
        for name in raw:
            name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(raw)


def _extract_member(archive, info, destination: Path, total: int, limits: ZipLimits) -> int:
    """Inflate one member to `destination`; the bytes inflated so far, this one's added."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as source, open(destination, "wb") as sink:
        # Count what is really inflated: headers can understate sizes.
        while chunk := source.read(CHUNK):
            written += len(chunk)
            total += len(chunk)
            if written > limits.max_file_bytes or total > limits.max_total_bytes:
                raise UnsafeArchive(f"{info.filename}: inflates past the size limit (zip bomb?)")
            sink.write(chunk)
    return total
