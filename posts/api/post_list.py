"""The post list's two queries, a count and a page, compiled once per request shape.

A `PostListQuery` is everything a list request asks for (status, filter values, ordering,
columns) except the moment it is answered at. It is hashable: the SQL of its count and of
each of its pages is compiled once (posts.api.compiled) and run with the request's "now",
which an uncached list otherwise spends most of its time building. The ORM and the
filters of posts.api.filters still write that SQL.

`PostPages` is what Django's Paginator needs from it: `count()`, and slices of `PostRow`s.
The count of the unfiltered list comes with the content state. One tag's or one author's
published posts by publication time (perhaps between dates) are counted and paged from
the links' copy of their posts' status and time (`listing_links`), then read by id. Any
other filtered list of up to IDS_FIRST_MAX posts reads its ordered ids once and a page's
rows by id; other lists run a count and a page query.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Count, QuerySet, Subquery, Value

from posts.api.compiled import MAX_SHAPES, SAMPLE_MOMENTS, CompiledQuery, prepare_moment
from posts.api.filters import DEFAULT_ORDERING, PostFilter, SlugsFilter
from posts.api.id_lists import id_slots, ids_filter, prepare_ids, sample_ids
from posts.models import Post, PostListingCopy, display_status, public_url

# Model field order: columns are selected in it, so a shape does not depend on the order
# fields were asked for in.
FIELD_ORDER = {field.attname: index for index, field in enumerate(Post._meta.concrete_fields)}


@dataclass(frozen=True)
class PostListQuery:
    status: str  # published, scheduled, draft, expired or all
    # (filter name, cleaned value) for each filter given, in PostFilter's order.
    filters: tuple[tuple[str, Hashable], ...]
    ordering: tuple[str, ...]  # as ?ordering= gives it; () is the default
    columns: tuple[str, ...]  # in model field order

    def queryset(self, now: dt.datetime) -> QuerySet:
        if self.status == "published":
            queryset = Post.objects.published(now=now)
        elif self.status == "scheduled":
            queryset = Post.objects.scheduled(now=now)
        elif self.status == "draft":
            queryset = Post.objects.drafts()
        elif self.status == "expired":
            queryset = Post.objects.expired(now=now)
        else:
            queryset = Post.objects.all()
        for name, value in self.filters:
            value = list(value) if isinstance(value, tuple) else value
            queryset = PostFilter.base_filters[name].filter(queryset, value)
        if self.ordering:
            return PostFilter.base_filters["ordering"].filter(queryset, list(self.ordering))
        return queryset.order_by(*DEFAULT_ORDERING)

    @property
    def uses_now(self) -> bool:
        return self.status in ("published", "scheduled", "expired")

    @property
    def is_listing(self) -> bool:
        """Whether `listing_links` can give this list: one tag's or one author's published
        posts, by publication time, perhaps between dates."""
        if self.status != "published" or self.ordering not in LISTING_ORDERINGS:
            return False
        relations = [
            value
            for name, value in self.filters
            if copies_post_state(PostFilter.base_filters[name])
        ]
        others = [name for name, _ in self.filters if name not in LISTING_BOUNDS]
        return len(others) == len(relations) == 1 and len(relations[0]) == 1


def copies_post_state(query_filter) -> bool:
    """Whether a filter's links hold a copy of their post's status and time."""
    return isinstance(query_filter, SlugsFilter) and issubclass(
        query_filter.link_model, PostListingCopy
    )


def listing_copy_kept(using: str, *, expired_posts: bool) -> bool:
    """Whether the links' copy says which posts readers see: the database's triggers keep
    it (migration 0013: SQLite and PostgreSQL; elsewhere the columns exist but nothing
    fills them), and no published post has passed its expiry date (the copy holds no
    expiry date: where one has, lists check each post)."""
    return not expired_posts and connections[using].vendor in ("sqlite", "postgresql")


# Filters a listing applies to the copy, and the orderings it gives (True: newest first).
LISTING_BOUNDS = {
    "published_after": "post_published_at__gte",
    "published_before": "post_published_at__lt",
}
LISTING_ORDERINGS = {(): True, ("-published_at",): True, ("published_at",): False}


def listing_links(query: PostListQuery, now: dt.datetime) -> tuple[QuerySet, str]:
    """(the links listing `query`'s posts, in its order; their column naming the post).

    A link holds its post's status and publication time (posts.models.PostListingCopy), so
    this reads one range of the link's listing index, in order: no post is read, checked
    or sorted. A link per post, since a post has a tag (or an author) at most once.
    """
    filters = dict(query.filters)
    name = next(name for name in filters if name not in LISTING_BOUNDS)
    relation = PostFilter.base_filters[name]
    link_model, column = relation.link_model, relation.post_column
    owner = relation.slug_lookup.removesuffix("__slug")  # the tag, the author
    owner_id = link_model._meta.get_field(owner).related_model.objects.filter(slug=filters[name][0])
    links = link_model.objects.filter(
        **{owner: Subquery(owner_id.values("pk")[:1])},
        post_status=Post.Status.PUBLISHED,
        post_published_at__lte=now,
    )
    for bound, lookup in LISTING_BOUNDS.items():
        if bound in filters:
            links = links.filter(**{lookup: filters[bound]})
    direction = "-" if LISTING_ORDERINGS[query.ordering] else ""
    return links.order_by(f"{direction}post_published_at", f"{direction}{column}"), column


def counted(queryset: QuerySet) -> QuerySet:
    """One row, one column: how many rows `queryset` has (usable as a Subquery too)."""
    # Grouping by a constant leaves GROUP BY out: one row, COUNT over the whole filter.
    queryset = queryset.order_by().annotate(_all=Value(1)).values("_all")
    return queryset.annotate(n=Count("pk")).values_list("n")


def _count_queryset(shape: PostListQuery, *now: dt.datetime) -> QuerySet:
    return counted(shape.queryset(*now or [None]))


def _page_queryset(shape: tuple[PostListQuery, int, int], *now: dt.datetime) -> QuerySet:
    query, start, stop = shape
    queryset = query.queryset(*now or [None])
    if start and connections[router.db_for_read(Post)].vendor in ("postgresql", "sqlite"):
        # A later page: find its ids first, then read the rows of just those. The ids
        # come from the indexes alone; reading whole rows to skip them (OFFSET 980 of
        # page 50) took PostgreSQL 1.3 ms. (MySQL allows no LIMIT in an IN subquery.)
        ids = queryset.values("pk")[start:stop]
        queryset = Post.objects.filter(pk__in=ids).order_by(*queryset.query.order_by)
        return queryset.values_list(*query.columns)
    return queryset.values_list(*query.columns)[start:stop]


def _samples(query: PostListQuery) -> tuple[list, list]:
    return SAMPLE_MOMENTS if query.uses_now else ([], [])


def _listing_count_queryset(query: PostListQuery, now: dt.datetime) -> QuerySet:
    return counted(listing_links(query, now)[0])


def _listing_rows_queryset(shape: tuple[PostListQuery, int, int], now: dt.datetime) -> QuerySet:
    """The rows of a page of a listing, in no particular order (`PostPages` sorts them):
    their ids come from the links, and the posts' own status and time are checked again."""
    query, start, stop = shape
    links, column = listing_links(query, now)
    visible = PostListQuery(query.status, (), (), query.columns).queryset(now)
    page = visible.filter(pk__in=links.values(column)[start:stop]).order_by()
    return page.values_list(*query.columns, "published_at")


# A filtered list of at most this many posts is read as its ordered ids first: the filter
# (a tag's posts, a search) then runs once per request rather than twice (count, then
# page), and a page's rows are read by id. Longer lists are counted.
IDS_FIRST_MAX = 1000


def _ids_queryset(shape: tuple[PostListQuery, int], *now: dt.datetime) -> QuerySet:
    query, most = shape
    return query.queryset(*now or [None]).values_list("pk")[: most + 1]


def _rows_queryset(shape: tuple[PostListQuery, str, int], *values) -> QuerySet:
    """The rows of the posts with the given ids that `query`'s status shows (checked again:
    a post may have changed since its id was read), in no particular order."""
    query, vendor, slots = shape
    now, ids = values[: len(values) - slots], values[len(values) - slots :]
    visible = PostListQuery(query.status, (), (), query.columns).queryset(*now or [None])
    return (
        visible.filter(ids_filter(Post, "id", ids, vendor)).order_by().values_list(*query.columns)
    )


def _rows_samples(shape: tuple[PostListQuery, str, int]) -> tuple[list, list]:
    query, vendor, slots = shape
    first, second = _samples(query)
    first_ids, second_ids = sample_ids(slots, vendor)
    return [*first, *first_ids], [*second, *second_ids]


def _one_queryset(query: PostListQuery, *values) -> QuerySet:
    *now, slug = values
    return query.queryset(*now or [None]).filter(slug=slug).values_list(*query.columns)[:1]


def _one_samples(query: PostListQuery) -> tuple[list, list]:
    first, second = _samples(query)
    return [*first, "sample-slug-1"], [*second, "sample-slug-2"]


def _prepare(value, connection):
    if isinstance(value, dt.datetime):
        return prepare_moment(value, connection)
    return prepare_ids(value, connection)


_count_query = CompiledQuery(_count_queryset, _samples, prepare_moment)
_page_query = CompiledQuery(
    _page_queryset, lambda shape: _samples(shape[0]), prepare_moment, convert=True
)
_one_query = CompiledQuery(_one_queryset, _one_samples, _prepare, convert=True)
_ids_query = CompiledQuery(_ids_queryset, lambda shape: _samples(shape[0]), prepare_moment)
_rows_query = CompiledQuery(_rows_queryset, _rows_samples, _prepare, convert=True)
_listing_count_query = CompiledQuery(_listing_count_queryset, _samples, prepare_moment)
_listing_rows_query = CompiledQuery(
    _listing_rows_queryset, lambda shape: _samples(shape[0]), prepare_moment, convert=True
)
# List shapes that had more than IDS_FIRST_MAX posts, most recent last: counted without
# reading their ids first. Only a choice of queries hangs on it, never what they return.
_long_lists: OrderedDict[tuple[str, PostListQuery], None] = OrderedDict()


def find_post(query: PostListQuery, now: dt.datetime, slug: str) -> PostRow | None:
    """The post with this slug among those `query` lists (a detail URL), or None."""
    values = [now, slug] if query.uses_now else [slug]
    rows = _one_query.rows(query, values, using=router.db_for_read(Post))
    return PostRow(query.columns, rows[0], now) if rows else None


class PostPages:
    """A post list as Django's Paginator reads it: `count()`, and slices."""

    ordered = True  # the Paginator warns about unordered lists

    def __init__(
        self,
        query: PostListQuery,
        now: dt.datetime,
        *,
        known_count: int | None = None,
        expired_posts: bool = False,
    ):
        """`known_count`: the list's length where the caller knows it (the content state
        counts the unfiltered list of published posts), saving the count query.
        `expired_posts`: whether a published post has passed its expiry date (the
        content state's `expired_posts`)."""
        self.query, self.now, self.known_count = query, now, known_count
        self.ids: list[int] | None = None  # the whole list's ids, where read first
        self.using = router.db_for_read(Post)
        self.values = [now] if query.uses_now else []
        self.listing = query.is_listing and listing_copy_kept(
            self.using, expired_posts=expired_posts
        )

    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        if self.listing:
            return _listing_count_query.rows(self.query, self.values, using=self.using)[0][0]
        key = (self.using, self.query)
        if self.query.filters and key not in _long_lists:
            shape = (self.query, IDS_FIRST_MAX)
            ids = [row[0] for row in _ids_query.rows(shape, self.values, using=self.using)]
            if len(ids) <= IDS_FIRST_MAX:
                self.ids = ids
                return len(ids)
            _long_lists[key] = None
            if len(_long_lists) > MAX_SHAPES:
                _long_lists.popitem(last=False)
        return _count_query.rows(self.query, self.values, using=self.using)[0][0]

    def __getitem__(self, page: slice) -> list[PostRow]:
        if page.stop <= page.start:  # the empty first page of an empty list
            return []
        if self.ids is not None:
            return self._rows_by_id(self.ids[page.start : page.stop])
        shape = (self.query, page.start, page.stop)
        if self.listing:
            return self._listing_rows(shape)
        rows = _page_query.rows(shape, self.values, using=self.using)
        return [PostRow(self.query.columns, row, self.now) for row in rows]

    def _listing_rows(self, shape: tuple[PostListQuery, int, int]) -> list[PostRow]:
        rows = _listing_rows_query.rows(shape, self.values, using=self.using)
        position = self.query.columns.index("id")
        # In the listing's order: by publication time (the last column), then id.
        rows.sort(
            key=lambda row: (row[-1], row[position]),
            reverse=LISTING_ORDERINGS[self.query.ordering],
        )
        return [PostRow(self.query.columns, row[:-1], self.now) for row in rows]

    def _rows_by_id(self, ids: list[int]) -> list[PostRow]:
        if not ids:
            return []
        vendor = connections[self.using].vendor
        slots, id_values = id_slots(ids, vendor)
        shape = (self.query, vendor, slots)
        rows = _rows_query.rows(shape, [*self.values, *id_values], using=self.using)
        position = self.query.columns.index("id")
        by_id = {row[position]: row for row in rows}
        columns = self.query.columns
        return [PostRow(columns, by_id[pk], self.now) for pk in ids if pk in by_id]


class PostRow:
    """One post of a list page: its selected columns as attributes, and what the API
    reads from them, as of the moment the list is answered at. A Post instance costs
    several times more to make and a list page needs nothing else from it."""

    def __init__(self, columns: tuple[str, ...], values, now: dt.datetime):
        self.__dict__.update(zip(columns, values, strict=True))
        self.now = now

    @property
    def pk(self) -> int:
        return self.id

    @property
    def display_status(self) -> str:
        return display_status(self.status, self.published_at, self.now, self.expires_at)

    @property
    def public_url(self) -> str:
        return public_url(self.slug, self.id)


def columns_for(fields, post_columns: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The Post columns the given API fields read, in model field order."""
    columns = {"id"}
    for name in fields:
        columns.update(post_columns.get(name, ()))
    return tuple(sorted(columns, key=FIELD_ORDER.__getitem__))
