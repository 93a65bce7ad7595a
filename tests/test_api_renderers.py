"""The API's JSON renderer writes what DRF's own renderer writes, only faster."""

import datetime as dt
import decimal
import json

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from posts.api.renderers import FastJSONRenderer

SAMPLES = {
    "cjk and emoji": {"title": "香港的新聞 ✨", "slug": "香港的新聞"},
    "line separators": {"body": "a\u2028b\u2029c", "nested": ["\u2028"]},
    "html": {"body_html": '<p class="x">&amp; <a href="/">é</a></p>\n'},
    "numbers and nulls": {"count": 0, "ratio": 0.5, "none": None, "yes": True},
    "deep meta": {"meta": {"from": "x", "list": [1, {"a": [2, 3]}], "date": "2020-01-01"}},
    "error details": {"page_size": [ErrorDetail("Must be a whole number.", code="invalid")]},
    "lazy text and dates": {"detail": gettext_lazy("Not found."), "when": dt.date(2024, 5, 1)},
    "decimals": {"price": decimal.Decimal("1.50")},
    "huge integer from front matter": {"meta": {"phone": 12345678901234567890123456789}},
    "integer keys": {"meta": {1: "one"}},
}


@pytest.mark.parametrize("data", SAMPLES.values(), ids=list(SAMPLES))
def test_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indented_output_for_clients_that_ask():
    rendered = FastJSONRenderer().render({"a": [1]}, "application/json; indent=2")

    assert json.loads(rendered) == {"a": [1]}
    assert b'\n  "a"' in rendered


def test_no_content_is_empty():
    assert FastJSONRenderer().render(None) == b""
