"""Versions of posts (django-reversion): history, what changed, restore."""

import json

import pytest
from django.urls import reverse
from reversion.models import Version

from posts.admin.actions import merge_tags
from posts.models import Author, Category, Post, Tag
from tests.admin_forms import displayed_form_data
from tests.factories import AuthorFactory, CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:posts_post_add")


def change_url(post):
    return reverse("admin:posts_post_change", args=[post.pk])


def history_url(post):
    return reverse("admin:posts_post_history", args=[post.pk])


def revision_url(post, version):
    return reverse("admin:posts_post_revision", args=[post.pk, version.pk])


def edit(client, post, **changes):
    """Open the change form, change some fields, save: what an editor does."""
    data = displayed_form_data(client.get(change_url(post)))
    data.update(changes)
    response = client.post(change_url(post), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def post_with_history(admin_client):
    """A post saved twice in the admin: version 1, then version 2 with everything changed."""
    zed, amy = AuthorFactory(name="Zed"), AuthorFactory(name="Amy")
    news, essays = CategoryFactory(name="News"), CategoryFactory(name="Essays")
    data = displayed_form_data(admin_client.get(ADD_URL))
    data.update(
        {
            "title": "First title",
            "body": "First *body*.",
            "categories": [str(news.pk)],
            "tags": "alpha, beta",
            "meta": '{"layout": "post", "zeta": 1}',
            "post_authors-TOTAL_FORMS": "2",
            "post_authors-0-author": str(zed.pk),
            "post_authors-0-position": "0",
            "post_authors-1-author": str(amy.pk),
            "post_authors-1-position": "1",
        }
    )
    assert admin_client.post(ADD_URL, data).status_code == 302
    post = Post.objects.get()

    data = displayed_form_data(admin_client.get(change_url(post)))
    data.update(
        {
            "title": "Second title",
            "body": "Second **body**.",
            "categories": [str(essays.pk)],
            "tags": "gamma",
            "meta": '{"zeta": 2}',
            # Swap the authors: Amy becomes the primary author.
            "post_authors-0-position": "1",
            "post_authors-1-position": "0",
        }
    )
    assert admin_client.post(change_url(post), data).status_code == 302
    post.refresh_from_db()
    return post


def test_every_save_keeps_a_version(admin_client, post_with_history):
    versions = Version.objects.get_for_object(post_with_history)

    assert versions.count() == 2
    assert post_with_history.title == "Second title"
    assert [author.name for author in post_with_history.ordered_authors] == ["Amy", "Zed"]


def test_history_lists_versions_with_what_changed(admin_client, post_with_history):
    html = admin_client.get(history_url(post_with_history)).content.decode()

    assert "Added. Added post author “Zed on First title (#1)”." in html
    assert "Changed Title, Body, Categories, Tags and Extra front matter." in html
    assert "Changed Position for post author “Amy on Second title (#1)”" in html


def test_restoring_an_earlier_version_brings_back_fields_authors_order_and_taxonomy(
    admin_client, post_with_history
):
    post = post_with_history
    first_version = Version.objects.get_for_object(post).last()

    # The revision page shows the old version in the form; saving it restores it.
    page = admin_client.get(revision_url(post, first_version))
    assert page.status_code == 200
    data = displayed_form_data(page)
    assert data["title"] == "First title"
    post.refresh_from_db()
    assert post.title == "Second title"  # looking at a version changes nothing

    assert admin_client.post(revision_url(post, first_version), data).status_code == 302

    post = Post.objects.get(pk=post.pk)
    assert post.title == "First title"
    assert post.body == "First *body*."
    assert post.body_html == "<p>First <em>body</em>.</p>\n"
    assert [author.name for author in post.ordered_authors] == ["Zed", "Amy"]
    assert [category.name for category in post.categories.all()] == ["News"]
    assert sorted(post.tags.names()) == ["alpha", "beta"]
    assert list(post.meta.items()) == [("layout", "post"), ("zeta", 1)]
    # Restoring is itself a new version, so it can be undone.
    assert Version.objects.get_for_object(post).count() == 3
    assert "Reverted to previous version" in admin_client.get(history_url(post)).content.decode()


def test_restoring_renders_the_body_again(admin_client, post_with_history):
    """A version stores the HTML of its day; the restored post gets today's rendering."""
    post = post_with_history
    first_version = Version.objects.get_for_object(post).last()
    stored = json.loads(first_version.serialized_data)
    stored[0]["fields"]["body_html"] = "<p>stale rendering</p>"
    first_version.serialized_data = json.dumps(stored)
    first_version.save()

    data = displayed_form_data(admin_client.get(revision_url(post, first_version)))
    admin_client.post(revision_url(post, first_version), data)

    post.refresh_from_db()
    assert post.body_html == "<p>First <em>body</em>.</p>\n"


def test_restoring_after_a_tag_was_merged_away_brings_the_tag_back(admin_client, post_with_history):
    post = post_with_history
    first_version = Version.objects.get_for_object(post).last()
    merge_tags(target=Tag.objects.get(name="gamma"), others=[Tag.objects.get(name="alpha")])
    assert not Tag.objects.filter(name="alpha").exists()

    data = displayed_form_data(admin_client.get(revision_url(post, first_version)))
    response = admin_client.post(revision_url(post, first_version), data)

    assert response.status_code == 302
    assert sorted(Post.objects.get(pk=post.pk).tags.names()) == ["alpha", "beta"]


def test_a_save_over_someone_else_s_newer_save_is_refused(admin_client, post_with_history):
    post = post_with_history
    mine = displayed_form_data(admin_client.get(change_url(post)))
    assert 'name="loaded_at"' in admin_client.get(change_url(post)).content.decode()
    # Someone else saves a new title after the form was opened.
    edit(admin_client, post, title="Their title")

    mine["excerpt"] = "My excerpt."
    response = admin_client.post(change_url(post), mine)

    assert response.status_code == 200
    assert "Someone saved this post after you opened it" in response.content.decode()
    post.refresh_from_db()
    assert (post.title, post.excerpt) == ("Their title", "")


def restore_first_version(client, post):
    first_version = Version.objects.get_for_object(post).last()
    data = displayed_form_data(client.get(revision_url(post, first_version)))
    assert client.post(revision_url(post, first_version), data).status_code == 302


def test_restoring_a_post_leaves_a_tag_it_shares_with_other_posts(admin_client, post_with_history):
    from tests.factories import PostFactory

    other = PostFactory(title="Other")
    other.tags.add("gamma")  # the restored post had no gamma then, and has it now

    restore_first_version(admin_client, post_with_history)

    assert sorted(Post.objects.get(pk=post_with_history.pk).tags.names()) == ["alpha", "beta"]
    assert list(Post.objects.get(pk=other.pk).tags.names()) == ["gamma"]


def test_restoring_a_post_keeps_the_current_names_of_its_tags(admin_client, post_with_history):
    Tag.objects.filter(name="beta").update(name="Beta, renamed")

    restore_first_version(admin_client, post_with_history)

    assert sorted(Post.objects.get(pk=post_with_history.pk).tags.names()) == [
        "Beta, renamed",
        "alpha",
    ]


def test_restoring_a_post_keeps_its_import_bookkeeping(admin_client, post_with_history):
    now = {"source_path": "_posts/x.md", "source_hash": "abc", "synced_state": {"title": "h"}}
    Post.objects.filter(pk=post_with_history.pk).update(**now)

    restore_first_version(admin_client, post_with_history)

    post = Post.objects.get(pk=post_with_history.pk)
    assert post.title == "First title"
    assert (post.source_path, post.source_hash, post.synced_state) == tuple(now.values())


def test_bulk_action_keeps_one_version_per_post(admin_client):
    from tests.factories import PostFactory

    first = PostFactory(status=Post.Status.DRAFT)
    second = PostFactory(status=Post.Status.DRAFT)

    admin_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "publish_posts", "_selected_action": [first.pk, second.pk]},
    )

    for post in (first, second):
        versions = Version.objects.get_for_object(post)
        # Before the action (the post had no version) and after it.
        assert [v.revision.get_comment() for v in versions] == [
            "Published (bulk action).",
            "Before its first change in the admin",
        ]
        # Restoring one post must not touch the other: each revision holds one post.
        for version in versions:
            assert version.revision.version_set.filter(content_type__model="post").count() == 1


