"""Front matter keys -> post fields, following Jekyll's and Hugo's rules. Pure: no ORM.

The README's field-mapping table documents every rule here. Key names match in any case
(`Title`, `DRAFT`); the first key of each list that holds a usable value wins, and every key
that no field used goes to `meta`, in its original order.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import math
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_date, parse_datetime

from posts import date_range
from posts.slugs import make_slug

if TYPE_CHECKING:
    from posts.markdown_io.parsing import SourceText

TITLE_KEYS = ("title",)
SLUG_KEYS = ("slug",)
# Hugo's publishDate (or its aliases pubdate, published) says when a page goes public, so it
# wins over `date`, the date Hugo shows: a page dated today with publishDate next week is
# scheduled, not public. (Jekyll's `published` is a boolean: never read as a date.)
DATE_KEYS = ("publishdate", "pubdate", "published", "date")
UPDATED_KEYS = ("lastmod", "modified", "updated", "last_modified_at")
# Hugo's expiryDate (unpublishdate its alias): from then on Hugo no longer builds the page.
EXPIRY_KEYS = ("expirydate", "unpublishdate")
DRAFT_KEYS = ("draft",)
AUTHOR_KEYS = ("authors", "author")
# The keys of an author given as a mapping that hold the name.
AUTHOR_NAME_KEYS = ("name", "display_name", "title", "username")
EXCERPT_KEYS = ("excerpt", "description", "summary")
IMAGE_KEYS = ("image", "cover", "feature_image", "featured_image", "thumbnail")  # Decap's
CANONICAL_KEYS = ("canonical_url", "canonical")
IMAGE_MAPPING_KEYS = ("src", "url")
DRAFT_FOLDERS = {"_drafts", "drafts"}
# Every key the importer reads into a field of its own, rather than into `meta`.
FIELD_KEYS = frozenset(
    (
        *TITLE_KEYS,
        *SLUG_KEYS,
        *DATE_KEYS,
        *UPDATED_KEYS,
        *EXPIRY_KEYS,
        *DRAFT_KEYS,
        *AUTHOR_KEYS,
        *EXCERPT_KEYS,
        *IMAGE_KEYS,
        *CANONICAL_KEYS,
        "categories",
        "category",
        "tags",
        "tag",
    )
)

# Jekyll's DATE_FILENAME_MATCHER: `2017-2-5-slug` is dated too.
FILENAME_DATE = re.compile(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)$", re.S)
ATX_HEADING = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)

MAX_LENGTHS = {"title": 500, "feature_image": 2000, "canonical_url": 2000}
MAX_AUTHOR = 200
MAX_CATEGORY = 200
MAX_TAG = 255


class FieldError(ValueError):
    """A front matter value that cannot become a field; `key` names where it was."""

    def __init__(self, reason: str, *, key: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.key = key


class SectionPage(Exception):
    """Hugo's `_index.md`: a list page of a section, not a post."""


@dataclass
class PostData:
    """Everything a post gets from one file: plain values, no model objects."""

    path: str
    title: str
    slug: str
    body: str
    status: str  # "draft" or "published"
    published_at: dt.datetime | None
    date_source: str  # "front matter", "file name" or "file time"
    modified_at: dt.datetime | None
    expires_at: dt.datetime | None
    authors: list[str]
    categories: list[str]
    tags: list[str]
    excerpt: str
    feature_image: str
    canonical_url: str
    meta: dict[str, Any]
    source: SourceText
    keys: dict[str, str] = field(default_factory=dict)  # field -> front matter key it came from


# --- small helpers --------------------------------------------------------------------------


def find_key(metadata: dict, names: tuple[str, ...], *, accept=None) -> str | None:
    """The first key (any case, in the order of `names`) holding a value `accept` likes."""
    lowered: dict[str, list[str]] = {}
    for key in metadata:
        if isinstance(key, str):
            lowered.setdefault(key.lower(), []).append(key)
    for name in names:
        for key in lowered.get(name, ()):
            value = metadata[key]
            if accept is None or accept(value):
                return key
    return None


