"""The post editor: list, form with live preview, publishing, revisions and roles."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from reversion.admin import VersionAdmin

from posts.admin import actions, import_zip, views
from posts.admin.filters import AuthorFilter, CategoryFilter, StatusFilter, TagFilter
from posts.admin.forms import (
    MarkdownEditor,
    MarkdownTextField,
    PostAdminForm,
    TagSuggestWidget,
)
from posts.models import Post, PostAuthor, PostRevision
from posts.preview import make_preview_token, preview_url
from posts.roles import can_edit_any_post, can_publish, editable_posts
from posts.slugs import SLUG_PREFILL_JS
from posts.versioning import BEFORE_FIRST_CHANGE, keep_first_versions

# Columns the list never shows: deferring them keeps a page of a 30,000-post table light.
LIST_DEFERRED_FIELDS = ["body", "body_html", "excerpt", "plain_excerpt", "meta"]

# Read-only provenance: what an editor can use (where the file is, how it is encoded, when
# it was last imported or exported, which duplicate files it stands for); the hashes and
# the raw front matter the importer keeps for itself stay out of the form.
SOURCE_FIELDS = [
    "source_path",
    "source_format",
    "source_encoding",
    "source_newline",
    "synced_at",
    "duplicate_sources",
]


def source_fields() -> list[str]:
    return list(SOURCE_FIELDS)


class PostChangeList(ChangeList):
    """The post list's queryset: heavy columns deferred, every column's relations prefetched."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The date drill-down runs two more queries over the filtered posts; with a body
        # search each is a full scan of every body (seconds at 30,000 posts on
        # PostgreSQL, see bench/admin_changelist.py), so it is left out while searching.
        if self.query:
            self.date_hierarchy = None

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            # Django's date drill-down steps to the next year, past 9999 for
            # ?published_at__year=9999: the admin's "bad filter" answer, not a 500.
            raise IncorrectLookupParameters(exc) from exc

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer(*LIST_DEFERRED_FIELDS)
            .prefetch_related(
                Prefetch("post_authors", queryset=PostAuthor.objects.select_related("author")),
                "categories",
                "tags",
            )
        )


class PostAuthorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """An author someone else added to the post since this form was opened is a form
        error: the database's unique (post, author) would otherwise refuse the save with
        a server error. The formset itself only compares the rows it holds."""
        super().clean()
        if self.instance.pk is None:
            return
        if any("id" in form.errors for form in self.initial_forms):
            # A row's id names no row: its author was deleted meanwhile (with its links).
            # Its error sat on a hidden field, and the editor saw no reason at all.
            raise forms.ValidationError(
                "An author of this post was deleted meanwhile, probably by someone else. "
                "Your changes are not saved: copy them, reload the page to see the post as it "
                "is now, and make them again.",
                code="author_gone",
            )
        own_rows = [form.instance.pk for form in self.initial_forms if form.instance.pk]
        # One query for the post's rows this form does not hold, not one per row.
        added_meanwhile = set(
            PostAuthor.objects.filter(post=self.instance)
            .exclude(pk__in=own_rows)
            .values_list("author_id", flat=True)
        )
        for form in self.forms:
            author = getattr(form, "cleaned_data", {}).get("author")
            if author is None or self._should_delete_form(form):
                continue
            if author.pk in added_meanwhile:
                form.add_error(
                    "author",
                    f"{author} was added to this post meanwhile, probably by someone else. "
                    "Reload the page to see the post as it is now.",
                )


class PostAuthorInline(admin.TabularInline):
    model = PostAuthor
    formset = PostAuthorFormSet
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "authors (in order: the lowest position is the primary author)"


def status_badge(post: Post) -> str:
    status = post.display_status
    label = {
        "draft": "Draft",
        "scheduled": "Scheduled",
        "published": "Published",
        "expired": "Expired",
    }[status]
    return format_html('<span class="post-status post-status--{}">{}</span>', status, label)


def preview_links(request, obj: Post | None) -> list[tuple[str, str]]:
    """Signed links that show a post nobody else can see yet: in the API, on the front end."""
    # The stored post: a form sent back with errors holds unsaved values, and a deleted
    # post being recovered from its history has no row at all.
    post = Post.objects.filter(pk=obj.pk).first() if obj is not None and obj.pk else None
    if post is None or post.is_published:
        return []
    token = make_preview_token(post)
    api_url = reverse("api:post-detail", kwargs={"slug": post.slug})
    links = [
        (
            "Preview in the API",
            request.build_absolute_uri(f"{api_url}?{urlencode({'preview': token})}"),
        )
    ]
    if settings.CMS_PREVIEW_URL:
        links.append(
            (
                "Preview on the site",
                preview_url(post, token),
            )
        )
    return links


