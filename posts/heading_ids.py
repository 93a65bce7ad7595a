"""Heading ids for the rendered body: `## Hello world` -> `<h2 id="hello-world">`.

The ids of mdit_py_plugins' anchors plugin (GitHub's style: a repeated heading gets
`-1`, `-2`, ...; ids written in the markdown are kept and never reused), found in linear
time. The plugin tries every suffix from `-1` again for each repeat, which is quadratic:
8,000 headings `# a` took 4.7 s to render, and a 10 MB file of them would never finish.
"""

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from posts.slugs import MARKS

# mdit_py_plugins' anchor slug: lowercase, spaces to hyphens, then only these are kept.
_KEPT = re.compile(r"[\w\u4e00-\u9fff\- ]")


def heading_ids_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("heading_ids", _add_heading_ids)


def _add_heading_ids(state: StateCore) -> None:
    tokens = state.tokens
    used = {
        str(given)
        for token in tokens
        if token.type == "heading_open" and (given := token.attrGet("id"))
    }
    next_suffix: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.attrGet("id"):
            continue
        inline = tokens[index + 1]
        title = "".join(
            child.content
            for child in inline.children or ()
            if child.type in ("text", "code_inline")
        )
        token.attrSet("id", _unique(_slugify(title), used, next_suffix))


def _slugify(title: str) -> str:
    """The plugin's slug keeping combining marks, as GitHub's ids do: its `\\w` drops the
    vowel signs of Devanagari or Thai (`## हिन्दी` got the id `हनद`, so links to
    `#हिन्दी` written for GitHub or a static site generator went nowhere)."""
    text = title.lower().replace(" ", "-")
    return "".join(c for c in text if _KEPT.match(c) or unicodedata.category(c) in MARKS)


def _unique(slug: str, used: set[str], next_suffix: dict[str, int]) -> str:
    candidate = slug
    if candidate in used:
        # `used` only grows: every suffix below the one tried last for `slug` is taken.
        suffix = next_suffix.get(slug, 1)
        while (candidate := f"{slug}-{suffix}") in used:
            suffix += 1
        next_suffix[slug] = suffix + 1
    used.add(candidate)
    return candidate
