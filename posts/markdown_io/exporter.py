"""Write posts back to a folder of markdown files.

- A post not edited since its import goes back byte for byte: its stored front matter block
  (key order, quoting, comments, line endings) + its body, in its encoding with its BOM.
- An edited post keeps its file's front matter except the keys of the fields that changed
  (see `frontmatter_edit`); a post made in the admin gets a file beside the imported
  posts, named for their generator (`placement`), with a YAML block in the conventional
  order.
- Writes are atomic (a temporary file in the same folder, then a rename), and nothing is
  written outside the folder: a path with `..`, an absolute path, a NUL byte or an over-long
  name is refused. A file on disk that differs from what the CMS last imported or exported
  for that post is a conflict, overwritten only with `force`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
import re
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone as dj_timezone

from posts.markdown_io import fields as f
from posts.markdown_io import report as r
from posts.markdown_io import sync
from posts.markdown_io.frontmatter_edit import DELETE, EditError, edit_block
from posts.markdown_io.importer import in_posts_folder, path_suffix, with_suffix
from posts.markdown_io.inherited import InheritedStatus
from posts.markdown_io.parsing import ParseError, SourceText, encode, parse_post, split_source
from posts.markdown_io.placement import MAX_NAME_BYTES, NewPostPlace, published_draft_path
from posts.models import Post, PostAuthor
from posts.slugs import make_slug

MAX_PATH_BYTES = 4096
BATCH_SIZE = 500

Progress = Callable[[r.FileOutcome, int, int], None]


class UnsafePath(ValueError):
    pass


def check_relative_path(path: str) -> str:
    """`path` if it is a safe relative file path, else UnsafePath saying why."""
    if not path:
        raise UnsafePath("empty path")
    if "\x00" in path:
        raise UnsafePath("path contains a NUL byte")
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        raise UnsafePath(f"absolute path {path!r}")
    if len(path.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise UnsafePath(f"path longer than {MAX_PATH_BYTES} bytes")
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise UnsafePath(f"path {path!r} has an empty, '.' or '..' part")
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise UnsafePath(f"file or folder name longer than {MAX_NAME_BYTES} bytes")
    return path


def jekyll_date(value: dt.datetime) -> str:
    """`2015-11-17 16:16:01 -0600`, microseconds only when there are some."""
    local = dj_timezone.localtime(value)
    pattern = "%Y-%m-%d %H:%M:%S.%f %z" if local.microsecond else "%Y-%m-%d %H:%M:%S %z"
    return local.strftime(pattern)


def atomic_write(target: Path, data: bytes) -> None:
    """Write through a temporary file and a rename, so a reader never sees half a file.

    The file keeps the permissions of the one it replaces; a new one gets those the
    umask gives (usually 0644), as a plain write would. mkstemp's own 0600 would leave
    the folder unreadable to a web server or a build run as another user.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    # Reading the umask means setting it; an export runs in a command, not a web server.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class PostWriter:
    """The file of one post, given its current state."""

    def __init__(
        self,
        post: Post,
        state: dict,
        sites: Callable[[str], str],
        place: NewPostPlace,
        *,
        generator: str,
    ):
        self.post = post
        self.state = state
        self.place = place
        self.path = post.source_path or place.path(post, sites)
        self.site = sites(self.path)  # the Jekyll site folder holding the file, if any
        self.generator = generator  # "hugo", "eleventy" or "": how it reads a tags string

    def render(self) -> tuple[str, str]:
        """(front matter block, whole text) of the file."""
        post = self.post
        if post.source_path and post.synced_state == self.state and post.source_format:
            return post.source_front_matter, post.source_front_matter + self.file_body()
        if post.source_path and post.source_format:
            return self.edited()
        return self.created()

    # --- a post made in the admin ----------------------------------------------------------

    def created(self) -> tuple[str, str]:
        post = self.post
        authors = [link.author.name for link in post.post_authors.all()]
        items: list[tuple[str, Any]] = [("title", post.title)]
        # Also when the file name would read as another slug (a `-2` name beside another
        # post's file).
        named = make_slug(f.file_name_parts(self.path)[0], fallback="post")
        if post.slug != make_slug(post.title, fallback="post") or post.slug != named:
            items.append(("slug", post.slug))
        hugo = self.place.hugo
        when = (lambda value: dj_timezone.localtime(value).isoformat()) if hugo else jekyll_date
        if post.published_at:
            items.append(("date", when(post.published_at)))
        if post.modified_at:
            items.append(("lastmod" if hugo else "last_modified_at", when(post.modified_at)))
        if post.expires_at:
            items.append(("expiryDate", when(post.expires_at)))
        if post.status == Post.Status.DRAFT:
            key = self.place.status_key
            items.append((key, key == "draft"))
        if len(authors) == 1:
            items.append(("author", authors[0]))
        elif authors:
            items.append(("authors", authors))
        categories = sorted(c.name for c in post.categories.all())
        tags = sorted(t.name for t in post.tags.all())
        if categories:
            items.append(("categories", categories))
        if tags:
            items.append(("tags", tags))
        for key, value in (
            ("excerpt", post.excerpt),
            ("image", post.feature_image),
            ("canonical_url", post.canonical_url),
        ):
            if value:
                items.append((key, value))
        taken = {k for k, _ in items}
        items += [(k, v) for k, v in (post.meta or {}).items() if k not in taken]
        block = edit_block("none", "", dict(items))
        self.format, self.encoding, self.newline = "yaml", "utf-8", "lf"
        return block, block + post.body

    # --- an edited post that came from a file ----------------------------------------------

    def edited(self) -> tuple[str, str]:
        post = self.post
        changed = sync.changed_fields(post.synced_state, self.state)
        source = self.original_source()
        # Any file time: Eleventy's `date: Last Modified` is read as one (which key holds
        # what is all this needs), not as a date it cannot be.
        when = post.published_at.timestamp() if post.published_at else 0.0
        keys = f.map_fields(
            source, self.path, tz=dj_timezone.get_current_timezone(), mtime=when
        ).keys
        changes = self.changes(changed, source, keys)
        if post.source_format == "none" and (changes or "body" in changed):
            # Once a file has front matter its title no longer comes from a `# heading`.
            changes = {"title": post.title, **changes}
        newline = "\r\n" if post.source_newline == "crlf" else "\n"
        block = edit_block(post.source_format, post.source_front_matter, changes, newline)
        body = self.file_body()
        if body and block and not block.endswith("\n"):
            # A file of front matter alone may end on its closing line: a body given to it
            # starts on a line of its own, or the block never closes.
            block += newline
        return block, block + body

    def file_body(self) -> str:
        """The body with the file's line endings. Lines typed in the admin come with LF; an
        unedited body already has the file's own, so this changes nothing there. Done on
        every export, not only the one after the edit, or the next would write LF again."""
        body = self.post.body
        if self.post.source_newline == "crlf":
            return re.sub(r"(?<!\r)\n", "\r\n", body)
        if self.post.source_newline == "lf":
            return body.replace("\r\n", "\n")
        return body

    def original_source(self) -> SourceText:
        try:
            return split_source(self.post.source_front_matter.encode("utf-8"))
        except ParseError as exc:
            raise EditError(f"the stored front matter no longer parses: {exc.reason}") from exc

    def changes(self, changed: set[str], source: SourceText, keys: dict[str, str]) -> dict:
        post = self.post
        fmt = post.source_format
        metadata = source.metadata
        out: dict[str, Any] = {}

        def when(value: dt.datetime | None):
            if value is None:
                return DELETE
            if fmt == "toml":
                return dj_timezone.localtime(value)
            return jekyll_date(value) if fmt == "yaml" or fmt == "none" else value.isoformat()

        def put(field_name: str, default_key: str, value) -> None:
            key = keys.get(field_name, default_key)
            if value in ("", [], None) and field_name not in keys:
                return
            out[key] = DELETE if value in ("", [], None) else value

        if "title" in changed:
            put("title", "title", post.title)
        if "slug" in changed:
            put("slug", "slug", post.slug)
        if "excerpt" in changed:
            put("excerpt", "excerpt", post.excerpt)
        if "canonical_url" in changed:
            put("canonical_url", "canonical_url", post.canonical_url)
        if "published_at" in changed:
            out[keys.get("published_at", "date")] = when(post.published_at)
        if "modified_at" in changed:
            # Hugo reads `lastmod` (YAML files of a Hugo site too); Jekyll's plugin
            # `last_modified_at`.
            default = "lastmod" if fmt == "toml" or self.place.hugo else "last_modified_at"
            if post.modified_at is not None or "modified_at" in keys:
                out[keys.get("modified_at", default)] = when(post.modified_at)
        if "expires_at" in changed:
            out[keys.get("expires_at", "expiryDate")] = when(post.expires_at)
        if "status" in changed:
            draft = post.status == Post.Status.DRAFT
            # Every status key the file has says the same, so that each generator reads
            # the status the CMS has: Jekyll builds every post that lacks
            # `published: false` (it has no `draft`); Hugo, Eleventy and Decap read `draft`.
            # Setting `draft: true` alone in a `_posts` file left Jekyll publishing it.
            jekyll_post = in_posts_folder(self.path)
            published_key, draft_key = f.status_keys(metadata)
            if published_key is None and draft_key is None:
                published_key, draft_key = ("published", None) if jekyll_post else (None, "draft")
            elif published_key is None and jekyll_post and draft:
                published_key = "published"
            if published_key is not None:
                out[published_key] = not draft
            if draft_key is not None:
                out[draft_key] = draft
        if "authors" in changed:
            names = [link.author.name for link in post.post_authors.all()]
            key = keys.get("authors", "authors")
            entries = _author_entries(names, metadata.get(key))
            if entries is not None:
                put("authors", key, entries)
            elif key.lower() == "author" and len(names) == 1:
                put("authors", key, names[0])
            else:
                put("authors", key, names)
        for field_name, manager in (("categories", post.categories), ("tags", post.tags)):
            if field_name in changed:
                names = sorted(obj.name for obj in manager.all())
                if field_name == "categories":
                    # Jekyll reads these from the folders: the file need not repeat those
                    # it did not name itself.
                    implied = {n.casefold() for n in f.path_categories(self.path, self.site)}
                    implied -= {n.casefold() for n in f.file_categories(metadata)}
                    names = [name for name in names if name.casefold() not in implied]
                key = keys.get(field_name, field_name)
                whole = f.terms_whole(self.generator, field_name)
                value = _names_value(names, metadata.get(key), key, field_name, whole_text=whole)
                put(field_name, key, value)
        if "feature_image" in changed:
            key = keys.get("feature_image", "image")
            original = metadata.get(key)
            if isinstance(original, dict) and post.feature_image:
                inner = f.find_key(original, f.IMAGE_MAPPING_KEYS) or "src"
                out[key] = {**f.json_value(original), inner: post.feature_image}
            else:
                put("feature_image", key, post.feature_image)
        meta = post.meta or {}
        for name in changed:
            if name.startswith(sync.META_PREFIX):
                key = name[len(sync.META_PREFIX) :]
                out[key] = meta[key] if key in meta else DELETE
        return out


