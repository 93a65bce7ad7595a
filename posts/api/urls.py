"""`/api/v1/`: posts, authors, categories, tags; the OpenAPI schema and its docs page."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import SimpleRouter

from posts.api import views
from posts.api.schema_view import DocsView, SchemaView

app_name = "api"

router = SimpleRouter()
router.register("posts", views.PostViewSet, basename="post")
router.register("authors", views.AuthorViewSet, basename="author")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("tags", views.TagViewSet, basename="tag")


@csrf_exempt
def not_found(request):
    """Any other /api/v1/ URL, e.g. a slug no route takes (with NUL or a slash): the API's
    JSON 404, not Django's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


READ_METHODS = ("GET", "HEAD", "OPTIONS")


@csrf_exempt
def without_slash(request):
    """An /api/v1/ URL without its trailing slash. Reads are redirected to the URL with it,
    as APPEND_SLASH would. A write to a URL whose slashed form is an API route is a 405:
    redirected, a client would follow with a GET (and Django's DEBUG mode raises instead);
    anything else is the API's 404."""
    slashed = request.path_info + "/"
    if request.method in READ_METHODS:
        # As CommonMiddleware builds it: the path percent-encoded again (`a%3Fb` must not
        # come back as `a?b/`), the query string kept.
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    try:
        route = resolve(slashed).func
    except Resolver404:
        route = not_found
    if route is not_found:
        return not_found(request)
    # The methods the slashed route answers: the docs page, GET and HEAD only.
    allowed = getattr(route, "view_initkwargs", {}).get("http_method_names") or READ_METHODS
    response = JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
    response["Allow"] = ", ".join(method.upper() for method in allowed)
    return response


urlpatterns = [
    *router.urls,
    path("schema/", SchemaView.as_view(), name="schema"),
    # An HTML page: its renderer has no template for OPTIONS metadata, so GET and HEAD only.
    path(
        "docs/",
        DocsView.as_view(url_name="api:schema", http_method_names=["get", "head"]),
        name="docs",
    ),
    # Last: any other path ending in a slash, then any path without one.
    re_path(r"^(?:.*/)?$", not_found),
    re_path(r"^.*[^/]$", without_slash),
]
