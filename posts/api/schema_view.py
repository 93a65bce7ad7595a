"""`/api/v1/schema/`: drf-spectacular's schema view, its errors in the API's JSON, and no
`?version=` (one version: v1).

The view renders with the schema's own renderers (YAML first), so a 404 for `?format=xyz`,
a 406 for `Accept: application/xml` or a 401 for a bad token came as YAML of DRF's error
details. A client of the API reads errors as JSON everywhere.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from posts.api.renderers import FastJSONRenderer
from posts.api.views import WritesRefusedFirst


class ReadOnlyFirst(WritesRefusedFirst):
    """Writes refused before authentication, as the API's views do; errors come as the
    API's JSON: the schema's renderers would write YAML of DRF's error details, and the
    docs page's template reads the user, which for a write with a session cookie fails its
    CSRF check again, a 500."""

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
