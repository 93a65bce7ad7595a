import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from posts.models import Post
from tests.markdown_helpers import zip_bytes

pytestmark = pytest.mark.django_db

URL = reverse("admin:posts_post_import")

HELLO = "---\ntitle: Hello from a zip\ndate: 2024-01-02\ntags: [zip, 香港]\n---\nBody text.\n"
BROKEN = '---\ntitle: "unclosed\ndate: 2024-01-03\n---\nBody.\n'


def zip_upload(entries: dict[str, str], name: str = "blog.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes(entries), content_type="application/zip")


def test_editor_uploads_a_folder_and_sees_the_report(editor_client):
    upload = zip_upload(
        {
            "blog/_posts/2024-01-02-hello.md": HELLO,
            "blog/_posts/2024-01-03-broken.md": BROKEN,
            "blog/images/logo.png": "not markdown",
        }
    )

    response = editor_client.post(URL, {"archive": upload})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Import report" in page
    assert "1 created" in page and "1 failed" in page
    # The broken file is named, with its reason; the image was not read.
    assert "_posts/2024-01-03-broken.md" in page
    assert "1 non-markdown file in the zip ignored" in page
    post = Post.objects.get()
    assert post.title == "Hello from a zip"
    # The zip's single top folder is the imported folder, as with import_markdown blog/.
    assert post.source_path == "_posts/2024-01-02-hello.md"
    assert sorted(post.tags.names()) == ["zip", "香港"]


def test_uploading_the_same_folder_again_changes_nothing(editor_client):
    entries = {"_posts/2024-01-02-hello.md": HELLO}
    editor_client.post(URL, {"archive": zip_upload(entries)})
    first = Post.objects.get()

    response = editor_client.post(URL, {"archive": zip_upload(entries)})

    assert "1 unchanged" in response.content.decode()
    assert Post.objects.get().updated_at == first.updated_at


def test_dry_run_reports_but_writes_nothing(editor_client):
    response = editor_client.post(
        URL, {"archive": zip_upload({"_posts/2024-01-02-hello.md": HELLO}), "dry_run": "on"}
    )

    assert "Dry run: nothing was written" in response.content.decode()
    assert "1 created" in response.content.decode()
    assert not Post.objects.exists()


def test_a_path_escaping_the_folder_refuses_the_whole_upload(editor_client):
    upload = zip_upload({"_posts/2024-01-02-hello.md": HELLO, "../../evil.md": HELLO})

    response = editor_client.post(URL, {"archive": upload})

    assert response.status_code == 200
    assert "the path leaves the folder" in response.content.decode()
    assert not Post.objects.exists()


def test_a_file_that_is_not_a_zip_gets_a_clear_error(editor_client):
    upload = SimpleUploadedFile("posts.zip", b"plain text", content_type="application/zip")

    response = editor_client.post(URL, {"archive": upload})

    assert "posts.zip: not a zip archive" in response.content.decode()


def test_a_damaged_archive_gets_a_clear_error_and_imports_nothing(editor_client):
    entries = {
        "_posts/2024-01-01-a.md": HELLO,
        "_posts/2024-01-02-b.md": "---\ntitle: B\n---\nsecond file\n",
    }
    damaged = zip_bytes(entries, zipfile.ZIP_STORED).replace(b"second file", b"second fil!")
    upload = SimpleUploadedFile("posts.zip", damaged, content_type="application/zip")

    response = editor_client.post(URL, {"archive": upload})

    assert response.status_code == 200  # was a 500 (Bad CRC-32)
    assert "_posts/2024-01-02-b.md: the archive is damaged" in response.content.decode()
    assert not Post.objects.exists()


def test_authors_cannot_import(author_client):
    upload = zip_upload({"_posts/2024-01-02-hello.md": HELLO})

    assert author_client.get(URL).status_code == 403
    assert author_client.post(URL, {"archive": upload}).status_code == 403
    assert not Post.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_post_list_links_to_the_import_page_for_editors(editor_client):
    page = editor_client.get(reverse("admin:posts_post_changelist")).content.decode()

    assert URL in page


def test_a_zipped_sites_settings_hide_its_drafts_and_a_broken_one_is_an_error(editor_client):
    config = "defaults:\n  - scope: {path: _posts}\n    values: {published: false}\n"
    post = {"blog/_posts/2024-01-02-hello.md": HELLO}

    editor_client.post(URL, {"archive": zip_upload({**post, "blog/_config.yml": config})})

    assert Post.objects.get().status == Post.Status.DRAFT
    Post.objects.all().delete()
    broken = zip_upload({**post, "blog/_config.yml": "defaults: [\n"})
    response = editor_client.post(URL, {"archive": broken})
    assert response.status_code == 200
    assert "blog.zip/blog/_config.yml cannot be read" in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_while_another_import_runs_is_refused_at_once(editor_client):
    # It waited for the lock: a long scheduled import held the request past the server's
    # timeout, a 500 after 30 s with a worker lost meanwhile.
    import threading

    from django.db import connection

    from posts.markdown_io.run_lock import one_import_at_a_time

    holding, release = threading.Event(), threading.Event()

    def other_import():
        try:
            with one_import_at_a_time("default"):
                holding.set()
                release.wait(30)
        finally:
            connection.close()  # the thread's own: left open, the test database stays in use

    other = threading.Thread(target=other_import)
    other.start()
    try:
        assert holding.wait(30)
        response = editor_client.post(
            URL, {"archive": zip_upload({"_posts/2024-01-02-a.md": HELLO})}
        )
    finally:
        release.set()
        other.join(30)

    assert response.status_code == 200
    assert "Another import of this database is running" in response.content.decode()
    assert not Post.objects.exists()
