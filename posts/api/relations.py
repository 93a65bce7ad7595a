"""Authors, categories and tags of a page of posts, in one query.

Each post gets `api_authors`, `api_categories`, `api_tags`: lists of {"name", "slug"},
authors in their order, categories and tags by name. The serializer reads these lists.

Why not three `prefetch_related()` calls: a prefetch builds a queryset and model
instances per row and per post; one UNION ALL over the three link tables, read with
values_list, returns the same rows in one round trip at a fraction of the cost (an
uncached list page spends most of its time here otherwise). The number of queries stays
fixed whatever the page size: one, or none for an empty page.
"""

from django.db import connections, router
from django.db.models import CharField, F, IntegerField, Value

from posts.api.compiled import CompiledQuery
from posts.api.id_lists import id_slots, ids_filter, prepare_ids, sample_ids
from posts.models import Post, PostAuthor, TaggedPost

# field -> (link model, its post column, the related model's relation name, sort column)
RELATIONS = {
    "authors": (PostAuthor, "post_id", "author", "position"),
    "categories": (Post.categories.through, "post_id", "category", None),
    "tags": (TaggedPost, "content_object_id", "tag", None),
}


def _part(field: str, ids, vendor: str):
    link, post_column, target, position = RELATIONS[field]
    return link.objects.filter(ids_filter(link, post_column, ids, vendor)).values_list(
        Value(field, output_field=CharField()),
        F(post_column),
        F(f"{target}__name"),
        F(f"{target}__slug"),
        F(position) if position else Value(0, output_field=IntegerField()),
        F(f"{target}_id"),
    )


def _union(shape: tuple[tuple[str, ...], str, int], *ids):
    fields, vendor, _slots = shape
    first, *others = (_part(field, ids, vendor).order_by() for field in fields)
    return first.union(*others, all=True) if others else first


# Compiled once per (relations shown, database, slots for the ids): see posts.api.compiled
# and posts.api.id_lists.
_relations_query = CompiledQuery(_union, lambda shape: sample_ids(shape[2], shape[1]), prepare_ids)


def attach_relations(posts: list[Post], fields) -> None:
    """Set `api_<field>` on every post for each of authors/categories/tags in `fields`."""
    wanted = tuple(field for field in RELATIONS if field in fields)
    if not wanted:
        return
    ids = [post.pk for post in posts]
    found = {field: {pk: [] for pk in ids} for field in wanted}
    if ids:
        using = router.db_for_read(Post)
        vendor = connections[using].vendor
        slots, values = id_slots(ids, vendor)
        rows = _relations_query.rows((wanted, vendor, slots), values, using=using)
        # Sorted here, not in SQL: a union's ORDER BY cannot reach each part's columns.
        # Authors by position; categories and tags by name (code point order), then id.
        rows.sort(key=lambda row: (row[4], row[2] if row[0] != "authors" else "", row[5]))
        for field, post_id, name, slug, _position, _id in rows:
            found[field][post_id].append({"name": name, "slug": slug})
    for post in posts:
        for field in wanted:
            setattr(post, f"api_{field}", found[field][post.pk])
