"""Forms and widgets of the post editor: markdown with preview, tags with suggestions,
front matter as JSON, and the publishing buttons' rules."""

import json
import math

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.utils import timezone
from taggit.forms import TagWidget

from posts import date_range, rendering
from posts.markdown_io.fields import FIELD_KEYS, unbuilt_keys
from posts.markdown_io.parsing import MAX_DEPTH, holds_lone_surrogate, nests_deeper_than
from posts.models import Category, Post, Tag, never_visible
from posts.slugs import make_slug, unique_slug
from posts.tag_input import (
    apply_edits,
    existing_spellings,
    loaded_tags,
    parse_tags,
    spellings_by_fold,
)

# Names of the extra submit buttons on the post form (templates/admin/posts/post/submit_line.html).
PUBLISH_NOW = "_publish_now"
SCHEDULE = "_schedule"
UNPUBLISH = "_unpublish"
PUBLISHING_BUTTONS = (PUBLISH_NOW, SCHEDULE, UNPUBLISH)


def publishing_intent(data) -> str | None:
    """Which publishing button was pressed, if any."""
    return next((name for name in PUBLISHING_BUTTONS if name in data), None)


class MarkdownEditor(forms.Textarea):
    """A textarea with a live preview beside it (posts/static/posts/admin/markdown_preview.js)."""

    template_name = "posts/widgets/markdown_editor.html"

    def __init__(self, *, preview_url: str, attrs=None):
        super().__init__(
            attrs={
                "rows": 24,
                "data-preview-url": preview_url,
                "spellcheck": "true",
                **(attrs or {}),
            }
        )

    class Media:
        js = ["posts/admin/markdown_preview.js"]


class TagSuggestWidget(TagWidget):
    """Taggit's comma-separated input, with a datalist suggesting existing tags as you type.

    The script (posts/static/posts/admin/tag_suggestions.js) fills the datalist with the text
    already typed plus a suggestion for the last tag, so the browser's own completion works.
    """

    template_name = "posts/widgets/tag_suggest.html"

    def __init__(self, *, suggest_url: str, attrs=None):
        super().__init__(
            attrs={"data-suggest-url": suggest_url, "autocomplete": "off", **(attrs or {})}
        )

    class Media:
        js = ["posts/admin/tag_suggestions.js"]


class MarkdownTextField(forms.CharField):
    """Text kept as written (no trimming), compared the way PostAdminForm will store it.

    Browsers submit textareas with CRLF line endings; for text stored with LF that is not
    a change, so the history does not say "Changed Body" when nothing was typed.
    """

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def has_changed(self, initial, data):
        initial = initial or ""
        data = self.to_python(data)
        if "\r\n" not in initial:
            data = data.replace("\r\n", "\n")
        return initial != data


class RepeatedKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_repeated_keys(pairs: list) -> dict:
    # json.loads keeps the last of a repeated key without a word: the first value was lost.
    mapping = {}
    for key, value in pairs:
        if key in mapping:
            raise RepeatedKey(key)
        mapping[key] = value
    return mapping


def _no_constant(name: str):
    raise ValueError(name)


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


