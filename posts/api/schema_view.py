"""`/api/v1/schema/`: drf-spectacular's schema view, its errors in the API's JSON, and no
`?version=` (one version: v1).

The view renders with the schema's own renderers (YAML first), so a 404 for `?format=xyz`,
a 406 for `Accept: application/xml` or a 401 for a bad token came as YAML of DRF's error
details. A client of the API reads errors as JSON everywhere.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS

from posts.api.renderers import FastJSONRenderer


class ReadOnlyFirst:
    """A write is a 405 before authentication runs: with an admin session cookie it was
    a CSRF 403, as if a token could make it work (the API's views do the same). Errors
    come as the API's JSON: the schema's renderers would write YAML of DRF's error
    details, and the docs page's template reads the user, which for a write with a
    session cookie fails its CSRF check again, a 500."""

    def initial(self, request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            # Set before DRF picks a renderer: failed negotiation (406) would pick YAML.
            request.accepted_renderer = FastJSONRenderer()
            request.accepted_media_type = FastJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class DocsView(ReadOnlyFirst, SpectacularSwaggerView):
    """`/api/v1/docs/`: Swagger UI."""


class SchemaView(ReadOnlyFirst, SpectacularAPIView):
    def _get_version_parameter(self, request):
        # The API has one version (v1, in its URL). drf-spectacular put any `?version=`
        # into the Content-Disposition file name: a control character there made the
        # header invalid, a 500, and a quote injected header parameters.
        return None
