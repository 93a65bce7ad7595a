"""The generators' site config files: their names, and reading Hugo's.

One place for what the importer (which folders hold pages), the site settings a page
inherits (posts.markdown_io.inherited) and the zip upload (which files to keep) all ask.
"""

from __future__ import annotations

import json
import posixpath
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
# Only its presence is read (never run): the folder is an Eleventy site.
ELEVENTY_CONFIGS = tuple(
    f"{stem}.{ext}" for stem in (".eleventy", "eleventy.config") for ext in ("js", "cjs", "mjs")
)
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
