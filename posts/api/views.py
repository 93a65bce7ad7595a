"""Read-only API views: posts, authors, categories, tags.

Visibility: every queryset starts from `Post.objects.published()` unless an authenticated
staff user or API-token client asks for `?status=draft|scheduled|expired|all`, or a preview
token opens one post. Taxonomy entries without a published post are hidden, so a tag used
only on a draft does not reveal its name.

Queries: a fixed number per request whatever the page size: the content state (usually
kept by the process, posts.api.content_state; it also counts the unfiltered list), a count
for a filtered list, the page of posts (only the columns its fields read) and one query
for all their authors, categories and tags (posts.api.relations).

Caching: `as_view()` marks every view with posts.api.caching.cached_view, which
posts.api.middleware applies (validators, Cache-Control, response cache, throttling).
Requests with credentials or a preview token reach the view, which answers conditional
requests after authentication.
"""

from django.db import router
from django.db.models import Count
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import (
    MethodNotAllowed,
    NotAuthenticated,
    PermissionDenied,
    ValidationError,
)
from rest_framework.permissions import SAFE_METHODS

from posts.api import serializers
from posts.api.caching import (
    cached_view,
    content_state,
    precondition_response,
    validators_for,
)
from posts.api.filters import PostFilter
from posts.api.pagination import PagePagination
from posts.api.post_list import (
    PostListQuery,
    PostPages,
    columns_for,
    find_post,
    listing_copy_kept,
)
from posts.api.relations import attach_relations
from posts.models import Author, Category, Post, PostListingCopy, Tag
from posts.preview import PreviewTokenError, read_preview_token

STATUS_CHOICES = ("published", "draft", "scheduled", "expired", "all")


class NotModified(Exception):
    """Raised after authentication to answer a conditional request with 304."""

    def __init__(self, response):
        self.response = response


