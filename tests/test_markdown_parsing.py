"""The parser of one file and the Jekyll/Hugo field rules: pure functions, no database."""

import codecs
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from posts.markdown_io.fields import SectionPage
from posts.markdown_io.parsing import ParseError, encode, parse_post, split_source

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")


def parse(text, path="_posts/2020-01-02-hello.md", *, tz=UTC, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_post(data, path, tz=tz, **kwargs)


# --- splitting and encodings ----------------------------------------------------------------


def test_block_and_body_keep_every_byte():
    text = "---  \ntitle: A\n---\n\nBody with a rule\n---\nand more.\n"
    source = split_source(text.encode())
    assert source.front_matter == "---  \ntitle: A\n---\n"
    assert source.front_matter + source.body == text
    assert source.metadata == {"title": "A"}


def test_yaml_closed_by_three_dots():
    post = parse("---\ntitle: Dots\n...\n\n# Body\n")
    assert post.title == "Dots"
    assert post.body == "\n# Body\n"


def test_empty_front_matter_block():
    post = parse("---\n---\nEmpty.")
    assert post.source.format == "yaml"
    assert post.meta == {}
    assert post.title == "Hello"


def test_only_the_first_block_is_front_matter():
    text = '+++\ntitle = "T"\n+++\n\n```toml\n+++\ntitle = "not me"\n+++\n```\n---\nx: 1\n---\n'
    post = parse(text, "posts/t.md")
    assert post.title == "T"
    assert "not me" in post.body and "x: 1" in post.body


def test_toml_front_matter_with_native_dates_and_tables():
    text = (
        '+++\ntitle = "Hugo"\ndate = 2017-07-24T10:00:00-04:00\ndraft = true\n'
        'author = ["Ann"]\n[menu.main]\nweight = 3\n+++\nBody\n'
    )
    post = parse(text, "content/posts/hugo.md")
    assert post.published_at == dt.datetime(2017, 7, 24, 14, tzinfo=UTC)
    assert post.status == "draft"
    assert post.authors == ["Ann"]
    assert post.meta == {"menu": {"main": {"weight": 3}}}


def test_toml_title_that_reads_as_a_date_is_still_a_title():
    assert parse("+++\ntitle = 2020-04-19\n+++\n", "p/x.md").title == "2020-04-19"


def test_json_front_matter():
    post = parse('{\n  "title": "J",\n  "tags": ["a", "b"]\n}\nBody {not json}\n', "j.md")
    assert (post.title, post.tags, post.body) == ("J", ["a", "b"], "Body {not json}\n")


@pytest.mark.parametrize("opening", ["---json", "--- JSON ", "---yaml", "---yml"])
def test_eleventys_front_matter_language_after_the_dashes(opening):
    text = (
        '{"title": "Hi", "tags": ["a", "b"]}'
        if "j" in opening.lower()
        else "title: Hi\ntags: [a, b]"
    )
    post = parse(f"{opening}\n{text}\n---\nBody\n")

    assert (post.title, post.tags, post.source.body) == ("Hi", ["a", "b"], "Body\n")


@pytest.mark.parametrize(("opening", "says"), [("---js", "is JavaScript"), ("---toml", "language")])
def test_front_matter_in_another_language_is_a_clear_error(opening, says):
    with pytest.raises(ParseError) as error:
        parse(f'{opening}\n{{ title: "x" }}\n---\nBody\n')

    assert f"`{opening}`" in error.value.reason and says in error.value.reason
    assert error.value.line == 1


def test_body_starting_with_liquid_is_not_json():
    post = parse("{% include note.html %}\nText\n", "notes/x.md")
    assert post.source.format == "none"


def test_utf8_bom_crlf_round_trips():
    data = codecs.BOM_UTF8 + b"---\r\ntitle: B\r\n---\r\nBody\r\n"
    post = parse_post(data, "b.md", tz=UTC)
    assert (post.title, post.source.encoding, post.source.newline) == ("B", "utf-8-sig", "crlf")
    assert encode(post.source.text, post.source.encoding) == data


def test_utf16_with_bom_round_trips():
    data = codecs.BOM_UTF16_LE + "---\r\ntitle: 十六\r\n---\r\n本文\r\n".encode("utf-16-le")
    post = parse_post(data, "u.md", tz=UTC)
    assert post.title == "十六"
    assert encode(post.source.text, post.source.encoding) == data


def test_mixed_line_endings_are_reported_as_mixed():
    assert parse("---\ntitle: M\r\n---\nA\r\nB\n").source.newline == "mixed"


# --- failures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"---\ntitle: ok\nbad yaml: [\n---\nBody", "invalid YAML", 4),
        (b'---\ntitle: "a\\z"\n---\n', "unknown escape", 2),
        (b"---\ntitle: never closed\nBody\n", "never closed", None),
        (b'+++\ntitle = "x\n+++\n', "invalid TOML", None),
        (b'{\n  "title": "x",\n}\n', "invalid JSON", 3),
        (b"---\ntitle: t\n---\n\xff\xfe broken", "not valid UTF-8", 4),
        (b"---\ndate: someday soon\n---\n", "date", 2),
        (b"---\ntitle: x\ndate: 2024-02-30\n---\n", "'2024-02-30' is not a date", 3),
        (b"---\nwhen: 2024-13-45\n---\n", "'2024-13-45' is not a date", 2),
        (b"---\nwhen: 2024-01-01T25:61:00Z\n---\n", "is not a date", 2),
        (b"---\n- a list\n---\n", "not a mapping", 2),
        (b"---\ntitle: x\n---\nNUL\x00byte", "NUL", 4),
    ],
)
def test_bad_files_are_errors_with_reason_and_line(data, reason, line):
    with pytest.raises(ParseError) as caught:
        parse_post(data, "bad.md", tz=UTC)
    assert reason in caught.value.reason
    if line is not None:
        assert caught.value.line == line


