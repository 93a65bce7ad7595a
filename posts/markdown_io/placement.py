"""Where the export writes a post made in the admin: beside the imported posts, named and
marked as their generator expects.

A Jekyll post must sit in a `_posts` folder with a dated name (elsewhere it is a page), a
Hugo page in the content folder under a name that is its URL, with `draft: true` (Hugo
reads `published` as a date). A folder of another kind keeps the Jekyll naming at its
root, as before.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone as dj_timezone

from posts.markdown_io.fields import FILENAME_DATE, path_categories
from posts.markdown_io.importer import file_kind
from posts.markdown_io.site_config import has_hugo_config, hugo_content_dirs
from posts.models import Post

MAX_NAME_BYTES = 255
# Bytes of a file name kept free for the export's `-2`, `-3`, ... counter.
COUNTER_ROOM = 8


@dataclass(frozen=True)
class NewPostPlace:
    folder: str = ""  # where most posts live, relative to the export folder
    hugo: bool = False
    # Every folder posts live in, most used first: a Jekyll post goes in the first one
    # whose folder categories it has (`news/_posts` files a post under `news`).
    folders: tuple[str, ...] = ()

    @classmethod
    def of(cls, root: Path, paths: Iterable[str]) -> NewPostPlace:
        """The place for the export into `root` whose imported posts have these paths:
        the folder most of them are in (a draft's `_drafts` counting as the `_posts`
        beside it, a bundle as its parent folder)."""
        root = Path(root)
        counts = Counter(_posts_folder(path) for path in paths)
        folder = min(counts, key=lambda f: (-counts[f], f)) if counts else ""
        in_content = folder == "content" or folder.startswith("content/")
        site_root = has_hugo_config(root)
        hugo = (
            site_root
            or (root.name == "content" and has_hugo_config(root.parent))
            or (in_content and "_posts" not in folder.split("/"))
        )
        if hugo and not counts:
            if site_root:
                content = (hugo_content_dirs(root) or ["content"])[0]
                folder = f"{content}/posts"
            else:
                folder = "posts"
        folders = tuple(sorted(counts, key=lambda f: (-counts[f], f)))
        return cls(folder=folder, hugo=hugo, folders=folders)

    @property
    def jekyll(self) -> bool:
        """Posts named and marked as Jekyll's: in a `_posts` folder, or at the root of a
        folder of no known generator."""
        return not self.hugo and (not self.folder or "_posts" in self.folder.split("/"))

    @property
    def status_key(self) -> str:
        # Jekyll has no `draft` key; Hugo reads `published` as a publication date.
        return "published" if self.jekyll else "draft"

    def posts_folder(self, post: Post, sites: Callable[[str], str]) -> str:
        """The folder for `post`: the most used one, or for Jekyll the most used whose
        folder categories (`news` for `news/_posts`) the post has; else the site's
        `_posts`. A post outside `news` written to `news/_posts` would be filed there."""
        if not self.jekyll or not self.folder:
            return self.folder
        names = {category.name.casefold() for category in post.categories.all()}
        for folder in self.folders:
            sample = posixpath.join(folder, "x.md")
            implied = path_categories(sample, sites(sample))
            if "_posts" in folder.split("/") and all(n.casefold() in names for n in implied):
                return folder
        site = sites(posixpath.join(self.folder, "x.md"))
        return posixpath.join(site, "_posts")

    def path(self, post: Post, sites: Callable[[str], str] = lambda path: "") -> str:
        """The file for `post`: `<date>-<slug>.md` (Jekyll), `_drafts/<slug>.md` for a
        Jekyll draft without a date (a dated name would give it one), `<slug>.md` (Hugo,
        where the file name is the URL, and a dateless post elsewhere).

        A slug longer than a file name may be (255 bytes: 85 CJK characters) is cut at a
        character; the file then says its slug in the front matter.
        """
        prefix = ""
        if post.published_at is not None and not self.hugo:
            prefix = dj_timezone.localtime(post.published_at).date().isoformat() + "-"
        room = MAX_NAME_BYTES - len(prefix) - len(".md") - COUNTER_ROOM
        name = (post.slug or "post").encode("utf-8")[:room].decode("utf-8", "ignore")
        name = f"{prefix}{name.rstrip('-_') or 'post'}.md"
        folder = self.posts_folder(post, sites)
        if not prefix and self.jekyll:
            parent, last = posixpath.split(folder)
            folder = posixpath.join(parent, "_drafts") if last == "_posts" else "_drafts"
        return posixpath.join(folder, name) if folder else name


def published_draft_path(path: str, published_at: dt.datetime | None) -> str | None:
    """Where `jekyll publish` moves a Jekyll draft: `_drafts/x.md` -> the `_posts/` beside
    it, named `<date>-x.md` by its publication day (kept if the name has a date already);
    None for a file outside a `_drafts` folder."""
    parts = path.split("/")
    folders = parts[:-1]
    if "_drafts" not in folders:
        return None
    at = len(folders) - 1 - folders[::-1].index("_drafts")
    name = parts[-1]
    if FILENAME_DATE.match(name.rsplit(".", 1)[0]) is None:
        day = dj_timezone.localtime(published_at or dj_timezone.now()).date()
        name = f"{day.isoformat()}-{name}"
    return "/".join([*folders[:at], "_posts", *folders[at + 1 :], name])


def _posts_folder(path: str) -> str:
    folder, name = posixpath.split(path)
    if file_kind(name) == "index" and folder:
        folder = posixpath.dirname(folder)  # a Hugo bundle: its folder is the post
    parent, last = posixpath.split(folder)
    if last == "_drafts":
        folder = posixpath.join(parent, "_posts")
    return folder
