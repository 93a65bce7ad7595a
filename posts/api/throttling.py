"""Anonymous request throttling, configured by CMS_API_ANON_THROTTLE (e.g. "120/minute").

It runs in the cache layer, before any view, so that cached responses and 304s count too.
Empty (the default, and always in tests) turns it off.
"""

import math

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """DRF's per-IP anonymous throttle, with its rate read from settings on each use."""

    def get_rate(self):
        return settings.CMS_API_ANON_THROTTLE or None


def throttled_response(request: HttpRequest) -> JsonResponse | None:
    """A 429 with Retry-After when this anonymous client is over its rate, else None."""
    if not settings.CMS_API_ANON_THROTTLE:
        return None
    throttle = AnonymousThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = max(1, math.ceil(throttle.wait() or 1))
    return JsonResponse(
        {"detail": f"Request was throttled. Expected available in {wait} seconds."},
        status=429,
        headers={"Retry-After": str(wait)},
    )