class FrontMatterField(forms.JSONField):
    """A JSON object of front-matter keys, kept in the order typed, with errors that say where."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField json-editor"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if self.disabled:
            return value
        if value in self.empty_values:
            return {}
        if isinstance(value, dict):
            return value
        try:
            converted = json.loads(
                value,
                cls=self.decoder,
                parse_constant=_no_constant,
                parse_float=_finite_float,
                object_pairs_hook=_no_repeated_keys,
            )
        except RepeatedKey as exc:
            raise ValidationError(
                "Extra front matter gives the key “%(key)s” twice; only one would be kept. "
                "Nothing was saved.",
                code="repeated_key",
                params={"key": exc.key},
            ) from exc
        except json.JSONDecodeError as exc:
            raise ValidationError(
                "Extra front matter is not valid JSON: %(problem)s "
                "(line %(line)s, column %(column)s). Nothing was saved.",
                code="invalid",
                params={"problem": exc.msg, "line": exc.lineno, "column": exc.colno},
            ) from exc
        except RecursionError:
            converted = None  # deeper than MAX_DEPTH, as below
        except ValueError as exc:  # NaN, Infinity, 1e999: no database stores them as JSON
            raise ValidationError(
                "Extra front matter holds %(value)s, which JSON has no number for. Nothing was "
                "saved.",
                code="not_finite",
                params={"value": str(exc)},
            ) from exc
        if converted is None or nests_deeper_than(converted, MAX_DEPTH):
            # The same limit as a file's front matter: deeper, the form could not show it.
            raise ValidationError(
                "Extra front matter is nested too deeply (more than %(most)s levels). Nothing "
                "was saved.",
                code="too_deep",
                params={"most": MAX_DEPTH},
            )
        if holds_lone_surrogate(converted):
            raise ValidationError(
                "Extra front matter holds a lone UTF-16 surrogate (an escape such as \\ud800 "
                "without its pair), which is not text. Nothing was saved.",
                code="surrogate",
            )
        if not isinstance(converted, dict):
            raise ValidationError(
                "Extra front matter must be a JSON object of keys and values, such as "
                '{"layout": "post"}, not %(kind)s.',
                code="not_an_object",
                params={"kind": type(converted).__name__},
            )
        return converted

    def bound_data(self, data, initial):
        # Redisplayed as typed when it is refused: Django's own re-reading let a surrogate
        # escape or deep nesting through to the page (a 500).
        if self.disabled:
            return initial
        if data is None:
            return None
        try:
            return self.to_python(data)
        except ValidationError:
            return InvalidJSONInput(data)

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value if value is not None else {}, ensure_ascii=False, indent=2)

    def has_changed(self, initial, data):
        # Unlike Django's JSONField, reordering keys is a change: the order is kept on export.
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        return json.dumps(initial or {}, ensure_ascii=False) != json.dumps(new, ensure_ascii=False)


MAX_TAG = Tag._meta.get_field("name").max_length


class LoadedStateField(forms.CharField):
    """A hidden record of the post as the form showed it: never a change of the post's."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


