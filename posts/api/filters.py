"""Query parameters that narrow and order the post list, one small class each.

Invalid values are a 400 whose JSON body is keyed by the parameter name (django-filter's
form errors, raised by DjangoFilterBackend). Relation filters use `pk__in` subqueries,
never joins plus `.distinct()`: a post with two matching tags must not be listed twice,
and PostgreSQL cannot DISTINCT over the `json` meta column.
"""

import datetime as dt

import django_filters
from django import forms
from django.utils.dateparse import parse_date, parse_datetime
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from posts import search
from posts.models import Post, PostAuthor, TaggedPost

MAX_SLUGS = 50
MAX_SEARCH_LENGTH = 200
DEFAULT_ORDERING = ("-published_at", "-id")


class SlugListField(forms.CharField):
    """`a,b,c` -> ["a", "b", "c"]; blanks dropped, at most MAX_SLUGS."""

    def to_python(self, value):
        value = super().to_python(value)
        # CharField's own NUL check runs on the cleaned value, a list here: check the text.
        if "\x00" in value:
            raise forms.ValidationError("Null characters are not allowed.")
        slugs = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        if len(slugs) > MAX_SLUGS:
            raise forms.ValidationError(f"At most {MAX_SLUGS} comma-separated slugs.")
        return slugs


@extend_schema_field(OpenApiTypes.STR)
class SlugsFilter(django_filters.Filter):
    """Posts linked to any of the given slugs through a link model."""

    field_class = SlugListField
    link_model = None
    post_column = ""
    slug_lookup = ""

    def filter(self, qs, value):
        if not value:
            return qs
        links = self.link_model.objects.filter(**{f"{self.slug_lookup}__in": value})
        return qs.filter(pk__in=links.values(self.post_column))


class TagFilter(SlugsFilter):
    """`?tag=python` or `?tag=python,日本語`: posts with any of these tags (slugs)."""

    link_model = TaggedPost
    post_column = "content_object_id"
    slug_lookup = "tag__slug"


class CategoryFilter(SlugsFilter):
    """`?category=news,opinion`: posts in any of these categories (slugs)."""

    link_model = Post.categories.through
    post_column = "post_id"
    slug_lookup = "category__slug"


class AuthorFilter(SlugsFilter):
    """`?author=ada,grace`: posts by any of these authors (slugs), whatever their position."""

    link_model = PostAuthor
    post_column = "post_id"
    slug_lookup = "author__slug"


class SearchFilter(django_filters.CharFilter):
    """`?search=香港`: case-insensitive substring of the title, excerpt or body.

    A substring, not words, so it works for CJK text, which has no spaces. posts.search
    writes the condition for each database so that its search index serves it.
    """

    def __init__(self, **kwargs):
        # Not stripped: ` ab` is a substring of its own, and a search of spaces alone
        # matched every post (stripped to nothing, no filter).
        super().__init__(max_length=MAX_SEARCH_LENGTH, strip=False, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return search.matching(qs, value)


class MomentField(forms.Field):
    """An ISO 8601 date or date-time, as an aware UTC datetime; a date alone is midnight UTC."""

    default_error_messages = {
        "invalid": (
            "Enter an ISO 8601 date (2024-05-01) or date-time (2024-05-01T12:00:00Z, "
            "2024-05-01T20:00:00+08:00)."
        )
    }

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip()
        try:
            moment = parse_datetime(text)
            if moment is None:
                day = parse_date(text)
                if day is None:
                    raise ValueError(text)
                moment = dt.datetime.combine(day, dt.time.min)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            # Out-of-range offsets near year 1 or 9999 overflow here, not in the database.
            return moment.astimezone(dt.UTC)
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


@extend_schema_field(OpenApiTypes.STR)
class MomentFilter(django_filters.Filter):
    """A bound on the publication date; see PostFilter for the two parameters."""

    field_class = MomentField


class PostOrderingFilter(django_filters.OrderingFilter):
    """`?ordering=-updated_at`: published_at, updated_at or title, `-` for descending.

    Default `-published_at`. Ties are broken by id in the same direction, so a page
    boundary never shows a post twice or skips one.
    """

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(p) for p in value or () if p]
        if not ordering:
            return qs.order_by(*DEFAULT_ORDERING)
        tiebreak = "-id" if ordering[0].startswith("-") else "id"
        return qs.order_by(*ordering, tiebreak)


class PostFilter(django_filters.FilterSet):
    tag = TagFilter(help_text="Tag slugs, comma-separated: posts with any of them.")
    category = CategoryFilter(help_text="Category slugs, comma-separated: posts in any of them.")
    author = AuthorFilter(help_text="Author slugs, comma-separated: posts by any of them.")
    search = SearchFilter(
        help_text=(
            "Case-insensitive substring of title, excerpt or body (works for CJK). "
            f"At most {MAX_SEARCH_LENGTH} characters."
        )
    )
    published_after = MomentFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="Published at or after (inclusive). ISO date or date-time; a date is 00:00 UTC.",
    )
    published_before = MomentFilter(
        field_name="published_at",
        lookup_expr="lt",
        help_text="Published before (exclusive). ISO date or date-time; a date is 00:00 UTC.",
    )
    ordering = PostOrderingFilter(
        fields=("published_at", "updated_at", "title"),
        help_text=(
            "published_at, updated_at or title; prefix - for descending; default -published_at."
        ),
        # Not the whole value back: a 60,000-character one came back whole.
        error_messages={
            "invalid_choice": (
                "Must be published_at, updated_at or title, each with - for descending; "
                "got '%(value).50s'."
            )
        },
    )

    class Meta:
        model = Post
        fields = []

    # Form classes by the names of the parameters present (at most 2**7 of them).
    _form_classes: dict[tuple[type, tuple[str, ...]], type] = {}

    @classmethod
    def clean(cls, data) -> dict:
        """The cleaned values of the parameters `data` holds; a 400 naming any bad one.

        What a FilterSet instance's form does, with a form class per set of parameters
        present, built once: an instance copies every filter and builds a new form class,
        and a form deep-copies each of its fields, which was most of a filtered list's time.
        """
        present = tuple(name for name in cls.base_filters if name in data)
        form_class = cls._form_classes.get((cls, present))
        if form_class is None:
            fields = {name: cls.base_filters[name].field for name in present}
            form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            cls._form_classes[cls, present] = form_class
        form = form_class(data)
        if not form.is_valid():
            raise translate_validation(form.errors)
        cleaned = form.cleaned_data
        if cleaned.get("ordering"):
            cleaned["ordering"] = first_of_each_field(cleaned["ordering"])
        return cleaned


def first_of_each_field(ordering: list[str]) -> list[str]:
    """`title,-title,title` orders as `title`: a field's later terms change nothing, and
    5,000 of them made a 5,000-term ORDER BY (and a query shape of its own)."""
    seen: dict[str, str] = {}
    for term in ordering:
        seen.setdefault(term.lstrip("-"), term)
    return list(seen.values())
