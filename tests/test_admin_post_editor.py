"""The post form of the admin: saving, front matter, publishing buttons, preview, tags."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from posts.models import Post, Tag, TaggedPost
from tests.admin_forms import form_data
from tests.factories import AuthorFactory, CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ADD_URL = reverse("admin:posts_post_add")
PREVIEW_URL = reverse("admin:posts_post_preview")
SUGGEST_URL = reverse("admin:posts_post_tag_suggestions")


def change_url(post: Post) -> str:
    return reverse("admin:posts_post_change", args=[post.pk])


def with_authors(data: dict, authors: list[tuple[int, int]]) -> dict:
    """Inline rows (author id, position) for a new post."""
    data = dict(data)
    data["post_authors-TOTAL_FORMS"] = str(len(authors))
    for index, (author_id, position) in enumerate(authors):
        data[f"post_authors-{index}-author"] = str(author_id)
        data[f"post_authors-{index}-position"] = str(position)
    return data


def test_new_post_with_cjk_title_gets_a_cjk_slug_and_rendered_body(admin_client):
    response = admin_client.post(
        ADD_URL, form_data(title="老楊到處說：香港的新聞", body="# 標題\n\n內文")
    )

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.slug == "老楊到處說香港的新聞"
    assert post.status == Post.Status.DRAFT
    assert '<h1 id="標題">標題</h1>' in post.body_html


def test_authors_keep_the_order_given_and_positions_are_renumbered(admin_client):
    zed, amy, bob = (AuthorFactory(name=name) for name in ["Zed", "Amy", "Bob"])

    admin_client.post(ADD_URL, with_authors(form_data(), [(zed.pk, 5), (amy.pk, 9), (bob.pk, 7)]))

    post = Post.objects.get()
    assert post.ordered_authors == [zed, bob, amy]
    assert list(post.post_authors.values_list("position", flat=True)) == [0, 1, 2]


def test_an_author_someone_else_added_meanwhile_is_a_form_error_not_a_500(admin_client):
    post = PostFactory(title="Shared")
    alice = AuthorFactory(name="Alice Author")
    # Two editors opened the form with no author; the first one has saved Alice since.
    post.post_authors.create(author=alice, position=0)

    response = admin_client.post(
        change_url(post), with_authors(form_data(title="Shared"), [(alice.pk, 0)])
    )

    assert response.status_code == 200
    assert "was added to this post meanwhile" in response.content.decode()
    assert post.post_authors.count() == 1


def test_categories_and_tags_are_saved(admin_client):
    news = CategoryFactory(name="News")

    admin_client.post(ADD_URL, form_data(categories=[news.pk], tags='django, "hong kong", 日本語'))

    post = Post.objects.get()
    assert list(post.categories.all()) == [news]
    assert sorted(post.tags.names()) == ["django", "hong kong", "日本語"]


def test_front_matter_json_keeps_key_order(admin_client):
    meta_text = '{"zeta": 1, "layout": "post", "nested": {"b": [1, 2], "a": null}}'

    admin_client.post(ADD_URL, form_data(meta=meta_text))

    post = Post.objects.get()
    post.refresh_from_db()
    assert list(post.meta) == ["zeta", "layout", "nested"]
    assert list(post.meta["nested"]) == ["b", "a"]


def test_front_matter_is_shown_as_indented_json_in_its_order(admin_client):
    post = PostFactory(meta={"zeta": 1, "alpha": "β"})

    html = admin_client.get(change_url(post)).content.decode()

    assert "{\n  &quot;zeta&quot;: 1,\n  &quot;alpha&quot;: &quot;β&quot;\n}" in html


def test_invalid_front_matter_is_a_clear_error_and_changes_nothing(admin_client):
    post = PostFactory(title="Before", meta={"layout": "post"})

    response = admin_client.post(
        change_url(post), form_data(title="After", meta='{"layout": "post",\n  "oops" 1}')
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["meta"]
    assert errors == [
        "Extra front matter is not valid JSON: Expecting ':' delimiter (line 2, column 10). "
        "Nothing was saved."
    ]
    post.refresh_from_db()
    assert post.title == "Before"
    assert post.meta == {"layout": "post"}


def test_extra_front_matter_refuses_keys_that_have_a_field_and_changes_nothing(admin_client):
    # Saved, `draft: true` showed in the API beside "status": "published", and the post's
    # export was refused as not importing back the same.
    post = PostFactory(title="Before", meta={"layout": "post", "cover": "old.png"})
    meta = '{"layout": "post", "cover": "old.png", "Draft": true, "tags": ["x"]}'

    response = admin_client.post(change_url(post), form_data(title="After", meta=meta))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["meta"] == [
        "“Draft”, “tags” have a field of their own on this page: set them there, not in the "
        "extra front matter. Nothing was saved."
    ]
    post.refresh_from_db()
    assert (post.title, post.meta) == ("Before", {"layout": "post", "cover": "old.png"})
    # A key the post's meta held already (its file's second image key) may stay.
    kept = admin_client.post(
        change_url(post), form_data(title="After", meta='{"cover": "new.png"}')
    )
    assert kept.status_code == 302
    post.refresh_from_db()
    assert post.meta == {"cover": "new.png"}


@pytest.mark.parametrize(
    ("meta", "says"),
    [
        ('{"a": NaN}', "holds NaN"),
        ('{"a": -Infinity}', "holds -Infinity"),
        ('{"a": 1e999}', "holds 1e999"),
        ('{"a": "\\ud800"}', "lone UTF-16 surrogate"),
        ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        # Read, but deeper than the form's indented JSON could be shown again.
        ('{"a": ' + "[" * 450 + "]" * 450 + "}", "nested too deeply"),
        ('{"a": ' + "[" * 64 + "]" * 64 + "}", "nested too deeply (more than 64 levels)"),
        # json.loads keeps the last one silently: the first value was lost.
        ('{"a": 1, "b": {"c": 1, "c": 2}}', "gives the key “c” twice"),
    ],
)
def test_front_matter_no_database_can_store_is_a_form_error_not_a_500(admin_client, meta, says):
    post = PostFactory(title="Before", meta={"layout": "post"})

    response = admin_client.post(change_url(post), form_data(title="After", meta=meta))

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["meta"]
    assert says in error
    post.refresh_from_db()
    assert (post.title, post.meta) == ("Before", {"layout": "post"})


def test_front_matter_must_be_an_object(admin_client):
    response = admin_client.post(ADD_URL, form_data(meta='["a", "b"]'))

    assert response.status_code == 200
    assert (
        "must be a JSON object of keys and values"
        in (response.context["adminform"].form.errors["meta"][0])
    )
    assert not Post.objects.exists()


def test_empty_front_matter_is_an_empty_object(admin_client):
    admin_client.post(ADD_URL, form_data(meta=""))

    assert Post.objects.get().meta == {}


@time_machine.travel(NOW, tick=False)
def test_publish_now_publishes_a_draft_immediately(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)

    admin_client.post(change_url(post), form_data(title=post.title, _publish_now="Publish now"))

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at == NOW
    assert post.display_status == "published"


@time_machine.travel(NOW, tick=False)
def test_publish_now_keeps_an_earlier_publication_date(admin_client):
    earlier = dt.datetime(2015, 5, 4, 10, 0, tzinfo=dt.UTC)
    post = PostFactory(status=Post.Status.DRAFT, published_at=earlier)

    admin_client.post(
        change_url(post),
        form_data(
            title=post.title,
            published_at_0="2015-05-04",
            published_at_1="10:00:00",
            _publish_now="Publish now",
        ),
    )

    post.refresh_from_db()
    assert (post.status, post.published_at) == (Post.Status.PUBLISHED, earlier)


@time_machine.travel(NOW, tick=False)
def test_schedule_needs_a_future_date(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)

    response = admin_client.post(
        change_url(post),
        form_data(
            title=post.title,
            published_at_0="2026-02-01",
            published_at_1="08:00:00",
            _schedule="Schedule",
        ),
    )

    assert response.context["adminform"].form.errors["published_at"] == [
        "To schedule the post, set a publication date in the future."
    ]
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


@time_machine.travel(NOW, tick=False)
def test_schedule_with_a_future_date_shows_when_it_goes_live(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)

    admin_client.post(
        change_url(post),
        form_data(
            title=post.title,
            published_at_0="2026-03-04",
            published_at_1="09:30:00",
            _schedule="Schedule",
        ),
    )

    post.refresh_from_db()
    assert post.display_status == "scheduled"
    assert not Post.objects.published().exists()
    html = admin_client.get(change_url(post)).content.decode()
    assert "Goes live on March 4, 2026, 9:30 a.m. (in 2\xa0days, 21\xa0hours)." in html


@time_machine.travel(NOW, tick=False)
def test_unpublish_makes_a_live_post_a_draft(admin_client):
    post = PostFactory()

    admin_client.post(
        change_url(post), form_data(title=post.title, status="published", _unpublish="Unpublish")
    )

    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert not Post.objects.published().exists()


def test_source_file_is_shown_read_only(admin_client):
    post = PostFactory(source_path="_posts/2015-05-04-hello.md", source_hash="ab" * 32)

    response = admin_client.get(change_url(post))
    html = response.content.decode()

    assert "_posts/2015-05-04-hello.md" in html
    assert 'name="source_path"' not in html
    admin_client.post(change_url(post), form_data(title=post.title, source_path="evil.md"))
    post.refresh_from_db()
    assert post.source_path == "_posts/2015-05-04-hello.md"


# The preview endpoint ------------------------------------------------------------------


def test_preview_renders_the_same_sanitised_html_as_saving(admin_client):
    body = "# Hello\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) **bold**"

    response = admin_client.post(PREVIEW_URL, {"body": body, "excerpt": ""})

    assert response.status_code == 200
    assert response.json()["html"] == PostFactory(body=body).body_html
    assert "onerror" not in response.json()["html"]
    assert 'href="javascript' not in response.json()["html"]
    assert response.json()["reading_time"] == 1


def test_preview_refuses_get(admin_client):
    assert admin_client.get(PREVIEW_URL).status_code == 405


def test_preview_needs_a_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    assert client.post(PREVIEW_URL, {"body": "x"}).status_code == 403


def test_preview_needs_a_staff_login(client):
    response = client.post(PREVIEW_URL, {"body": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_preview_refuses_staff_without_post_permissions(client):
    user = User.objects.create_user("visitor", password="x", is_staff=True)
    client.force_login(user)

    assert client.post(PREVIEW_URL, {"body": "x"}).status_code == 403


# Tag suggestions -----------------------------------------------------------------------


def test_tag_suggestions_match_anywhere_most_used_first(admin_client):
    PostFactory(tags=["javascript", "java"])
    PostFactory(tags=["javascript"])
    PostFactory(tags=["python"])

    response = admin_client.get(SUGGEST_URL, {"q": "JAV"})

    assert response.json() == {"tags": ["javascript", "java"]}
    assert admin_client.get(SUGGEST_URL, {"q": ""}).json() == {"tags": []}


def test_tag_input_carries_its_suggestion_list(admin_client):
    html = admin_client.get(ADD_URL).content.decode()

    assert 'list="id_tags_suggestions"' in html
    assert '<datalist id="id_tags_suggestions"></datalist>' in html
    assert f'data-suggest-url="{SUGGEST_URL}"' in html


def test_editor_assets_are_served_by_the_project_not_a_cdn(admin_client):
    html = admin_client.get(ADD_URL).content.decode()

    assert "/static/posts/admin/markdown_preview.js" in html
    assert "/static/posts/admin/editor.css" in html
    assert "https://" not in "".join(
        line for line in html.splitlines() if "<script" in line or "stylesheet" in line
    )
    assert json.dumps(PREVIEW_URL)[1:-1] in html


def test_saving_unchanged_text_from_a_browser_keeps_lf_line_endings(admin_client):
    post = PostFactory(body="# Title\n\nFirst.\n\nSecond.\n", excerpt="One\ntwo")

    # Browsers send textareas with CRLF line endings.
    admin_client.post(
        change_url(post),
        form_data(
            title=post.title,
            body="# Title\r\n\r\nFirst.\r\n\r\nSecond.\r\n",
            excerpt="One\r\ntwo",
        ),
    )

    post.refresh_from_db()
    assert post.body == "# Title\n\nFirst.\n\nSecond.\n"
    assert post.excerpt == "One\ntwo"


def test_a_body_with_crlf_from_its_file_keeps_crlf(admin_client):
    post = PostFactory(body="Windows\r\nfile\r\n")

    admin_client.post(
        change_url(post), form_data(title=post.title, body="Windows\r\nfile\r\nmore\r\n")
    )

    post.refresh_from_db()
    assert post.body == "Windows\r\nfile\r\nmore\r\n"


def test_saving_unchanged_text_with_mixed_line_endings_keeps_each_line_s(admin_client):
    # A file with both kinds: the browser sends CRLF everywhere, and an export after a
    # save with no edits rewrote the LF lines.
    post = PostFactory(body="line a\r\nline b\nline c\r\n", excerpt="One\ntwo\r\n")

    admin_client.post(
        change_url(post),
        form_data(
            title=post.title, body="line a\r\nline b\r\nline c\r\n", excerpt="One\r\ntwo\r\n"
        ),
    )

    post.refresh_from_db()
    assert post.body == "line a\r\nline b\nline c\r\n"
    assert post.excerpt == "One\ntwo\r\n"


def test_a_draft_offers_signed_preview_links_that_open_only_it(editor_client, client, settings):
    settings.CMS_PREVIEW_URL = "https://www.example.com/preview/{slug}/?token={token}"
    draft = PostFactory(title="Secret plans", slug="secret-plans", status=Post.Status.DRAFT)
    other = PostFactory(title="Other draft", slug="other-draft", status=Post.Status.DRAFT)

    page = editor_client.get(reverse("admin:posts_post_change", args=[draft.pk]))

    html = page.content.decode()
    api_link = re.search(r'href="([^"]+)" class="previewlink"', html).group(1)
    assert "Preview in the API" in html and "Preview on the site" in html
    assert "https://www.example.com/preview/secret-plans/?token=" in html
    # Anyone holding the link sees that draft, and the same token opens no other post.
    path = api_link.replace("http://testserver", "")
    client.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert response.json()["title"] == "Secret plans"
    token = path.split("preview=")[1]
    assert client.get(f"/api/v1/posts/{other.slug}/?preview={token}").status_code != 200


def test_a_published_post_offers_no_preview_link(editor_client):
    post = PostFactory(status=Post.Status.PUBLISHED)

    page = editor_client.get(reverse("admin:posts_post_change", args=[post.pk]))

    assert "previewlink" not in page.content.decode()


def test_a_tag_name_longer_than_a_tag_can_be_is_a_form_error(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, tags=["tea"])

    response = admin_client.post(
        change_url(post), form_data(title=post.title, tags="coffee, " + "y" * 300)
    )

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["tags"]
    assert error.startswith("A tag name has at most 255 characters; “yyyy")
    assert [tag.name for tag in Post.objects.get(pk=post.pk).tags.all()] == ["tea"]


@pytest.mark.parametrize(
    "names",
    [['say "hi" there', "tea"], ["machine learning"], ["x, y", '"quoted" start', "夜市 散步"]],
)
def test_saving_a_post_unchanged_keeps_every_tag_name(admin_client, names):
    from tests.admin_forms import displayed_form_data

    post = PostFactory(status=Post.Status.DRAFT, published_at=None, tags=names)
    shown = displayed_form_data(admin_client.get(change_url(post)))

    admin_client.post(change_url(post), {**shown, "_continue": "Save and continue editing"})

    assert sorted(tag.name for tag in Post.objects.get(pk=post.pk).tags.all()) == sorted(names)


def test_each_comma_separated_entry_is_one_tag(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)

    admin_client.post(
        change_url(post),
        form_data(title=post.title, tags='machine learning, python,, "a, b" , Python'),
    )

    assert sorted(tag.name for tag in post.tags.all()) == ["a, b", "machine learning", "python"]


def open_then_save(admin_client, post, meanwhile, **edits):
    """Open the post's form, let `meanwhile` happen, then save the form with `edits`."""
    from tests.admin_forms import displayed_form_data

    shown = displayed_form_data(admin_client.get(change_url(post)))
    meanwhile()
    response = admin_client.post(change_url(post), {**shown, **edits})
    assert response.status_code == 302, response.context["adminform"].form.errors
    return sorted(tag.name for tag in Post.objects.get(pk=post.pk).tags.all())


