"""Import a folder of markdown files into posts, in batches, idempotently.

Identity is the file's path relative to the folder (`Post.source_path`). For each file:

- its bytes hash like the last import or export -> *unchanged*, without parsing or rendering;
- it is new -> *created*, unless it is a *duplicate* (same title, date and authors as a post
  from another path of the folder, e.g. a copy under `archived/`), or a *moved* post (a post
  whose file is gone had the same file name, title and date);
- it changed -> *updated*, unless the post was also edited in the admin since: a *conflict*,
  left alone unless `overwrite`;
- it cannot be read -> *failed*, with the line and reason; the other files still import.

Files are streamed in batches: each batch is one transaction with a fixed number of queries
(taxonomy looked up in memory, rows written with bulk_create/bulk_update), so one bad file
never leaves a half-written post and memory stays flat whatever the size of the folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
import stat
import time
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import DatabaseError, reset_queries, router, transaction
from django.db.models import Prefetch
from django.utils import timezone as dj_timezone

from posts import search
from posts.api.caching import invalidate as invalidate_api_cache
from posts.markdown_io import report as r
from posts.markdown_io import sync
from posts.markdown_io.fields import PostData, SectionPage, file_name_parts, timezone_named
from posts.markdown_io.inherited import LANGUAGE, InheritedStatus
from posts.markdown_io.parsing import DEFAULT_MAX_BYTES, ParseError, parse_post
from posts.markdown_io.run_lock import one_import_at_a_time
from posts.markdown_io.site_config import (
    has_hugo_config,
    hugo_content_dirs,
)
from posts.models import Author, Category, Post, PostAuthor, Tag, TaggedPost
from posts.slugs import make_slug

DEFAULT_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
BATCH_SIZE = 500
SLUG_MAX = 255

Progress = Callable[[r.FileOutcome, int, int], None]


@dataclass
class Known:
    """What the database knows about one path of the folder."""

    post_id: int
    hash: str | None  # None forces a re-read (a duplicate promoted to be the source)
    duplicate: bool = False  # the path is a recorded duplicate of post_id
    moved_from: str | None = None


@dataclass
class Item:
    """A file of the current batch that needs the database."""

    path: str
    hash: str
    data: PostData
    known: Known | None
    post: Post | None = None
    moved_from: str | None = None
    duplicate_of: tuple[int | None, str] | None = None  # (post id, path); id None until saved
    canonical: Item | None = None

    @property
    def reread(self) -> bool:
        """Whether the database has these bytes for this path already (read again only
        with --reread)."""
        return self.known is not None and self.known.hash == self.hash


# Folders no generator builds pages from, wherever they are: Jekyll's and Eleventy's
# includes, layouts, data and output, Sass, installed packages (npm, Bundler).
NOT_CONTENT = {"node_modules", "vendor", "_site", "_includes", "_layouts", "_sass", "_data"}
# At the root of a Hugo site (a config file there), everything but its content: Hugo reads
# pages from content/ only.
HUGO_NOT_CONTENT = {
    "archetypes",
    "assets",
    "data",
    "i18n",
    "layouts",
    "public",
    "resources",
    "static",
    "themes",
}


def hugo_root_content_dirs(root: Path) -> list[str] | None:
    """The content folders of the Hugo site whose root `root` is (see hugo_content_dirs);
    None when it is no Hugo site's root."""
    return hugo_content_dirs(root) if has_hugo_config(root) else None


def walk(root: Path, extensions: Iterable[str] = DEFAULT_EXTENSIONS):
    """(relative path, absolute path) of every markdown file, in a stable sorted order.

    Hidden files and folders are left out; symbolic links are not followed, so nothing
    outside `root` is ever read; nor are pipes, sockets or devices, which reading would
    block on (a FIFO named `x.md` hung the import) or never finish.

    Folders the generators never build pages from are left out too (NOT_CONTENT): a site's
    root imported whole made a post of every README in node_modules, of Jekyll's includes,
    and of Hugo's archetypes (templates, whose `{{ .Date }}` failed the run). At the root
    of a Hugo site only its content folders are read, as Hugo does: the site's README.md
    was a post.
    """
    suffixes = tuple(ext.lower() for ext in extensions)
    content_dirs = hugo_root_content_dirs(Path(root))
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        skipped = NOT_CONTENT
        if content_dirs == [] and rel_dir == ".":
            skipped = NOT_CONTENT | HUGO_NOT_CONTENT
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in skipped)
        if content_dirs:
            if not _inside(rel_dir, content_dirs):
                filenames = []
                dirnames[:] = [
                    d
                    for d in dirnames
                    if _inside(_join(rel_dir, d), content_dirs)
                    or any(c.startswith(_join(rel_dir, d) + "/") for c in content_dirs)
                ]
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(suffixes):
                continue
            absolute = os.path.join(dirpath, name)
            try:
                mode = os.lstat(absolute).st_mode
            except OSError:  # gone since the folder was listed
                continue
            if not stat.S_ISREG(mode):  # a link may point anywhere: not part of the folder
                continue
            yield _join(rel_dir, name), absolute


def _join(rel_dir: str, name: str) -> str:
    return name if rel_dir == "." else f"{rel_dir}/{name}"


def _inside(rel_dir: str, folders: list[str]) -> bool:
    return any(rel_dir == folder or rel_dir.startswith(folder + "/") for folder in folders)