class PostAdminForm(forms.ModelForm):
    """The post form (model and fields come from PostAdmin).

    `can_publish` is set per request by PostAdmin.get_form.
    """

    can_publish = False

    meta = FrontMatterField(
        label="Extra front matter",
        required=False,
        help_text=(
            "Front-matter keys without a field of their own, as a JSON object. Key order is kept."
        ),
    )

    # When the post the editor opened was last saved; see clean().
    loaded_at = LoadedStateField()
    # The tags the form showed, by id and name; see clean().
    tags_loaded = LoadedStateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["loaded_at"] = self.instance.updated_at.isoformat()
            self.initial["tags_loaded"] = loaded_tags(self.instance.tags.all())

    def _safe_address(self, name: str) -> str:
        # The API serves these as they are only when their scheme is a safe one (else ""):
        # say so here rather than save an address no front end will get.
        value = (self.cleaned_data.get(name) or "").strip()
        if value and not rendering.safe_url(value):
            raise ValidationError(
                "Use an http(s) address or one relative to the site: %(scheme)s addresses "
                "are not served (a javascript: link would run in readers' browsers).",
                code="unsafe_url",
                params={"scheme": value.split(":", 1)[0].strip()[:20] or "this"},
            )
        return value

    def clean_feature_image(self):
        return self._safe_address("feature_image")

    def clean_canonical_url(self):
        return self._safe_address("canonical_url")

    def clean_slug(self):
        """On a new post, the slug the page filled in from the title gets a free suffix
        when another post has it, as a blank one does: two posts titled "Weekly update"
        could not be saved until the editor cleared the box. A slug typed by hand that
        is taken stays an error."""
        slug = self.cleaned_data.get("slug")
        title = self.data.get(self.add_prefix("title"), "")
        if (
            self.instance.pk is None
            and slug
            and slug == make_slug(title, fallback="post")
            and Post.objects.filter(slug=slug).exists()
        ):
            return unique_slug(Post, title, fallback="post")
        return slug

    def clean_meta(self):
        """Refuse a key added here that the importer reads into a field of its own
        (`title`, `draft`, `tags`...): saved in meta, the post said `draft: true` in the API
        while published, and its export was refused as not importing back the same. Keys
        the post's meta already held (a file's second date key, say) may stay."""
        meta = self.cleaned_data["meta"] or {}
        held = {str(key).lower() for key in (self.instance.meta or {})}
        taken = [
            key for key in meta if str(key).lower() in FIELD_KEYS and str(key).lower() not in held
        ]
        if taken:
            raise ValidationError(
                "%(keys)s %(verb)s a field of %(its)s own on this page: set %(them)s there, "
                "not in the extra front matter. Nothing was saved.",
                code="field_key",
                params={
                    "keys": ", ".join(f"“{key}”" for key in taken),
                    "verb": "has" if len(taken) == 1 else "have",
                    "its": "its" if len(taken) == 1 else "their",
                    "them": "it" if len(taken) == 1 else "them",
                },
            )
        return meta

    def _keep_line_endings(self, name: str) -> str:
        # Browsers submit every textarea with CRLF line endings. A body written with LF
        # (nearly all markdown) stays LF, so saving unchanged text changes nothing;
        # one that had CRLF from its file keeps CRLF.
        # Text sent back unchanged is the original, line endings and all (a file with
        # mixed ones would have had every line turned to CRLF).
        text = self.cleaned_data[name]
        original = getattr(self.instance, name, "") or ""
        if text.replace("\r\n", "\n") == original.replace("\r\n", "\n"):
            return original
        if "\r\n" not in original:
            text = text.replace("\r\n", "\n")
        return text

    def clean_body(self):
        return self._keep_line_endings("body")

    def clean_tags(self):
        names = self.cleaned_data.get("tags") or []
        for name in names:
            if len(name) > MAX_TAG:
                raise ValidationError(
                    "A tag name has at most %(most)s characters; “%(start)s…” has %(length)s.",
                    code="tag_too_long",
                    params={"most": MAX_TAG, "start": name[:40], "length": f"{len(name):,}"},
                )
        return names

    def _refuse_never_visible(self, goes_live, expires_at, now) -> None:
        """Publishing a post whose expiry date leaves it no time to be seen."""
        if never_visible(goes_live, expires_at, now):
            self.add_error(
                "expires_at",
                "The post would never be visible: this expiry date is not after it goes "
                "live. Clear it or set a later one.",
            )

    def _refuse_publishing_expired(self, cleaned) -> None:
        """Status set to Published by hand (plain Save) with an expiry date already past, or
        a published post's date moved past its expiry date: the same refusal as the
        publishing buttons', which it went around."""
        if cleaned.get("status") != Post.Status.PUBLISHED:
            return
        if not {"status", "expires_at", "published_at"} & set(self.changed_data):
            return
        now = timezone.now().replace(microsecond=0)
        goes_live = cleaned.get("published_at") or now
        self._refuse_never_visible(goes_live, cleaned.get("expires_at"), now)

    def _refuse_publishing_unbuilt(self, cleaned, *, publishing: bool = False) -> None:
        """Published (or its extra front matter changed while published) with a key that
        tells the site to build no page of it (Hugo's `headless: true`, `build: {render:
        never}`, Eleventy's `permalink: false`): the API would serve a page the site does
        not have, and the export could not write it back."""
        if cleaned.get("status") != Post.Status.PUBLISHED:
            return
        if not publishing and not {"status", "meta"} & set(self.changed_data):
            return
        meta = cleaned.get("meta")
        keys = unbuilt_keys(meta) if isinstance(meta, dict) else []
        if keys:
            self.add_error(
                "meta",
                ValidationError(
                    "The site builds no page of this post: %(keys)s in its extra front "
                    "matter says so. Remove that to publish it, or keep it a draft.",
                    code="not_built",
                    params={"keys": ", ".join(f"“{key}”" for key in keys)},
                ),
            )

    def clean_excerpt(self):
        return self._keep_line_endings("excerpt")

    def clean(self):
        cleaned = super().clean()
        for name in ("published_at", "expires_at", "modified_at"):
            moment = cleaned.get(name)
            if moment is not None and not date_range.in_range(moment):
                self.add_error(
                    name,
                    ValidationError(
                        "Give a date %(range)s: this one cannot be stored or shown in every "
                        "time zone.",
                        code="date_out_of_range",
                        params={"range": date_range.RANGE_TEXT},
                    ),
                )
                cleaned.pop(name, None)
        loaded_at = cleaned.get("loaded_at")
        if self.instance.pk is not None and loaded_at:
            saved_at = self.instance.updated_at
            if loaded_at != saved_at.isoformat():
                # Saving would silently undo what someone else saved since (Django's admin
                # writes every field of the form back).
                raise ValidationError(
                    "Someone saved this post after you opened it (%(when)s). Your changes are "
                    "not saved: copy them, reload the page to see the post as it is now, and "
                    "make them again.",
                    code="changed_meanwhile",
                    params={"when": timezone.localtime(saved_at).strftime("%Y-%m-%d %H:%M:%S")},
                )
        if self.instance.pk is not None and cleaned.get("tags") is not None:
            # Renaming a tag does not touch its posts: loaded_at cannot tell. Apply what
            # the editor changed in the box to the tags the post has now.
            current = list(self.instance.tags.all())
            tags = apply_edits(cleaned["tags"], cleaned.get("tags_loaded") or "", current)
            if tags is not None:
                cleaned["tags"] = tags
                now = {tag.name for tag in current}
                if set(tags) == now and "tags" in self.changed_data:
                    self.changed_data.remove("tags")
        if cleaned.get("tags"):
            cleaned["tags"] = existing_spellings(cleaned["tags"], Tag.objects)
        intent = publishing_intent(self.data)
        if intent is None:
            self._refuse_publishing_expired(cleaned)
            self._refuse_publishing_unbuilt(cleaned)
            return cleaned
        if not self.can_publish:
            raise ValidationError(
                "Only an editor can publish, schedule or unpublish. Save your post as a draft.",
                code="cannot_publish",
            )
        # Whole seconds: the form shows no microseconds, so the next save would change them.
        now = timezone.now().replace(microsecond=0)
        published_at = cleaned.get("published_at")
        if intent == PUBLISH_NOW:
            cleaned["status"] = Post.Status.PUBLISHED
            # A past date is kept (re-publishing, imported posts); none or a future one means now.
            if published_at is None or published_at > now:
                cleaned["published_at"] = now
        elif intent == SCHEDULE:
            if published_at is None or published_at <= now:
                self.add_error(
                    "published_at",
                    "To schedule the post, set a publication date in the future.",
                )
            else:
                cleaned["status"] = Post.Status.PUBLISHED
        elif intent == UNPUBLISH:
            cleaned["status"] = Post.Status.DRAFT
        goes_live = cleaned.get("published_at")
        if intent != UNPUBLISH and goes_live is not None:
            self._refuse_never_visible(goes_live, cleaned.get("expires_at"), now)
        if intent != UNPUBLISH:
            self._refuse_publishing_unbuilt(cleaned, publishing=True)
        # The buttons change values the editor did not type: record them as changes, so
        # the history says "Changed Status" rather than "No fields changed".
        for name in ("status", "published_at"):
            if cleaned.get(name) != self.initial.get(name) and name not in self.changed_data:
                self.changed_data.append(name)
        return cleaned


