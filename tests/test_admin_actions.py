"""Bulk actions on the post list, and merging tags and categories."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from posts.models import Category, Post, Tag
from tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
LIST_URL = reverse("admin:posts_post_changelist")


def run_action(client, action, posts, **extra):
    return client.post(
        LIST_URL, {"action": action, "_selected_action": [p.pk for p in posts], **extra}
    )


@time_machine.travel(NOW, tick=False)
def test_publish_action_publishes_drafts_and_schedules_future_ones(admin_client):
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    future = PostFactory(status=Post.Status.DRAFT, published_at=NOW + dt.timedelta(days=1))

    response = run_action(
        admin_client,
        "publish_posts",
        [draft, future],
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    future.refresh_from_db()
    assert (draft.display_status, draft.published_at) == ("published", NOW)
    assert future.display_status == "scheduled"


def test_unpublish_action_makes_posts_drafts(admin_client):
    live = PostFactory()

    run_action(admin_client, "unpublish_posts", [live])

    live.refresh_from_db()
    assert live.status == Post.Status.DRAFT


def test_add_tag_asks_for_the_tag_first_then_adds_it(admin_client):
    first = PostFactory(tags=["old"])
    second = PostFactory()

    page = run_action(admin_client, "add_tag", [first, second])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Add one tag to these posts:" in html
    assert first.title in html and second.title in html
    assert not Tag.objects.filter(name="Fresh").exists()

    response = run_action(admin_client, "add_tag", [first, second], apply="1", tag="Fresh")

    assert response.status_code == 302
    assert sorted(first.tags.names()) == ["Fresh", "old"]
    assert second.tags.names()[0] == "Fresh"


@pytest.mark.parametrize(
    ("existing", "typed"), [("Rails", "rails"), ("Ärger", "ärger"), ("Straße", "STRASSE")]
)
def test_add_tag_reuses_an_existing_tag_whatever_its_case(admin_client, existing, typed):
    # Non-ASCII too: the database's case-insensitive lookup folds ASCII only on SQLite.
    PostFactory(tags=[existing])
    post = PostFactory()

    run_action(admin_client, "add_tag", [post], apply="1", tag=typed)

    assert Tag.objects.count() == 1
    assert post.tags.names()[0] == existing


def test_add_tag_refuses_a_list_with_a_clear_error(admin_client):
    post = PostFactory()

    page = run_action(admin_client, "add_tag", [post], apply="1", tag="a, b")

    assert "Give one tag name (in double quotes if it holds a comma" in page.content.decode()
    assert not post.tags.exists()


def test_add_tag_takes_a_name_with_a_comma_in_double_quotes_as_the_tags_box_does(admin_client):
    PostFactory(tags=["a, b"])
    post = PostFactory()

    run_action(admin_client, "add_tag", [post], apply="1", tag='"A, B"')

    assert list(post.tags.names()) == ["a, b"]
    assert Tag.objects.count() == 1


def test_set_category_adds_or_replaces(admin_client):
    old, new = CategoryFactory(name="Old"), CategoryFactory(name="New")
    kept = PostFactory(categories=[old])
    replaced = PostFactory(categories=[old])

    page = run_action(admin_client, "set_category", [kept])
    assert "Put these posts in a category:" in page.content.decode()
    run_action(admin_client, "set_category", [kept], apply="1", category=new.pk, mode="add")
    run_action(admin_client, "set_category", [replaced], apply="1", category=new.pk, mode="replace")

    assert sorted(c.name for c in kept.categories.all()) == ["New", "Old"]
    assert [c.name for c in replaced.categories.all()] == ["New"]


def test_bulk_actions_bump_updated_at(admin_client):
    post = PostFactory()
    before = post.updated_at

    with time_machine.travel(before + dt.timedelta(hours=1), tick=False):
        run_action(admin_client, "add_tag", [post], apply="1", tag="x")

    post.refresh_from_db()
    assert post.updated_at == before + dt.timedelta(hours=1)


# Merging -------------------------------------------------------------------------------


def test_merging_tags_moves_every_post_to_the_kept_tag(admin_client):
    both = PostFactory(tags=["python", "Python3", "py"])
    only_alias = PostFactory(tags=["py"])
    untouched = PostFactory(tags=["rust"])
    keep = Tag.objects.get(name="python")
    merged = Tag.objects.filter(name__in=["python", "Python3", "py"])
    url = reverse("admin:posts_tag_changelist")
    selection = {"action": "merge_selected_tags", "_selected_action": [t.pk for t in merged]}

    confirm = admin_client.post(url, selection)
    assert "Merge these tags into one." in confirm.content.decode()
    assert Tag.objects.count() == 4  # nothing happens before the confirmation

    response = admin_client.post(url, {**selection, "apply": "1", "target": keep.pk})

    assert response.status_code == 302
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["python", "rust"]
    assert both.tags.names()[0] == "python" and both.tags.count() == 1
    assert list(only_alias.tags.names()) == ["python"]
    assert list(untouched.tags.names()) == ["rust"]


def test_merging_categories_updates_every_post(admin_client):
    news, updates, other = (CategoryFactory(name=n) for n in ["News", "Updates", "Other"])
    both = PostFactory(categories=[news, updates])
    alias = PostFactory(categories=[updates, other])
    url = reverse("admin:posts_category_changelist")

    admin_client.post(
        url,
        {
            "action": "merge_selected_categories",
            "_selected_action": [news.pk, updates.pk],
            "apply": "1",
            "target": news.pk,
        },
    )

    assert sorted(Category.objects.values_list("name", flat=True)) == ["News", "Other"]
    assert [c.name for c in both.categories.all()] == ["News"]
    assert sorted(c.name for c in alias.categories.all()) == ["News", "Other"]


def test_merging_needs_two_tags(admin_client):
    PostFactory(tags=["alone"])
    tag = Tag.objects.get()

    response = admin_client.post(
        reverse("admin:posts_tag_changelist"),
        {"action": "merge_selected_tags", "_selected_action": [tag.pk]},
        follow=True,
    )

    assert "Select at least two tags to merge." in response.content.decode()
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("selected", ["abc", "1" + "0" * 19, "١"])
@pytest.mark.parametrize("url", [LIST_URL, "/admin/posts/tag/"])
def test_a_hand_made_selection_that_names_no_ids_is_a_message_not_a_500(
    admin_client, selected, url
):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, tags=["t"])
    action = "publish_posts" if url == LIST_URL else "delete_selected"

    response = admin_client.post(url, {"action": action, "_selected_action": [selected]})

    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    assert "That selection names no items" in page.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_deleting_an_imported_post_says_the_next_import_brings_it_back(admin_client):
    # Its file stays in the folder: deleting is no takedown, unpublishing is.
    imported = PostFactory(source_path="_posts/2024-01-01-hello.md")
    made_here = PostFactory()

    page = admin_client.get(reverse("admin:posts_post_delete", args=[imported.pk]))
    plain = admin_client.get(reverse("admin:posts_post_delete", args=[made_here.pk]))
    bulk = run_action(admin_client, "delete_selected", [imported, made_here])

    assert "<code>_posts/2024-01-01-hello.md</code>. The next import" in page.content.decode()
    assert "next import" not in plain.content.decode()
    assert "come back with its next import" in bulk.content.decode()
    assert Post.objects.count() == 2  # only asked, nothing deleted


@pytest.mark.parametrize("select_across", [False, True])
def test_an_action_on_more_posts_than_it_may_change_is_refused_and_changes_none(
    admin_client, monkeypatch, select_across
):
    # 5,000 posts took 70 s, past a server's timeout, and were left half-published.
    monkeypatch.setattr("posts.admin.actions.MAX_ACTION_POSTS", 2)
    posts = [PostFactory(status=Post.Status.DRAFT, published_at=None) for _ in range(3)]
    extra = {"select_across": "1", "index": "0"} if select_across else {"index": "0"}

    response = run_action(
        admin_client, "publish_posts", posts[:1] if select_across else posts, **extra
    )

    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "An action changes at most 2 posts at a time, and 3 are selected" in page
    assert not Post.objects.filter(status=Post.Status.PUBLISHED).exists()
    run_action(admin_client, "publish_posts", posts[:2], index="0")
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() == 2


def test_a_bulk_action_is_all_or_nothing(admin_client, monkeypatch):
    first, second = (PostFactory(status=Post.Status.DRAFT, published_at=None) for _ in range(2))
    saves = []

    def fail_on_second(post, *args, **kwargs):
        saves.append(post.pk)
        if len(saves) == 2:
            raise RuntimeError("the request was cut short")
        return original(post, *args, **kwargs)

    original = Post.save
    monkeypatch.setattr(Post, "save", fail_on_second)

    with pytest.raises(RuntimeError):
        run_action(admin_client, "publish_posts", [first, second], index="0")

    first.refresh_from_db()
    assert first.status == Post.Status.DRAFT  # not left published while second was not
