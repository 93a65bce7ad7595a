"""An editor's and an author's day in the admin, in a real browser."""

import re
import time

import pytest
from playwright.sync_api import expect

from posts.models import Author, Post
from tests.browser.conftest import log_in
from tests.factories import AuthorFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_id_from(page) -> int:
    return int(re.search(r"/admin/posts/post/(\d+)/change/", page.url).group(1))


def press(page, button: str) -> None:
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.click(f"input[name={button}]")


def test_editor_writes_previews_publishes_and_restores_a_post(page, editor_user):
    log_in(page, "edith", "edith-password")

    # A CJK title gives a CJK slug, filled in as the title is typed.
    page.goto("/admin/posts/post/add/")
    page.locator("#id_title").press_sequentially("香港的新聞 2026")
    expect(page.locator("#id_slug")).to_have_value("香港的新聞-2026")

    # The preview follows the markdown, rendered (and sanitised) by the server.
    # The image's address is absolute: a relative `x` made the browser fetch
    # /admin/posts/post/1/change/x, whose "doesn't exist" message raced the save's message.
    page.locator("#id_body").fill(
        "# 標題\n\nSome **bold** text.\n\n<img src=/static/missing.png onerror=alert(1)>"
    )
    preview = page.locator(".md-editor__output")
    expect(preview.locator("h1")).to_have_text("標題")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("img")).not_to_have_attribute("onerror", re.compile(".*"))
    page.locator("#id_body").press("End")
    page.locator("#id_body").press_sequentially("\n\nA second paragraph.")
    expect(preview.locator("p").last).to_have_text("A second paragraph.")

    # Saved as a draft.
    press(page, "_continue")
    expect(page.locator(".field-publication .post-status")).to_have_text("Draft")
    post = Post.objects.get(pk=post_id_from(page))
    assert (post.slug, post.status) == ("香港的新聞-2026", Post.Status.DRAFT)
    assert not Post.objects.published().exists()

    # Published.
    press(page, "_publish_now")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"/admin/posts/post/{post.pk}/change/")
    expect(page.locator(".field-publication")).to_contain_text("Live since")
    assert Post.objects.published().get().pk == post.pk

    # Edited: the history lists the versions and what changed.
    page.fill("#id_title", "香港的新聞 (updated)")
    press(page, "_continue")
    page.click("a.historylink")
    rows = page.locator("#change-history tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Changed Title.")

    # Restore the first version: the form shows it, saving restores it.
    rows.last.locator("a").click()
    expect(page.locator("#id_title")).to_have_value("香港的新聞 2026")
    press(page, "_save")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    post.refresh_from_db()
    assert post.title == "香港的新聞 2026"
    assert post.status == Post.Status.DRAFT  # the first version was a draft


def test_preview_ids_do_not_clash_with_the_admin_pages(page, editor_user):
    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")

    page.locator("#id_body").fill("# Header\n\n[Back to the top](#header)")

    preview = page.locator(".md-editor__output")
    expect(preview.locator("h1")).to_have_attribute("id", "preview-header")
    expect(preview.locator("a")).to_have_attribute("href", "#preview-header")
    # The admin's own header bar is still the only #header, and keeps its look.
    assert page.locator("#header").count() == 1
    assert page.locator("#header").evaluate("node => node.tagName") != "H1"


def test_preview_loads_no_relative_image_from_the_admin(page, editor_user):
    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.locator("#id_body").fill(
        "![Cover](cover.svg)\n\n![Logo](/static/missing.png)\n\n"
        '<video src="movie.mp4" poster="poster.png"></video><audio src="sound.mp3"></audio>'
    )

    preview = page.locator(".md-editor__output")
    expect(preview.locator("img").first).to_have_attribute("data-site-src", "cover.svg")
    assert preview.locator("img").first.get_attribute("src") is None
    # A root-relative address is the CMS's own and still loads.
    expect(preview.locator("img").last).to_have_attribute("src", "/static/missing.png")
    expect(preview.locator("video")).to_have_attribute("data-site-poster", "poster.png")
    assert preview.locator("video").get_attribute("src") is None
    assert preview.locator("audio").get_attribute("src") is None
    assert not [
        url
        for url in requested
        if any(name in url for name in ("cover.svg", "movie.mp4", "poster.png", "sound.mp3"))
    ]


def test_tags_field_suggests_existing_tags(page, editor_user):
    PostFactory(tags=["django", "django-rest-framework", "python"])
    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")

    page.locator("#id_tags").press_sequentially("python, djan")

    options = page.locator("#id_tags_suggestions option")
    expect(options).to_have_count(2)
    values = [options.nth(index).get_attribute("value") for index in range(2)]
    assert sorted(values) == ["python, django", "python, django-rest-framework"]