def test_saving_from_a_browser_without_changes_says_nothing_changed(admin_client):
    from tests.factories import PostFactory

    post = PostFactory(body="# Title\n\nText.\n", excerpt="Short\nexcerpt")
    data = displayed_form_data(admin_client.get(change_url(post)))
    # Browsers send textareas with CRLF line endings.
    data.update(body="# Title\r\n\r\nText.\r\n", excerpt="Short\r\nexcerpt")

    admin_client.post(change_url(post), data)

    assert Version.objects.get_for_object(post).first().revision.get_comment() == (
        "No fields changed."
    )


def test_publishing_buttons_are_named_in_the_history(admin_client):
    from tests.factories import PostFactory

    post = PostFactory(status=Post.Status.DRAFT, published_at=None)
    data = displayed_form_data(admin_client.get(change_url(post)))

    admin_client.post(change_url(post), {**data, "_publish_now": "Publish now"})
    admin_client.post(
        change_url(post),
        {**displayed_form_data(admin_client.get(change_url(post))), "_unpublish": "Unpublish"},
    )

    comments = [version.revision.get_comment() for version in Version.objects.get_for_object(post)]
    assert comments == [
        "Changed Status.",
        "Changed Status and Publication date.",
        "Before its first change in the admin",
    ]


def test_a_deleted_post_is_recovered_from_its_last_version(admin_client, post_with_history):
    post = post_with_history
    version = Version.objects.get_for_object(post).first()
    post_id = post.pk
    post.delete()

    recover_url = reverse("admin:posts_post_recover", args=[version.pk])
    page = admin_client.get(recover_url)
    assert page.status_code == 200
    assert "previewlink" not in page.content.decode()  # nothing stored to preview yet

    data = displayed_form_data(page)
    assert admin_client.post(recover_url, data).status_code == 302
    assert Post.objects.get(pk=post_id).title == version.field_dict["title"]


