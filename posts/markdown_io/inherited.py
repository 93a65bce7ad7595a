"""What a page inherits from its site rather than its own front matter: the keys that
decide whether it is public, and the time zone of dates written without one.

Each generator can hide a whole folder from one place outside the post files: Hugo's
`cascade` in a section's `_index.md` (or the site config), Jekyll's `defaults` in
`_config.yml`, Eleventy's directory data files (`posts/posts.json`). Reading the file
alone, the importer published what the site does not: a draft leak. Only the keys that
decide whether a page is public are taken (`STATUS_KEYS`); a file's own key wins, as in
every generator, so an export that publishes such a post writes its own `published` or
`draft`. A page the site builds no page of (`build`, `permalink: false` inherited) cannot
be published from its file: the export refuses it, naming the site's setting.

Not followed: Hugo cascades with a `_target` other than pages, Jekyll scopes by glob,
Eleventy `.11tydata.js` files (code, not data).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from pathlib import Path
from typing import Any

import yaml

from posts.markdown_io.fields import FILENAME_DATE
from posts.markdown_io.parsing import ParseError, split_source
from posts.markdown_io.site_config import (
    DATA_EXTENSIONS,
    ELEVENTY_CONFIGS,
    ELEVENTY_IGNORE_FILES,
    HUGO_CONFIG_FOLDER,
    HUGO_CONFIGS,
    HUGO_KEY_FILES,
    JEKYLL_CONFIGS,
    eleventy_input_dir,
    has_hugo_config,
    hugo_config_values,
    hugo_content_dirs,
    ignore_patterns,
    ignored_by,
    parse_config,
    setting,
)

STATUS_KEYS = {"published", "draft", "headless", "build", "_build", "permalink"}
SECTION_EXTENSIONS = ("md", "markdown", "html")
# A translation's language in a file name (`post.de.md`, `index.pt-br.md`).
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", re.IGNORECASE)
MAX_DATA_BYTES = 16 * 1024 * 1024  # a config with a long exclude list


class InheritedStatus:
    """The status keys each file of a folder inherits; files are read once each."""

    def __init__(self, root: Path | str):
        # Resolved: `import_markdown .` and a linked folder are searched above too.
        self.root = Path(root).resolve()
        # The site's folder: the imported one, or the folder above it holding the site's
        # config (`site/_posts` or `site/content/blog` imported alone keeps what `site`
        # sets). Paths below are relative to it.
        self.site_root = site_root_of(self.root)
        prefix = self.root.relative_to(self.site_root).as_posix()
        self.prefix = "" if prefix == "." else prefix
        self._folders: dict[tuple[str, str], dict[str, Any]] = {}
        self._files: dict[str, Any] = {}
        self._configs: list[dict] | None = None
        self._listings: dict[str, set[str]] = {}
        self._codes: set[str] | None = None
        self._jekyll_sites: dict[str, str] = {}
        self._generator: str | None = None
        self._eleventy: dict | None = None

    @property
    def eleventy(self) -> bool:
        """Whether the site is an Eleventy one (its config file at the site's folder)."""
        return any(name in self._listed("") for name in ELEVENTY_CONFIGS)

    @property
    def generator(self) -> str:
        """ "hugo" or "eleventy" for a site with that generator's config at the site's
        folder, else "" (Jekyll's rules, or none known)."""
        if self._generator is None:
            if has_hugo_config(self.site_root):
                self._generator = "hugo"
            else:
                self._generator = "eleventy" if self.eleventy else ""
        return self._generator

    def jekyll_site(self, path: str) -> str:
        """The folder, relative to the imported one ("" for itself), of the Jekyll site whose
        `_posts` or `_drafts` folder holds `path`; "" for other files. Jekyll makes the folders
        between the two categories, so importing the folder above a site (a repository whose
        site is in `docs/`) must not make `docs` one.

        The site is the nearest folder with a `_config.yml`; without one, the outermost folder
        holding a `_posts` or `_drafts` folder (in `a/_posts` and `a/news/_posts`, `a`)."""
        parts = path.split("/")[:-1]
        special = next((i for i, part in enumerate(parts) if part in ("_posts", "_drafts")), None)
        if special is None:
            return ""
        above = "/".join(parts[:special])
        if above not in self._jekyll_sites:
            folders = ["/".join(parts[:i]) for i in range(special + 1)]
            configured = [
                folder
                for folder in folders
                if any((self.root / folder / name).is_file() for name in JEKYLL_CONFIGS)
            ]
            if configured:
                self._jekyll_sites[above] = configured[-1]
            else:
                self._jekyll_sites[above] = next(
                    (
                        folder
                        for folder in folders
                        if (self.root / folder / "_posts").is_dir()
                        or (self.root / folder / "_drafts").is_dir()
                    ),
                    above,
                )
        return self._jekyll_sites[above]

    def jekyll_not_post(self, path: str) -> str | None:
        """Why Jekyll builds no post of the file at `path` (for the import report), or None.

        Only in a Jekyll site, a folder with a `_config.yml` (or .yaml, .toml) at or above
        the file, where Jekyll's rules are known to hold; a folder of markdown files with
        no config stays a folder of posts. There Jekyll reads posts from `_posts` (and
        `_drafts`) only, so these are not posts, and the site's home and About pages no
        longer top the post list:
        - a file the config's `exclude:` names (less its `include:`);
        - a file in another folder starting with `_` (templates, collections), or whose
          name starts with `_`: Jekyll reads none;
        - a file in `_posts` without a date in its name: Jekyll reads none;
        - a page: a file outside `_posts`/`_drafts` without a date in its name (`index.md`,
          `about.md`). A dated file there stays a post, as a site that moves its old posts
          out of `_posts` (the seed site's `archived/`) means it to be.
        """
        parts = self._in_site(path).split("/")
        site = self._jekyll_config_folder(parts[:-1])
        if site is None:
            return None
        inside = parts[len(site.split("/")) if site else 0 :]
        where = f"the Jekyll site {site}/" if site else "the Jekyll site"
        excluded = _jekyll_excluded("/".join(inside), self._jekyll_config(site))
        if excluded is not None:
            return f"excluded by `exclude: {excluded}` in the _config of {where}"
        folders, name = inside[:-1], inside[-1]
        special = next((i for i, f in enumerate(folders) if f in ("_posts", "_drafts")), None)
        hidden = [f for i, f in enumerate(folders) if f.startswith("_") and i != special]
        if hidden or name.startswith("_"):
            return f"{hidden[0] if hidden else name} starts with _: Jekyll reads no post there"
        dated = FILENAME_DATE.match(name.rsplit(".", 1)[0]) is not None
        if special is None and not dated:
            return f"a page of {where} (only _posts holds its posts), not a post"
        if folders[special:][:1] == ["_posts"] and not dated:
            return "in _posts without a date in its name (YYYY-MM-DD-title.md): not a post"
        return None

    def eleventy_not_post(self, path: str) -> str | None:
        """Why Eleventy builds no page of the file at `path` (for the import report), or
        None. In an Eleventy site only: a file outside the input folder its config names
        (`dir: { input: "src" }`: the project's README is no page), or one its
        `.eleventyignore` or `.gitignore` names (at the project's folder, or an
        `.eleventyignore` in the input folder): a work-in-progress folder ignored there was
        published here."""
        if not self.eleventy:
            return None
        full = self._in_site(path)
        source = self._eleventy_source()
        input_dir = source["input"]
        if input_dir and not full.startswith(input_dir + "/"):
            return f"outside the Eleventy input folder {input_dir}/ (its config), not a page"
        for name, folder, patterns in source["ignores"]:
            inside = full[len(folder) + 1 :] if folder else full
            for pattern in patterns:
                if ignored_by(inside, pattern):
                    where = f"{folder}/{name}" if folder else name
                    return f"ignored by `{pattern}` in {where} (Eleventy builds no page of it)"
        return None

    def _eleventy_source(self) -> dict:
        """The Eleventy site's input folder and ignore files (read once)."""
        if self._eleventy is None:
            config = next(name for name in ELEVENTY_CONFIGS if name in self._listed(""))
            text = (self._read(config) or b"").decode("utf-8", "replace")
            input_dir = eleventy_input_dir(text)
            ignores = []
            sources = [("", name) for name in ELEVENTY_IGNORE_FILES]
            if input_dir:
                sources.append((input_dir, ".eleventyignore"))
            for folder, name in sources:
                data = self._read(posixpath.join(folder, name) if folder else name)
                if data is not None:
                    patterns = ignore_patterns(data.decode("utf-8", "replace"))
                    ignores.append((name, folder, patterns))
            self._eleventy = {"input": input_dir, "ignores": ignores}
        return self._eleventy

    def _jekyll_config_folder(self, folders: list[str]) -> str | None:
        """The nearest folder (relative to the site's folder) at or above `folders` with a
        Jekyll config, and no Hugo or Eleventy one; None if there is none."""
        for i in range(len(folders), -1, -1):
            folder = "/".join(folders[:i])
            listed = self._listed(folder)
            if any(name in listed for name in JEKYLL_CONFIGS):
                if any(name in listed for name in ELEVENTY_CONFIGS) or any(
                    name in listed for name in HUGO_CONFIGS
                ):
                    return None
                return folder
        return None

    def _in_site(self, path: str) -> str:
        """`path` (relative to the imported folder) relative to the site's folder."""
        return posixpath.join(self.prefix, path) if self.prefix else path

    def _full(self, path: str, jekyll_site: str) -> tuple[str, str]:
        """(path, Jekyll site folder) relative to the site's folder."""
        if not self.prefix:
            return path, jekyll_site
        full = self._in_site(path)
        parts = full.split("/")[:-1]
        for i in range(len(parts), -1, -1):
            folder = "/".join(parts[:i])
            if self._jekyll_config(folder) is not None:
                return full, folder
        return full, posixpath.join(self.prefix, jekyll_site) if jekyll_site else self.prefix

    def for_path(self, path: str, jekyll_site: str = "") -> dict[str, Any]:
        """The inherited status keys of the file at `path` (relative to the root), nearest
        source last. `jekyll_site`: the folder of its Jekyll site (`jekyll_site`)."""
        path, jekyll_site = self._full(path, jekyll_site)
        folder = posixpath.dirname(path)
        values = dict(self._folder(folder, self._language(path)))
        values.update(self._jekyll_defaults(path, jekyll_site))
        stem = posixpath.basename(path).rsplit(".", 1)[0]
        for name in (f"{stem}.json", f"{stem}.11tydata.json"):  # Eleventy's template data
            values.update(_status(self._data_file(posixpath.join(folder, name))))
        return values

    def time_zone(self, path: str, jekyll_site: str = "") -> str | None:
        """The zone the site's config gives dates written without one: Jekyll's
        `timezone` (for every file of the site, as it sets the zone of the whole build:
        a post moved from `_posts` to `archived/` keeps its time), Hugo's `timeZone`."""
        path, jekyll_site = self._full(path, jekyll_site)
        parts = path.split("/")[:-1]
        folders = [jekyll_site] if "_posts" in parts or "_drafts" in parts else []
        folders += ["/".join(parts[:i]) for i in range(len(parts), -1, -1)]
        for folder in folders:
            zone = _key(self._jekyll_config(folder), "timezone")
            if zone is not None:
                return zone
        for config in self._hugo_configs():
            zone = _key(config, "timezone")
            if zone is not None:
                return zone
        return None

    def _jekyll_config(self, folder: str) -> Any:
        for name in JEKYLL_CONFIGS:
            config = self._data_file(posixpath.join(folder, name))
            if config is not None:
                return config
        return None

    def _hugo_configs(self) -> list[dict]:
        """The Hugo site's config files that parse: at the site's folder, then
        config/_default/'s (read once)."""
        if self._configs is None:
            self._configs = hugo_config_values(self.site_root)
        return self._configs

    def _language(self, path: str) -> str:
        """The language of a Hugo page by its file name (`post.de.md`, `index.de.md`),
        "" for the site's default one. Each language has its own section pages."""
        stem = posixpath.basename(path).rsplit(".", 1)[0]
        language = stem.rsplit(".", 1)[1].lower() if "." in stem else ""
        if language not in self._languages() or language == self._default_language():
            return ""  # Hugo reads only its configured languages' codes so (`app.js.md`)
        return language

    def _languages(self) -> set[str]:
        if self._codes is None:
            self._codes = self._read_languages()
        return self._codes

    def _read_languages(self) -> set[str]:
        codes = set()
        for config in self._hugo_configs():
            languages = setting(config, "languages")
            if isinstance(languages, dict):
                codes |= {str(code).lower() for code in languages if LANGUAGE.fullmatch(str(code))}
        return codes

    def _default_language(self) -> str:
        for config in self._hugo_configs():
            value = _key(config, "defaultcontentlanguage")
            if value is not None:
                return value.lower()
        return "en"

    def _folder(self, folder: str, language: str = "") -> dict[str, Any]:
        """What every file of `folder` in `language` inherits from it and the folders
        above it."""
        if (folder, language) in self._folders:
            return self._folders[folder, language]
        if folder in ("", "."):
            values = dict(self._site_cascade())
        else:
            values = dict(self._folder(posixpath.dirname(folder), language))
        # Hugo: the cascade of the section page of the page's language: `_index.de.md`
        # for German pages; `_index.md` (or `_index.en.md`) for the default language's.
        kinds = (
            [f"_index.{language}"] if language else ["_index", f"_index.{self._default_language()}"]
        )
        for kind in kinds:
            for ext in SECTION_EXTENSIONS:
                values.update(_cascade(self._front_matter(posixpath.join(folder, f"{kind}.{ext}"))))
        # Eleventy: the folder's data files, `.11tydata.json` over `.json`.
        # The site's own folder is named by its path (an imported `notes/`: notes.json).
        base = posixpath.basename(folder) if folder not in ("", ".") else self.site_root.name
        if base:
            for name in (f"{base}.json", f"{base}.11tydata.json"):
                values.update(_status(self._data_file(posixpath.join(folder, name))))
        self._folders[folder, language] = values
        return values

    def _site_cascade(self) -> dict[str, Any]:
        """A cascade in the Hugo site's config, at the root or above an imported
        `content` folder."""
        values: dict[str, Any] = {}
        for config in self._hugo_configs():
            values.update(_cascade(config))
        return values

    def _jekyll_defaults(self, path: str, site: str) -> dict[str, Any]:
        """Jekyll's `defaults` of the site's `_config.yml` whose scope holds `path`, the
        more specific scope (longer path, then a type) winning, then the later one."""
        parts = path.split("/")[:-1]
        if "_posts" not in parts and "_drafts" not in parts:
            return {}
        config = self._jekyll_config(site)
        defaults = config.get("defaults") if isinstance(config, dict) else None
        if not isinstance(defaults, list):
            return {}
        inside = path[len(site) + 1 :] if site else path
        kind = "drafts" if "_drafts" in parts else "posts"
        matching = []
        for index, entry in enumerate(defaults):
            if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
                continue
            scope = entry.get("scope") if isinstance(entry.get("scope"), dict) else {}
            scope_path = str(scope.get("path") or "").strip("/")
            scope_type = scope.get("type")
            if "*" in scope_path or scope_type not in (None, "posts", kind):
                continue
            if scope_path and not (inside == scope_path or inside.startswith(scope_path + "/")):
                continue
            matching.append(((len(scope_path), scope_type is not None, index), entry["values"]))
        values: dict[str, Any] = {}
        for _, entry_values in sorted(matching, key=lambda item: item[0]):
            values.update(_status(entry_values))
        return values

    def _front_matter(self, rel: str) -> dict | None:
        if rel not in self._files:
            self._files[rel] = None
            data = self._read(rel)
            if data is not None:
                try:
                    self._files[rel] = split_source(data).metadata
                except ParseError:
                    pass
        return self._files[rel]

    def _data_file(self, rel: str) -> Any:
        if rel not in self._files:
            self._files[rel] = None
            data = self._read(rel)
            if data is not None:
                try:
                    self._files[rel] = parse_config(rel, data)
                except (ValueError, yaml.YAMLError, RecursionError):
                    pass  # the generator reports its own broken files (but see check_site)
        return self._files[rel]

    def check_site(self) -> None:
        """Refuse (ValueError naming the file) a site config that exists but cannot be
        read: it may hide posts, and left out it would publish them. Jekyll and Hugo stop
        on such a config too. Called before an import writes anything."""
        folders = ["", HUGO_CONFIG_FOLDER]
        names = (
            *JEKYLL_CONFIGS,
            *HUGO_CONFIGS,
            *(f"{key}.{ext}" for key in HUGO_KEY_FILES for ext in DATA_EXTENSIONS),
        )
        for folder in folders:
            for name in names:
                if name not in self._listed(folder):
                    continue
                path = self.site_root / folder / name
                try:
                    data = path.read_bytes()
                    if len(data) > MAX_DATA_BYTES:
                        raise ValueError(f"over {MAX_DATA_BYTES:,} bytes")
                    parse_config(name, data)
                except (OSError, ValueError, yaml.YAMLError, RecursionError) as exc:
                    reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
                    raise ValueError(
                        f"the site's config {path} cannot be read ({reason}); it may hide "
                        "posts, so nothing was imported. Fix it, or import with the file "
                        "out of the way."
                    ) from exc

    def _listed(self, folder: str) -> set[str]:
        """The names in a folder, listed once: most files asked for do not exist, and a
        listing answers for all of them without a stat each (the seed site, 29,591 files:
        1.4 s -> 0.8 s of the import)."""
        if folder not in self._listings:
            try:
                self._listings[folder] = set(os.listdir(self.site_root / folder))
            except OSError:
                self._listings[folder] = set()
        return self._listings[folder]

    def _read(self, rel: str) -> bytes | None:
        folder, name = posixpath.split(rel)
        if name not in self._listed(folder):
            return None
        path = self.site_root / rel
        try:
            if not path.is_file() or path.stat().st_size > MAX_DATA_BYTES:
                return None
            return path.read_bytes()
        except OSError:
            return None


# How far above an imported folder its site's config is looked for; the search also
# stops at a repository's root.
SITE_SEARCH_LEVELS = 6


def site_root_of(root: Path) -> Path:
    """The folder of the site `root` (resolved) is in: itself, or the nearest folder above
    it (up to a repository's root) that is a site `root` belongs to, else `root`.

    Above the imported folder only a site whose posts `root` holds counts, so that another
    program's `config.json` or a home folder's `_config.yml` sets nothing: a Jekyll site
    when `root` is or holds a `_posts`/`_drafts` folder, a Hugo site when `root` is in its
    content folder, an Eleventy site (its config file) always.
    """
    folder = root
    for _ in range(SITE_SEARCH_LEVELS + 1):
        if folder == root:
            if _is_site(folder):
                return folder
        elif _site_holding(folder, root):
            return folder
        if (folder / ".git").exists() or folder.parent == folder:
            break
        folder = folder.parent
    return root


def _is_site(folder: Path) -> bool:
    return has_hugo_config(folder) or any(
        (folder / name).is_file() for name in (*JEKYLL_CONFIGS, *ELEVENTY_CONFIGS)
    )


def _site_holding(folder: Path, root: Path) -> bool:
    inside = root.relative_to(folder).as_posix()
    if any((folder / name).is_file() for name in ELEVENTY_CONFIGS):
        return True
    if any((folder / name).is_file() for name in JEKYLL_CONFIGS):
        if {"_posts", "_drafts"} & set(inside.split("/")) or any(
            (root / name).is_dir() for name in ("_posts", "_drafts")
        ):
            return True
    if has_hugo_config(folder):
        for content in hugo_content_dirs(folder) or ["content"]:
            if inside == content or inside.startswith(content + "/"):
                return True
    return False


def _jekyll_excluded(path: str, config: Any) -> str | None:
    """The pattern of a Jekyll config's `exclude:` that leaves out `path` (relative to the
    site), or None. As Jekyll's EntryFilter matches: the path or a folder above it matches
    the pattern as a glob, starts with it, or is it with a trailing `/`; `include:` names
    patterns that do not apply."""
    if not isinstance(config, dict) or not isinstance(config.get("exclude"), list):
        return None
    include = config.get("include") if isinstance(config.get("include"), list) else []
    parts = path.split("/")
    entries = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for pattern in config["exclude"]:
        if not isinstance(pattern, str) or not pattern or pattern in include:
            continue
        for entry in entries:
            if (
                fnmatch.fnmatchcase(entry, pattern)
                or entry.startswith(pattern)
                or pattern == entry + "/"
            ):
                return pattern
    return None


def _key(values: Any, name: str) -> str | None:
    """The text under `name` (any case, as Hugo reads its config) of a mapping."""
    if not isinstance(values, dict):
        return None
    value = setting(values, name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _status(values: Any) -> dict[str, Any]:
    """The status keys of a mapping (any case, as front matter keys match)."""
    if not isinstance(values, dict):
        return {}
    return {k: v for k, v in values.items() if isinstance(k, str) and k.lower() in STATUS_KEYS}


def _cascade(front_matter: Any) -> dict[str, Any]:
    """The status keys of a Hugo `cascade` (a mapping, or a list of them) that reach pages:
    those without a `_target`/`target`, or whose target is only `kind: page`."""
    if not isinstance(front_matter, dict):
        return {}
    cascade = setting(front_matter, "cascade")
    entries = cascade if isinstance(cascade, list) else [cascade]
    values: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        target = entry.get("_target", entry.get("target"))
        if target is not None and not (
            isinstance(target, dict) and set(target) <= {"kind"} and target.get("kind") == "page"
        ):
            continue
        values.update(_status(entry))
    return values
