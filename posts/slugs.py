"""Unicode-preserving slugs that stay unique within a model.

Django's `slugify(allow_unicode=True)` and its slug validator keep `\\w` characters only,
which has no combining marks (Unicode categories Mn, Mc): the vowel signs of Devanagari,
Thai, Tamil and other scripts, without which their words read as other words or nothing
(`हिन्दी` became `हनद`; Thai `ข่าว`, news, became `ขาว`, white). Slugs here keep them, the
models' slug fields accept them, and the admin's slug prefill keeps them too
(posts/static/posts/admin/slug_marks.js).
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.db import models

MARKS = frozenset({"Mn", "Mc"})
# For a ModelAdmin's Media: the admin's slug prefill keeping marks, after Django's URLify.
SLUG_PREFILL_JS = ["admin/js/urlify.js", "posts/admin/slug_marks.js"]
_WORD = re.compile(r"[\w\s-]")
_SLUG_CHARACTER = re.compile(r"[\w-]")


def slugify_text(text: str) -> str:
    """Django's slugify (NFKC, lowercase, spaces and hyphens to one hyphen), keeping marks."""
    value = unicodedata.normalize("NFKC", str(text)).lower()
    value = "".join(
        char for char in value if _WORD.match(char) or unicodedata.category(char) in MARKS
    )
    return re.sub(r"[-\s]+", "-", value).strip("-_")


def make_slug(text: str, *, max_length: int = 255, fallback: str = "item") -> str:
    """`老楊到處說` stays `老楊到處說`; `Hello, World!` becomes `hello-world`."""
    slug = slugify_text(text)[:max_length].strip("-_")
    return slug or fallback


def validate_slug(value: str) -> None:
    """Letters, numbers, combining marks, underscores and hyphens, at least one."""
    if not value or not all(
        _SLUG_CHARACTER.match(char) or unicodedata.category(char) in MARKS for char in value
    ):
        raise ValidationError(
            "Enter a valid slug consisting of letters (with their accents and vowel signs), "
            "numbers, underscores or hyphens.",
            code="invalid",
        )


def _with_marks(validators: list) -> list:
    """`validators` with Django's Unicode slug rule replaced by `validate_slug`."""
    return [validate_slug if v is validate_unicode_slug else v for v in validators]


class SlugFormField(forms.SlugField):
    def __init__(self, **kwargs):
        kwargs["allow_unicode"] = True  # also tells the admin's prefill to keep Unicode
        super().__init__(**kwargs)
        self.validators = _with_marks(self.validators)


class SlugField(models.SlugField):
    """A Unicode slug column whose slugs may hold combining marks."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_unicode"] = True
        super().__init__(*args, **kwargs)
        self.default_validators = [validate_slug]
        # Django's SlugField has already built its validators with its own slug rule.
        self.validators[:] = _with_marks(self.validators)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SlugFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Migrations keep seeing Django's SlugField: only validation differs, which is not
        # in the database, and a new field class would make Django rebuild posts_post on
        # SQLite, dropping the search and listing triggers with the old table.
        return name, "django.db.models.SlugField", args, kwargs


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