def _present(value) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def scalar_text(value) -> str:
    """A scalar as the text a reader would expect: dates ISO, `2013` as 2013."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def titleize(name: str) -> str:
    """Jekyll's titleize_slug: `i-dont-like-zeroes` -> `I Dont Like Zeroes`."""
    return " ".join(word.capitalize() for word in name.split("-") if word) or name


def to_datetime(value, tz: dt.tzinfo) -> dt.datetime:
    """Any date a real folder holds -> an aware datetime; naive values are in `tz`.

    A date without time is midnight in `tz`, so the post keeps its calendar day there.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        parsed = None
        try:
            parsed = parse_datetime(text)
            if parsed is None:
                day = parse_date(text)
                if day is not None:
                    parsed = dt.datetime(day.year, day.month, day.day)
        except ValueError:
            parsed = None
        if parsed is None:
            try:
                parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                parsed = None
        if parsed is None:
            try:  # RFC 2822, as feeds write it: "Tue, 10 Jun 2003 04:00:00 GMT"
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                parsed = None
        if parsed is None:
            raise ValueError(f"cannot read {value!r} as a date")
    else:
        raise ValueError(f"cannot read {value!r} ({type(value).__name__}) as a date")
    if parsed.tzinfo is None or parsed.tzinfo.utcoffset(parsed) is None:
        parsed = parsed.replace(tzinfo=tz)
    if not date_range.in_range(parsed):
        # Stored in UTC and shown in the site's zone: `0001-01-01 00:00 +0100` would be in
        # year 0.
        raise ValueError(f"{value!r} is out of range: dates go {date_range.RANGE_TEXT}")
    return parsed


def json_value(value):
    """A front matter value as JSON can hold it (dates as ISO 8601 text), order kept."""
    if isinstance(value, dict):
        return {scalar_text(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_value(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def name_list(value, *, split_words: bool) -> list[str]:
    """Categories, tags: a list, a single value, `a, b` or (Jekyll's plural keys) `a b c`."""
    if value is None:
        return []
    if isinstance(value, str):
        if "," in value:
            items = value.split(",")
        elif split_words:
            items = value.split()
        else:
            items = [value]
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, (list, tuple)):
                items.extend(item)
            else:
                items.append(item)
    elif isinstance(value, dict):
        raise ValueError("is a mapping, not a name or a list of names")
    else:
        items = [value]
    names: dict[str, str] = {}
    for item in items:
        if item is None:
            continue
        if isinstance(item, dict):
            raise ValueError("holds a mapping where a name was expected")
        text = scalar_text(item).strip()
        if text:
            names.setdefault(text.casefold(), text)
    return list(names.values())


def author_names(value) -> list[str]:
    """`author`/`authors`: a name, a list of names, or mappings holding a name."""
    items = value if isinstance(value, (list, tuple)) else [value]
    names: dict[str, str] = {}
    for item in items:
        if item is None:
            continue
        if isinstance(item, dict):
            key = find_key(item, AUTHOR_NAME_KEYS)
            if key is None:
                raise ValueError("holds a mapping without a name")
            item = item[key]
        text = scalar_text(item).strip()
        if text:
            names.setdefault(text.casefold(), text)
    return list(names.values())


def _truthy(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):  # `draft: 1`: Hugo reads it as true
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "on"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "no", "off"}:
        return False
    return None


# Eleventy's date values that name a time of the file instead of giving one.
ELEVENTY_FILE_DATES = {"last modified", "created", "git last modified", "git created"}


def _eleventy_file_date(value) -> bool:
    return isinstance(value, str) and value.strip().lower() in ELEVENTY_FILE_DATES


def never_written_out(metadata: dict) -> bool:
    """Whether the generator makes no page of the file: Hugo's `headless: true` bundles and
    `build` (or `_build`) options `render: never` / `link` / false, Eleventy's
    `permalink: false`. Public here, each would be a page the site does not have; a draft
    keeps its text, and the keys stay in `meta`, so the file exports as it was."""
    return bool(unbuilt_keys(metadata))


