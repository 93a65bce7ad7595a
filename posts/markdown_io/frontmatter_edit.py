"""Change some keys of a front matter block and leave every other byte as it was.

YAML goes through ruamel.yaml's round-trip loader for the position of each top-level key,
and only the lines of the keys that changed are replaced (with ruamel's dump of the new
value, in the quoting and flow style the old value had). Comments, quoting and order of the
other keys stay untouched. TOML goes through tomlkit, which keeps a document's formatting.
JSON has no comments or styles to keep: it is dumped again with the same indentation.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import tomlkit
import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from posts.markdown_io.parsing import DashedJSONHandler, JSONHandler, TOMLHandler, YAMLHandler

DELETE = object()  # the value of a key to remove


class EditError(ValueError):
    pass


def _yaml_loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = True
    return yaml


def _yaml_dumper() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000  # never fold a long title
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


# YAML 1.1's reading of plain scalars (PyYAML, which the importer reads with, and Jekyll's
# Psych): `No`, `off`, `y`, `1.10`, `1_000`, `12:30` are booleans, numbers and sexagesimals
# there, while ruamel writes them plain as YAML 1.2 text.
_YAML_1_1 = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


# What Jekyll's Psych reads as a boolean or a number beyond PyYAML: any case of the YAML
# 1.1 words (`yEs`), and numbers with commas (`1,000` is 1000, `1,5` is 15).
_PSYCH_BOOLEANS = {"yes", "no", "true", "false", "on", "off"}
_PSYCH_NUMBER = re.compile(r"[-+]?(?:[0-9][0-9_,]*)?(?:\.[0-9_,]*)?(?:[eE][-+]?[0-9]+)?")


def _text(value: str) -> str:
    """`value`, quoted where YAML 1.1 would read it plain as something else than text: a
    post titled `No` or tagged `on` could never be exported (nor read by Jekyll)."""
    if (
        _YAML_1_1.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG
        or value.lower() in _PSYCH_BOOLEANS
        or (any(c.isdigit() for c in value) and _PSYCH_NUMBER.fullmatch(value))
    ):
        return SingleQuotedScalarString(value)
    return value


def _styled(new: Any, old: Any) -> Any:
    """`new` dressed in the style of `old`: same quotes for text, flow lists stay flow."""
    if isinstance(new, str):
        if isinstance(old, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(new)
        if isinstance(old, SingleQuotedScalarString):
            return SingleQuotedScalarString(new)
        return _text(new)
    if isinstance(new, list):
        seq = CommentedSeq(_plain(v) for v in new)
        if isinstance(old, CommentedSeq) and old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(new, dict):
        return CommentedMap((k, _plain(v)) for k, v in new.items())
    return new


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_plain(v) for v in value)
    if isinstance(value, str) and not isinstance(value, ScalarString):
        return _text(value)
    return value


def dump_yaml_mapping(items: list[tuple[str, Any]], *, old: dict | None = None) -> str:
    """Top-level `key: value` lines for `items`, styled like the same keys of `old`."""
    mapping = CommentedMap()
    for key, value in items:
        mapping[key] = _styled(value, (old or {}).get(key))
    buffer = io.StringIO()
    _yaml_dumper().dump(mapping, buffer)
    return buffer.getvalue()


def _split_block(handler, block: str) -> tuple[str, str, str]:
    match = handler.FM_BOUNDARY.match(block)
    if match is None:
        raise EditError("the stored front matter block is not a block")
    start, end = match.span("inner")
    return block[:start], block[start:end], block[end:]


def edit_yaml(block: str, changes: dict[str, Any]) -> str:
    """`block` (`---` ... `---`) with `changes` applied: key -> value, or DELETE."""
    newline = "\r\n" if "\r\n" in block else "\n"
    opening, inner, closing = _split_block(YAMLHandler, block)
    inner_lf = inner.replace("\r\n", "\n")
    try:
        doc = _yaml_loader().load(inner_lf) if inner_lf.strip() else CommentedMap()
    except Exception as exc:  # ruamel raises many unrelated error types
        raise EditError(f"ruamel.yaml cannot read the front matter: {exc}") from exc
    if doc is None:
        doc = CommentedMap()
    # At "\n" only: str.splitlines also splits at U+0085, U+2028, U+2029 and form feeds,
    # which YAML 1.2 reads as text (a title holding U+0085 was cut in two).
    lines = [line + "\n" for line in inner_lf.split("\n")]
    if inner_lf.endswith("\n") or not inner_lf:
        lines.pop()
    starts = sorted((doc.lc.key(key)[0], key) for key in doc if key in changes)
    all_starts = sorted(doc.lc.key(key)[0] for key in doc)
    replacements: dict[int, tuple[int, str]] = {}
    for line_no, key in starts:
        following = [n for n in all_starts if n > line_no]
        end = following[0] if following else len(lines)
        # Comments and blank lines at column 0 after a value belong to what follows.
        while end - 1 > line_no and (not lines[end - 1].strip() or lines[end - 1][0] == "#"):
            end -= 1
        value = changes[key]
        text = "" if value is DELETE else dump_yaml_mapping([(key, value)], old=doc)
        if end == line_no + 1 and text.count("\n") == 1:
            text = _with_line_comment(text, lines[line_no], doc.ca.items.get(key), line_no)
        replacements[line_no] = (end, text)
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index in replacements:
            end, text = replacements[index]
            out.append(text)
            index = end
        else:
            out.append(lines[index])
            index += 1
    added = [(k, v) for k, v in changes.items() if k not in doc and v is not DELETE]
    if added:
        out.append(dump_yaml_mapping(added))
    new_inner = "".join(out)
    if newline != "\n":
        new_inner = new_inner.replace("\n", newline)
    return opening + new_inner + closing


def _with_line_comment(text: str, old_line: str, comments, line_no: int) -> str:
    """`text` (one `key: value` line) with the comment that ended the key's old line
    (`title: Hello  # TODO`), at the same distance from the value."""
    token = comments[2] if comments and len(comments) > 2 else None
    if token is None or token.start_mark.line != line_no:
        return text
    column = token.start_mark.column
    gap = len(old_line[:column]) - len(old_line[:column].rstrip())
    comment = token.value.split("\n", 1)[0]
    return text.rstrip("\n") + " " * max(gap, 1) + comment + "\n"


def _toml_value(value: Any) -> Any:
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for k, v in value.items():
            if v is not None:
                table[k] = _toml_value(v)
        return table
    if isinstance(value, list):
        return [_toml_value(v) for v in value if v is not None]
    return value


def edit_toml(block: str, changes: dict[str, Any]) -> str:
    newline = "\r\n" if "\r\n" in block else "\n"
    opening, inner, closing = _split_block(TOMLHandler, block)
    doc = tomlkit.parse(inner.replace("\r\n", "\n"))
    for key, value in changes.items():
        if value is DELETE or value is None:
            if key in doc:
                del doc[key]
        else:
            doc[key] = _toml_value(value)
    new_inner = tomlkit.dumps(doc)
    if new_inner and not new_inner.endswith("\n"):
        new_inner += "\n"
    if newline != "\n":
        new_inner = new_inner.replace("\n", newline)
    return opening + new_inner + closing


def edit_json(block: str, changes: dict[str, Any]) -> str:
    newline = "\r\n" if "\r\n" in block else "\n"
    handler = DashedJSONHandler if DashedJSONHandler.OPENING.match(block) else JSONHandler
    opening, inner, closing = _split_block(handler, block)
    data = json.loads(inner)
    for key, value in changes.items():
        if value is DELETE:
            data.pop(key, None)
        else:
            data[key] = value
    indent = re.search(r"\n([ \t]+)\S", inner)
    text = json.dumps(data, ensure_ascii=False, indent=indent.group(1) if indent else 2)
    if opening:  # `---json`: the object ends its own line, before the closing dashes
        text += "\n"
    return opening + text.replace("\n", newline) + closing


def new_yaml_block(items: list[tuple[str, Any]], newline: str = "\n") -> str:
    text = "---\n" + (dump_yaml_mapping(items) if items else "") + "---\n"
    return text.replace("\n", newline)


def edit_block(fmt: str, block: str, changes: dict[str, Any], newline: str = "\n") -> str:
    """Apply `changes` to a stored block of format `fmt` ("none" makes a new YAML block)."""
    if not changes:
        return block
    if fmt == "yaml":
        return edit_yaml(block, changes)
    if fmt == "toml":
        return edit_toml(block, changes)
    if fmt == "json":
        return edit_json(block, changes)
    return new_yaml_block([(k, v) for k, v in changes.items() if v is not DELETE], newline)
