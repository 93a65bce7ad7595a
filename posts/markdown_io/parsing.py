"""One markdown file's bytes -> its text, front matter block, metadata and body. Pure: no ORM.

Splitting is python-frontmatter's job: its handler API (`detect`, `split`, `load`) with
handlers of our own where the stock ones miss what real folders hold:

- YAML closed by `...`, delimiters with trailing spaces, CRLF, an empty block (`---` twice);
- TOML through the standard library's `tomllib` (the stock handler needs the `toml` package);
- JSON objects whose closing brace stands alone on a line (Hugo);
- only the *first* block counts: bodies hold `---` rules and whole `+++` blocks in code fences;
- the split keeps every byte: block text + body == the decoded file, so nothing is stripped.

The BOM and the encoding (UTF-8, UTF-16 with BOM) are handled before splitting, and YAML is
loaded with the safe loader after a pass over its event stream that rejects alias bombs and
absurd nesting in time and memory proportional to the text.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler

from posts.markdown_io.fields import (
    FieldError,
    PostData,
    file_name_parts,
    map_fields,
    scalar_text,
)

try:  # libyaml's C parser when present: same results, several times faster
    from yaml import CSafeLoader as BaseSafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as BaseSafeLoader


class SafeLoader(BaseSafeLoader):
    """yaml's safe loader, with a date that looks right but cannot be (`2024-02-30`) an
    error at its line like any other, not a ValueError that stops the whole import."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date ({exc})", node.start_mark
            ) from None


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_timestamp)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# YAML safety limits: nodes after expanding aliases, and collection depth.
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 64
# Front matter of any format (and the admin's extra front matter) nests no deeper: the
# admin shows it indented by Python's JSON encoder, which recurses (about 330 levels).
MAX_DEPTH = MAX_YAML_DEPTH