def test_a_tag_renamed_while_the_post_was_open_keeps_its_new_name(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, tags=["tea", "cofee"])

    def rename():
        Tag.objects.filter(name="cofee").update(name="coffee")

    assert open_then_save(admin_client, post, rename, title="Edited") == ["coffee", "tea"]
    assert not Tag.objects.filter(name="cofee").exists()
    # The editor did not touch the tags: the history says so.
    assert Version.objects.get_for_object(post).first().revision.get_comment() == "Changed Title."


def test_a_tag_deleted_or_merged_while_the_post_was_open_stays_so(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, tags=["tea", "cofee"])
    coffee = PostFactory(tags=["coffee"]).tags.get()

    def merge():
        TaggedPost.objects.filter(tag__name="cofee").update(tag=coffee)
        Tag.objects.filter(name="cofee").delete()

    assert open_then_save(admin_client, post, merge, title="Edited") == ["coffee", "tea"]
    assert not Tag.objects.filter(name="cofee").exists()


def test_the_editors_own_tag_changes_apply_over_a_rename_meanwhile(admin_client):
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, tags=["tea", "cofee", "x"])

    def rename():
        Tag.objects.filter(name="cofee").update(name="coffee")

    # Took `x` out, added `milk`; left `cofee` (renamed meanwhile) and `tea` as shown.
    tags = open_then_save(admin_client, post, rename, tags="tea, cofee, milk")

    assert tags == ["coffee", "milk", "tea"]