class WritesRefusedFirst:
    """A write is a 405 before authentication runs: with an admin session cookie it was a
    CSRF 403, as if a token could make it work. The API has no write path."""

    def initial(self, request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class ReadOnlyViewSet(WritesRefusedFirst, viewsets.ReadOnlyModelViewSet):
    """What every API view shares: slugs, strict pagination, sparse fields, caching."""

    lookup_field = "slug"
    # Any Unicode slug, percent-encoded in the URL; no NUL, which no database column holds.
    lookup_value_regex = r"[^/\x00]+"
    pagination_class = PagePagination
    # Anonymous throttling runs in the cache layer so cached responses count too.
    throttle_classes = []
    list_fields: tuple[str, ...] = ()
    detail_fields: tuple[str, ...] = ()
    accepts_preview = False

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        return cached_view(super().as_view(actions, **initkwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # writes refused first
        if "preview" in request.query_params and not (
            self.accepts_preview and self.action == "retrieve"
        ):
            raise ValidationError({"preview": ["Only accepted on /api/v1/posts/{slug}/."]})
        self.shown_fields = self.parse_fields()
        django_request = request._request
        if getattr(django_request, "cache_scope", None) == "private":
            # The cache layer answered public conditional requests already; here the
            # client is known, so private ones can be answered before any serialising,
            # once it may still see what it holds (a preview link expires, staff leave).
            self.check_access()
            user = request.user
            scope = f"private:{user.pk if user.is_authenticated else '-'}"
            validators = validators_for(django_request, self.state, scope)
            django_request.private_validators = validators
            early = precondition_response(django_request, validators)
            if early is not None:
                raise NotModified(early)

    def check_access(self) -> None:
        """Raise the 401/403 the view would, before a 304 tells the client its copy holds."""

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return exc.response
        return super().handle_exception(exc)

    @property
    def state(self):
        """The content state this request is answered from (read once, by the cache layer)."""
        django_request = self.request._request
        if not hasattr(django_request, "content_state"):
            django_request.content_state = content_state()
        return django_request.content_state

    def parse_fields(self) -> tuple[str, ...]:
        """`?fields=slug,title`: exactly those keys, any detail field allowed on lists."""
        default = self.list_fields if self.action == "list" else self.detail_fields
        raw = self.request.query_params.get("fields") or ""
        names = {name.strip() for name in raw.split(",") if name.strip()}
        if not names:  # absent, empty or only commas, as in `?fields=,`
            return default
        unknown = sorted(names - set(self.detail_fields))
        if unknown:
            shown = ", ".join(repr(name[:50]) for name in unknown[:5])
            raise ValidationError(
                {
                    "fields": [
                        f"Unknown field {shown}. Choose from: {', '.join(self.detail_fields)}."
                    ]
                }
            )
        return tuple(name for name in self.detail_fields if name in names)

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("fields", self.shown_fields)
        return super().get_serializer(*args, **kwargs)


def fields_parameter(names) -> OpenApiParameter:
    """`?fields=`: a comma-separated list of these field names (an unknown one is a 400)."""
    return OpenApiParameter(
        "fields",
        {"type": "array", "items": {"type": "string", "enum": list(names)}},
        style="form",
        explode=False,
        description="Comma-separated field names: return only these keys.",
    )


ERRORS = {
    304: OpenApiResponse(description="Not modified (If-None-Match / If-Modified-Since)."),
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="A bad parameter; the body is keyed by its name."
    ),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such object, or page."),
}
STATUS_PARAMETER = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=STATUS_CHOICES,
    description=(
        "`published` (default, anyone); `draft`, `scheduled`, `expired` or `all` need a staff "
        "session or an API token (`Authorization: Token <key>`)."
    ),
)
# The filters whose schema comes from an extend_schema_field override, which drops their
# help text from the schema: given again here, from the filters themselves.
FILTER_PARAMETERS = [
    OpenApiParameter(
        name, OpenApiTypes.STR, description=PostFilter.base_filters[name].extra["help_text"]
    )
    for name in ("tag", "category", "author", "published_after", "published_before")
]
AUTH_ERRORS = {
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="Unpublished posts need credentials."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Not allowed, or a bad preview token."),
}


@extend_schema_view(
    list=extend_schema(
        summary="List published posts",
        description=(
            "Newest first. Each result has the summary fields ("
            + ", ".join(serializers.LIST_FIELDS)
            + ") unless `fields` names others; any detail field may be named."
        ),
        parameters=[
            fields_parameter(serializers.DETAIL_FIELDS),
            STATUS_PARAMETER,
            *FILTER_PARAMETERS,
        ],
        responses={200: serializers.PostSerializer(many=True), **ERRORS, **AUTH_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One post by slug",
        description="Every field, including body_markdown, body_html, meta and canonical_url.",
        parameters=[
            fields_parameter(serializers.DETAIL_FIELDS),
            STATUS_PARAMETER,
            OpenApiParameter(
                "preview",
                OpenApiTypes.STR,
                description="A signed preview token from the admin: shows that one post "
                "whatever its status, until the token expires.",
            ),
        ],
        responses={200: serializers.PostSerializer, **ERRORS, **AUTH_ERRORS},
    ),
)
class PostViewSet(ReadOnlyViewSet):
    serializer_class = serializers.PostSerializer
    # For the schema's parameters; list_query() validates and applies the filters itself.
    filter_backends = [DjangoFilterBackend]
    filterset_class = PostFilter
    list_fields = serializers.LIST_FIELDS
    detail_fields = serializers.DETAIL_FIELDS
    accepts_preview = True
    queryset = Post.objects.none()  # for schema generation; list_query() builds the real one

    def requested_status(self) -> str:
        raw = self.request.query_params.get("status", "")
        if raw in ("", "published"):
            return "published"
        if raw not in STATUS_CHOICES:
            raise ValidationError({"status": [f"Choose one of: {', '.join(STATUS_CHOICES)}."]})
        user = self.request.user
        if not user.is_authenticated:
            raise NotAuthenticated({"status": [f"status={raw} needs credentials."]})
        token_client = isinstance(self.request.successful_authenticator, TokenAuthentication)
        if not (user.is_staff or token_client):
            raise PermissionDenied({"status": [f"status={raw} is for staff and API tokens."]})
        return raw

    def check_access(self) -> None:
        self.requested_status()
        if "preview" in self.request.query_params:
            self.preview_post_pk()

    def preview_post_pk(self) -> int:
        """The post the request's preview token opens; a 403 if it is forged or expired."""
        try:
            return read_preview_token(self.request.query_params["preview"])
        except PreviewTokenError as exc:
            raise PermissionDenied({"preview": [str(exc)]}) from exc

    def columns(self) -> tuple[str, ...]:
        """The columns the shown fields read (bodies are large: load them only if shown)."""
        return columns_for(self.shown_fields, serializers.POST_COLUMNS)

    def shape(self, queryset):
        return queryset.only(*self.columns())

    def list_query(self) -> PostListQuery:
        """What this list request asks for; invalid filter values are a 400 naming them."""
        status = self.requested_status()
        columns = self.columns()
        params = self.request.query_params
        if not set(params).intersection(PostFilter.base_filters):
            return PostListQuery(status, (), (), columns)
        cleaned = PostFilter.clean(params)
        filters = tuple(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in cleaned.items()
            if name != "ordering" and value not in (None, "", [])
        )
        return PostListQuery(status, filters, tuple(cleaned.get("ordering") or ()), columns)

    def list(self, request, *args, **kwargs):
        query, state = self.list_query(), self.state
        everything = query.status == "published" and not query.filters
        known_count = state.published_count if everything else None
        pages = PostPages(
            query,
            state.now,
            known_count=known_count,
            expired_posts=state.expired_posts,
        )
        posts = self.paginate_queryset(pages)
        attach_relations(posts, self.shown_fields)
        return self.get_paginated_response(serializers.represent_posts(posts, self.shown_fields))

    def get_object(self):
        slug = self.kwargs["slug"]
        if "preview" in self.request.query_params:
            post_pk = self.preview_post_pk()
            post = self.shape(Post.objects.filter(pk=post_pk, slug=slug)).first()
            if post is not None:
                attach_relations([post], self.shown_fields)
                return post
        query = PostListQuery(self.requested_status(), (), (), self.columns())
        post = find_post(query, self.state.now, slug)
        if post is None:
            raise Http404
        attach_relations([post], self.shown_fields)
        return post


class TaxonomyViewSet(ReadOnlyViewSet):
    """Authors, categories, tags: by name, with post_count of published posts; those with
    no published post are left out (a tag only drafts use would reveal them)."""

    # (relation from the model to its links, the link's post field); "" when the
    # relation leads to posts directly.
    relation: tuple[str, str] = ("", "")

    def get_queryset(self):
        relation, post = self.relation
        state = self.state
        now = state.now
        model = self.serializer_class.Meta.model
        # Filtering on the relation before annotating makes the join (and so the count)
        # hold published posts only, and leaves out rows without any. One GROUP BY pass:
        # about ten times faster than a correlated count per row.
        links = model._meta.get_field(relation).related_model
        using = router.db_for_read(model)
        if issubclass(links, PostListingCopy) and listing_copy_kept(
            using, expired_posts=state.expired_posts
        ):
            # The links' copy answers without reading any post: 0.4 ms, not 2.4 ms, for
            # the tags or the authors of 2,100 posts.
            visible = {
                f"{relation}__post_status": Post.Status.PUBLISHED,
                f"{relation}__post_published_at__lte": now,
            }
        else:
            posts = f"{relation}__{post}" if post else relation
            visible = {f"{posts}__in": Post.objects.published(now=now).values("pk")}
        return (
            model.objects.filter(**visible)
            .annotate(post_count=Count(relation))
            .order_by("name", "id")
        )

    def get_object(self):
        obj = self.get_queryset().filter(slug=self.kwargs["slug"]).first()
        if obj is None:
            raise Http404
        return obj


def _taxonomy_schema(serializer_class, noun: str, plural: str):
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural} with published posts",
            parameters=[fields_parameter(serializer_class.Meta.fields)],
            responses={200: serializer_class(many=True), **ERRORS},
        ),
        retrieve=extend_schema(
            summary=f"One {noun} by slug",
            parameters=[fields_parameter(serializer_class.Meta.fields)],
            responses={200: serializer_class, **ERRORS},
        ),
    )


@_taxonomy_schema(serializers.AuthorSerializer, "author", "authors")
class AuthorViewSet(TaxonomyViewSet):
    serializer_class = serializers.AuthorSerializer
    queryset = Author.objects.none()
    list_fields = detail_fields = serializers.AuthorSerializer.Meta.fields
    relation = ("post_authors", "post")


@_taxonomy_schema(serializers.CategorySerializer, "category", "categories")
class CategoryViewSet(TaxonomyViewSet):
    serializer_class = serializers.CategorySerializer
    queryset = Category.objects.none()
    list_fields = detail_fields = serializers.CategorySerializer.Meta.fields
    relation = ("posts", "")


@_taxonomy_schema(serializers.TagSerializer, "tag", "tags")
class TagViewSet(TaxonomyViewSet):
    serializer_class = serializers.TagSerializer
    queryset = Tag.objects.none()
    list_fields = detail_fields = serializers.TagSerializer.Meta.fields
    relation = ("tagged_posts", "content_object")