class AddTagForm(forms.Form):
    """The intermediate form of the "Add a tag" bulk action."""

    tag = forms.CharField(
        max_length=255,
        help_text="An existing tag or a new one (case does not matter: Rails and rails are one).",
    )

    def __init__(self, *args, suggest_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].widget = TagSuggestWidget(suggest_url=suggest_url)

    def clean_tag(self):
        # As in the Tags box: a name holding a comma is written in double quotes
        # (`"a, b"`), which the action refused though the tag existed.
        names = parse_tags(self.cleaned_data["tag"])
        if len(names) != 1:
            raise ValidationError(
                'Give one tag name (in double quotes if it holds a comma: "a, b").',
                code="invalid_tag",
            )
        return existing_spellings(names, Tag.objects)[0]


class SetCategoryForm(forms.Form):
    """The intermediate form of the "Set a category" bulk action."""

    ADD, REPLACE = "add", "replace"

    category = forms.ModelChoiceField(queryset=Category.objects.all())
    mode = forms.ChoiceField(
        choices=[
            (ADD, "Add it to the posts' categories"),
            (REPLACE, "Make it the posts' only category"),
        ],
        initial=ADD,
        widget=forms.RadioSelect,
    )


class MergeForm(forms.Form):
    """Pick which of the selected tags (or categories) the others are merged into."""

    target = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep",
        help_text="Every post of the others gets this one; the others are deleted.",
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset


class RenameSlugForm(forms.ModelForm):
    """Name and slug of an author, category or tag: renaming keeps the slug unless asked."""

    new_slug_from_name = forms.BooleanField(
        required=False,
        label="Make a new slug from the name",
        help_text=(
            "Off: the slug stays as it is, so links and API filters that use it keep working."
        ),
    )

    def clean_name(self):
        name = self.cleaned_data["name"]
        model = self._meta.model
        # The importer and the Tags box take `Rails` and `rails` for one name.
        others = model._default_manager.exclude(pk=self.instance.pk)
        other = spellings_by_fold(others, [name]).get(name.casefold())
        if other is not None:
            raise ValidationError(
                "%(model)s “%(other)s” already has this name, but for letter case.",
                code="name_taken",
                params={"model": model._meta.verbose_name.capitalize(), "other": other},
            )
        return name