def test_a_post_imported_at_over_2_5_mb_can_be_previewed_and_saved(admin_client):
    # Django's default form limit (2.5 MB) refused it with a 400, and the edit was lost.
    body = "A line of a long imported post.\n" * 80_000  # 2.6 MB
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, body=body)

    preview = admin_client.post(PREVIEW_URL, {"body": body.replace("\n", "\r\n")})
    saved = admin_client.post(
        change_url(post),
        form_data(title=post.title, body=body.replace("\n", "\r\n"), excerpt="New"),
    )

    assert preview.status_code == 200
    assert saved.status_code == 302
    post.refresh_from_db()
    assert (post.excerpt, post.body) == ("New", body)


def test_saving_unchanged_keeps_an_imported_tag_holding_a_line_break(admin_client):
    from tests.admin_forms import displayed_form_data

    post = PostFactory(status=Post.Status.DRAFT, published_at=None, tags=["line\nbreak", "tea"])
    shown = displayed_form_data(admin_client.get(change_url(post)))
    # A browser drops line breaks from a one-line input's value.
    shown["tags"] = shown["tags"].replace("\n", "")

    admin_client.post(change_url(post), {**shown, "_continue": "Save and continue editing"})

    assert sorted(Post.objects.get(pk=post.pk).tags.names()) == ["line\nbreak", "tea"]
    assert not Tag.objects.filter(name="linebreak").exists()


