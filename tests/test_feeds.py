"""RSS and Atom feeds: latest published posts, per tag and per category."""

import datetime as dt
from xml.etree import ElementTree

import pytest
import time_machine

from posts.models import Category
from tests.api_helpers import NOW, day, draft, published, scheduled
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _frozen_clock(settings):
    settings.CMS_POST_URL = "https://www.example.com/posts/{slug}/"
    settings.CMS_SITE_TITLE = "Example Site"
    with time_machine.travel(NOW, tick=False):
        yield


def rss_items(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def test_rss_lists_the_latest_published_posts_linking_to_the_front_end(client):
    ada = AuthorFactory(name="Ada")
    post = published(
        slug="香港", title="Hello <world>", excerpt="An *excerpt* & more.", authors=[ada]
    )
    post.tags.set(["python"])
    published(slug="older", published_at=day(1))

    channel, items = rss_items(client.get("/feeds/rss/"))

    assert channel.findtext("title") == "Example Site"
    assert channel.findtext("link") == "https://www.example.com/"
    assert [item.findtext("link") for item in items] == [
        "https://www.example.com/posts/%E9%A6%99%E6%B8%AF/",
        "https://www.example.com/posts/older/",
    ]
    first = items[0]
    assert first.findtext("title") == "Hello &lt;world&gt;"
    assert first.findtext("description") == "An excerpt &amp; more."
    assert "Ada" in first.findtext("{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in first.findall("category")] == ["python"]


def test_feeds_hold_at_most_20_posts(client):
    for number in range(25):
        published(slug=f"p{number}", published_at=day(0) + dt.timedelta(hours=number))

    _, items = rss_items(client.get("/feeds/rss/"))

    assert len(items) == 20
    assert items[0].findtext("link").endswith("/p24/")


@pytest.mark.parametrize("make", [draft, scheduled])
def test_unpublished_posts_are_in_no_feed(client, make):
    make(slug="hidden", tags=["t"], categories=[Category.objects.create(name="C")])
    published(slug="shown", tags=["t"], categories=[Category.objects.get(slug="c")])

    for url in ["/feeds/rss/", "/feeds/atom/", "/feeds/tags/t/rss/", "/feeds/categories/c/atom/"]:
        body = client.get(url).content.decode()
        assert "/shown/" in body, url
        assert "hidden" not in body, url


def test_atom_feed(client):
    published(slug="one", title="One")

    response = client.get("/feeds/atom/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == "Example Site"
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == "https://www.example.com/posts/one/"


@pytest.mark.parametrize("path", ["/feeds/atom/", "/feeds/tags/t/atom/"])
def test_an_atom_feed_with_a_post_without_authors_names_the_site_as_its_author(client, path):
    # RFC 4287, 4.1.1: without a feed-level author, an entry without one is invalid Atom.
    published(slug="anonymous", tags=["t"])
    published(slug="signed", tags=["t"], authors=[AuthorFactory(name="Ada")])

    feed = ElementTree.fromstring(client.get(path).content)

    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Example Site"
    entries = {entry.findtext(f"{ATOM}id"): entry for entry in feed.findall(f"{ATOM}entry")}
    names = {
        entry.find(f"{ATOM}link").get("href").split("/")[-2]: entry.findtext(
            f"{ATOM}author/{ATOM}name"
        )
        for entry in entries.values()
    }
    assert names == {"anonymous": None, "signed": "Ada"}


def test_every_atom_feed_has_an_id_of_its_own(client):
    # RFC 4287: a feed's id is unique; they were all the site's address.
    published(slug="one", tags=["台北"], categories=[Category.objects.create(name="News")])
    paths = ["/feeds/atom/", "/feeds/tags/台北/atom/", "/feeds/categories/news/atom/"]

    ids = [ElementTree.fromstring(client.get(path).content).findtext(f"{ATOM}id") for path in paths]

    assert ids == [
        "http://testserver/feeds/atom/",
        "http://testserver/feeds/tags/%E5%8F%B0%E5%8C%97/atom/",
        "http://testserver/feeds/categories/news/atom/",
    ]


@pytest.mark.parametrize("path", ["/feeds/atom/", "/feeds/tags/t/atom/"])
def test_atom_titles_read_as_written(client, path):
    title = 'Don\'t <b>panic</b> & "quote"'
    published(slug="dont", title=title, tags=["t"])

    response = client.get(path)

    entry = ElementTree.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").get("type", "text") == "text"
    assert entry.findtext(f"{ATOM}title") == title


@pytest.mark.parametrize("path", ["/feeds/rss/", "/feeds/atom/", "/feeds/categories/news/rss/"])
def test_characters_xml_cannot_hold_are_left_out_of_feeds(client, path):
    # A vertical tab (Word's pasted line break) was a 500 for the whole feed; U+FFFF made
    # a feed no reader could parse. The API serves both as they are.
    news = Category.objects.create(name="News\x01")
    published(
        slug="report",
        title="Quarterly report\x0bpart 2",
        excerpt="Before \uffff after.",
        authors=[AuthorFactory(name="Ada\x0bLovelace")],
        categories=[news],
    )

    response = client.get(path)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Quarterly report part 2" in text and "Ada Lovelace" in text
    assert "Before  after." in text and "\uffff" not in text
    ElementTree.fromstring(response.content)  # well-formed XML
    assert client.get("/api/v1/posts/report/").json()["title"] == "Quarterly report\x0bpart 2"


def test_tag_and_category_feeds_hold_only_their_posts(client):
    news = Category.objects.create(name="News")
    published(slug="tagged", tags=["python"])
    published(slug="in-news", categories=[news])
    published(slug="neither")

    channel, items = rss_items(client.get("/feeds/tags/python/rss/"))
    assert channel.findtext("title") == "Example Site: python"
    assert [i.findtext("link") for i in items] == ["https://www.example.com/posts/tagged/"]
    _, items = rss_items(client.get("/feeds/categories/news/rss/"))
    assert [i.findtext("link") for i in items] == ["https://www.example.com/posts/in-news/"]
    atom = ElementTree.fromstring(client.get("/feeds/tags/python/atom/").content)
    assert len(atom.findall(f"{ATOM}entry")) == 1


def test_feed_for_an_unknown_or_draft_only_tag_is_404(client):
    draft(tags=["embargoed"])

    assert client.get("/feeds/tags/embargoed/rss/").status_code == 404
    assert client.get("/feeds/tags/nope/atom/").status_code == 404
    assert client.get("/feeds/categories/nope/rss/").status_code == 404
    assert client.get("/feeds/tags/%00/rss/").status_code == 404