def unbuilt_keys(metadata: dict) -> list[str]:
    """The keys, as the file spells them, that make `never_written_out` true."""
    keys = []
    headless = find_key(metadata, ("headless",))
    if headless is not None and _truthy(metadata[headless]) is True:
        keys.append(headless)
    build = find_key(metadata, ("build", "_build"), accept=lambda v: isinstance(v, dict))
    if build is not None:
        render = find_key(metadata[build], ("render",))
        if render is not None:
            value = metadata[build][render]
            if _truthy(value) is False or str(value).strip().lower() in ("never", "link"):
                keys.append(build)
    permalink = find_key(metadata, ("permalink",))
    if permalink is not None and metadata[permalink] is False:
        keys.append(permalink)
    return keys


# --- the mapping ----------------------------------------------------------------------------


def file_name_parts(path: str) -> tuple[str, dt.date | None, bool]:
    """(name for slug and title, date from the name, is a bundle) of a relative path."""
    directory, filename = posixpath.split(path)
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    # Hugo's translations: `index.de.md`, `_index.en.md` (a language code before the
    # extension) are a bundle's and a section's files too.
    kind = stem.split(".", 1)[0] if "." in stem else stem
    if kind == "_index":
        raise SectionPage(path)
    bundle = kind == "index" and bool(directory)
    name = posixpath.basename(directory) if bundle else stem
    match = FILENAME_DATE.match(name)
    day = None
    if match:
        year, month, date_of_month, rest = match.groups()
        try:
            day = dt.date(int(year), int(month), int(date_of_month))
        except ValueError:
            day = None
        if day is not None:
            name = rest
    return name, day, bundle


