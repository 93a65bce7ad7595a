"""The generators' site config files: their names, and reading Hugo's.

One place for what the importer (which folders hold pages), the site settings a page
inherits (posts.markdown_io.inherited) and the zip upload (which files to keep) all ask.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

# Jekyll reads the first of these that exists (Configuration#config_files).
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
# Hugo reads the first of these that exists, in this order (hugo.toml wins over a
# config.yaml another tool left beside it).
HUGO_CONFIGS = tuple(
    f"{name}.{ext}" for name in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)
# Or the files of config/_default/: all in hugo.toml, or one per top-level key
# (`languages.toml` holds the `languages` table, `cascade.toml` the cascade).
HUGO_CONFIG_FOLDER = "config/_default"
HUGO_KEY_FILES = ("cascade", "languages")
# Never run: its presence makes the folder an Eleventy site, and its input folder is read
# from its text (`eleventy_input_dir`).
ELEVENTY_CONFIGS = tuple(
    f"{stem}.{ext}" for stem in (".eleventy", "eleventy.config") for ext in ("js", "cjs", "mjs")
)
# Eleventy processes nothing these name (paths or globs, one a line, from the project's
# folder); it reads .gitignore too unless told otherwise.
ELEVENTY_IGNORE_FILES = (".eleventyignore", ".gitignore")
# `dir: { input: "src" }` in an Eleventy config, as nearly every config writes it.
_ELEVENTY_INPUT = re.compile(r"""\binput\s*:\s*(["'`])([^"'`\n]+)\1""")


def eleventy_input_dir(config_text: str) -> str:
    """The input folder an Eleventy config's text names, relative to the project ("" for
    the project's folder, Eleventy's default). A config is code, never run here: only a
    literal `input: "src"` is understood."""
    match = _ELEVENTY_INPUT.search(config_text)
    if match is None:
        return ""
    folder = posixpath.normpath(match.group(2).strip().replace("\\", "/")).strip("/")
    return "" if folder in (".", "") or folder.startswith("..") else folder


def ignore_patterns(text: str) -> list[str]:
    """The patterns of an ignore file: no blank lines, comments or negations."""
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "!"))]


def ignored_by(path: str, pattern: str) -> bool:
    """Whether `path` (relative to the project) or a folder above it matches an ignore
    file's pattern: a path or glob from the project's folder (`wip/`, `drafts/**`,
    `README.md`), or, without a slash inside, a name anywhere (`*.draft.md`)."""
    pattern = pattern.removeprefix("./")
    folder_only = pattern.endswith("/")
    pattern = pattern.strip("/").removeprefix("**/")
    pattern = pattern.removesuffix("/**")
    parts = path.split("/")
    anywhere = "/" not in pattern
    candidates = [
        "/".join(parts[start:end])
        for end in range(1, len(parts) + 1)
        for start in (range(end) if anywhere else (0,))
        if not (folder_only and end == len(parts))
    ]
    return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)


DATA_EXTENSIONS = ("toml", "yaml", "yml", "json")


def parse_config(name: str, data: bytes) -> Any:
    """A config or data file's value, by its extension; a BOM (Windows editors) allowed.
    Raises ValueError (JSON, TOML, encoding), yaml.YAMLError or RecursionError."""
    text = data.decode("utf-8-sig")
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith(".toml"):
        return tomllib.loads(text)
    return yaml.safe_load(text)


def has_hugo_config(folder: Path) -> bool:
    return (
        any((folder / name).is_file() for name in HUGO_CONFIGS)
        or (folder / HUGO_CONFIG_FOLDER).is_dir()
    )


def hugo_config_values(root: Path) -> list[dict]:
    """The top-level settings of the Hugo site at `root`, from the config files that parse
    (others are Hugo's business to report): its root config, then config/_default/'s, then
    the per-key files there as `{key: value}`."""

    def first_config(folder: Path) -> list[Path]:
        return [path for path in (folder / name for name in HUGO_CONFIGS) if path.is_file()][:1]

    files = [(path, None) for path in first_config(root)]
    default = root / HUGO_CONFIG_FOLDER
    if default.is_dir():
        files += [(path, None) for path in first_config(default)]
        files += [
            (default / f"{key}.{ext}", key) for key in HUGO_KEY_FILES for ext in DATA_EXTENSIONS
        ]
    values = []
    for path, key in files:
        if not path.is_file():
            continue
        try:
            value = parse_config(path.name, path.read_bytes())
        except (OSError, ValueError, yaml.YAMLError, RecursionError):
            continue
        if key is not None and value is not None:
            values.append({key: value})
        elif isinstance(value, dict):
            values.append(value)
    return values


def setting(mapping: dict, name: str) -> Any:
    """`mapping`'s value under `name`, in any case, as Hugo reads its config keys."""
    return next((v for k, v in mapping.items() if str(k).lower() == name), None)


def hugo_content_dirs(root: Path) -> list[str]:
    """The content folders of the Hugo site at `root` that exist, relative to it: its
    config's `contentDir` (`content` by default) and each language's own. Empty when none
    exists, and then the whole root is read as before, since a stray `config.json` need
    not mean Hugo."""
    wanted = {"content"}
    for config in hugo_config_values(root):
        if isinstance(setting(config, "contentdir"), str):
            wanted.add(setting(config, "contentdir"))
        languages = setting(config, "languages")
        if isinstance(languages, dict):
            for language in languages.values():
                if isinstance(language, dict) and isinstance(setting(language, "contentdir"), str):
                    wanted.add(setting(language, "contentdir"))
    found = []
    for folder in wanted:
        folder = posixpath.normpath(folder.replace("\\", "/").strip("/"))
        if folder in (".", "") or folder.startswith(".."):
            continue
        if (root / folder).is_dir() and not (root / folder).is_symlink():
            found.append(folder)
    return sorted(found)
