"""A site owner brings a whole folder to the admin as a .zip, in a real browser."""

import pytest
from playwright.sync_api import expect

from posts.models import Post
from tests.browser.conftest import log_in
from tests.markdown_helpers import zip_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_uploads_a_zip_and_reads_the_report(page, editor_user):
    archive = zip_bytes(
        {
            "myblog/_posts/2024-05-01-夜市.md": (
                "---\ntitle: 夜市散步\ntags: 台北 夜市\n---\n逛夜市。\n"
            ),
            "myblog/_posts/2024-05-02-bad.md": "---\ntitle: [unclosed\n---\nBody\n",
            "myblog/_drafts/later.md": "---\ntitle: Later\n---\nNot yet.\n",
        }
    )
    log_in(page, "edith", "edith-password")

    page.goto("/admin/posts/post/")
    page.click("text=Import a folder (.zip)")
    page.set_input_files(
        "#id_archive", {"name": "myblog.zip", "mimeType": "application/zip", "buffer": archive}
    )
    with page.expect_navigation():
        page.click("#import-form input[type=submit]")

    report = page.locator("#import-report")
    expect(report.locator(".summary")).to_contain_text("2 created")
    expect(report.locator(".summary")).to_contain_text("1 failed")
    expect(report.locator("#import-problems")).to_contain_text("_posts/2024-05-02-bad.md")
    assert Post.objects.get(title="夜市散步").status == Post.Status.PUBLISHED
    assert Post.objects.get(title="Later").status == Post.Status.DRAFT

    # The posts are in the list straight away.
    report.locator("text=See the posts").click()
    expect(page.locator("#result_list")).to_contain_text("夜市散步")
