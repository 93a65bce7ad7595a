"""Filters of the post list.

The many-to-many filters (category, author, tag) filter on `pk__in` subqueries instead of
joins: no duplicate rows, so Django adds no DISTINCT, which PostgreSQL cannot apply to the
`json` meta column; and no join fan-out on a large table.
"""

from django.contrib import admin
from django.db.models import Count

from posts.models import Author, Category, Post, PostAuthor, Tag, TaggedPost

# The tag filter lists the most used tags; any tag's posts are one click away from the
# post count in the tag list (which links here with ?tag=<id>).
TAG_FILTER_LIMIT = 30


class StatusFilter(admin.SimpleListFilter):
    """Draft, scheduled (published with a future date), published (live now) or expired
    (published, past its expiry date)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.drafts()
            case "scheduled":
                return queryset.scheduled()
            case "published":
                return queryset.published()
            case "expired":
                return queryset.expired()
        return queryset


class _RelatedIdFilter(admin.SimpleListFilter):
    """`?<parameter>=<id>`: posts linked to that row through `links` (a subquery)."""

    def selected_id(self) -> int | None:
        """The id asked for; None for anything that cannot be one (`¹`, 20 digits)."""
        value = self.value()
        if not value or not value.isascii() or not value.isdigit() or len(value) > 18:
            return None
        return int(value)

    def links(self, selected_id: int):
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        selected_id = self.selected_id()
        if selected_id is None:
            return queryset.none()
        return queryset.filter(pk__in=self.links(selected_id))


class CategoryFilter(_RelatedIdFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Category.objects.values_list("pk", "name")]

    def links(self, selected_id):
        return Post.categories.through.objects.filter(category_id=selected_id).values("post_id")


class AuthorFilter(_RelatedIdFilter):
    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Author.objects.values_list("pk", "name")]

    def links(self, selected_id):
        return PostAuthor.objects.filter(author_id=selected_id).values("post_id")


class TagFilter(_RelatedIdFilter):
    title = f"tag (the {TAG_FILTER_LIMIT} most used)"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        top = (
            Tag.objects.annotate(uses=Count("tagged_posts"))
            .order_by("-uses", "name")
            .values_list("pk", "name")[:TAG_FILTER_LIMIT]
        )
        choices = [(str(pk), name) for pk, name in top]
        selected_id = self.selected_id()
        # A tag reached from the tag list may not be among the most used: still show it.
        if selected_id is not None and str(selected_id) not in dict(choices):
            choices += [
                (str(pk), name)
                for pk, name in Tag.objects.filter(pk=selected_id).values_list("pk", "name")
            ]
        return choices

    def links(self, selected_id):
        return TaggedPost.objects.filter(tag_id=selected_id).values("content_object_id")
