"""Helpers for tests that submit admin forms the way a browser would."""

from django.forms import MultiWidget
from taggit.forms import TagWidgetMixin


def _field_data(bound_field) -> dict:
    widget = bound_field.field.widget
    value = bound_field.value()
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value) if not isinstance(value, list) else value
        return {
            f"{bound_field.html_name}_{index}": "" if part is None else str(part)
            for index, part in enumerate(parts)
        }
    if isinstance(widget, TagWidgetMixin):
        return {bound_field.html_name: widget.format_value(value) or ""}
    if value is None or value is False:
        return {}
    if value is True:
        return {bound_field.html_name: "on"}
    if isinstance(value, list | tuple):
        return {bound_field.html_name: [str(item) for item in value]}
    return {bound_field.html_name: str(value)}


def displayed_form_data(response) -> dict:
    """The POST data of the admin change form in `response`, exactly as displayed."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data.update(_field_data(form[name]))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data.update(_field_data(formset.management_form[name]))
        for inline_form in formset.forms:
            for name in inline_form.fields:
                data.update(_field_data(inline_form[name]))
    return data


def form_data(**overrides) -> dict:
    """What the browser sends for a post form (management forms of the authors inline)."""
    data = {
        "title": "A title",
        "slug": "",
        "body": "Some *markdown*.",
        "excerpt": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "tags": "",
        "feature_image": "",
        "canonical_url": "",
        "meta": "{}",
        "post_authors-TOTAL_FORMS": "0",
        "post_authors-INITIAL_FORMS": "0",
        "post_authors-MIN_NUM_FORMS": "0",
        "post_authors-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data