def map_fields(
    source: SourceText,
    path: str,
    *,
    tz: dt.tzinfo,
    default_author: str | None = None,
    mtime: float | None = None,
    jekyll_site: str = "",
    inherited: dict[str, Any] | None = None,
    generator: str = "",
) -> PostData:
    """Apply the Jekyll/Hugo rules to a split file. Raises FieldError or SectionPage.

    `generator`: "hugo" or "eleventy" for a file of such a site, which take a taxonomy
    string whole (`terms_whole`).

    `inherited`: the status keys the file inherits from its site (posts.markdown_io.
    inherited), under its own.

    `jekyll_site`: the folder of the Jekyll site the file is in, relative to the imported
    one (see `InheritedStatus.jekyll_site`), for the categories its path gives."""
    metadata = source.metadata
    folders = set(path.split("/")[:-1])
    used: dict[str, str] = {}
    name, name_date, _bundle = file_name_parts(path)

    def take(field_name: str, keys: tuple[str, ...], accept=_present) -> Any:
        key = find_key(metadata, keys, accept=accept)
        if key is None:
            return None
        used[field_name] = key
        return metadata[key]

    # title: the key; no front matter -> first `# heading`; else the name, titleised (Jekyll)
    title_value = take("title", TITLE_KEYS)
    if title_value is not None:
        title = scalar_text(title_value).strip()
    else:
        heading = ATX_HEADING.search(source.body) if source.format == "none" else None
        title = heading.group(1).strip() if heading else titleize(name)
    if isinstance(title_value, (dict, list)):
        raise FieldError("title is a list or mapping, not text", key=used["title"])

    slug_value = take("slug", SLUG_KEYS)
    slug = make_slug(scalar_text(slug_value) if slug_value is not None else name, fallback="post")

    # date: the first date key; `published` only when it is not a bool
    date_key = find_key(
        metadata,
        DATE_KEYS,
        accept=lambda v: _present(v) and not isinstance(v, bool) and _truthy(v) is None,
    )
    file_dated = date_key is not None and _eleventy_file_date(metadata[date_key])
    if file_dated and mtime is not None:
        # Eleventy's `date: Last Modified` / `Created` (also `git ...`): the file's time.
        # The key stays in meta, so the file exports as it was.
        published_at = dt.datetime.fromtimestamp(int(mtime), tz=dt.UTC)
        date_source = "file time"
    elif date_key is not None:
        used["published_at"] = date_key
        try:
            published_at = to_datetime(metadata[date_key], tz)
        except ValueError as exc:
            raise FieldError(f"{date_key}: {exc}", key=date_key) from None
        date_source = "front matter"
    elif name_date is not None:
        published_at = to_datetime(name_date, tz)
        date_source = "file name"
    elif "_posts" in folders and (match := FILENAME_DATE.match(name)):
        # Jekyll dates a post by its file name and stops on one it cannot read; dated
        # "now" instead, it went to the top of every list.
        raise FieldError(
            f"the file name's date {'-'.join(match.groups()[:3])} is not a real date;"
            " correct it or give the post a date: key"
        )
    elif mtime is not None:
        # Hugo's :fileModTime: an undated file is dated by its modification time.
        published_at = dt.datetime.fromtimestamp(int(mtime), tz=dt.UTC)
        date_source = "file time"
    else:
        published_at, date_source = None, "none"

    def take_date(field_name: str, keys: tuple[str, ...]) -> dt.datetime | None:
        value = take(field_name, keys)
        if value is None:
            return None
        try:
            return to_datetime(value, tz)
        except ValueError as exc:
            raise FieldError(f"{used[field_name]}: {exc}", key=used[field_name]) from None

    modified_at = take_date("modified_at", UPDATED_KEYS)
    expires_at = take_date("expires_at", EXPIRY_KEYS)

    # status: `draft: true` or `published: false` or a drafts folder; explicit keys win, and
    # of two keys the one hiding the post (`draft: false` with `published: false`: Jekyll
    # does not build it)
    # The site's own (inherited: a Hugo cascade, Jekyll defaults, Eleventy folder data)
    # under the file's, which wins key by key in any case.
    status_view = metadata
    if inherited:
        own = {key.lower() for key in metadata if isinstance(key, str)}
        status_view = {k: v for k, v in inherited.items() if k.lower() not in own}
        status_view.update(metadata)
    explicit = None
    published_key, draft_key = status_keys(status_view)
    if published_key is not None and (draft_key is None or not _truthy(status_view[published_key])):
        explicit = "published" if _truthy(status_view[published_key]) else "draft"
        status_key = published_key
    elif draft_key is not None:
        explicit = "draft" if _truthy(status_view[draft_key]) else "published"
        status_key = draft_key
    in_drafts_folder = bool(DRAFT_FOLDERS & folders)
    if explicit is not None and status_key in metadata:
        used["status"] = status_key
    elif explicit == "published" and in_drafts_folder:
        # What the site sets can hide a file, never publish one from a drafts folder
        # (a theme's site-wide `published: true` default made every _drafts file public).
        explicit = None
    status = explicit or ("draft" if in_drafts_folder else "published")
    if "_drafts" in folders:
        # Jekyll builds no post from `_drafts` (but with --drafts), whatever its keys say:
        # `published: true` there had published a draft the site never shows. (A plain
        # `drafts/` folder is a convention only: its files' keys win.)
        status = "draft"
    if status == "published" and never_written_out(status_view):
        status = "draft"

    author_value = take("authors", AUTHOR_KEYS)
    try:
        authors = author_names(author_value) if author_value is not None else []
    except ValueError as exc:
        raise FieldError(f"{used['authors']} {exc}", key=used["authors"]) from None
    if not authors and default_author:
        authors = [default_author]

    categories = _names(
        metadata,
        used,
        "categories",
        "category",
        "categories",
        MAX_CATEGORY,
        whole_text=terms_whole(generator, "categories"),
    )
    from_path = path_categories(path, jekyll_site)
    if from_path:
        # Jekyll's order: the folders' first, then the front matter's, each once.
        seen = {name.casefold() for name in from_path}
        categories = from_path + [name for name in categories if name.casefold() not in seen]
    tags = _names(
        metadata, used, "tags", "tag", "tags", MAX_TAG, whole_text=terms_whole(generator, "tags")
    )

    excerpt_value = take("excerpt", EXCERPT_KEYS)
    excerpt = scalar_text(excerpt_value) if excerpt_value is not None else ""

    image_value = take("feature_image", IMAGE_KEYS)
    feature_image = ""
    if isinstance(image_value, dict):
        inner = find_key(image_value, IMAGE_MAPPING_KEYS, accept=_present)
        if inner is None:
            used.pop("feature_image")  # a mapping without an address stays in meta
        else:
            feature_image = scalar_text(image_value[inner])
    elif image_value is not None:
        feature_image = scalar_text(image_value)

    canonical_value = take("canonical_url", CANONICAL_KEYS)
    canonical_url = scalar_text(canonical_value) if canonical_value is not None else ""

    for field_name, value in (
        ("title", title),
        ("feature_image", feature_image),
        ("canonical_url", canonical_url),
    ):
        if len(value) > MAX_LENGTHS[field_name]:
            raise FieldError(
                f"{field_name} is {len(value):,} characters, over {MAX_LENGTHS[field_name]:,}",
                key=used.get(field_name),
            )
    for author in authors:
        if len(author) > MAX_AUTHOR:
            raise FieldError(f"author name over {MAX_AUTHOR} characters", key=used.get("authors"))

    consumed = set(used.values())
    meta = {
        (k if isinstance(k, str) else scalar_text(k)): json_value(v)
        for k, v in metadata.items()
        if k not in consumed
    }
    return PostData(
        path=path,
        title=title,
        slug=slug,
        body=source.body,
        status=status,
        published_at=published_at,
        date_source=date_source,
        modified_at=modified_at,
        expires_at=expires_at,
        authors=authors,
        categories=categories,
        tags=tags,
        excerpt=excerpt,
        feature_image=feature_image,
        canonical_url=canonical_url,
        meta=meta,
        source=source,
        keys=used,
    )


