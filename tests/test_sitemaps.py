"""`/sitemap.xml`: every published post at its public address, nothing else."""

import pytest
import time_machine

from tests.api_helpers import NOW, draft, published, scheduled

pytestmark = pytest.mark.django_db
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_sitemap_lists_published_posts_at_their_public_urls(client, settings):
    from xml.etree import ElementTree

    settings.CMS_POST_URL = "https://www.example.com/blog/{slug}/"
    published(slug="hello")
    published(slug="日本語")
    draft(slug="draft-one")
    scheduled(slug="later-one")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    urls = ElementTree.fromstring(response.content).findall(f"{NS}url")
    locations = sorted(url.findtext(f"{NS}loc") for url in urls)
    assert locations == [
        "https://www.example.com/blog/%E6%97%A5%E6%9C%AC%E8%AA%9E/",
        "https://www.example.com/blog/hello/",
    ]
    assert all(url.findtext(f"{NS}lastmod") == "2026-03-01" for url in urls)
    assert "draft" not in response.content.decode()