def _author_entries(names: list[str], original) -> list | None:
    """The authors for a key that held mappings (`- name: Ann` with `email:`, `url:`...):
    each author still there keeps their mapping, in the new order; a new one gets
    `name:` alone. None when the key held no mapping. Writing names alone dropped every
    other key of every author, stored nowhere else."""
    items = original if isinstance(original, list) else [original]
    mappings = [item for item in items if isinstance(item, dict)]
    if not mappings:
        return None
    by_name = {}
    for mapping in mappings:
        key = f.find_key(mapping, f.AUTHOR_NAME_KEYS)
        if key is not None:
            by_name.setdefault(f.scalar_text(mapping[key]).strip().casefold(), mapping)
    return [f.json_value(by_name.get(name.casefold(), {"name": name})) for name in names]


def _names_value(
    names: list[str], original, key: str, field_name: str, *, whole_text: bool = False
):
    """Categories or tags for the file's key: text in the file's own style where that
    text reads back as these names, else a list.

    Jekyll splits a plural key's text (`tags: a b`) at whitespace and takes a singular
    one's (`tag: code`) whole, and a list works under either. So text written in
    another style than the file's misleads the generator even where the importer reads
    it back: `categories: Big News, jekyll` in place of `jekyll news` made Jekyll file
    the post under `Big`, `News,` and `jekyll`. Text with commas keeps its commas.
    """
    if not isinstance(original, str) or not names:
        return names
    if whole_text:  # Eleventy takes the text as one name
        return names[0] if len(names) == 1 else names
    plural = key.lower() == field_name
    if "," in original:
        text = ", ".join(names)
    elif plural:
        text = " ".join(names)
    elif len(names) == 1:
        text = names[0]
    else:
        return names
    read_back = f.name_list(text, split_words=plural)
    if [name.casefold() for name in read_back] == [name.casefold() for name in names]:
        return text
    return names


