"""The reader site at `/` on the public API, and a draft's way from the admin to it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from posts.models import Post
from tests.browser.conftest import log_in
from tests.factories import AuthorFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page, button: str) -> None:
    with page.expect_navigation():
        page.click(f"input[name={button}]")


def test_reader_lists_paginates_searches_and_opens_a_post(page):
    now = timezone.now()
    for day in range(1, 12):
        PostFactory(title=f"Day {day:02d} notes", published_at=now - dt.timedelta(days=day))
    PostFactory(
        title="夜市散步",
        slug="夜市散步",
        body="# 士林夜市\n\n逛夜市，吃**臭豆腐**。\n",
        published_at=now - dt.timedelta(days=30),
        tags=["台北"],
        authors=[AuthorFactory(name="老楊")],
    )
    PostFactory(title="Hidden draft", status=Post.Status.DRAFT)

    page.goto("/")
    cards = page.locator("article.card")
    expect(cards).to_have_count(10)
    expect(page.locator(".count")).to_have_text("12 posts")
    expect(page.locator(".page-of")).to_have_text("Page 1 of 2")
    expect(cards.first.locator("h2")).to_have_text("Day 01 notes")

    page.click("a[rel=next]")
    expect(page.locator(".page-of")).to_have_text("Page 2 of 2")
    expect(cards).to_have_count(2)
    expect(cards.last.locator("h2")).to_have_text("夜市散步")
    expect(page.locator("main")).not_to_contain_text("Hidden draft")

    page.fill(".search input", "夜市")
    page.press(".search input", "Enter")
    expect(page).to_have_url("/search/?q=%E5%A4%9C%E5%B8%82")
    expect(cards).to_have_count(1)

    cards.first.locator("h2 a").click()
    expect(page).to_have_url("/posts/%E5%A4%9C%E5%B8%82%E6%95%A3%E6%AD%A5/")
    expect(page.locator("article.post h1").first).to_have_text("夜市散步")
    expect(page.locator(".post-body h1")).to_have_text("士林夜市")
    expect(page.locator(".post-body strong")).to_have_text("臭豆腐")

    page.click("a.chip.tag")
    expect(page.locator("main > h1")).to_have_text("Tag: 台北")
    expect(cards).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("null")  # a tag has no description

    # A shared deep link works on its own, and a narrow screen still shows the post.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/authors/%E8%80%81%E6%A5%8A/")
    expect(page.locator("main > h1")).to_have_text("Posts by 老楊")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_unknown_post_shows_not_found(page):
    page.goto("/posts/no-such-post/")

    expect(page.locator("main > h1")).to_have_text("Not found")


def test_a_draft_reaches_the_api_and_the_reader_only_when_published(page, editor_user):
    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")
    page.locator("#id_title").press_sequentially("草稿：明天見")
    page.locator("#id_body").fill("還沒寫完。")
    press(page, "_continue")
    post = Post.objects.get(title="草稿：明天見")
    detail = f"/api/v1/posts/{post.slug}/"

    # A draft: not in the list, 404 on detail, not on the reader page (anonymous reader).
    reader = page.context.browser.new_context(base_url=page.url.split("/admin/")[0])
    anonymous = reader.new_page()
    assert anonymous.request.get(detail).status == 404
    assert anonymous.request.get("/api/v1/posts/").json()["count"] == 0
    anonymous.goto("/")
    expect(anonymous.locator(".count")).to_have_text("0 posts")

    # The admin's signed preview link shows it, marked as a preview.
    with page.expect_popup() as popup:
        page.click("text=Preview in the API")
    assert popup.value.evaluate("JSON.parse(document.body.innerText).title") == "草稿：明天見"

    press(page, "_publish_now")
    assert anonymous.request.get(detail).status == 200
    anonymous.goto("/")
    expect(anonymous.locator("article.card h2")).to_have_text(["草稿：明天見"])
    anonymous.locator("article.card h2 a").click()
    expect(anonymous.locator(".post-body")).to_have_text("還沒寫完。")
    reader.close()