def test_file_over_the_size_limit_is_an_error():
    with pytest.raises(ParseError, match="over the limit"):
        parse_post(b"x" * 101, "big.md", tz=UTC, max_bytes=100)


def test_billion_laughs_is_rejected_before_it_expands():
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(ord("b"), ord("j")):
        prev = chr(n - 1)
        lines.append(f"{chr(n)}: &{chr(n)} [{', '.join(['*' + prev] * 9)}]")
    lines += ["---", "boom"]
    # Named as an alias bomb: refused while counting aliases, not after expanding 9**9.
    with pytest.raises(ParseError, match="alias bomb"):
        parse("\n".join(lines))


@pytest.mark.parametrize("depth", [100, 5000, 1_000_000])
def test_absurd_nesting_is_rejected(depth):
    with pytest.raises(ParseError, match="nest"):
        parse("---\nx: " + "[" * depth + "]" * depth + "\n---\n")


@pytest.mark.parametrize("depth", [64, 450, 5000])
def test_json_and_toml_front_matter_nest_no_deeper_than_yaml(depth):
    # JSON front matter 5,000 deep stopped the import (a RecursionError), and 450 deep the
    # surrogate check.
    for text in (
        '{\n"x": ' + "[" * depth + "]" * depth + "\n}\n",
        "+++\nx = " + "[" * depth + "]" * depth + "\n+++\n",
    ):
        with pytest.raises(ParseError, match="nests"):
            parse(text)


def test_front_matter_64_levels_deep_is_read():
    # The mapping and 63 lists inside it: the limit, not past it.
    value, lists = parse('{\n"x": ' + "[" * 63 + "]" * 63 + "\n}\n").meta["x"], 1
    while value:
        value, lists = value[0], lists + 1
    assert lists == 63


def test_a_few_aliases_are_fine():
    post = parse("---\nbase: &b {x: 1}\nother: *b\n---\n")
    assert post.meta == {"base": {"x": 1}, "other": {"x": 1}}


def test_yaml_is_loaded_safely():
    with pytest.raises(ParseError):
        parse("---\nx: !!python/object/apply:os.system ['true']\n---\n")


# --- field rules ----------------------------------------------------------------------------


def test_title_from_slug_titleised_when_front_matter_has_none():
    assert parse("---\nlayout: post\n---\n", "_posts/2017-2-5-i-dont-like-zeroes.md").title == (
        "I Dont Like Zeroes"
    )


def test_no_front_matter_title_from_first_heading_else_file_name():
    assert parse("Intro\n\n# The Heading\n", "notes/a-note.md").title == "The Heading"
    assert parse("No heading here.\n", "notes/a-note.md").title == "A Note"


def test_slug_from_key_else_file_name_without_date_else_bundle_folder():
    assert parse("---\nslug: Custom Slug\n---\n").slug == "custom-slug"
    assert parse("---\n---\n", "_posts/2017-2-5-zeroes.md").slug == "zeroes"
    post = parse("---\n---\n", "posts/2020-05-01-my-bundle/index.md")
    assert (post.slug, post.published_at.date()) == ("my-bundle", dt.date(2020, 5, 1))


