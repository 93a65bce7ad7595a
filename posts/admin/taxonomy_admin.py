"""Authors, categories and tags: lists with post counts, merging, slugs that stay put.

A post count links to the post list filtered on that author, category or tag.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from posts.admin import actions
from posts.admin.forms import RenameSlugForm
from posts.models import Author, Category, Tag
from posts.slugs import SLUG_PREFILL_JS, unique_slug


class StableSlugAdmin(actions.CheckedSelection, admin.ModelAdmin):
    """Slug made from the name when adding; on a rename it changes only if asked.

    (Django's prepopulated slug only fills in on the add form, so typing a new name on the
    change form leaves the slug alone.)
    """

    form = RenameSlugForm
    list_per_page = 100
    # Explicit: the post-count annotation (GROUP BY) drops the model's default ordering,
    # and pagination (lists, autocomplete) needs a stable order.
    ordering = ["name", "id"]
    # The filter parameter of the post list (posts/admin/filters.py) for this model.
    post_filter = ""

    class Media:
        js = SLUG_PREFILL_JS

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "new_slug_from_name"]
        if obj is not None:
            fields.insert(fields.index("slug") + 1, "new_slug_from_name")
        return fields

    def save_model(self, request, obj, form, change):
        if change and form.cleaned_data.get("new_slug_from_name"):
            obj.slug = unique_slug(
                type(obj), obj.name, fallback=type(obj)._meta.model_name, exclude_pk=obj.pk
            )
        super().save_model(request, obj, form, change)

    @admin.display(description="posts", ordering="post_total")
    def post_count(self, obj) -> str:
        url = reverse("admin:posts_post_changelist") + f"?{self.post_filter}={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.post_total)


@admin.register(Author)
class AuthorAdmin(StableSlugAdmin):
    list_display = ["name", "slug", "user", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    post_filter = "author"
    # `example.com` typed as a website is https://example.com (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # The logins that can use the admin, as a plain list. A raw id's picker opened
            # the user admin, which Editors may not see (403); the list needs no such right.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("post_authors"))


@admin.register(Category)
class CategoryAdmin(StableSlugAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = [actions.merge_selected_categories]
    post_filter = "category"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts"))


@admin.register(Tag)
class TagAdmin(StableSlugAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = [actions.merge_selected_tags]
    post_filter = "tag"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("tagged_posts"))