def test_tags_typed_in_another_case_are_the_existing_tags(admin_client):
    PostFactory(tags=["Ärger", "Москва", "Straße"])
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)

    admin_client.post(
        change_url(post), form_data(title=post.title, tags="ärger, москва, STRASSE, new")
    )

    assert sorted(post.tags.names()) == sorted(["Ärger", "Москва", "Straße", "new"])
    assert Tag.objects.count() == 4


def test_an_author_deleted_while_the_post_was_open_is_a_visible_error(admin_client):
    from tests.admin_forms import displayed_form_data

    post = PostFactory(status=Post.Status.DRAFT, published_at=None)
    temp = AuthorFactory(name="Temp")
    post.set_authors([temp, AuthorFactory(name="Kept")])
    shown = displayed_form_data(admin_client.get(change_url(post)))
    temp.delete()

    response = admin_client.post(change_url(post), {**shown, "excerpt": "Edited"})

    assert response.status_code == 200
    assert "An author of this post was deleted meanwhile" in response.content.decode()
    post.refresh_from_db()
    assert post.excerpt != "Edited"


def test_add_form_prefilled_from_the_address_shows_the_date_and_time(admin_client):
    response = admin_client.get(ADD_URL + "?published_at=2024-05-06 07:08&title=Hello")

    assert response.status_code == 200
    assert 'value="2024-05-06"' in response.text
    assert 'value="07:08:00"' in response.text
    assert 'value="Hello"' in response.text