@admin.register(Post)
class PostAdmin(actions.CheckedSelection, VersionAdmin):
    change_list_template = "admin/posts/post/change_list.html"
    form = PostAdminForm
    list_display = [
        "title",
        "status_column",
        "published_at",
        "primary_author",
        "category_list",
        "tag_list",
    ]
    list_display_links = ["title"]
    list_filter = [StatusFilter, CategoryFilter, AuthorFilter, TagFilter]
    search_fields = ["title", "slug", "body"]
    search_help_text = "Searches the title, the slug and the text of the body."
    date_hierarchy = "published_at"
    list_per_page = 50
    # Counting a 30,000-row table on every page is wasted work: show "Show all" instead.
    show_full_result_count = False
    # Facet counts cost one aggregate per filter choice (1.6 s at 30,000 posts, see
    # bench/admin_changelist.py); the author, category and tag lists show post counts.
    show_facets = admin.ShowFacets.NEVER
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["categories"]
    inlines = [PostAuthorInline]
    actions = [
        actions.publish_posts,
        actions.unpublish_posts,
        actions.add_tag,
        actions.set_category,
    ]
    history_latest_first = True
    # The public page belongs to a separate front end; a preview link goes in the
    # change form's object tools (templates/admin/posts/post/change_form.html).
    view_on_site = False

    class Media:
        css = {"all": ["posts/admin/editor.css"]}
        js = SLUG_PREFILL_JS

    # Permissions ------------------------------------------------------------------------

    def get_queryset(self, request):
        return editable_posts(super().get_queryset(request), request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_edit_any_post(request.user):
            return True
        return editable_posts(Post.objects.filter(pk=obj.pk), request.user).exists()

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        if obj is None or can_edit_any_post(request.user):
            return True
        return editable_posts(Post.objects.filter(pk=obj.pk), request.user).exists()

    def has_publish_permission(self, request):
        """For `@admin.action(permissions=["publish"])`."""
        return can_publish(request.user)

    # The form ---------------------------------------------------------------------------

    def get_changeform_initial_data(self, request):
        """`/add/?published_at=...` prefills the form; Django passes the text on as it is,
        which the date and time widgets cannot show (a 500). Read such values as the
        field reads them; one that is not a date and time is left out, as if not given."""
        initial = super().get_changeform_initial_data(request)
        for name in ("published_at", "expires_at", "modified_at"):
            if isinstance(initial.get(name), str):
                try:
                    initial[name] = Post._meta.get_field(name).to_python(initial[name])
                except ValidationError:
                    del initial[name]
        return initial

    def get_fieldsets(self, request, obj=None):
        return [
            ("Content", {"fields": ["title", "slug", "body", "excerpt", "loaded_at"]}),
            (
                "Publishing",
                {
                    "fields": [
                        "publication",
                        "status",
                        "published_at",
                        "expires_at",
                        "modified_at",
                    ],
                    "description": (
                        "Published with a future date means scheduled: the post goes live "
                        "by itself at that time. With an expiry date it leaves by itself too."
                    ),
                },
            ),
            ("Taxonomy", {"fields": ["categories", "tags", "tags_loaded"]}),
            ("Links and images", {"fields": ["feature_image", "canonical_url"]}),
            ("Extra front matter", {"fields": ["meta"]}),
            (
                "Source",
                {
                    "fields": [*source_fields(), "created_at", "updated_at"],
                    "classes": ["collapse"],
                    "description": "Where the post came from; set by the importer.",
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["publication", *source_fields(), "created_at", "updated_at"]
        if not can_publish(request.user):
            readonly += ["status", "published_at", "expires_at"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.can_publish = can_publish(request.user)
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        site = self.admin_site.name
        if db_field.name in ("body", "excerpt"):
            kwargs["form_class"] = MarkdownTextField
        if db_field.name == "body":
            kwargs["widget"] = MarkdownEditor(
                preview_url=reverse(f"{site}:posts_post_preview"),
                attrs={"class": "vLargeTextField markdown-source"},
            )
        elif db_field.name == "excerpt":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})
        elif db_field.name == "tags":
            kwargs["widget"] = TagSuggestWidget(
                suggest_url=reverse(f"{site}:posts_post_tag_suggestions"),
                attrs={"class": "vTextField"},
            )
            kwargs["help_text"] = (
                "Comma-separated: each entry is one tag, spaces included. Existing tags are "
                "suggested as you type; new ones are created."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            can_publish=can_publish(request.user),
            post_status=obj.display_status if obj is not None else "draft",
            preview_links=preview_links(request, obj),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Saving -----------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Before VersionAdmin opens the revision of this change (see keep_first_versions).
        if request.method == "POST":
            post = self.get_object(request, unquote(object_id))
            if post is not None and self.has_change_permission(request, post):
                keep_first_versions([post.pk], user=request.user, before=BEFORE_FIRST_CHANGE)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_model(self, request, obj):
        keep_first_versions([obj.pk], user=request.user, before="it was deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        keep_first_versions(pks, user=request.user, before="it was deleted")
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        if not can_publish(request.user) and obj.status != Post.Status.DRAFT:
            obj.status = Post.Status.DRAFT
            self.message_user(
                request,
                "Saved as a draft: an editor publishes it. (Your changes to a published "
                "post take it offline until then.)",
                messages.WARNING,
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        post = form.instance
        # Positions as typed may have gaps or ties: store them as 0, 1, 2... in that order.
        for position, link in enumerate(post.post_authors.order_by("position", "id")):
            if link.position != position:
                link.position = position
                link.save(update_fields=["position"])
        # An Author's new post is theirs: their profile joins the authors if it is missing.
        profile = getattr(request.user, "author_profile", None)
        if not change and profile is not None and not can_edit_any_post(request.user):
            if not post.post_authors.filter(author=profile).exists():
                PostAuthor.objects.create(
                    post=post, author=profile, position=post.post_authors.count()
                )

    # Columns and read-only fields -------------------------------------------------------

    @admin.display(description="status", ordering="status")
    def status_column(self, post: Post) -> str:
        if post.is_scheduled:
            return format_html(
                "{}<br><small>goes live {}</small>",
                status_badge(post),
                date_format(timezone.localtime(post.published_at), "DATETIME_FORMAT"),
            )
        return status_badge(post)

    @admin.display(description="primary author")
    def primary_author(self, post: Post) -> str:
        authors = post.ordered_authors
        return str(authors[0]) if authors else "—"

    @admin.display(description="categories")
    def category_list(self, post: Post) -> str:
        return ", ".join(category.name for category in post.categories.all()) or "—"

    @admin.display(description="tags")
    def tag_list(self, post: Post) -> str:
        # Sorted here: taggit's prefetch query has no ORDER BY (and .order_by() would query).
        return ", ".join(sorted((tag.name for tag in post.tags.all()), key=str.casefold)) or "—"

    @admin.display(description="now")
    def publication(self, post: Post) -> str:
        if post.status == Post.Status.DRAFT:
            return format_html("{} Not visible to readers.", status_badge(post))
        when = date_format(timezone.localtime(post.published_at), "DATETIME_FORMAT")
        if post.is_expired:
            return format_html(
                "{} Not visible to readers since {} ({} ago).",
                status_badge(post),
                date_format(timezone.localtime(post.expires_at), "DATETIME_FORMAT"),
                timesince(post.expires_at),
            )
        if post.is_scheduled:
            return format_html(
                "{} Goes live on {} (in {}).",
                status_badge(post),
                when,
                timeuntil(post.published_at),
            )
        return format_html(
            "{} Live since {} ({} ago).", status_badge(post), when, timesince(post.published_at)
        )

    # URLs and views ---------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "preview/",
                wrap(lambda request: views.markdown_preview(self, request)),
                name="posts_post_preview",
            ),
            path(
                "import/",
                wrap(lambda request: import_zip.import_zip_view(self, request)),
                name="posts_post_import",
            ),
            path(
                "tag-suggestions/",
                wrap(lambda request: views.tag_suggestions(self, request)),
                name="posts_post_tag_suggestions",
            ),
            *super().get_urls(),
        ]

    def get_changelist(self, request, **kwargs):
        return PostChangeList

    def changelist_view(self, request, extra_context=None):
        # Not VersionAdmin's: it wraps the list in one revision, so a bulk action would put
        # every post it touches in a single version (see posts/admin/actions.py).
        context = {
            # reversion's list template shows "Recover deleted posts" with this.
            "has_change_permission": self.has_delete_permission(request),
            **(extra_context or {}),
        }
        return admin.ModelAdmin.changelist_view(self, request, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # reversion reverts first and asks the form view second; check the current post
        # first, or an Author could roll back a post they cannot see.
        post = self.get_object(request, unquote(object_id))
        if post is None or not self.has_change_permission(request, post):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        # Reversion restores with `version.revision.revert(delete=True)`; ours touches only
        # the posts and their own links (posts.versioning.revert_posts).
        version.revision = PostRevision.objects.get(pk=version.revision_id)
        return super()._reversion_revisionform_view(request, version, template_name, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # Recovering brings back a deleted post whoever wrote it: an Editor's job.
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)
