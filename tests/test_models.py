import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from posts.models import Author, Category, Post, Tag
from tests.factories import AuthorFactory, PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_published_lists_only_live_posts():
    live = PostFactory(published_at=NOW - dt.timedelta(minutes=1))
    PostFactory(published_at=NOW + dt.timedelta(minutes=1))  # scheduled
    PostFactory(status=Post.Status.DRAFT, published_at=NOW - dt.timedelta(days=3))

    assert list(Post.objects.published()) == [live]


def test_scheduled_post_becomes_visible_when_its_time_comes():
    with time_machine.travel(NOW, tick=False):
        post = PostFactory(published_at=NOW + dt.timedelta(hours=2))
        assert post.display_status == "scheduled"
        assert not Post.objects.published().exists()
        assert list(Post.objects.scheduled()) == [post]

    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        post.refresh_from_db()
        assert post.display_status == "published"
        assert list(Post.objects.published()) == [post]


@time_machine.travel(NOW, tick=False)
def test_draft_with_a_past_date_stays_hidden():
    draft = PostFactory(status=Post.Status.DRAFT, published_at=NOW - dt.timedelta(days=30))

    assert draft.display_status == "draft"
    assert not Post.objects.published().exists()
    assert list(Post.objects.not_visible()) == [draft]


@time_machine.travel(NOW, tick=False)
def test_publishing_without_a_date_means_now():
    post = PostFactory(published_at=None)

    assert post.published_at == NOW
    assert Post.objects.published().get() == post


def test_cjk_title_gets_a_unicode_slug():
    post = PostFactory(title="老楊到處說：香港的新聞", slug="")

    assert post.slug == "老楊到處說香港的新聞"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("हिन्दी समाचार", "हिन्दी-समाचार"),  # Devanagari vowel signs and virama
        ("ข่าว ภาษาไทย", "ข่าว-ภาษาไทย"),  # ข่าว (news), not ขาว (white)
        ("தமிழ் செய்தி", "தமிழ்-செய்தி"),
        ("Cafe\u0301 au lait!", "café-au-lait"),  # a decomposed accent is composed
    ],
)
def test_titles_in_scripts_with_vowel_signs_keep_them_in_the_slug(title, slug):
    post = PostFactory(title=title, slug="")

    assert post.slug == slug
    post.full_clean()  # the model accepts the slug it made


def test_new_tag_slug_keeps_vowel_signs():
    PostFactory(tags=["हिन्दी"])

    assert Tag.objects.get().slug == "हिन्दी"


def test_same_title_gets_distinct_slugs():
    first = PostFactory(title="城寨新聞", slug="")
    second = PostFactory(title="城寨新聞", slug="")

    assert first.slug == "城寨新聞"
    assert second.slug == "城寨新聞-2"


def test_explicit_duplicate_slug_is_refused_by_the_database():
    PostFactory(slug="老楊到處說")
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFactory(slug="老楊到處說")


def test_long_cjk_title_and_slug_fit():
    title = "香港" * 80  # 160 characters
    post = PostFactory(title=title, slug="")
    post.refresh_from_db()

    assert post.title == title
    assert len(post.slug) == 160


def test_authors_keep_their_order_and_the_first_is_primary():
    zed, amy, bob = (AuthorFactory(name=n) for n in ["Zed", "Amy", "Bob"])
    post = PostFactory(authors=[zed, amy, bob])

    fresh = Post.objects.get(pk=post.pk)
    assert fresh.ordered_authors == [zed, amy, bob]

    fresh.set_authors([bob, zed])
    assert Post.objects.get(pk=post.pk).ordered_authors == [bob, zed]


def test_author_and_category_slugs_keep_unicode():
    assert Author.objects.create(name="老楊到處說").slug == "老楊到處說"
    assert Category.objects.create(name="時事 評論").slug == "時事-評論"


def test_tags_are_case_insensitive_and_keep_unicode():
    first = PostFactory(tags=["Rails", "日本語"])
    second = PostFactory(tags=["rails"])

    assert Tag.objects.count() == 2
    assert set(Tag.objects.values_list("slug", flat=True)) == {"rails", "日本語"}
    assert first.tags.get(slug="rails") == second.tags.get()


def test_body_is_stored_byte_for_byte_and_html_is_recomputed_on_save():
    body = "Line one  \r\n{% raw %}{{ page.title }}{% endraw %}\r\n\r\n<div>raw</div>\n"
    post = PostFactory(body=body)
    post.refresh_from_db()
    assert post.body == body

    post.body = "# New heading\n"
    post.save()
    post.refresh_from_db()
    assert '<h1 id="new-heading">New heading</h1>' in post.body_html


def test_excerpt_is_explicit_or_derived():
    explicit = PostFactory(body="First paragraph.\n\nSecond.", excerpt="Hand *written*.")
    more = PostFactory(body="Intro **bold**.\n\nMore intro.\n<!--more-->\nRest.")
    first_paragraph = PostFactory(body="# Title\n\nThe first [paragraph](/x).\n\nSecond.")

    assert explicit.plain_excerpt == "Hand written."
    assert more.plain_excerpt == "Intro bold. More intro."
    assert first_paragraph.plain_excerpt == "The first paragraph."


def test_meta_keeps_key_order_and_types():
    meta = {
        "layout": "post",
        "from": "https://example.com/a",
        "comments": True,
        "weight": 3,
        "params": {"zeta": 1, "alpha": [2, "b"]},
    }
    post = PostFactory(meta=meta)
    post.refresh_from_db()

    assert list(post.meta.items()) == list(meta.items())
    assert list(post.meta["params"]) == ["zeta", "alpha"]