def recover_after(client, post, deleted_since) -> Post:
    """Delete `post`, then what `deleted_since` deletes; recover the post in the admin."""
    version = Version.objects.get_for_object(post).first()
    post_id = post.pk
    post.delete()
    deleted_since()

    recover_url = reverse("admin:posts_post_recover", args=[version.pk])
    page = client.get(recover_url)
    assert page.status_code == 200
    assert client.post(recover_url, displayed_form_data(page)).status_code == 302
    return Post.objects.get(pk=post_id)


def test_a_deleted_post_is_recovered_without_an_author_deleted_since(
    admin_client, post_with_history
):
    recovered = recover_after(
        admin_client, post_with_history, Author.objects.get(name="Zed").delete
    )

    assert [author.name for author in recovered.ordered_authors] == ["Amy"]


def test_restoring_a_version_after_its_author_was_deleted_keeps_the_others(
    admin_client, post_with_history
):
    post = post_with_history
    first = Version.objects.get_for_object(post).last()
    Author.objects.get(name="Amy").delete()

    page = admin_client.get(revision_url(post, first))
    assert page.status_code == 200
    assert (
        admin_client.post(revision_url(post, first), displayed_form_data(page)).status_code == 302
    )

    post.refresh_from_db()
    assert post.title == "First title"
    assert [author.name for author in post.ordered_authors] == ["Zed"]


def test_a_deleted_post_whose_slug_was_taken_since_is_recovered_under_a_free_one(
    admin_client, post_with_history
):
    post = post_with_history
    version = Version.objects.get_for_object(post).first()
    post_id, slug = post.pk, post.slug
    post.delete()
    Post.objects.create(title="Newcomer", slug=slug, body="Took the slug.")

    recover_url = reverse("admin:posts_post_recover", args=[version.pk])
    page = admin_client.get(recover_url)
    assert page.status_code == 200
    data = displayed_form_data(page)
    assert data["slug"] == f"{slug}-2"  # shown in the form, to keep or change

    assert admin_client.post(recover_url, data).status_code == 302
    recovered = Post.objects.get(pk=post_id)
    assert (recovered.title, recovered.slug) == (version.field_dict["title"], f"{slug}-2")
    assert Post.objects.get(slug=slug).title == "Newcomer"


