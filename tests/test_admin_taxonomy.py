"""Authors, categories and tags in the admin: post counts and stable slugs."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from posts.models import Author, Category, Tag
from tests.factories import AuthorFactory, CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_lists_show_post_counts_linking_to_the_filtered_post_list(admin_client):
    ada = AuthorFactory(name="Ada")
    news = CategoryFactory(name="News")
    PostFactory(authors=[ada], categories=[news], tags=["tea"])
    PostFactory(authors=[ada], tags=["tea"])
    tea = Tag.objects.get()

    authors = admin_client.get(reverse("admin:posts_author_changelist")).content.decode()
    categories = admin_client.get(reverse("admin:posts_category_changelist")).content.decode()
    tags = admin_client.get(reverse("admin:posts_tag_changelist")).content.decode()

    assert f'<a href="/admin/posts/post/?author={ada.pk}">2</a>' in authors
    assert f'<a href="/admin/posts/post/?category={news.pk}">1</a>' in categories
    assert f'<a href="/admin/posts/post/?tag={tea.pk}">2</a>' in tags


def test_taggit_default_tag_admin_is_hidden(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "/admin/taggit/" not in html
    assert "/admin/posts/tag/" in html


def rename(client, obj, admin_name, **extra):
    url = reverse(f"admin:posts_{admin_name}_change", args=[obj.pk])
    data = {"name": "Renamed thing", "slug": obj.slug, **extra}
    if admin_name == "category":
        data["description"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    return obj


def test_renaming_keeps_the_slug(admin_client):
    category = CategoryFactory(name="Old name")
    assert category.slug == "old-name"

    assert rename(admin_client, category, "category").slug == "old-name"


def test_renaming_makes_a_new_slug_only_when_asked(admin_client):
    PostFactory(tags=["舊名"])
    tag = Tag.objects.get()

    renamed = rename(admin_client, tag, "tag", new_slug_from_name="on")

    assert (renamed.name, renamed.slug) == ("Renamed thing", "renamed-thing")


def test_new_slug_from_name_stays_unique(admin_client):
    CategoryFactory(name="Renamed thing!")
    category = CategoryFactory(name="Other")

    assert rename(admin_client, category, "category", new_slug_from_name="on").slug == (
        "renamed-thing-2"
    )


def test_add_form_has_no_slug_checkbox(admin_client):
    html = admin_client.get(reverse("admin:posts_category_add")).content.decode()

    assert "new_slug_from_name" not in html
    assert Category.objects.count() == 0


@pytest.mark.parametrize("model", ["tag", "category", "author"])
def test_a_name_differing_from_anothers_only_in_case_is_refused(admin_client, model):
    # The importer and the Tags box take both for one name.
    PostFactory(tags=["Ærø"])
    CategoryFactory(name="Ærø")
    AuthorFactory(name="Ærø")
    data = {"name": "ærØ", "slug": "aero-2", "bio": "", "description": ""}

    response = admin_client.post(reverse(f"admin:posts_{model}_add"), data)

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["name"]
    assert "“Ærø” already has this name" in error
    names = {"tag": Tag, "category": Category, "author": Author}[model].objects.values_list(
        "name", flat=True
    )
    assert list(names) == ["Ærø"]


def test_an_editor_links_an_author_to_a_login_from_a_list_of_staff(editor_client, editor_user):
    # The raw-id picker opened the user admin, which editors may not see (a 403).
    get_user_model().objects.create_user("reader", password="x")  # not staff: cannot log in
    add_url = reverse("admin:posts_author_add")

    page = editor_client.get(add_url)
    choices = dict(page.context["adminform"].form.fields["user"].choices)

    assert editor_user.username in choices.values()
    assert "reader" not in choices.values()
    data = {"name": "Ada", "slug": "ada", "bio": "", "user": str(editor_user.pk)}
    assert editor_client.post(add_url, data).status_code == 302
    assert Author.objects.get(slug="ada").user == editor_user


def test_a_slug_with_vowel_signs_can_be_typed_and_a_slug_with_punctuation_cannot(admin_client):
    url = reverse("admin:posts_category_add")

    typed = admin_client.post(url, {"name": "समाचार", "slug": "हिन्दी-समाचार", "description": ""})
    refused = admin_client.post(url, {"name": "News", "slug": "news!", "description": ""})

    assert typed.status_code == 302
    assert Category.objects.get().slug == "हिन्दी-समाचार"
    assert refused.status_code == 200
    assert "Enter a valid slug" in refused.text
