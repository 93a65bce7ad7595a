"""The post list of the admin: columns, filters, search, query count."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from posts.models import Post
from tests.factories import AuthorFactory, CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
LIST_URL = reverse("admin:posts_post_changelist")


def listed_titles(response) -> list[str]:
    return [post.title for post in response.context["cl"].result_list]


def make_linked_posts(count: int, *, start: int = 0) -> list[Post]:
    """Posts with two authors, two categories and two tags each (every column has data)."""
    posts = []
    for index in range(start, start + count):
        posts.append(
            PostFactory(
                title=f"Linked post {index}",
                authors=[AuthorFactory(), AuthorFactory()],
                categories=[CategoryFactory(), CategoryFactory()],
                tags=[f"tag-{index}-a", f"tag-{index}-b"],
            )
        )
    return posts


@time_machine.travel(NOW, tick=False)
def test_list_shows_status_badges_dates_primary_author_categories_and_tags(admin_client):
    first, second = AuthorFactory(name="Zoë First"), AuthorFactory(name="Adam Second")
    PostFactory(
        title="Live one",
        authors=[first, second],
        categories=[CategoryFactory(name="Essays")],
        tags=["django", "日本語"],
    )
    PostFactory(title="Future one", published_at=NOW + dt.timedelta(days=2))
    PostFactory(title="Draft one", status=Post.Status.DRAFT, published_at=None)

    html = admin_client.get(LIST_URL).content.decode()

    assert '<span class="post-status post-status--published">Published</span>' in html
    assert '<span class="post-status post-status--scheduled">Scheduled</span>' in html
    assert '<span class="post-status post-status--draft">Draft</span>' in html
    assert "goes live March 3, 2026, noon" in html
    assert '<td class="field-primary_author">Zoë First</td>' in html
    assert '<td class="field-category_list">Essays</td>' in html
    assert '<td class="field-tag_list">django, 日本語</td>' in html


@time_machine.travel(NOW, tick=False)
def test_status_filter_separates_draft_scheduled_and_published(admin_client):
    PostFactory(title="Live")
    PostFactory(title="Later", published_at=NOW + dt.timedelta(hours=1))
    PostFactory(title="Unfinished", status=Post.Status.DRAFT)

    assert listed_titles(admin_client.get(LIST_URL, {"status": "draft"})) == ["Unfinished"]
    assert listed_titles(admin_client.get(LIST_URL, {"status": "scheduled"})) == ["Later"]
    assert listed_titles(admin_client.get(LIST_URL, {"status": "published"})) == ["Live"]


def test_category_author_and_tag_filters_combine_with_search(admin_client):
    """On PostgreSQL this would fail with DISTINCT on the json meta column if the
    many-to-many filters joined instead of using subqueries."""
    ada = AuthorFactory(name="Ada")
    news = CategoryFactory(name="News")
    wanted = PostFactory(
        title="Kettle review", authors=[ada, AuthorFactory()], categories=[news], tags=["tea"]
    )
    wanted.meta = {"layout": "post", "z": 1}
    wanted.save()
    PostFactory(title="Kettle history", authors=[ada], categories=[news], tags=["history"])
    PostFactory(title="Kettle elsewhere", categories=[news], tags=["tea"])
    PostFactory(title="Teapot review", authors=[ada], categories=[news], tags=["tea"])
    tea = wanted.tags.get()

    response = admin_client.get(
        LIST_URL,
        {"q": "kettle", "category": news.pk, "author": ada.pk, "tag": tea.pk},
    )

    assert response.status_code == 200
    assert listed_titles(response) == ["Kettle review"]


def test_search_looks_in_title_slug_and_body(admin_client):
    PostFactory(title="Alpha", slug="alpha")
    PostFactory(title="Beta", slug="beta-unusual-slug")
    PostFactory(title="Gamma", body="Somewhere in the body: marmalade.")

    def search(text):
        return listed_titles(admin_client.get(LIST_URL, {"q": text}))

    assert search("alpha") == ["Alpha"]
    assert search("unusual-slug") == ["Beta"]
    assert search("marmalade") == ["Gamma"]


@pytest.mark.parametrize("parameter", ["tag", "category", "author"])
@pytest.mark.parametrize("value", ["not-a-number", "¹", "٣", "99999999999999999999"])
def test_unknown_filter_values_show_no_posts_instead_of_failing(admin_client, parameter, value):
    post = PostFactory(tags=["tea"])
    post.categories.set([CategoryFactory()])
    post.set_authors([AuthorFactory()])

    response = admin_client.get(LIST_URL, {parameter: value})

    assert response.status_code == 200
    assert listed_titles(response) == []


@pytest.mark.parametrize("year", ["9999", "0", "99999"])
def test_a_year_the_date_drill_down_cannot_step_past_is_a_bad_filter_not_a_500(admin_client, year):
    PostFactory(title="Far", published_at=dt.datetime(9999, 12, 31, tzinfo=dt.UTC))

    response = admin_client.get(LIST_URL, {"published_at__year": year})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_date_hierarchy_narrows_to_a_year(admin_client):
    PostFactory(title="Old", published_at=dt.datetime(2015, 6, 1, tzinfo=dt.UTC))
    PostFactory(title="New", published_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))

    response = admin_client.get(LIST_URL, {"published_at__year": "2015"})

    assert listed_titles(response) == ["Old"]


def test_tag_filter_offers_a_tag_reached_from_the_tag_list_even_if_rarely_used(admin_client):
    for index in range(35):
        PostFactory(tags=[f"popular-{index}", "everywhere"])
    rare_post = PostFactory(tags=["rare"])
    rare = rare_post.tags.get()

    response = admin_client.get(LIST_URL, {"tag": rare.pk})

    assert listed_titles(response) == [rare_post.title]
    assert f'<li class="selected">\n    <a href="?tag={rare.pk}">rare</a></li>' in (
        response.content.decode()
    )


def test_list_query_count_does_not_grow_with_the_number_of_posts(
    admin_client, django_assert_num_queries
):
    make_linked_posts(2)
    # session, user, filter choices (categories, authors, tags), count, page of posts,
    # 3 prefetches (authors, categories, tags), date hierarchy (range, then days).
    expected = 12
    with django_assert_num_queries(expected):
        small = admin_client.get(LIST_URL)
    make_linked_posts(30, start=2)
    with django_assert_num_queries(expected):
        large = admin_client.get(LIST_URL)

    assert len(small.context["cl"].result_list) == 2
    assert len(large.context["cl"].result_list) == 32


def test_list_query_count_is_constant_when_filtering_and_searching(
    admin_client, django_assert_num_queries
):
    posts = make_linked_posts(5)
    category = posts[0].categories.first()
    params = {"q": "Linked", "category": category.pk, "status": "published"}

    # As above, less the date drill-down, which is left out while searching.
    with django_assert_num_queries(10):
        response = admin_client.get(LIST_URL, params)

    assert listed_titles(response) == [posts[0].title]
    make_linked_posts(10, start=5)
    with django_assert_num_queries(10):
        admin_client.get(LIST_URL, {"q": "Linked"})