def test_a_quoted_tag_name_with_a_comma_is_suggested_as_it_is_typed(page, editor_user):
    # The text after the last comma was looked up, leading quote and all: never found.
    PostFactory(tags=["Hong Kong, China", "python"])
    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")

    page.locator("#id_tags").press_sequentially('python, "Hong Kong, Ch')

    options = page.locator("#id_tags_suggestions option")
    expect(options).to_have_count(1)
    assert options.first.get_attribute("value") == 'python, "Hong Kong, China"'


def test_author_cannot_publish_nor_open_someone_elses_post(page, author_user):
    others = PostFactory(title="Someone else's draft", status=Post.Status.DRAFT)
    others.set_authors([AuthorFactory(name="Somebody")])
    log_in(page, "arthur", "arthur-password")

    page.goto("/admin/posts/post/add/")
    expect(page.locator("input[name=_publish_now]")).to_have_count(0)
    expect(page.locator("select#id_status")).to_have_count(0)  # shown, not editable
    page.fill("#id_title", "Arthur's story")
    page.locator("#id_body").fill("Once upon a time.")
    press(page, "_save")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    mine = Post.objects.get(title="Arthur's story")
    assert mine.status == Post.Status.DRAFT
    assert mine.ordered_authors == [Author.objects.get(user=author_user)]
    expect(page.locator("#result_list")).to_contain_text("Arthur's story")
    expect(page.locator("#result_list")).not_to_contain_text("Someone else's draft")
    expect(page.locator("select[name=action] option[value=publish_posts]")).to_have_count(0)

    page.goto(f"/admin/posts/post/{others.pk}/change/")
    expect(page.locator(".messagelist")).to_contain_text("doesn’t exist")
    expect(page.locator("#id_title")).to_have_count(0)


def test_slug_filled_in_from_a_title_keeps_vowel_signs(page, editor_user):
    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")

    # Devanagari and Thai vowel signs are combining marks, which Django's own prefill drops.
    page.locator("#id_title").press_sequentially("हिन्दी ข่าว!")
    expect(page.locator("#id_slug")).to_have_value("हिन्दी-ข่าว")
    press(page, "_continue")

    assert Post.objects.get().slug == "हिन्दी-ข่าว"


def test_a_second_post_titled_with_a_leading_underscore_gets_a_free_slug(page, editor_user):
    # The prefill kept `_draft-notes`, the server made `draft-notes`: the taken slug was
    # not recognised as the prefill, got no suffix, and the save failed.
    PostFactory(title="_Draft notes", slug="draft-notes")
    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")

    page.locator("#id_title").press_sequentially("_Draft notes")
    expect(page.locator("#id_slug")).to_have_value("draft-notes")
    press(page, "_continue")

    assert Post.objects.filter(title="_Draft notes").count() == 2
    assert Post.objects.exclude(slug="draft-notes").get().slug.startswith("draft-notes-")


def test_category_slug_filled_in_from_a_name_keeps_vowel_signs(page, admin_user):
    log_in(page, "admin", "password")
    page.goto("/admin/posts/category/add/")

    # Characters off the keyboard arrive without keyup events, which the prefill listens
    # to: the last character typed is a key.
    page.locator("#id_name").press_sequentially("தமிழ் செய்தி 1")

    expect(page.locator("#id_slug")).to_have_value("தமிழ்-செய்தி-1")


def test_the_preview_asks_for_one_render_at_a_time_and_ends_on_the_latest_text(
    page, editor_user, monkeypatch
):
    # Each pause in typing started a render while the last one still ran (aborting the
    # request does not stop the server): a long body kept several workers busy.
    from posts import rendering

    running, most = [0], [0]
    render = rendering.render

    def slow_render(*args, **kwargs):
        running[0] += 1
        most[0] = max(most[0], running[0])
        try:
            time.sleep(0.8)
            return render(*args, **kwargs)
        finally:
            running[0] -= 1

    log_in(page, "edith", "edith-password")
    page.goto("/admin/posts/post/add/")
    preview = page.locator(".md-editor__output")
    expect(page.locator(".md-editor")).to_have_attribute("data-preview-state", "ready")
    monkeypatch.setattr(rendering, "render", slow_render)
    body = page.locator("#id_body")
    for word in ("one", " two", " three", " four"):
        body.press_sequentially(word)
        page.wait_for_timeout(400)  # a pause: longer than the preview's delay

    expect(preview.locator("p")).to_have_text("one two three four", timeout=10_000)
    assert most[0] == 1
