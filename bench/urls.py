"""The product's URLs plus `/bench/ceiling/<name>/`: a bare Django view that returns the
bytes an endpoint returned, read once per process, through the same middleware and
server. It is the ceiling each endpoint's throughput is compared with."""

import functools
import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as product_urlpatterns


@functools.cache
def _recorded(name: str) -> tuple[int, str, bytes]:
    folder = Path(os.environ["BENCH_CEILING_DIR"])
    status, content_type = (folder / f"{name}.meta").read_text().split("\n", 1)
    return int(status), content_type.strip(), (folder / f"{name}.body").read_bytes()


def ceiling(request, name: str) -> HttpResponse:
    status, content_type, body = _recorded(name)
    return HttpResponse(body, status=status, content_type=content_type or None)


urlpatterns = [path("bench/ceiling/<str:name>/", ceiling), *product_urlpatterns]