class ParseError(Exception):
    """A file that cannot be imported; `line` is 1-based within the file, when known."""

    def __init__(self, reason: str, *, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class SourceText:
    """A file split into what the exporter needs to write it back byte for byte."""

    encoding: str  # "utf-8", "utf-8-sig" (BOM), "utf-16-le" or "utf-16-be" (BOM)
    newline: str  # "lf", "crlf", "mixed" or "" (no line break at all)
    format: str  # "yaml", "toml", "json" or "none"
    front_matter: str  # the block exactly as written, delimiters and final line break included
    body: str  # everything after the block
    metadata: dict[str, Any] = field(default_factory=dict)
    body_line: int = 1  # file line where the body starts (for error messages)

    @property
    def text(self) -> str:
        return self.front_matter + self.body


# --- decoding -------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes) -> tuple[str, str]:
    """(text without BOM, encoding name). UTF-8 unless a BOM says UTF-16."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            payload, codec = data[len(bom) :], encoding.replace("-sig", "")
            break
    else:
        payload, codec, encoding = data, "utf-8", "utf-8"
    try:
        text = payload.decode(codec)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(data) - len(payload))
        line = data[:offset].count(b"\n") + 1
        raise ParseError(
            f"not valid {codec.upper()}: byte 0x{payload[exc.start]:02x} at offset {offset}",
            line=line,
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError("contains a NUL character (a binary file?)", line=line)
    return text, encoding


def encode(text: str, encoding: str) -> bytes:
    """The inverse of `decode`: the BOM comes back for the encodings that had one."""
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if encoding == "utf-16-le":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode("utf-8")


def newline_style(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    if crlf and lf:
        return "mixed"
    if crlf:
        return "crlf"
    return "lf" if lf else ""


# --- front matter handlers ------------------------------------------------------------------


class _BlockHandler(BaseHandler):
    """A handler whose `split` keeps every byte: `(block, body)` with block + body == text.

    `FM_BOUNDARY` matches the whole first block at the start of the text; group "inner" is
    what the loader reads.
    """

    format = ""

    def detect(self, text: str) -> bool:
        return bool(self.OPENING.match(text))

    def split(self, text: str) -> tuple[str, str]:
        match = self.FM_BOUNDARY.match(text)
        if not match:
            raise ParseError(f"the {self.format.upper()} front matter block is never closed")
        return match.group(0), text[match.end() :]

    def inner(self, block: str) -> str:
        return self.FM_BOUNDARY.match(block).group("inner")


class YAMLHandler(_BlockHandler):
    """`---` ... `---` or `...` (Jekyll's rule), trailing blanks allowed on both lines.

    Eleventy (gray-matter) also reads a language after the opening dashes: `---yaml` (or
    `---yml`) is this block too."""

    format = "yaml"
    OPENING = re.compile(r"---[ \t]*(?:(?i:yaml|yml)[ \t]*)?\r?\n")
    FM_BOUNDARY = re.compile(
        r"---[ \t]*(?:(?i:yaml|yml)[ \t]*)?\r?\n(?P<inner>.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\r|\Z)",
        re.S | re.M,
    )

    def load(self, fm: str) -> Any:
        return safe_yaml_load(fm)


class TOMLHandler(_BlockHandler):
    format = "toml"
    OPENING = re.compile(r"\+\+\+[ \t]*\r?\n")
    FM_BOUNDARY = re.compile(
        r"\+\+\+[ \t]*\r?\n(?P<inner>.*?)^\+\+\+[ \t]*(?:\r?\n|\r|\Z)", re.S | re.M
    )

    def load(self, fm: str) -> Any:
        try:
            return tomllib.loads(fm.replace("\r\n", "\n"))
        except RecursionError:
            raise ParseError("TOML front matter nests too deeply") from None
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            raise ParseError(
                f"invalid TOML front matter: {exc}",
                line=int(match.group(1)) + 1 if match else None,
            ) from None


class JSONHandler(_BlockHandler):
    """Hugo's JSON front matter: an object whose closing brace stands alone on a line."""

    format = "json"
    # `{` then a line break or a quoted key: a body starting with `{% raw %}` or `{{<` is not JSON.
    OPENING = re.compile(r"\{[ \t]*(?:\r?\n|\")")
    FM_BOUNDARY = re.compile(r"(?P<inner>\{.*?^\}[ \t]*)(?:\r?\n|\r|\Z)", re.S | re.M)

    def load(self, fm: str) -> Any:
        try:
            return json.loads(fm)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON front matter: {exc.msg}", line=exc.lineno) from None
        except RecursionError:
            raise ParseError("JSON front matter nests too deeply") from None


class DashedJSONHandler(JSONHandler):
    """Eleventy's JSON front matter: `---json`, the object, `---`."""

    OPENING = re.compile(r"---[ \t]*(?i:json)[ \t]*\r?\n")
    FM_BOUNDARY = re.compile(
        r"---[ \t]*(?i:json)[ \t]*\r?\n(?P<inner>.*?)^---[ \t]*(?:\r?\n|\r|\Z)", re.S | re.M
    )


HANDLERS = [YAMLHandler(), TOMLHandler(), JSONHandler(), DashedJSONHandler()]
# Another language after the opening dashes (Eleventy's `---js`, a custom `---toml`): a
# block that none of the handlers reads.
OTHER_LANGUAGE = re.compile(r"---[ \t]*(?P<language>[A-Za-z][\w-]*)[ \t]*\r?\n")


# --- safe YAML ------------------------------------------------------------------------------


def _check_yaml_events(text: str) -> None:
    """Reject alias bombs and deep nesting before anything is built.

    Walks the event stream once, keeping for each open collection the number of nodes it
    holds with aliases expanded (an alias counts the size of what its anchor names).
    """
    sizes: list[int] = []  # open collections: expanded node count so far
    anchors_of: list[str | None] = []
    anchored: dict[str, int] = {}
    total = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            size = anchored.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor:
                anchored[event.anchor] = 1
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            sizes.append(1)
            anchors_of.append(event.anchor)
            if len(sizes) > MAX_YAML_DEPTH:
                raise ParseError(
                    f"YAML front matter nests deeper than {MAX_YAML_DEPTH} levels",
                    line=event.start_mark.line + 2,
                )
            continue
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            size = sizes.pop()
            anchor = anchors_of.pop()
            if anchor:
                anchored[anchor] = size
        else:
            continue
        if sizes:
            sizes[-1] += size
        else:
            total += size
        if total + sum(sizes) > MAX_YAML_NODES:
            raise ParseError(
                f"YAML front matter expands to more than {MAX_YAML_NODES:,} values "
                "(an alias bomb?)",
                line=event.start_mark.line + 2,
            )


def safe_yaml_load(text: str) -> Any:
    """yaml.safe_load with limits; errors carry the line within the block (1-based)."""
    try:
        if "*" in text or "[" in text or "{" in text or "- " in text or len(text) > 65536:
            _check_yaml_events(text)
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(
            f"invalid YAML front matter: {problem}",
            line=mark.line + 2 if mark else None,  # +1 for 1-based, +1 for the opening `---`
        ) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML front matter: {exc}") from None
    except RecursionError:
        raise ParseError("YAML front matter nests too deeply") from None


# --- the whole file -------------------------------------------------------------------------


def split_source(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Decode a file and split off its first front matter block, parsing it to a mapping."""
    if len(data) > max_bytes:
        raise ParseError(f"file is {len(data):,} bytes, over the limit of {max_bytes:,}")
    text, encoding = decode(data)
    handler = frontmatter.detect_format(text, HANDLERS)
    other = OTHER_LANGUAGE.match(text) if handler is None else None
    if other is not None:
        language = other.group("language")
        what = (
            "is JavaScript, code the importer does not run"
            if language.lower() in ("js", "javascript")
            else "is in a language the importer does not read"
        )
        raise ParseError(
            f"the front matter marked `---{language}` {what}: write it as YAML (`---`), "
            "JSON (`---json`) or TOML (`+++`)",
            line=1,
        )
    if handler is None:
        return SourceText(
            encoding=encoding,
            newline=newline_style(text),
            format="none",
            front_matter="",
            body=text,
        )
    block, body = handler.split(text)
    metadata = handler.load(handler.inner(block))
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ParseError(
            f"front matter is a {type(metadata).__name__}, not a mapping of keys to values",
            line=2,
        )
    source = SourceText(
        encoding=encoding,
        newline=newline_style(text),
        format=handler.format,
        front_matter=block,
        body=body,
        metadata=metadata,
        body_line=block.count("\n") + 1,
    )
    if nests_deeper_than(metadata, MAX_DEPTH):
        raise ParseError(f"front matter nests deeper than {MAX_DEPTH} levels", line=2)
    for key, value in metadata.items():
        if holds_lone_surrogate(key) or holds_lone_surrogate(value):
            # JSON's and YAML's `\ud800` escapes: no database stores one in text.
            raise ParseError(
                f"{scalar_text(key)}: holds a lone UTF-16 surrogate (an escape such as "
                "\\ud800 without its pair), which is not text",
                line=key_line(source, scalar_text(key)),
            )
    return source


def holds_lone_surrogate(value) -> bool:
    """Whether a parsed value (text, or mappings and lists of them) holds a lone UTF-16
    surrogate, which JSON and YAML escapes (`\\ud800`) make and no database stores."""
    return any(_lone_surrogate(item) for item, _depth in _walk(value))


def nests_deeper_than(value, limit: int) -> bool:
    """Whether a parsed value has mappings or lists more than `limit` levels deep (the
    outermost mapping is level 1, as the YAML check counts)."""
    return any(depth > limit for item, depth in _walk(value) if isinstance(item, _NESTING))


def _lone_surrogate(item) -> bool:
    if not isinstance(item, str):
        return False
    try:
        item.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _walk(value):
    """(item, depth) for `value` and everything in it, keys included; without recursion,
    so that no nesting a parser accepted can overflow the stack here."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        yield item, depth
        if isinstance(item, dict):
            stack.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, _NESTING):
            stack.extend((part, depth + 1) for part in item)


_NESTING = (dict, list, tuple, set, frozenset)


def key_line(source: SourceText, key: str) -> int | None:
    """The file line where a top-level front matter key is written, for error messages."""
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*[:=]", re.M)
    match = pattern.search(source.front_matter)
    return source.front_matter[: match.start()].count("\n") + 1 if match else None


def parse_post(
    data: bytes,
    path: str,
    *,
    tz: dt.tzinfo,
    default_author: str | None = None,
    mtime: float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jekyll_site: str = "",
    inherited: dict[str, Any] | None = None,
    generator: str = "",
) -> PostData:
    """File bytes + path relative to the folder -> PostData, or ParseError saying why not.

    Raises `SectionPage` for Hugo's `_index.md`, which is not a post.
    """
    file_name_parts(path)  # a section page is skipped before reading anything else
    source = split_source(data, max_bytes=max_bytes)
    try:
        return map_fields(
            source,
            path,
            tz=tz,
            default_author=default_author,
            mtime=mtime,
            jekyll_site=jekyll_site,
            inherited=inherited,
            generator=generator,
        )
    except FieldError as exc:
        line = key_line(source, exc.key) if exc.key else None
        raise ParseError(exc.reason, line=line) from None