def test_restoring_a_version_whose_slug_another_post_took_keeps_both(
    admin_client, post_with_history
):
    post = post_with_history
    old_slug = post.slug
    edit(admin_client, post, slug="renamed")
    Post.objects.create(title="Newcomer", slug=old_slug, body="Took the old slug.")

    restore_first_version(admin_client, post)

    post.refresh_from_db()
    assert (post.title, post.slug) == ("First title", f"{old_slug}-2")
    assert Post.objects.get(slug=old_slug).title == "Newcomer"


def test_restoring_after_its_category_was_deleted_leaves_the_category_out(
    admin_client, post_with_history
):
    # Before: a 500 on the category's foreign key.
    post = post_with_history
    Category.objects.get(name="News").delete()  # the first version's category

    restore_first_version(admin_client, post)

    post.refresh_from_db()
    assert post.title == "First title"
    assert list(post.categories.all()) == []


def test_a_deleted_post_is_recovered_without_a_category_deleted_since(
    admin_client, post_with_history
):
    recovered = recover_after(
        admin_client, post_with_history, Category.objects.get(name="Essays").delete
    )

    assert list(recovered.categories.all()) == []


def test_restoring_after_a_merged_away_tags_name_was_reused_links_the_new_tag(
    admin_client, post_with_history
):
    # Before: "Could not save alpha version - missing dependency" (the unique slug).
    post = post_with_history
    merge_tags(target=Tag.objects.get(name="gamma"), others=[Tag.objects.get(name="alpha")])
    newcomer = PostFactory(tags=["alpha"]).tags.get()

    restore_first_version(admin_client, post)

    post.refresh_from_db()
    assert sorted(post.tags.names()) == ["alpha", "beta"]
    assert post.tags.get(name="alpha").pk == newcomer.pk
    assert Tag.objects.filter(name="alpha").count() == 1


IMPORTED = "---\ntitle: Imported title\ndate: 2024-01-02\ntags: [kept]\n---\nImported body.\n"


@pytest.fixture
def imported_post(tmp_path):
    from posts.markdown_io.importer import import_folder

    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts/2024-01-02-imported.md").write_text(IMPORTED)
    import_folder(tmp_path)
    return Post.objects.get()


def test_an_imported_post_s_first_edit_keeps_the_imported_state_to_restore(
    admin_client, imported_post
):
    # The importer writes no versions: the state as imported was lost at the first edit.
    post = imported_post
    edit(admin_client, post, title="Edited title", tags="other")

    versions = list(Version.objects.get_for_object(post))
    assert [v.revision.get_comment() for v in versions] == [
        "Changed Title and Tags.",
        "As imported from _posts/2024-01-02-imported.md, before its first change in the admin",
    ]
    page = admin_client.get(revision_url(post, versions[1]))
    assert (
        admin_client.post(revision_url(post, versions[1]), displayed_form_data(page)).status_code
        == 302
    )
    post.refresh_from_db()
    assert (post.title, list(post.tags.names())) == ("Imported title", ["kept"])


@pytest.mark.parametrize("how", ["delete page", "bulk delete"])
def test_an_imported_post_deleted_before_any_edit_can_be_recovered(
    admin_client, imported_post, how
):
    post_id = imported_post.pk
    if how == "delete page":
        url = reverse("admin:posts_post_delete", args=[post_id])
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    else:
        admin_client.post(
            reverse("admin:posts_post_changelist"),
            {"action": "delete_selected", "_selected_action": [post_id], "post": "yes"},
        )
    assert not Post.objects.filter(pk=post_id).exists()

    [version] = Version.objects.get_deleted(Post)
    assert version.revision.get_comment() == (
        "As imported from _posts/2024-01-02-imported.md, before it was deleted"
    )
    recover_url = reverse("admin:posts_post_recover", args=[version.pk])
    page = admin_client.get(recover_url)
    assert admin_client.post(recover_url, displayed_form_data(page)).status_code == 302
    post = Post.objects.get(pk=post_id)
    assert (post.title, list(post.tags.names())) == ("Imported title", ["kept"])
