"""`/healthz`: whether this app server can answer, for a load balancer's probe.

200 when the database answers `SELECT 1`, 503 when it does not (`/` is a static page that
answers either way). Never cached, and exempt from the HTTPS redirect so that a
plain-HTTP probe gets the answer rather than a 301. The probe must still send a Host in
DJANGO_ALLOWED_HOSTS.
"""

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
