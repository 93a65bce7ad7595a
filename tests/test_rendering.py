import re
from html.parser import HTMLParser

import pytest

from posts import rendering
from posts.rendering import markdown_to_html, reading_time, render


def test_tables_render():
    html = markdown_to_html("| a | b |\n|---|:-:|\n| 1 | 2 |\n")

    assert "<table>" in html
    assert "<th>a</th>" in html
    assert '<td style="text-align:center">2</td>' in html


def test_strikethrough_renders():
    assert "<s>gone</s>" in markdown_to_html("~~gone~~")


def test_footnotes_render_with_links_both_ways():
    html = markdown_to_html("Claim.[^1]\n\n[^1]: Source.\n")

    assert 'href="#fn1"' in html
    assert 'id="fn1"' in html
    assert "Source." in html


def test_headings_get_anchor_ids_including_cjk():
    html = markdown_to_html("## Getting started\n\n## 香港新聞\n")

    assert '<h2 id="getting-started">' in html
    assert '<h2 id="香港新聞">' in html


def test_heading_ids_keep_vowel_signs_as_github_does():
    html = markdown_to_html("## हिन्दी समाचार\n\n## ข่าว\n")

    assert '<h2 id="हिन्दी-समाचार">' in html
    assert '<h2 id="ข่าว">' in html


def test_setext_heading_made_of_a_link():
    html = markdown_to_html("[A video title](https://www.youtube.com/watch?v=x)\n------\n")

    assert html.startswith("<h2")
    assert '<a href="https://www.youtube.com/watch?v=x" rel="noopener noreferrer">' in html


def test_raw_div_is_kept_and_html_comment_is_not_shown():
    html = markdown_to_html('<!-- 1612345678 -->\n<div class="note">Inside <b>div</b></div>\n')

    assert '<div class="note">Inside <b>div</b></div>' in html
    assert "1612345678" not in html
    assert "<!--" not in html


def test_liquid_and_shortcodes_pass_through_as_text():
    html = markdown_to_html('{% include note.html %}\n\n{{< youtube id="abc" >}}\n')

    assert "{% include note.html %}" in html
    assert '{{&lt; youtube id="abc" &gt;}}' in html


XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x ONERROR=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<body onload="alert(1)">',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<details open ontoggle="alert(1)">x</details>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<scr<script>ipt>alert(1)</script>",
]


DANGEROUS_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "svg",
    "math",
    "object",
    "embed",
    "form",
    "input",
    "meta",
    "base",
    "body",
    "link",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


class ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the output."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vector_is_neutralised(vector):
    collector = ElementCollector()
    collector.feed(markdown_to_html(vector))

    for tag, attrs in collector.elements:
        assert tag not in DANGEROUS_ELEMENTS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "srcdoc", "formaction", "xlink:href"}, (tag, name)
            # Browsers ignore control characters and whitespace inside a scheme.
            squashed = "".join(ch for ch in value if ch > " ").lower()
            assert not squashed.startswith(DANGEROUS_SCHEMES), (tag, name, value)


@pytest.mark.parametrize(
    "srcset",
    [
        "javascript:alert(1) 1x",
        "/a.png 1x, javascript:alert(1) 2x",
        "data:text/html,x 2x",
        "  JaVa&#x09;ScRiPt:alert(1) 1x",
        "/a.png 1x,vbscript:x 2x",
    ],
)
@pytest.mark.parametrize(
    "element", ["<img src=/a.png srcset='{}'>", "<picture><source srcset='{}'></picture>"]
)
def test_srcset_with_a_dangerous_url_is_dropped(element, srcset):
    collector = ElementCollector()
    collector.feed(markdown_to_html(element.format(srcset)))

    assert [attrs for tag, attrs in collector.elements if "srcset" in attrs] == []


def test_responsive_images_keep_their_srcset():
    srcset = "/img/a-480.png 480w, https://cdn.example.com/a-800.png 800w"

    html = markdown_to_html(f'<img src="/img/a.png" srcset="{srcset}" sizes="50vw">')

    assert f'srcset="{srcset}"' in html


def test_alert_payload_text_never_survives_inside_a_tag():
    """Text may survive as text (harmless), but never as an attribute or element."""
    html = markdown_to_html('<img src="x" onerror="alert(1)"> and <a href="javascript:x">y</a>')

    assert html == '<p><img src="x"> and <a rel="noopener noreferrer">y</a></p>\n'


def test_safe_links_and_images_survive_with_noopener():
    html = markdown_to_html("[site](https://example.com) ![pic](/img/a.png)")

    assert '<a href="https://example.com" rel="noopener noreferrer">site</a>' in html
    assert '<img src="/img/a.png" alt="pic">' in html


def test_reading_time_counts_cjk_characters_and_latin_words():
    assert reading_time("") == 0
    assert reading_time("word " * 230) == 1
    assert reading_time("word " * 231) == 2
    # 1,200 CJK characters: no spaces at all, still three minutes at 400 a minute.
    assert reading_time("香" * 1200) == 3


def test_render_excerpt_falls_back_to_text_when_there_is_no_paragraph():
    body = "<!-- 1 -->\n[Title](https://x.example)\n------\n<div>" + "很長的文字" * 200 + "</div>\n"
    rendered = render(body)

    assert rendered.excerpt.startswith("Title 很長的文字")
    assert len(rendered.excerpt) <= rendering.EXCERPT_MAX_CHARS + 1


def test_a_110kb_single_line_body_renders_whole():
    # How long it takes is a figure of bench/rendering.py, not a test's.
    body = "[t](https://x.example)\n------\n<div>" + ("中文字句，" * 22_000) + "</div>\n"
    assert len(body.encode()) > 110_000

    rendered = render(body)

    assert rendered.html.count("中文字句") == 22_000


@pytest.mark.django_db(transaction=True)
def test_upgrading_drops_dangerous_srcsets_from_html_rendered_before():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from posts.models import Post
    from tests.api_helpers import published

    before, fix = ("posts", "0010_pair_search_plan_cache"), ("posts", "0011_sanitize_stored_srcset")
    post = published(body="Hello")  # made with today's model, then the schema goes back
    MigrationExecutor(connection).migrate([before])
    bad = '<p><img src="/a.png" srcset="javascript:alert(1) 1x"> and <b>bold</b></p>\n'
    Post.objects.filter(pk=post.pk).update(body_html=bad)  # as an older release stored it

    MigrationExecutor(connection).migrate([fix])
    stored = Post.objects.values_list("body_html", flat=True).get(pk=post.pk)
    executor = MigrationExecutor(connection)  # back to the latest schema for other tests
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert stored == '<p><img src="/a.png"> and <b>bold</b></p>\n'


def test_repeated_headings_get_numbered_ids_that_never_clash():
    headings = ["# Notes", "# Notes", "# Notes 1", "# Notes-1", "# Notes", "## 香港", "## 香港"]
    html = markdown_to_html("\n\n".join(headings))

    ids = re.findall(r'<h\d id="([^"]*)"', html)

    # GitHub's style: a repeat gets -1, -2, ...; a suffix a heading already took is skipped.
    assert ids == ["notes", "notes-1", "notes-1-1", "notes-1-2", "notes-2", "香港", "香港-1"]
