"""`/api/v1/`: posts, authors, categories, tags; the OpenAPI schema and its docs page."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from posts.api import views

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


urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # An HTML page: its renderer has no template for OPTIONS metadata, so GET and HEAD only.
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", http_method_names=["get", "head"]),
        name="docs",
    ),
    # Last, and only for paths ending in a slash, so APPEND_SLASH still redirects
    # /api/v1/posts to /api/v1/posts/.
    re_path(r"^(?:.*/)?$", not_found),
]