def _post_time(path: str, post: Post) -> float | None:
    """The modification time to give a file whose only date is its modification time."""
    if post.published_at is None:
        return None
    try:
        _, day, _ = f.file_name_parts(path)
    except f.SectionPage:
        return None
    if day is not None:
        return None
    try:
        metadata = split_source(post.source_front_matter.encode("utf-8")).metadata
    except ParseError:
        return None
    if f.find_key(metadata, f.DATE_KEYS, accept=lambda v: v not in (None, "", True, False)):
        return None
    return post.published_at.timestamp()


class FolderExport:
    def __init__(self, root: Path, *, status: str, force: bool, progress: Progress | None):
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        self.inherited = InheritedStatus(root)
        self.status = status
        self.force = force
        self.progress = progress
        self.report = r.ExportReport(root=str(root))
        self.now = dj_timezone.now()

    def done(self, outcome: r.FileOutcome) -> None:
        self.report.add(outcome)
        if self.progress is not None:
            self.progress(outcome, len(self.report.outcomes), self.total)

    def queryset(self):
        posts = Post.objects.all()
        if self.status != "all":
            posts = posts.filter(status=self.status)
        return posts

    def run(self) -> r.ExportReport:
        started = time.monotonic()
        self.root.mkdir(parents=True, exist_ok=True)
        # Every post's file, whatever the status asked for: a new file must not take one.
        self.taken = set(
            Post.objects.exclude(source_path=None).values_list("source_path", flat=True)
        )
        self.place = NewPostPlace.of(self.root, self.taken)
        self.synced_folder = self.holds_synced_files()
        posts = self.queryset()
        self.total = posts.count()
        last_id = 0
        while True:
            chunk = list(
                posts.filter(pk__gt=last_id)
                .order_by("pk")
                .prefetch_related(
                    Prefetch("post_authors", queryset=PostAuthor.objects.select_related("author")),
                    "categories",
                    "tags",
                )[:BATCH_SIZE]
            )
            if not chunk:
                break
            last_id = chunk[-1].pk
            synced = [post for post in chunk if self.export(post)]
            if synced:
                with transaction.atomic():
                    Post.objects.bulk_update(synced, sync.SOURCE_COLUMNS)
        self.report.elapsed = time.monotonic() - started
        return self.report

    def free_path(self, path: str) -> str:
        """`path` for a post made in the admin, or `…-2.md`, `…-3.md` if another post's
        file is there already (an imported post's slug need not match its file name)."""
        stem, extension = posixpath.splitext(path)
        candidate, counter = path, 2
        while candidate in self.taken:
            candidate, counter = f"{stem}-{counter}{extension}", counter + 1
        self.taken.add(candidate)
        return candidate

    def export(self, post: Post) -> bool:
        """Write one post's file. True when the post's sync fields changed (to be saved)."""
        state = sync.state_of_row(post)
        writer = PostWriter(
            post,
            state,
            self.inherited.jekyll_site,
            self.place,
            generator=self.inherited.generator,
        )
        if not post.source_path:
            writer.path = self.free_path(writer.path)
        moved_from = None
        if post.source_path and post.status != Post.Status.DRAFT:
            # Published in the admin: Jekyll builds no post from `_drafts`, so the file
            # moves to `_posts` as `jekyll publish` moves it (the import sees the move).
            published = published_draft_path(post.source_path, post.published_at)
            if published is not None:
                moved_from = post.source_path
                writer.path, writer.site = published, self.inherited.jekyll_site(published)
        path = writer.path
        try:
            check_relative_path(path)
            target = self.root / path
            # Inside, not only starting with the same characters (`out` and `outside`).
            if not Path(os.path.realpath(target.parent)).is_relative_to(self.real_root):
                raise UnsafePath(f"{path!r} leads outside the folder")
            block, text = writer.render()
            encoding = post.source_encoding if post.source_path else "utf-8"
            data = encode(text, encoding or "utf-8")
            self.verify(post, writer, data, state)
        except (UnsafePath, EditError, ValueError) as exc:
            self.done(r.FileOutcome(path, r.FAILED, str(exc), post_id=post.pk))
            return False
        digest = hashlib.sha256(data).hexdigest()
        try:
            on_disk = target.read_bytes() if target.exists() else None
        except OSError as exc:
            self.done(r.FileOutcome(path, r.FAILED, f"cannot read: {exc}", post_id=post.pk))
            return False
        mtime = _post_time(path, post) if post.source_path else None
        if moved_from is not None:
            refused = self.move_refused(post, moved_from, path, on_disk)
            if refused:
                self.done(r.FileOutcome(moved_from, r.CONFLICT, refused, post_id=post.pk))
                return False
        # A moved draft's new place is checked by move_refused (nothing may be there).
        drift = self.drift(post, on_disk) if moved_from is None else None
        if on_disk == data:
            action = r.UNCHANGED
        elif drift == "deleted":
            self.done(
                r.FileOutcome(
                    path,
                    r.CONFLICT,
                    "the file was deleted since the last import or export (or an export "
                    "with --status left it out of this folder); --force writes it again, "
                    "deleting the post in the admin removes it for good",
                    post_id=post.pk,
                )
            )
            return False
        elif drift == "changed":
            self.done(
                r.FileOutcome(
                    path,
                    r.CONFLICT,
                    "the file changed since the last import or export; --force overwrites it",
                    post_id=post.pk,
                )
            )
            return False
        else:
            try:
                atomic_write(target, data)
            except OSError as exc:
                self.done(r.FileOutcome(path, r.FAILED, f"cannot write: {exc}", post_id=post.pk))
                return False
            action = r.WRITTEN
        if mtime is not None:
            os.utime(target, (mtime, mtime))
        detail = ""
        if moved_from is not None:
            try:
                (self.root / moved_from).unlink(missing_ok=True)
            except OSError as exc:
                self.done(
                    r.FileOutcome(
                        moved_from,
                        r.FAILED,
                        f"published as {path}, but the draft could not be removed: {exc}",
                        post_id=post.pk,
                    )
                )
            detail = f"published: moved from {moved_from} (jekyll publish)"
        self.done(r.FileOutcome(path, action, detail, post_id=post.pk))
        changed = (
            post.source_path != path
            or post.source_hash != digest
            or post.synced_state != state
            or post.source_front_matter != block
        )
        if changed:
            post.source_path = path
            post.source_hash = digest
            post.source_front_matter = block
            post.source_format = post.source_format or getattr(writer, "format", "yaml")
            post.source_encoding = post.source_encoding or "utf-8"
            post.source_newline = post.source_newline or getattr(writer, "newline", "lf")
            post.synced_state = state
            post.synced_at = self.now
        return changed

    def drift(self, post: Post, on_disk: bytes | None) -> str | None:
        """How the post's file (`on_disk`, None when absent) left what the last import or
        export wrote, when that stops this export without --force: "deleted" (gone from
        the folder it was synced with, which holds other posts' files: in git, on purpose,
        most likely), "changed" (other bytes, or a file the post was never synced with),
        or None."""
        if self.force:
            return None
        if on_disk is None:
            return "deleted" if post.source_hash and self.synced_folder else None
        if not post.source_hash or hashlib.sha256(on_disk).hexdigest() != post.source_hash:
            return "changed"
        return None

    def move_refused(self, post: Post, moved_from: str, path: str, on_disk) -> str:
        """Why a published draft's file cannot move from `_drafts` to `path` ("" if it can):
        another file is in the way, or the draft changed or went since it was synced
        (without --force)."""
        if on_disk is not None or path in self.taken:
            return f"publishing moves the draft to {path}, and a file is there already"
        if self.force:
            return ""
        try:
            draft = (self.root / moved_from).read_bytes()
        except FileNotFoundError:
            draft = None
        except OSError as exc:
            return f"cannot read: {exc}"
        drift = self.drift(post, draft)
        if drift == "deleted":
            return (
                "the draft's file was deleted since the last import or export; --force "
                f"publishes it as {path}"
            )
        if drift == "changed":
            return (
                "the draft's file changed since the last import or export; --force "
                f"publishes the post's version as {path}"
            )
        return ""

    def holds_synced_files(self) -> bool:
        """Whether the folder held, before this export wrote anything, a file of a post
        that was imported or exported."""
        return any(
            (self.root / path).is_file()
            for path in Post.objects.exclude(source_hash="")
            .exclude(source_path=None)
            .values_list("source_path", flat=True)
            .iterator()
        )

    def verify(self, post: Post, writer: PostWriter, data: bytes, state: dict) -> None:
        """Refuse to write a file that would not import back as this post."""
        if post.source_path and post.synced_state == state and post.source_format:
            return  # the bytes the post was imported from
        inherited = self.inherited.for_path(writer.path, writer.site)
        try:
            parsed = parse_post(
                data,
                writer.path,
                tz=dj_timezone.get_current_timezone(),
                mtime=post.published_at.timestamp() if post.published_at else None,
                jekyll_site=writer.site,
                inherited=inherited,
                generator=writer.generator,
            )
        except (ParseError, f.SectionPage) as exc:
            raise EditError(f"the written file would not import: {exc}") from exc
        again = Post(
            title=parsed.title,
            slug=post.slug,
            body=parsed.body,
            excerpt=parsed.excerpt,
            status=parsed.status,
            published_at=parsed.published_at,
            modified_at=parsed.modified_at,
            expires_at=parsed.expires_at,
            feature_image=parsed.feature_image,
            canonical_url=parsed.canonical_url,
            meta=parsed.meta,
        )
        if post.slug != with_suffix(parsed.slug, path_suffix(writer.path)):
            again.slug = parsed.slug  # a clash suffix is given again on import; others are not
        new_state = sync.state(
            again, authors=parsed.authors, categories=parsed.categories, tags=parsed.tags
        )
        differ = sync.changed_fields(state, new_state) - {"body", "meta"}
        if post.source_path and post.synced_state:
            # Unchanged fields are the file's own bytes; a naive date in them may have been
            # read with another --timezone than the site's, so only check what was rewritten.
            differ &= sync.changed_fields(post.synced_state, state) | {"title"}
        differ = sorted(differ)
        if parsed.body != post.body and post.source_newline not in ("crlf", "mixed"):
            differ.append("body")
        if differ:
            reason = "the file would not import back the same: " + ", ".join(differ)
            kept = [
                name
                for name in f.path_categories(writer.path, writer.site)
                if name.casefold() not in state["categories"]
            ]
            if "status" in differ and inherited and post.status != Post.Status.DRAFT:
                reason += (
                    f" (the site hides it from outside the file: "
                    f"{', '.join(sorted(inherited))} set by a Hugo cascade, Jekyll defaults "
                    "or an Eleventy data file; change that setting)"
                )
            if "categories" in differ and kept:
                reason += (
                    f" (Jekyll files a post under the folders above its _posts: "
                    f"{', '.join(kept)}; move the file to drop them)"
                )
            raise EditError(reason)


def export_folder(
    root: Path | str,
    *,
    status: str = "all",
    force: bool = False,
    progress: Progress | None = None,
) -> r.ExportReport:
    """Write every post (or those of one `status`: published, draft, all) under `root`.

    Records in each post what was written, so that a later import of the folder finds
    every file unchanged, and a later export notices files changed by someone else.
    """
    if status not in ("all", Post.Status.PUBLISHED, Post.Status.DRAFT):
        raise ValueError(f"unknown status {status!r}: published, draft or all")
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    with dj_timezone.override(settings.TIME_ZONE):
        return FolderExport(root, status=status, force=force, progress=progress).run()