def test_unicode_slug_is_kept():
    assert parse("---\n---\n", "_posts/2021-05-23-前往台灣歷史.md").slug == "前往台灣歷史"


def test_slug_keeps_vowel_signs_from_the_key_and_the_file_name():
    # Devanagari and Thai vowel signs are combining marks, which Django's slugify drops.
    assert parse("---\nslug: हिन्दी-समाचार\n---\n").slug == "हिन्दी-समाचार"
    assert parse("---\n---\n", "_posts/2021-05-23-ข่าว.md").slug == "ข่าว"


def test_section_page_is_not_a_post():
    with pytest.raises(SectionPage):
        parse('+++\ntitle = "Posts"\n+++\n', "content/posts/_index.md")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-04T14:00:11.000Z", dt.datetime(2025, 2, 4, 14, 0, 11, tzinfo=UTC)),
        ("2015-11-17 16:16:01 -0600", dt.datetime(2015, 11, 17, 22, 16, 1, tzinfo=UTC)),
        ("'2015-11-17 16:16:01 -0600'", dt.datetime(2015, 11, 17, 22, 16, 1, tzinfo=UTC)),
        ("2020-01-02T03:04:05.123456789+00:00", dt.datetime(2020, 1, 2, 3, 4, 5, 123456, UTC)),
        ('"Tue, 10 Jun 2003 04:00:00 GMT"', dt.datetime(2003, 6, 10, 4, tzinfo=UTC)),
    ],
)
def test_dates_in_every_real_world_form(value, expected):
    assert parse(f"---\ndate: {value}\n---\n").published_at == expected


def test_naive_dates_are_in_the_given_time_zone():
    post = parse("---\ndate: 2020-07-01 12:00:00\n---\n", tz=PARIS)
    assert post.published_at == dt.datetime(2020, 7, 1, 10, tzinfo=UTC)


def test_date_only_keeps_its_calendar_day_in_the_zone():
    post = parse("---\ndate: 2020-07-01\n---\n", tz=ZoneInfo("America/Los_Angeles"))
    assert post.published_at.astimezone(ZoneInfo("America/Los_Angeles")).date() == dt.date(
        2020, 7, 1
    )


def test_date_key_order_and_file_name_fallback():
    assert parse("---\npublishDate: 2019-01-01\n---\n").published_at.year == 2019
    assert parse("---\npubdate: 2018-01-01\n---\n").published_at.year == 2018
    assert parse("---\npublished: 2016-01-01\n---\n").published_at.year == 2016
    post = parse("---\npublished: true\n---\n", "_posts/2015-03-04-x.md")
    assert (post.published_at.date(), post.status) == (dt.date(2015, 3, 4), "published")


def test_hugo_publish_date_decides_when_a_post_goes_public():
    post = parse("---\ndate: 2020-01-01\npublishDate: 2099-01-01\n---\n")

    assert post.published_at.year == 2099  # scheduled, as Hugo holds it back until then
    assert post.meta == {"date": "2020-01-01"}


def test_undated_file_is_dated_by_its_modification_time():
    post = parse("---\ntitle: t\n---\n", "pages/about.md", mtime=1_600_000_000.7)
    assert post.published_at == dt.datetime.fromtimestamp(1_600_000_000, UTC)
    assert post.date_source == "file time"


@pytest.mark.parametrize("value", ["Last Modified", "Created", "git Last Modified", "git created"])
def test_eleventy_dates_that_name_a_time_of_the_file(value):
    # Eleventy's documented values: they failed as "cannot read ... as a date".
    post = parse(f"---\ntitle: t\ndate: {value}\n---\n", "posts/about.md", mtime=1_600_000_000)

    assert post.published_at == dt.datetime.fromtimestamp(1_600_000_000, UTC)
    assert post.date_source == "file time"
    assert post.meta == {"date": value}


def test_updated_keys():
    for key in ("lastmod", "modified", "updated", "last_modified_at"):
        assert parse(f"---\n{key}: 2021-02-03\n---\n").modified_at.date() == dt.date(2021, 2, 3)