@pytest.mark.parametrize("query", ["published_at=notadate", "expires_at=2020-13-45"])
def test_add_form_prefilled_with_a_bad_date_leaves_it_empty_not_a_500(admin_client, query):
    response = admin_client.get(ADD_URL + "?" + query + "&title=Hello")

    assert response.status_code == 200
    assert 'value="Hello"' in response.text
    assert "notadate" not in response.text and "2020-13-45" not in response.text


def test_a_new_post_with_a_taken_title_gets_a_free_slug_from_the_prefilled_one(admin_client):
    # The page fills in the slug from the title: a second "Weekly update" could not be
    # saved until the editor cleared the box.
    PostFactory(title="Weekly update", slug="weekly-update")

    response = admin_client.post(ADD_URL, form_data(title="Weekly update", slug="weekly-update"))

    assert response.status_code == 302
    assert Post.objects.filter(title="Weekly update").count() == 2
    assert Post.objects.filter(slug="weekly-update-2").exists()
    # A slug typed by hand that another post has stays an error.
    typed = admin_client.post(ADD_URL, form_data(title="Other", slug="weekly-update"))
    assert typed.status_code == 200
    assert "already exists" in str(typed.context["adminform"].form.errors["slug"])


@pytest.mark.parametrize(
    ("zone", "field", "day", "time"),
    [
        ("America/New_York", "expires_at", "9999-12-31", "23:00:00"),  # "never expires"
        ("America/New_York", "published_at", "9999-12-31", "23:00:00"),
        ("Asia/Tokyo", "published_at", "0001-01-01", "00:00:00"),
    ],
)
def test_a_date_at_the_calendar_s_ends_is_a_form_error_not_a_500(
    admin_client, settings, zone, field, day, time
):
    # In UTC these are years 10000 and 0: saving them (or showing them in the site's
    # zone later) raised OverflowError.
    settings.TIME_ZONE = zone

    response = admin_client.post(
        ADD_URL, form_data(title="Far", **{f"{field}_0": day, f"{field}_1": time})
    )

    assert response.status_code == 200
    assert "Give a date from 0001-01-02 to 9999-12-30" in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "meta", ['{"headless": true}', '{"build": {"render": "never"}}', '{"permalink": false}']
)
@pytest.mark.parametrize("how", [{"_publish_now": "Publish now"}, {"status": "published"}])
def test_a_post_the_site_builds_no_page_of_cannot_be_published(admin_client, meta, how):
    # A Hugo headless bundle published here was served by the API, a page the site lacks.
    post = PostFactory(status=Post.Status.DRAFT, meta=json.loads(meta))

    response = admin_client.post(
        change_url(post), form_data(title=post.title, slug=post.slug, meta=meta, **how)
    )

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["meta"]
    assert error.startswith("The site builds no page of this post")
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_the_publish_action_leaves_posts_the_site_builds_no_page_of_as_drafts(admin_client):
    hidden = PostFactory(status=Post.Status.DRAFT, meta={"headless": True})
    shown = PostFactory(status=Post.Status.DRAFT)

    response = admin_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "publish_posts", "_selected_action": [hidden.pk, shown.pk], "index": "0"},
    )

    page = admin_client.get(response["Location"]).content.decode()
    assert "1 post(s) stay drafts: their extra front matter says the site builds no page" in page
    assert list(Post.objects.filter(status=Post.Status.PUBLISHED)) == [shown]
    # Left as it was, so no version of it "before its first change" either.
    assert not Version.objects.get_for_object(hidden).exists()


@pytest.mark.parametrize("field", ["feature_image", "canonical_url"])
@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x"]
)
def test_an_address_the_api_would_not_serve_is_a_form_error(admin_client, field, value):
    # The API blanks it (posts.rendering.safe_url); saved silently, the editor never knew.
    response = admin_client.post(ADD_URL, form_data(**{field: value}))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors[field]
    assert error.startswith("Use an http(s) address or one relative to the site")
    assert not Post.objects.exists()


@pytest.mark.parametrize("value", ["https://example.com/a.png", "/images/a.png", "cover.svg"])
def test_http_and_relative_addresses_are_saved(admin_client, value):
    admin_client.post(ADD_URL, form_data(feature_image=value, canonical_url=value))

    post = Post.objects.get()
    assert (post.feature_image, post.canonical_url) == (value, value)