def leaf_bundle_resources(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """Hugo: relative path -> its leaf bundle's folder, for every file in a leaf bundle
    that is not the bundle's own page.

    A folder holding `index.md` (or a translation, `index.de.md`) is a leaf bundle: Hugo
    builds one page from it, and every other file in it or below it, markdown included,
    is a resource of that page (notes, fragments a shortcode includes), never a page.
    Other generators build a page from each of those files, so only a Hugo site is read
    so: one with a section page (`_index.md`, Hugo's alone) or a Hugo config file in the
    bundle's folder or above it (up to the parent of an imported `content` folder).
    """
    root = Path(root).resolve()
    paths = list(paths)
    sections = any(file_kind(posixpath.basename(path)) == "_index" for path in paths)
    configured: dict[Path, bool] = {}

    def in_hugo_site(folder: str) -> bool:
        if sections:
            return True
        tops = [root.parent] if root.name == "content" else []
        for directory in [*(root / folder).parents, root / folder]:
            if directory == root or root in directory.parents or directory in tops:
                if directory not in configured:
                    configured[directory] = has_hugo_config(directory)
                if configured[directory]:
                    return True
        return False

    leaves = set()
    for path in paths:
        folder, name = posixpath.split(path)
        if folder and file_kind(name) == "index" and in_hugo_site(folder):
            leaves.add(folder)
    resources = {}
    for path in paths:
        folder, name = posixpath.split(path)
        parts = folder.split("/") if folder else []
        # The outermost leaf bundle holding the file: Hugo reads no bundle inside one.
        leaf = next(
            (bundle for i in range(1, len(parts) + 1) if (bundle := "/".join(parts[:i])) in leaves),
            None,
        )
        if leaf is not None and not (leaf == folder and file_kind(name) == "index"):
            resources[path] = leaf
    return resources


def file_kind(name: str) -> str:
    """`index` for `index.md` and `index.de.md`, `_index` for `_index.md`, ..."""
    return name.rsplit(".", 1)[0].split(".", 1)[0]


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Taxonomy:
    """Authors, categories and tags by case-folded name, loaded once, created in bulk."""

    def __init__(self, model, fallback: str):
        self.model = model
        self.fallback = fallback
        self.by_key = {}
        self.slugs = set()
        for obj in model.objects.only("id", "name", "slug"):
            self.by_key.setdefault(obj.name.casefold(), obj)
            self.slugs.add(obj.slug)

    def resolve(self, names: dict[str, None]) -> dict:
        """casefolded name -> object for `names`, creating the missing ones (one query).

        `names` in file order: of two spellings of a new name (`HTML`, `html`), the first
        one read is kept, on every run (a set's order changed with the hash seed).
        """
        missing = {}
        for name in names:
            key = name.casefold()
            if key not in self.by_key and key not in missing:
                missing[key] = name
        created = []
        slugs = set()
        max_length = self.model._meta.get_field("slug").max_length
        for _key, name in sorted(missing.items()):
            base = make_slug(name, max_length=max_length, fallback=self.fallback)
            slug, counter = base, 2
            while slug in self.slugs or slug in slugs:
                suffix = f"-{counter}"
                slug, counter = base[: max_length - len(suffix)] + suffix, counter + 1
            slugs.add(slug)
            created.append(self.model(name=name, slug=slug))
        if created:
            self.model.objects.bulk_create(created)
            if created[0].pk is None:  # a database that cannot return ids from bulk inserts
                by_slug = self.model.objects.in_bulk([o.slug for o in created], field_name="slug")
                created = [by_slug[o.slug] for o in created]
        new = {obj.name.casefold(): obj for obj in created}
        return new

    def commit(self, new: dict) -> None:
        for key, obj in new.items():
            self.by_key[key] = obj
            self.slugs.add(obj.slug)

    def get(self, name: str, new: dict):
        key = name.casefold()
        return self.by_key.get(key) or new[key]


class FolderImport:
    """One run of `import_folder`; see its docstring."""

    def __init__(
        self,
        root: Path,
        *,
        dry_run: bool,
        tz: dt.tzinfo | None,  # None: per site config (site_tz)
        default_author: str | None,
        overwrite: bool,
        reread: bool,
        prune: bool,
        keep_duplicates: bool,
        progress: Progress | None,
        extensions: Iterable[str],
        max_bytes: int,
        batch_size: int,
    ):
        self.root = root
        self.tz = tz
        self.default_author = default_author
        self.overwrite = overwrite
        self.reread = reread
        self.prune = prune
        self.keep_duplicates = keep_duplicates
        self.progress = progress
        self.extensions = tuple(extensions)
        self.max_bytes = max_bytes
        self.inherited = InheritedStatus(root)
        self.zones: dict[str | None, dt.tzinfo] = {}
        # A Hugo site's content folders: one per language where its config says so.
        self.content_dirs = hugo_root_content_dirs(Path(root))
        self.batch_size = batch_size
        self.report = r.ImportReport(root=str(root), dry_run=dry_run)
        self.using = router.db_for_write(Post)
        self.now = dj_timezone.now()
        # Duplicate keys of the posts written in this run -> (post id, path).
        self.run_keys: dict[tuple, tuple[int, str]] = {}
        self.pending_clashes: list[r.SlugClash] = []
        self.total = 0

    # --- set-up -----------------------------------------------------------------------------

    def load_index(self, paths: set[str]) -> None:
        """Map every path the database knows to its post; find posts whose file is gone."""
        self.index: dict[str, Known] = {}
        self.gone: dict[str, int] = {}  # source path -> post id, for files no longer there
        duplicates_of: dict[int, dict[str, str]] = {}
        rows = Post.objects.filter(source_path__isnull=False).values_list(
            "id", "source_path", "source_hash", "duplicate_sources"
        )
        for post_id, path, digest, duplicates in rows.iterator(chunk_size=2000):
            self.index[path] = Known(post_id, digest)
            if path not in paths:
                self.gone[path] = post_id
            if duplicates:
                duplicates_of[post_id] = duplicates
                for dup_path, dup_hash in duplicates.items():
                    if _copy_name(dup_path) != _copy_name(path):
                        # Recorded before bundles were named by their folder: read it again.
                        dup_hash = None
                    self.index.setdefault(dup_path, Known(post_id, dup_hash, duplicate=True))
        self.stale_duplicates: dict[int, set[str]] = {}
        for post_id, duplicates in duplicates_of.items():
            stale = {p for p in duplicates if p not in paths}
            if stale:
                self.stale_duplicates[post_id] = stale
        # A post whose file is gone but one of its duplicates is still there moves to it.
        for path, post_id in list(self.gone.items()):
            present = sorted(p for p in duplicates_of.get(post_id, ()) if p in paths)
            if present:
                self.index[present[0]] = Known(post_id, None, moved_from=path)
                del self.gone[path]
        self.gone_by_name: dict[str, list[str]] = {}
        self.gone_by_date_free_name: dict[tuple[str, str], list[str]] = {}
        self.gone_by_page: dict[tuple[str, str, str], list[str]] = {}
        for path in self.gone:
            self.gone_by_name.setdefault(_name_key(path), []).append(path)
            key = _redating_key(path)
            if key is not None:
                self.gone_by_date_free_name.setdefault(key, []).append(path)
            page = _page_key(path)
            if page is not None:
                self.gone_by_page.setdefault(page, []).append(path)
        self.paths = paths

    def site_tz(self, rel: str, site: str) -> dt.tzinfo:
        """Without --timezone, the zone the file's site config gives naive dates (Jekyll's
        `timezone`, Hugo's `timeZone`), as the generator reads them; else TIME_ZONE."""
        name = self.inherited.time_zone(rel, site)
        if name not in self.zones:
            try:
                self.zones[name] = timezone_named(name, settings.TIME_ZONE)
            except (KeyError, ValueError):  # not a zone: the generator fails; we keep ours
                self.zones[name] = timezone_named(None, settings.TIME_ZONE)
        return self.zones[name]

    def refuse_pruning_another_folder(self) -> None:
        """With --prune, refuse (before writing anything) when no file of the folder is one
        the database knows, by path or by name (a move keeps the name; a re-dated Jekyll
        post keeps it after its date; a bundle's name is its folder's, not `index.md`): the
        folder is not the one the posts came from, and pruning would delete every one."""
        known = {path for path, entry in self.index.items() if not entry.duplicate}
        if not (self.prune and known):
            return
        self.refuse_pruning_from_a_subfolder(known)
        if len(self.gone) != len(known):
            return
        names = {_post_name(path) for path in self.paths}
        pages = {_page_key(path) for path in self.paths} - {None}
        if any(_post_name(path) in names or _page_key(path) in pages for path in self.gone):
            return
        raise ValueError(
            f"--prune would delete all {len(self.gone)} imported posts: none of their files "
            f"is in {self.root} (by path or by file name). Is it the folder they came from? "
            "Nothing was changed; delete posts in the admin if that is what you want."
        )

    def refuse_pruning_from_a_subfolder(self, known: set[str]) -> None:
        """With --prune, refuse when the folder is a subfolder of the one the posts came
        from (`site/_posts` after `site`): most of its files are known under one folder
        (`_posts/x.md` for `x.md`), and pruning would delete every post outside it (the
        drafts in `_drafts/`), though file names match."""
        by_name: dict[str, list[str]] = {}
        for path in known:
            by_name.setdefault(posixpath.basename(path), []).append(path)
        new = [path for path in self.paths if path not in self.index]
        prefixes: dict[str, int] = {}
        for path in new:
            for old in by_name.get(posixpath.basename(path), ()):
                if old.endswith("/" + path):
                    prefix = old[: -len(path)]
                    prefixes[prefix] = prefixes.get(prefix, 0) + 1
        if not prefixes:
            return
        prefix = max(prefixes, key=lambda p: (prefixes[p], p))
        outside = [path for path in self.gone if not path.startswith(prefix)]
        if prefixes[prefix] * 2 < len(new) or not outside:
            return
        raise ValueError(
            f"{self.root} looks like the folder {prefix!r} of the one the posts came from "
            f"({prefixes[prefix]} of its files were imported as {prefix}...): --prune would "
            f"delete the {len(outside)} posts outside it, such as {sorted(outside)[0]}. "
            "Nothing was changed; import the whole folder, or leave out --prune."
        )

    # --- the run ----------------------------------------------------------------------------

    def run(self) -> r.ImportReport:
        started = time.monotonic()
        self.inherited.check_site()
        files = list(walk(self.root, self.extensions))
        self.total = len(files)
        not_posts = {
            rel: f"a resource of the page bundle {bundle}/ (Hugo), not a post"
            for rel, bundle in leaf_bundle_resources(self.root, (rel for rel, _ in files)).items()
        }
        for rel, _ in files:
            if rel in not_posts:
                continue
            reason = self.inherited.jekyll_not_post(rel) or self.inherited.eleventy_not_post(rel)
            if reason:
                not_posts[rel] = reason
        # A dry run is one transaction rolled back at the end; a real run commits each batch.
        with transaction.atomic() if self.report.dry_run else nullcontext():
            # Not a post: a post made of one before counts as gone (--prune).
            self.load_index({rel for rel, _ in files if rel not in not_posts})
            self.refuse_pruning_another_folder()
            self.authors = _Taxonomy(Author, "author")
            self.categories = _Taxonomy(Category, "category")
            self.tags = _Taxonomy(Tag, "tag")
            batch: list[Item] = []
            for rel, absolute in files:
                if rel in not_posts:
                    self.done(r.FileOutcome(rel, r.SKIPPED, not_posts[rel]))
                    continue
                item = self.read(rel, absolute)
                if item is not None:
                    batch.append(item)
                if len(batch) >= self.batch_size:
                    self.write_batch(batch)
                    batch = []
            if batch:
                self.write_batch(batch)
            self.finish()
            if self.report.dry_run:
                transaction.set_rollback(True)
        if not self.report.dry_run and any(
            self.report.counts.get(action) for action in (r.CREATED, r.UPDATED, r.MOVED)
        ):
            search.merge_pending_index_entries(self.using)
            search.refresh_statistics(self.using)
        self.report.elapsed = time.monotonic() - started
        return self.report

    def done(self, outcome: r.FileOutcome) -> None:
        self.report.add(outcome)
        if self.progress is not None:
            self.progress(outcome, len(self.report.outcomes), self.total)

    def read(self, rel: str, absolute: str) -> Item | None:
        """Hash a file and parse it if the database does not have these bytes already."""
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            self.done(r.FileOutcome(rel, r.FAILED, "the file name is not valid UTF-8"))
            return None
        try:
            info = os.stat(absolute)
            if info.st_size > self.max_bytes:
                self.done(
                    r.FileOutcome(
                        rel,
                        r.FAILED,
                        f"file is {info.st_size:,} bytes, over the limit of {self.max_bytes:,}",
                    )
                )
                return None
            with open(absolute, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            self.done(r.FileOutcome(rel, r.FAILED, f"cannot read: {exc.strerror or exc}"))
            return None
        digest = file_hash(data)
        known = self.index.get(rel)
        if known is not None and known.hash == digest and (not self.reread or known.duplicate):
            detail = "duplicate, already recorded" if known.duplicate else ""
            self.done(r.FileOutcome(rel, r.UNCHANGED, detail, post_id=known.post_id))
            return None
        site = self.inherited.jekyll_site(rel)
        try:
            parsed = parse_post(
                data,
                rel,
                tz=self.tz or self.site_tz(rel, site),
                default_author=self.default_author,
                mtime=info.st_mtime,
                max_bytes=self.max_bytes,
                jekyll_site=site,
                inherited=self.inherited.for_path(rel, site),
                generator=self.inherited.generator,
            )
        except SectionPage:
            self.done(r.FileOutcome(rel, r.SKIPPED, "section page (_index), not a post"))
            return None
        except ParseError as exc:
            self.done(r.FileOutcome(rel, r.FAILED, exc.reason, line=exc.line))
            return None
        return Item(path=rel, hash=digest, data=parsed, known=known)

    def write_batch(self, items: list[Item]) -> None:
        """Write a batch in one transaction; if it fails, retry file by file.

        Any exception, not only the database's: a file that no rule foresaw (a value
        Python cannot store) fails on its own, named, and the rest of the folder imports.
        """
        try:
            with transaction.atomic():
                search.prepare_bulk_write(self.using)
                outcomes, commit = self.apply(items)
        except Exception as exc:
            self.pending_clashes.clear()
            if len(items) == 1:
                self.done(r.FileOutcome(items[0].path, r.FAILED, _write_failure(exc)))
                return
            for item in items:
                item.post = item.moved_from = item.duplicate_of = item.canonical = None
                try:
                    with transaction.atomic():
                        outcomes, commit = self.apply([item])
                except Exception as exc:
                    self.pending_clashes.clear()
                    self.done(r.FileOutcome(item.path, r.FAILED, _write_failure(exc)))
                    continue
                commit()
                for outcome in outcomes:
                    self.done(outcome)
            return
        commit()
        for outcome in outcomes:
            self.done(outcome)
        reset_queries()  # with DEBUG on, Django would keep every query's SQL in memory

    # --- one batch --------------------------------------------------------------------------

    def apply(self, items: list[Item]):
        """Decide what each item is and write it. Returns (outcomes, commit-callback).

        Nothing in `self` changes until the callback runs, so a batch that the database
        refuses can be retried.
        """
        outcomes: dict[str, r.FileOutcome] = {}
        existing_ids = set()
        for item in items:
            if item.known is not None and not item.known.duplicate:
                existing_ids.add(item.known.post_id)
            else:
                for old_path, _same_date in self.move_sources(item.path):
                    if old_path in self.gone:
                        existing_ids.add(self.gone[old_path])
        posts = self.fetch_posts(existing_ids)

        # Moves: a new path whose file name, title and date match a post whose file is gone,
        # or a re-dated file (below).
        claimed: set[str] = set()
        for item in items:
            if item.known is not None and not item.known.duplicate:
                item.post = posts.get(item.known.post_id)
                item.moved_from = item.known.moved_from
                continue
            for old_path, same_date in self.move_sources(item.path):
                post = posts.get(self.gone.get(old_path))
                if (
                    old_path not in claimed
                    and post is not None
                    and _same(post, "title", item.data.title)
                    and (not same_date or _same(post, "published_at", item.data.published_at))
                ):
                    item.post, item.moved_from = post, old_path
                    claimed.add(old_path)
                    break

        # Duplicates: same file name, title, date and authors as a post from another path.
        new_keys: dict[tuple, tuple[int | None, str, Item | None]] = {}
        if not self.keep_duplicates:
            db_keys = self.fetch_keys({i.data.title for i in items if i.post is None})
            for item in items:
                key = duplicate_key(item.path, item.data)
                if key is None:
                    continue
                if item.post is not None:
                    new_keys.setdefault(key, (item.post.pk, item.path, item))
                    continue
                found = new_keys.get(key) or self.run_keys.get(key) or db_keys.get(key)
                if (
                    found is not None
                    and found[1] != item.path
                    and found[1] in self.paths
                    and not (in_posts_folder(found[1]) and in_posts_folder(item.path))
                    and _content_dir(found[1], self.content_dirs or [])
                    == _content_dir(item.path, self.content_dirs or [])
                    and not _in_two_languages(found[1], item.path)
                ):
                    item.duplicate_of = (found[0], found[1])
                    item.canonical = found[2] if len(found) > 2 else None
                    continue
                new_keys[key] = (None, item.path, item)

        # Conflicts: the file changed and so did the row since the last import or export.
        to_write: list[Item] = []
        for item in items:
            if item.duplicate_of is not None:
                continue
            if item.post is not None:
                pure_move = self.pure_move(item)
                edited = sync.state_of_row(item.post) != item.post.synced_state
                if edited and not pure_move and not self.overwrite:
                    outcomes[item.path] = r.FileOutcome(
                        item.path,
                        r.CONFLICT,
                        "edited in the admin since the last import; --overwrite takes the "
                        "file, read again"
                        if item.reread
                        else "changed on disk and in the admin since the last import; "
                        "--overwrite takes the file",
                        post_id=item.post.pk,
                    )
                    continue
            to_write.append(item)

        writes = self.write(to_write, outcomes)
        dup_commit = self.record_duplicates(items, outcomes)

        def commit():
            writes()
            dup_commit()
            for key, (_post_id, path, item) in new_keys.items():
                if item is not None and item.path in outcomes:
                    if outcomes[item.path].action in (r.CREATED, r.UPDATED, r.MOVED):
                        self.run_keys[key] = (item.post.pk, path)
            for item in items:
                if item.moved_from is not None and item.moved_from in self.gone:
                    del self.gone[item.moved_from]

        return [outcomes[item.path] for item in items], commit

    def fetch_posts(self, ids: set[int]) -> dict[int, Post]:
        if not ids:
            return {}
        return (
            Post.objects.filter(pk__in=ids)
            .prefetch_related(
                Prefetch("post_authors", queryset=PostAuthor.objects.select_related("author")),
                "categories",
                "tags",
            )
            .in_bulk()
        )

    def fetch_keys(self, titles: set[str]) -> dict[tuple, tuple[int, str]]:
        """Duplicate keys of the posts in the database with one of these titles (2 queries)."""
        if not titles:
            return {}
        rows = list(
            Post.objects.filter(title__in=titles, source_path__isnull=False).values_list(
                "id", "title", "published_at", "source_path"
            )
        )
        authors: dict[int, list[str]] = {}
        for post_id, name in (
            PostAuthor.objects.filter(post_id__in=[row[0] for row in rows])
            .order_by("post_id", "position", "id")
            .values_list("post_id", "author__name")
        ):
            authors.setdefault(post_id, []).append(name)
        keys = {}
        for post_id, title, published_at, path in sorted(rows, key=lambda row: row[3]):
            key = identity(path, title, published_at, authors.get(post_id, ()))
            keys.setdefault(key, (post_id, path))
        return keys

    def move_sources(self, path: str) -> list[tuple[str, bool]]:
        """The gone files a new file at `path` may be, each with whether the dates must
        match: those of its file name (moved to another folder), then, for a dated Jekyll
        name, those of its folder with the same name after another date (re-dated:
        `2020-01-01-hello.md` renamed `2021-05-05-hello.md`, which kept the slug `hello`
        rather than getting a suffixed one beside the old post), or a draft of that name
        (published: `_drafts/hello.md` moved to `_posts/2021-05-05-hello.md`, a new post
        with a suffixed slug before, the draft's gone). A Hugo page made a bundle, or a
        bundle made a page, in the same folder (`trip.md` <-> `trip/index.md`: one URL),
        is a move too."""
        name = _name_key(path)
        sources = [(old, True) for old in self.gone_by_name.get(name, ())]
        page = _page_key(path)
        if page is not None:
            sources += [
                (old, True) for old in self.gone_by_page.get(page, ()) if _name_key(old) != name
            ]
        key = _redating_key(path)
        if key is not None:
            sources += [
                (old, False)
                for old in self.gone_by_date_free_name.get(key, ())
                if _name_key(old) != name
            ]
        return sources

    @staticmethod
    def pure_move(item: Item) -> bool:
        """A known post's file, moved with its bytes unchanged and still giving the status
        and date it was synced with: only its path is written."""
        post = item.post
        return (
            item.moved_from is not None
            and post is not None
            and item.hash == post.source_hash
            and sync.path_fields_kept(post.synced_state or {}, item.data)
        )

    def write(self, items: list[Item], outcomes: dict[str, r.FileOutcome]):
        """Create and update the posts of `items` with their relations. Returns a commit."""
        authors_new = self.authors.resolve(dict.fromkeys(n for i in items for n in i.data.authors))
        categories_new = self.categories.resolve(
            dict.fromkeys(n for i in items for n in i.data.categories)
        )
        tags_new = self.tags.resolve(dict.fromkeys(n for i in items for n in i.data.tags))
        slugs_for = self.allocate_slugs(items)

        created: list[Post] = []
        updated: list[Post] = []
        relations: list[tuple[Post, list, list, list]] = []
        for item in items:
            data = item.data
            post = item.post
            is_new = post is None
            if self.pure_move(item):
                post.source_path = item.path
                post.duplicate_sources = {
                    p: h for p, h in post.duplicate_sources.items() if p != item.path
                }
                post.synced_at = self.now
                updated.append(post)
                outcomes[item.path] = r.FileOutcome(
                    item.path, r.MOVED, f"from {item.moved_from}", post_id=post.pk
                )
                continue
            if is_new:
                post = Post(created_at=self.now)
                item.post = post
            author_objs = [self.authors.get(n, authors_new) for n in data.authors]
            category_objs = [self.categories.get(n, categories_new) for n in data.categories]
            tag_objs = [self.tags.get(n, tags_new) for n in data.tags]
            synced_before = post.synced_state
            fill(post, data, slug=slugs_for[item.path], file_hash=item.hash, now=self.now)
            if item.moved_from is not None or (item.known and item.known.duplicate):
                post.duplicate_sources = {
                    p: h for p, h in (post.duplicate_sources or {}).items() if p != item.path
                }
            post.synced_state = sync.state(
                post,
                authors=[a.name for a in author_objs],
                categories=[c.name for c in category_objs],
                tags=[t.name for t in tag_objs],
            )
            if item.reread and not is_new and post.synced_state == synced_before:
                # Read again (reread): the same bytes gave the same post.
                outcomes[item.path] = r.FileOutcome(item.path, r.UNCHANGED, post_id=post.pk)
                continue
            relations.append((post, author_objs, category_objs, tag_objs))
            if is_new:
                created.append(post)
                outcomes[item.path] = r.FileOutcome(item.path, r.CREATED)
            else:
                updated.append(post)
                if item.moved_from is not None:
                    outcomes[item.path] = r.FileOutcome(
                        item.path, r.MOVED, f"from {item.moved_from}", post_id=post.pk
                    )
                else:
                    outcomes[item.path] = r.FileOutcome(item.path, r.UPDATED, post_id=post.pk)

        if created:
            Post.objects.bulk_create(created)
            if created[0].pk is None:
                by_path = Post.objects.in_bulk([p.source_path for p in created], "source_path")
                for post in created:
                    post.pk = by_path[post.source_path].pk
            for item in items:
                if item.path in outcomes and outcomes[item.path].action == r.CREATED:
                    outcomes[item.path].post_id = item.post.pk
        if updated:
            Post.objects.bulk_update(updated, UPDATE_FIELDS)
        if relations:
            updated_ids = {post.pk for post in updated}
            ids = [post.pk for post, *_ in relations if post.pk in updated_ids]
            if ids:
                PostAuthor.objects.filter(post_id__in=ids).delete()
                Post.categories.through.objects.filter(post_id__in=ids).delete()
                TaggedPost.objects.filter(content_object_id__in=ids).delete()
            PostAuthor.objects.bulk_create(
                PostAuthor(post=post, author=author, position=position)
                for post, authors, _, _ in relations
                for position, author in enumerate(authors)
            )
            Post.categories.through.objects.bulk_create(
                Post.categories.through(post_id=post.pk, category_id=category.pk)
                for post, _, categories, _ in relations
                for category in categories
            )
            TaggedPost.objects.bulk_create(
                TaggedPost(content_object_id=post.pk, tag_id=tag.pk)
                for post, _, _, tags in relations
                for tag in tags
            )
        if created or updated:
            # bulk_create/bulk_update send no signals: tell the API's response cache.
            invalidate_api_cache()

        def commit():
            self.authors.commit(authors_new)
            self.categories.commit(categories_new)
            self.tags.commit(tags_new)

        return commit

    def allocate_slugs(self, items: list[Item]) -> dict[str, str]:
        """A distinct slug per post; a clash gets a suffix made from its path (stable)."""
        wanted = {}
        for item in items:
            if item.post is not None and item.hash == item.post.source_hash:
                wanted[item.path] = item.post.slug  # a file moved unchanged keeps its slug
                continue
            wanted[item.path] = item.data.slug
        candidates = set(wanted.values()) | {
            with_suffix(slug, path_suffix(path)) for path, slug in wanted.items()
        }
        taken, owner_ids = {}, {}
        for slug, path, post_id in Post.objects.filter(slug__in=candidates).values_list(
            "slug", "source_path", "id"
        ):
            taken[slug], owner_ids[slug] = path, post_id
        result = {}
        for item in items:
            base = wanted[item.path]
            own_id = item.post.pk if item.post is not None else None
            current = item.post.slug if item.post is not None else None
            suffixed = with_suffix(base, path_suffix(item.path))
            if current in (base, suffixed):
                result[item.path] = current
                taken[current] = item.path
                owner_ids[current] = own_id
                continue

            def free(slug, own_id=own_id):
                return slug not in taken or (own_id is not None and owner_ids.get(slug) == own_id)

            slug = base
            if not free(slug):
                slug = suffixed  # already looked up with the candidates: no query per clash
                counter = 2
                while not free(slug):
                    # Two paths whose hashes share 6 characters: rare enough for a query each.
                    slug = with_suffix(base, f"{path_suffix(item.path)}-{counter}")
                    counter += 1
                    if slug not in taken and Post.objects.filter(slug=slug).exists():
                        taken[slug] = "another post"
                owner = taken.get(base) or "a post made in the admin"
                self.pending_clashes.append(r.SlugClash(item.path, slug, base, owner))
            result[item.path] = slug
            taken[slug] = item.path
            owner_ids[slug] = own_id
        return result

    def record_duplicates(self, items: list[Item], outcomes: dict[str, r.FileOutcome]):
        """Store each duplicate's path and hash on the post it duplicates (2 queries)."""
        changes: dict[int, dict[str, str | None]] = {}
        pending: list[tuple[Item, str]] = []
        for item in items:
            if item.known is not None and item.known.duplicate and item.duplicate_of is None:
                changes.setdefault(item.known.post_id, {})[item.path] = None  # no longer one
            if item.duplicate_of is None:
                continue
            post_id, path = item.duplicate_of
            if post_id is None:
                post_id = item.canonical.post.pk
            if item.known is not None and item.known.duplicate and item.known.post_id != post_id:
                changes.setdefault(item.known.post_id, {})[item.path] = None
            changes.setdefault(post_id, {})[item.path] = item.hash
            pending.append((item, path))
            outcomes[item.path] = r.FileOutcome(
                item.path, r.DUPLICATE, f"same title, date and authors as {path}", post_id=post_id
            )
        if changes:
            rows = list(Post.objects.filter(pk__in=changes).only("id", "duplicate_sources"))
            for post in rows:
                sources = dict(post.duplicate_sources or {})
                for path, digest in changes[post.pk].items():
                    if digest is None:
                        sources.pop(path, None)
                    else:
                        sources[path] = digest
                post.duplicate_sources = sources
            Post.objects.bulk_update(rows, ["duplicate_sources"])

        def commit():
            self.report.slug_clashes.extend(self.pending_clashes)
            self.pending_clashes.clear()

        return commit

    def finish(self) -> None:
        """Report (and with --prune delete) posts whose file is gone; forget gone duplicates."""
        if self.stale_duplicates:
            rows = list(
                Post.objects.filter(pk__in=self.stale_duplicates).only("id", "duplicate_sources")
            )
            for post in rows:
                post.duplicate_sources = {
                    p: h
                    for p, h in post.duplicate_sources.items()
                    if p not in self.stale_duplicates[post.pk]
                }
            Post.objects.bulk_update(rows, ["duplicate_sources"])
        self.report.missing = sorted(self.gone)
        if self.prune and self.gone:
            ids = list(self.gone.values())
            for start in range(0, len(ids), 500):
                Post.objects.filter(pk__in=ids[start : start + 500]).delete()
            self.report.pruned = len(ids)


UPDATE_FIELDS = [
    "title",
    "slug",
    "body",
    "body_html",
    "excerpt",
    "plain_excerpt",
    "reading_time",
    "status",
    "published_at",
    "modified_at",
    "expires_at",
    "updated_at",
    "feature_image",
    "canonical_url",
    "meta",
    *sync.SOURCE_COLUMNS,
    "duplicate_sources",
]


def _same(post: Post, field: str, value) -> bool:
    """Whether a post's field is `value` now or was at the last sync: a title or date
    edited in the admin does not keep the post from following its moved file."""
    return getattr(post, field) == value or sync.synced_as(post.synced_state or {}, field, value)


def _name_key(path: str) -> str:
    """A file's name as moves compare it: in Unicode's composed form (NFC), since copies
    between macOS and Linux, and git, may turn `café` (e + U+0301) into `café`."""
    return unicodedata.normalize("NFC", posixpath.basename(path))


def _name_parts(path: str) -> tuple[str, dt.date | None, bool] | None:
    """`file_name_parts` of a path; None for a section page (`_index.md`)."""
    try:
        return file_name_parts(path)
    except SectionPage:
        return None


def _content_dir(path: str, folders: list[str]) -> str | None:
    """The content folder holding `path`: a Hugo site's translations of a page, one per
    language's folder, share its file name, title, date and author, and are no copies."""
    inside = [folder for folder in folders if path.startswith(folder + "/")]
    return max(inside, key=len, default=None)  # `content/en` rather than `content`


def _in_two_languages(path: str, other: str) -> bool:
    """Whether the two paths differ only where each names a language (`blog/en/paris.md`
    and `blog/fr/paris.md`): translations kept a folder per language (Decap CMS's
    `multiple_folders`, Eleventy's usual layout, Hugo's without a contentDir per
    language) share a file name, title, date and author, and are no copies."""
    parts, others = path.split("/")[:-1], other.split("/")[:-1]
    if len(parts) != len(others):
        return False
    differ = [(a, b) for a, b in zip(parts, others, strict=True) if a != b]
    return bool(differ) and all(_language_code(a) and _language_code(b) for a, b in differ)


def _language_code(name: str) -> bool:
    """`en`, `fr`, `pt-BR`, `zh_Hans`: a language Django knows, with a region or script."""
    code = name.lower().replace("_", "-")
    return LANGUAGE.fullmatch(code) is not None and code.split("-")[0] in LANG_INFO


def _page_key(path: str) -> tuple[str, str, str] | None:
    """(folder, page name, language) of a Hugo page, whether a file or a bundle:
    `posts/trip.md` and `posts/trip/index.md` are one page, at one URL; `trip.de.md` and
    `trip/index.de.md` its German one. None for a section page."""
    parts = _name_parts(path)
    if parts is None:
        return None
    folder, filename = posixpath.split(path)
    stem = filename.rsplit(".", 1)[0]
    language = stem.split(".", 1)[1] if "." in stem else ""
    if parts[2]:  # a bundle: its folder is the page
        folder, name = posixpath.split(folder)
    else:
        name = stem.split(".", 1)[0] if language else stem
    return (
        unicodedata.normalize("NFC", folder),
        unicodedata.normalize("NFC", name),
        language,
    )


def _redating_key(path: str) -> tuple[str, str] | None:
    """(folder, name after the date) of a file named `YYYY-MM-DD-name`, or of a Jekyll
    draft `_drafts/name` as the `_posts` folder beside it, where `jekyll publish` moves it
    (and `jekyll unpublish` back); None otherwise."""
    name, day, bundle = _name_parts(path) or ("", None, False)
    if bundle:
        return None
    folder = posixpath.dirname(path)
    parent, last = posixpath.split(folder)
    if last == "_drafts":
        folder = posixpath.join(parent, "_posts")
    elif day is None:
        return None
    return unicodedata.normalize("NFC", folder), unicodedata.normalize("NFC", name)


def _write_failure(exc: Exception) -> str:
    if isinstance(exc, DatabaseError):
        return f"database refused it: {exc}"
    return f"could not be stored ({type(exc).__name__}): {exc}"


def _post_name(path: str) -> str:
    """The name a file gives its post: without a `YYYY-MM-DD-` date, a bundle's folder."""
    parts = _name_parts(path)
    return parts[0] if parts is not None else path


def duplicate_key(path: str, data: PostData) -> tuple | None:
    """File name, title, date and authors; None for a post without a date of its own
    (never a duplicate).

    The file name too: a copy (the seed site's `archived/<date>/` ones) keeps its name,
    while two Jekyll posts of a day with different names are two posts at two URLs, even
    with one title and no author (Jekyll's own fixtures have eight such pairs).
    """
    if data.date_source not in ("front matter", "file name"):
        return None
    return identity(path, data.title, data.published_at, data.authors)


def identity(path: str, title: str, published_at, authors) -> tuple:
    """The duplicate key of a file or of a stored post: file name, title, date, authors."""
    return (_copy_name(path), title, published_at, tuple(a.casefold() for a in authors))


def _copy_name(path: str) -> str:
    """The name a copy of a file keeps: its file name, with a Hugo bundle's folder.

    Every bundle's file is `index.md` (or `index.<lang>.md`); its folder names the page.
    Without it, two bundles of one day, title and author (`posts/a/index.md`,
    `posts/b/index.md`) were taken for copies and the second one's text was never stored.
    """
    directory, filename = posixpath.split(path)
    parts = _name_parts(path)
    if parts is not None and parts[2]:  # a bundle
        return f"{posixpath.basename(directory)}/{filename}"
    return filename


def in_posts_folder(path: str) -> bool:
    """Whether Jekyll would build the file as a post. Each file of a `_posts` folder is a
    post of its own (`category/_posts/x.md` and `z_category/_posts/x.md` are two, at two
    URLs), so two of them are never duplicates of each other."""
    return "_posts" in path.split("/")[:-1]


def path_suffix(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:6]


def with_suffix(slug: str, suffix: str) -> str:
    return f"{slug[: SLUG_MAX - len(suffix) - 1]}-{suffix}"


def fill(post: Post, data: PostData, *, slug: str, file_hash: str, now: dt.datetime) -> None:
    """Copy a parsed file onto a post (not saved) and render it."""
    post.title = data.title
    post.slug = slug
    post.body = data.body
    post.excerpt = data.excerpt
    post.status = data.status
    post.published_at = data.published_at
    post.modified_at = data.modified_at
    post.expires_at = data.expires_at
    post.feature_image = data.feature_image
    post.canonical_url = data.canonical_url
    post.meta = data.meta
    post.source_path = data.path
    post.source_hash = file_hash
    post.source_front_matter = data.source.front_matter
    post.source_format = data.source.format
    post.source_encoding = data.source.encoding
    post.source_newline = data.source.newline
    post.synced_at = now
    post.updated_at = now
    post.render()


def import_folder(
    root: Path | str,
    *,
    dry_run: bool = False,
    timezone: str | dt.tzinfo | None = None,
    default_author: str | None = None,
    overwrite: bool = False,
    reread: bool = False,
    prune: bool = False,
    keep_duplicates: bool = False,
    progress: Progress | None = None,
    extensions: Iterable[str] = DEFAULT_EXTENSIONS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    batch_size: int = BATCH_SIZE,
    on_wait: Callable[[], None] | None = None,
) -> r.ImportReport:
    """Import every markdown file under `root`; safe to run again on the same folder.

    - `dry_run`: do everything, then roll back: the report has the counts of a real run.
    - `timezone`: zone of naive dates (name or tzinfo; default the zone the file's site
      config gives, Jekyll's `timezone` or Hugo's `timeZone`, else TIME_ZONE).
    - `default_author`: author of posts whose front matter names none.
    - `overwrite`: take the file when a post changed both on disk and in the admin.
    - `reread`: read files whose bytes the database has too, so that a changed `timezone`,
      `default_author` or site setting reaches their posts (else only changed files are
      read); a post edited in the admin since is a conflict, as for a changed file.
    - `prune`: delete posts whose file is gone (otherwise they are only reported).
    - `keep_duplicates`: import duplicates (same title, date, authors) as posts of their own.
    - `progress(outcome, done, total)`: called after each file.
    - `on_wait()`: called when another import of the database is running; this one then
      waits for it to finish (posts.markdown_io.run_lock).

    Raises ValueError when `root` is not a folder or the time zone is unknown.
    """
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    try:
        # None: each file's site config's zone, else TIME_ZONE (FolderImport.site_tz).
        tz = timezone_named(timezone, settings.TIME_ZONE) if timezone is not None else None
    except (KeyError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    run = FolderImport(
        root,
        dry_run=dry_run,
        tz=tz,
        default_author=default_author,
        overwrite=overwrite,
        reread=reread,
        prune=prune,
        keep_duplicates=keep_duplicates,
        progress=progress,
        extensions=extensions,
        max_bytes=max_bytes,
        batch_size=batch_size,
    )
    with one_import_at_a_time(run.using, on_wait):
        return run.run()