@pytest.mark.parametrize(
    ("front_matter", "path", "status"),
    [
        ("published: false", "_posts/2020-01-01-a.md", "draft"),
        ("draft: true", "posts/a.md", "draft"),
        ("DRAFT: true", "posts/a.md", "draft"),
        ("Draft: false", "posts/a.md", "published"),
        ("title: x", "_drafts/a.md", "draft"),
        ("title: x", "content/drafts/a.md", "draft"),
        ("draft: false", "_drafts/a.md", "draft"),  # Jekyll builds no post from _drafts
        ("published: true", "news/_drafts/a.md", "draft"),
        ("draft: false", "content/drafts/a.md", "published"),
        ("title: x", "_posts/2020-01-01-a.md", "published"),
    ],
)
def test_status_rules(front_matter, path, status):
    assert parse(f"---\n{front_matter}\n---\n", path).status == status


def test_future_date_is_published_status_and_so_scheduled():
    post = parse("---\ndate: 2999-01-01\n---\n")
    assert post.status == "published" and post.published_at.year == 2999


@pytest.mark.parametrize(
    ("value", "authors"),
    [
        ("author: Ann", ["Ann"]),
        ("authors: [Ann, Bo]", ["Ann", "Bo"]),
        ("author:\n  name: Ann\n  email: a@example.com", ["Ann"]),
        ("authors:\n  - name: Ann\n  - Bo", ["Ann", "Bo"]),
    ],
)
def test_authors_as_string_list_or_mapping(value, authors):
    assert parse(f"---\n{value}\n---\n").authors == authors


def test_default_author_only_when_none_named():
    assert parse("---\n---\n", default_author="Site").authors == ["Site"]
    assert parse("---\nauthor: Ann\n---\n", default_author="Site").authors == ["Ann"]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("categories: foo bar baz", ["foo", "bar", "baz"]),
        ("categories: news, foundation", ["news", "foundation"]),
        ("categories: [foo, bar]", ["foo", "bar"]),
        ("category: 2013", ["2013"]),
        ("category: Two Words", ["Two Words"]),
        ("categories: []", []),
        ("categories:", []),
        ("Categories: [Mixed]", ["Mixed"]),
    ],
)
def test_category_rules(value, names):
    assert parse(f"---\n{value}\n---\n").categories == names


def test_tag_rules():
    assert parse("---\ntags: food cooking pizza\n---\n").tags == ["food", "cooking", "pizza"]
    assert parse("---\ntag: code\n---\n").tags == ["code"]
    assert parse("---\ntags: [a, A, b]\n---\n").tags == ["a", "b"]


def test_excerpt_image_and_canonical_keys():
    post = parse(
        "---\ndescription: Short.\ncover:\n  src: /img/c.png\n  alt: c\n"
        "canonical_url: https://example.com/x\n---\n"
    )
    assert post.excerpt == "Short."
    assert post.feature_image == "/img/c.png"
    assert post.canonical_url == "https://example.com/x"
    assert post.meta == {}


def test_other_keys_go_to_meta_in_order_with_types():
    post = parse(
        "---\nlayout: post\ntitle: T\nfrom: https://x.example\ncomments: True\n"
        "weight: 3\nratio: 0.5\nwhen: 2020-01-01\n---\n"
    )
    assert list(post.meta) == ["layout", "from", "comments", "weight", "ratio", "when"]
    assert post.meta["comments"] is True and post.meta["weight"] == 3
    assert post.meta["when"] == "2020-01-01"


def test_body_is_kept_byte_for_byte():
    body = "\n<div>{% raw %}{{< shortcode >}}{% endraw %}</div>\n<!--more-->\n" + "字" * 110_000
    assert parse("---\ntitle: t\n---\n" + body).body == body


def test_hugo_published_is_a_publish_date_alias_that_wins_over_date():
    post = parse("---\ndate: 2020-01-01\npublished: 2099-01-01\n---\n")

    assert post.published_at.year == 2099  # scheduled, not public since 2020
    assert post.meta == {"date": "2020-01-01"}


@pytest.mark.parametrize(
    ("front_matter", "status"),
    [
        ("draft: 1", "draft"),  # Hugo reads 1 as true
        ("draft: 0", "published"),
        ("draft: false\npublished: false", "draft"),  # Jekyll does not build it
        ("published: false\ndraft: false", "draft"),
        ("draft: true\npublished: true", "draft"),
        ("draft: false\npublished: true", "published"),
    ],
)
def test_a_post_any_status_key_hides_stays_hidden(front_matter, status):
    assert parse(f"---\n{front_matter}\n---\n").status == status
