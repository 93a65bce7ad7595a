"""Editor and Author roles, enforced by the admin on the server."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from reversion.models import Version

from posts.models import Author, Post
from posts.roles import can_edit_any_post, can_publish
from tests.admin_forms import displayed_form_data
from tests.factories import AuthorFactory, PostFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:posts_post_changelist")
ADD_URL = reverse("admin:posts_post_add")


def change_url(post):
    return reverse("admin:posts_post_change", args=[post.pk])


def listed_titles(response):
    return sorted(post.title for post in response.context["cl"].result_list)


def test_migration_creates_editor_and_author_groups():
    editor = Group.objects.get(name="Editor")
    author = Group.objects.get(name="Author")

    editor_perms = set(editor.permissions.values_list("codename", flat=True))
    author_perms = set(author.permissions.values_list("codename", flat=True))
    assert {"publish_post", "change_any_post", "delete_post", "delete_tag"} <= editor_perms
    assert {"add_post", "change_post", "view_author", "view_category"} <= author_perms
    assert not {"publish_post", "change_any_post", "delete_post"} & author_perms


def test_roles_grant_what_they_say(editor_user, author_user):
    assert can_publish(editor_user) and can_edit_any_post(editor_user)
    assert not can_publish(author_user) and not can_edit_any_post(author_user)


def test_author_lists_only_their_own_posts(author_client, author_user):
    mine = Author.objects.get(user=author_user)
    PostFactory(title="Mine", authors=[mine])
    PostFactory(title="Co-written", authors=[AuthorFactory(), mine])
    PostFactory(title="Someone else's", authors=[AuthorFactory()])

    assert listed_titles(author_client.get(LIST_URL)) == ["Co-written", "Mine"]


def test_editor_lists_every_post(editor_client):
    PostFactory(title="One", authors=[AuthorFactory()])
    PostFactory(title="Two")

    assert listed_titles(editor_client.get(LIST_URL)) == ["One", "Two"]


def test_author_cannot_open_or_change_someone_elses_post(author_client):
    other = PostFactory(title="Not yours", status=Post.Status.DRAFT, authors=[AuthorFactory()])

    response = author_client.get(change_url(other))
    assert response.status_code == 302  # "doesn't exist", like any post out of reach

    author_client.post(change_url(other), {"title": "Hijacked", "status": "published"})
    other.refresh_from_db()
    assert other.title == "Not yours"
    assert other.status == Post.Status.DRAFT
    history = author_client.get(reverse("admin:posts_post_history", args=[other.pk]))
    assert history.status_code == 302


def test_authors_new_post_is_a_draft_of_theirs_even_if_they_ask_to_publish(
    author_client, author_user
):
    data = displayed_form_data(author_client.get(ADD_URL))
    data.update(title="My first post", body="Hello", status="published")

    response = author_client.post(ADD_URL, data)

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert post.ordered_authors == [Author.objects.get(user=author_user)]
    # ...and it stays theirs to edit.
    assert listed_titles(author_client.get(LIST_URL)) == ["My first post"]


def test_author_without_a_profile_edits_the_posts_they_created(client, roles):
    from django.contrib.auth.models import User

    user = User.objects.create_user("guest", password="x", is_staff=True)
    user.groups.add(roles["Author"])
    client.force_login(user)
    PostFactory(title="Not theirs")
    data = displayed_form_data(client.get(ADD_URL))
    data.update(title="Guest post")
    client.post(ADD_URL, data)

    assert listed_titles(client.get(LIST_URL)) == ["Guest post"]


def test_author_publish_buttons_are_refused_server_side(author_client, author_user):
    post = PostFactory(status=Post.Status.DRAFT, authors=[Author.objects.get(user=author_user)])
    page = author_client.get(change_url(post))
    assert 'name="_publish_now"' not in page.content.decode()
    data = displayed_form_data(page)

    response = author_client.post(change_url(post), {**data, "_publish_now": "Publish now"})

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Only an editor can publish, schedule or unpublish. Save your post as a draft."
    ]
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_author_editing_a_published_post_makes_it_a_draft_again(author_client, author_user):
    post = PostFactory(title="Live", authors=[Author.objects.get(user=author_user)])
    data = displayed_form_data(author_client.get(change_url(post)))

    response = author_client.post(change_url(post), {**data, "title": "Live, edited"}, follow=True)

    post.refresh_from_db()
    assert (post.title, post.status) == ("Live, edited", Post.Status.DRAFT)
    assert "Saved as a draft: an editor publishes it." in response.content.decode()


def test_author_has_no_publishing_bulk_actions_and_posting_one_does_nothing(
    author_client, author_user
):
    post = PostFactory(status=Post.Status.DRAFT, authors=[Author.objects.get(user=author_user)])

    page = author_client.get(LIST_URL).content.decode()
    assert 'value="publish_posts"' not in page
    assert 'value="unpublish_posts"' not in page
    assert 'value="add_tag"' in page

    author_client.post(LIST_URL, {"action": "publish_posts", "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_editor_publishes_anyones_post(editor_client):
    post = PostFactory(status=Post.Status.DRAFT, authors=[AuthorFactory()])
    data = displayed_form_data(editor_client.get(change_url(post)))

    editor_client.post(change_url(post), {**data, "_publish_now": "Publish now"})

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_author_cannot_restore_a_version_of_someone_elses_post(admin_client, author_client):
    other = PostFactory(title="Original", authors=[AuthorFactory()])
    data = displayed_form_data(admin_client.get(change_url(other)))
    admin_client.post(change_url(other), {**data, "title": "Edited by the editor"})
    version = Version.objects.get_for_object(other).last()
    revision_url = reverse("admin:posts_post_revision", args=[other.pk, version.pk])

    assert author_client.get(revision_url).status_code == 403
    assert author_client.post(revision_url, data).status_code == 403
    other.refresh_from_db()
    assert other.title == "Edited by the editor"


def test_only_editors_recover_deleted_posts(author_client):
    assert author_client.get(reverse("admin:posts_post_recoverlist")).status_code == 403


def test_author_cannot_merge_tags_or_edit_categories(author_client):
    PostFactory(tags=["a", "b"])

    tag_page = author_client.get(reverse("admin:posts_tag_changelist")).content.decode()
    assert "merge_selected_tags" not in tag_page
    assert author_client.get(reverse("admin:posts_category_add")).status_code == 403


def test_author_autocompletes_authors_for_the_inline(author_client):
    AuthorFactory(name="Zelda Fitzgerald")
    response = author_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Zel",
            "app_label": "posts",
            "model_name": "postauthor",
            "field_name": "author",
        },
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Zelda Fitzgerald"]


def test_author_bulk_tagging_a_published_post_makes_it_a_draft(author_client, author_user):
    post = PostFactory(
        published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        authors=[Author.objects.get(user=author_user)],
    )

    # Said before and after: the post goes offline until an editor publishes it again.
    asked = author_client.post(LIST_URL, {"action": "add_tag", "_selected_action": [post.pk]})
    assert "1 of them are published" in asked.content.decode()
    done = author_client.post(
        LIST_URL,
        {"action": "add_tag", "_selected_action": [post.pk], "apply": "1", "tag": "fresh"},
        follow=True,
    )

    post.refresh_from_db()
    assert post.tags.names()[0] == "fresh"
    assert post.status == Post.Status.DRAFT
    assert "1 of these post(s) were published" in done.content.decode()
