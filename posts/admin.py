"""Admin for editors: every model with list columns, search and filters."""

from django.contrib import admin
from django.db.models import Count, Prefetch

from posts.models import Author, Category, Post, PostAuthor, Tag


class PostAuthorInline(admin.TabularInline):
    model = PostAuthor
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "authors (in order; the first is the primary author)"


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "status_label", "published_at", "primary_author", "updated_at"]
    list_filter = ["status", "categories", "published_at"]
    search_fields = ["title", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["categories"]
    inlines = [PostAuthorInline]
    readonly_fields = ["created_at", "updated_at", "source_path"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "excerpt"]}),
        ("Publishing", {"fields": ["status", "published_at", "modified_at"]}),
        ("Taxonomy", {"fields": ["categories", "tags"]}),
        ("Links and images", {"fields": ["feature_image", "canonical_url"]}),
        ("Extra front matter", {"fields": ["meta"], "classes": ["collapse"]}),
        ("Source", {"fields": ["source_path", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("post_authors", queryset=PostAuthor.objects.select_related("author"))
            )
        )

    @admin.display(description="status", ordering="status")
    def status_label(self, post: Post) -> str:
        return post.display_status

    @admin.display(description="primary author")
    def primary_author(self, post: Post) -> str:
        authors = post.ordered_authors
        return str(authors[0]) if authors else "—"


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts", distinct=True))

    @admin.display(description="posts", ordering="post_total")
    def post_count(self, author: Author) -> int:
        return author.post_total


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts", distinct=True))

    @admin.display(description="posts", ordering="post_total")
    def post_count(self, category: Category) -> int:
        return category.post_total


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(post_total=Count("tagged_posts", distinct=True))
        )

    @admin.display(description="posts", ordering="post_total")
    def post_count(self, tag: Tag) -> int:
        return tag.post_total