def path_categories(path: str, site: str = "") -> list[str]:
    """Jekyll's categories from a post's path: the folders between its site's folder
    (`site`, relative to the imported one) and its `_posts` (or `_drafts`) folder,
    `news/tech/_posts/x.md` -> news, tech; none for folders inside it. Names too long
    for a category are left out (the file still imports)."""
    if site:
        if not path.startswith(site + "/"):
            return []
        path = path[len(site) + 1 :]
    parts = path.split("/")[:-1]
    for i, part in enumerate(parts):
        if part in ("_posts", "_drafts"):
            names: dict[str, str] = {}
            for name in parts[:i]:
                if name and len(name) <= MAX_CATEGORY:
                    names.setdefault(name.casefold(), name)
            return list(names.values())
    return []


def status_keys(metadata: dict) -> tuple[str | None, str | None]:
    """The file's `published` and `draft` keys that hold a yes or no (Hugo's `published`
    may be a date: not a status)."""

    def holds_boolean(value) -> bool:
        return _truthy(value) is not None

    return (
        find_key(metadata, ("published",), accept=holds_boolean),
        find_key(metadata, DRAFT_KEYS, accept=holds_boolean),
    )


def file_categories(metadata) -> list[str]:
    """The categories a file's front matter names itself, without its path's."""
    return _names(metadata, {}, "categories", "category", "categories", MAX_CATEGORY)


def terms_whole(generator: str, field_name: str) -> bool:
    """Whether a string under this field's key is one name in the generator's site: Hugo
    reads every taxonomy's string as one term (`tags: web development`, `categories: news,
    foundation`), Eleventy its `tags`; Jekyll splits them."""
    return generator == "hugo" or (generator == "eleventy" and field_name == "tags")


def _names(
    metadata, used, field_name, singular, plural, max_length, *, whole_text: bool = False
) -> list[str]:
    """Jekyll's pluralized_array_from_hash: the singular key wins; plural strings split.
    `whole_text`: a string is one name (`terms_whole`)."""
    key = find_key(metadata, (singular,), accept=lambda v: v is not None)
    split_words = False
    if key is None:
        key = find_key(metadata, (plural,))
        split_words = True
    if key is None:
        return []
    used[field_name] = key
    value = metadata[key]
    if whole_text and isinstance(value, str):
        value = [value]
    try:
        names = name_list(value, split_words=split_words)
    except ValueError as exc:
        raise FieldError(f"{key} {exc}", key=key) from None
    for name in names:
        if len(name) > max_length:
            raise FieldError(f"{key}: a name over {max_length} characters", key=key)
    return names


def timezone_named(name: str | dt.tzinfo | None, default: str) -> dt.tzinfo:
    """`--timezone Europe/Paris` -> a tzinfo; None -> the site's TIME_ZONE."""
    if isinstance(name, dt.tzinfo):
        return name
    return ZoneInfo(name or default)
