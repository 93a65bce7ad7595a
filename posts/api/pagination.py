"""Page-number pagination with strict parameters.

`?page=2&page_size=50`: `page` is a whole number from 1 (or `last`), `page_size` one from 1
to 100 (default 20). Anything else is a 400 naming the parameter, not a silent fallback;
a page past the end is a 404.
"""

import re
from urllib.parse import urlencode

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

WHOLE_NUMBER = re.compile(r"[0-9]+")
# Beyond this many digits a page number is past the end of any result set; checking it
# here also keeps int() away from numbers with thousands of digits.
MAX_PAGE_DIGITS = 15


class PagePagination(PageNumberPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    page_query_description = "Page number, from 1 (or `last`). Past the last page: 404."
    page_size_query_description = "Results per page, 1 to 100 (default 20)."

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        digits = raw.lstrip("0") if WHOLE_NUMBER.fullmatch(raw) else "x"
        if not digits.isdigit() or len(digits) > 3 or not 1 <= int(digits) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Must be a whole number from 1 to {self.max_page_size}, got {raw[:50]!r}."
                    ]
                }
            )
        return int(digits)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw == "":
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        digits = raw.lstrip("0") if WHOLE_NUMBER.fullmatch(raw) else "x"
        if not digits.isdigit():
            raise ValidationError(
                {self.page_query_param: [f"Must be a whole number from 1, got {raw[:50]!r}."]}
            )
        if len(digits) > MAX_PAGE_DIGITS:
            raise NotFound(f"Page {digits[:20]}... is past the last page.")
        return int(digits)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise NotFound(f"Page {number} is past the last page ({paginator.num_pages}).") from exc
        return list(self.page)

    def _page_link(self, number: int) -> str:
        # Rebuilt from the decoded parameters rather than the raw query string, which
        # DRF would re-encode wrongly when a client sent raw (not %-encoded) UTF-8. The
        # page parameter keeps its place; page 1 goes without one.
        name = self.page_query_param
        page = [] if number == 1 else [(name, str(number))]
        params = []
        for key, values in self.request.query_params.lists():
            if key == name:
                params += page
                page = []
            else:
                params += [(key, value) for value in values]
        query = urlencode(params + page)
        return self.request.build_absolute_uri(self.request.path) + (f"?{query}" if query else "")

    def get_next_link(self):
        return self._page_link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        if not self.page.has_previous():
            return None
        return self._page_link(self.page.previous_page_number())

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {
                    "oneOf": [
                        {"type": "integer", "minimum": 1},
                        {"type": "string", "enum": ["last"]},
                    ]
                }
        return parameters
