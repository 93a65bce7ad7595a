"""Unicode-preserving slugs that stay unique within a model."""

from django.db import models
from django.utils.text import slugify


def make_slug(text: str, *, max_length: int = 255, fallback: str = "item") -> str:
    """`老楊到處說` stays `老楊到處說`; `Hello, World!` becomes `hello-world`."""
    slug = slugify(text, allow_unicode=True)[:max_length].strip("-_")
    return slug or fallback


def unique_slug(
    model: type[models.Model],
    text: str,
    *,
    fallback: str = "item",
    exclude_pk=None,
    field: str = "slug",
) -> str:
    """A slug for `text` not yet used by another row of `model` (suffixes -2, -3, ...)."""
    max_length = model._meta.get_field(field).max_length
    base = make_slug(text, max_length=max_length, fallback=fallback)
    taken = model._default_manager.filter(**{f"{field}__startswith": base})
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list(field, flat=True))
    if base not in used:
        return base
    counter = 2
    while True:
        suffix = f"-{counter}"
        candidate = base[: max_length - len(suffix)] + suffix
        if candidate not in used:
            return candidate
        counter += 1
