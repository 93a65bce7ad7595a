"""Markdown source -> safe HTML, plain-text excerpt and reading time.

One pipeline for the model, the admin preview and the API, so that what an editor
previews is byte for byte what a front end receives.

Raw HTML in markdown is allowed because real posts are full of it; safety comes from
sanitising the *output* with nh3 (an allow-list), never from escaping the input.
Liquid tags and Hugo shortcodes are plain text to CommonMark, so they pass through.
"""

import html
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from posts.heading_ids import heading_ids_plugin

MORE_SEPARATOR = "<!--more-->"
EXCERPT_MAX_CHARS = 300

# CJK scripts have no spaces between words: count characters there, words elsewhere.
CJK_RUNS = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f]+"
)
WORDS = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
CJK_CHARS_PER_MINUTE = 400
WORDS_PER_MINUTE = 230

ALLOWED_TAGS = nh3.ALLOWED_TAGS | {
    "audio",
    "picture",
    "section",
    "source",
    "track",
    "video",
}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang", "name"},
    "img": {"src", "alt", "title", "width", "height", "loading", "srcset", "sizes"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": {"src", "poster", "controls", "width", "height", "loop", "muted", "playsinline"},
    "audio": {"src", "controls", "loop", "muted"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "ol": {"start", "reversed", "type"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "li": {"value"},
}
# Only text-alignment survives in style attributes (markdown tables emit it).
ALLOWED_STYLE_PROPERTIES = {"text-align"}
# Relative URLs are always kept; absolute ones only with these schemes, so no
# javascript:, vbscript: or data: URL survives in href, src or srcset.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# The scheme at the start of a URL.
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


@dataclass(frozen=True)
class Rendered:
    html: str
    excerpt: str
    reading_time: int


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(heading_ids_plugin)
    return md


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3 checks the schemes of href and src, not of the URLs listed in a srcset (the
    image candidates of <img> and <source>): drop a srcset naming any other scheme.

    Each candidate is checked with its whitespace and control characters removed, which
    can only join a scheme together (as browsers' URL parsers do), never hide one.
    """
    if attribute == "srcset":
        for candidate in value.split(","):
            scheme = URL_SCHEME.match("".join(ch for ch in candidate if ch > " "))
            if scheme is not None and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES:
                return None
    return value


def safe_url(value: str) -> str:
    """`value` if it is a relative URL or has a scheme HTML fragments may link to, else "".

    For the URL fields the API serves as they are (feature image, canonical URL, an
    author's avatar and website): a front end puts them in href or src, where a
    `javascript:` URL would run. Checked like srcset candidates above.
    """
    scheme = URL_SCHEME.match("".join(ch for ch in value if ch > " "))
    if scheme is not None and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES:
        return ""
    return value


def sanitize_html(fragment: str) -> str:
    """Make an HTML fragment safe to insert into a page (scripts, handlers, bad URLs go)."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        # Applied to every link: harmless on internal ones, required on external ones.
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def markdown_to_html(source: str) -> str:
    """Render markdown (CommonMark + tables, strikethrough, footnotes) to sanitised HTML."""
    return sanitize_html(_markdown().render(source))


# Short texts the API renders on every request (author bios, category descriptions): the
# HTML depends on the text alone, so a text seen before is not rendered again. Rendering
# was a third of an uncached /api/v1/authors/ page (55 authors, 5 of 15 ms).
SNIPPET_MAX_CHARS = 4000


@lru_cache(maxsize=2048)
def _snippet_html(source: str) -> str:
    return markdown_to_html(source)


def snippet_to_html(source: str) -> str:
    """`markdown_to_html` for a short text shown over and over (a bio, a description)."""
    if not source:
        return ""
    if len(source) > SNIPPET_MAX_CHARS:
        return markdown_to_html(source)
    return _snippet_html(source)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed."""
    text = html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"}))
    return " ".join(text.split())


def truncate_text(text: str, limit: int = EXCERPT_MAX_CHARS) -> str:
    """Cut at a word boundary where there are words, at a character otherwise (CJK)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。、") + "…"


def first_paragraph_text(tokens) -> str:
    """Plain text of the first top-level paragraph among parsed tokens, or ''."""
    md = _markdown()
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            inline = md.renderer.renderInline(tokens[index + 1].children or [], md.options, {})
            text = html_to_text(sanitize_html(inline))
            if text:
                return truncate_text(text)
    return ""


def reading_time(text: str) -> int:
    """Whole minutes to read plain text, at least 1 for any text."""
    # Runs, not single characters: one match per run keeps this fast on 100 KB of CJK.
    spaced = CJK_RUNS.sub(" ", text)
    cjk = len(text) - len(CJK_RUNS.sub("", text))
    words = len(WORDS.findall(spaced))
    if not cjk and not words:
        return 0
    return max(1, math.ceil(cjk / CJK_CHARS_PER_MINUTE + words / WORDS_PER_MINUTE))


def render(source: str, *, excerpt: str = "") -> Rendered:
    """Everything the model stores about a body: HTML, plain excerpt, reading time.

    The source is parsed once; the excerpt comes from, in order: the explicit `excerpt`,
    the text before <!--more-->, the first paragraph, the start of the text (for posts
    without a paragraph, e.g. one raw <div>).
    """
    md = _markdown()
    env: dict = {}
    tokens = md.parse(source, env)
    body_html = sanitize_html(md.renderer.render(tokens, md.options, env))
    body_text = html_to_text(body_html)
    if excerpt.strip():
        plain_excerpt = html_to_text(markdown_to_html(excerpt))
    elif MORE_SEPARATOR in source:
        plain_excerpt = html_to_text(markdown_to_html(source.split(MORE_SEPARATOR, 1)[0]))
    else:
        plain_excerpt = first_paragraph_text(tokens) or truncate_text(body_text)
    return Rendered(html=body_html, excerpt=plain_excerpt, reading_time=reading_time(body_text))
