"""Small JSON endpoints behind the post editor, mounted by PostAdmin.get_urls.

Both are wrapped in `admin_site.admin_view` (staff login, CSRF protection on POST) and
check the post permissions themselves: a staff user who cannot write posts gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from posts import rendering
from posts.models import Tag

SUGGESTION_LIMIT = 10


def _require_writer(model_admin, request: HttpRequest) -> None:
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied


def markdown_preview(model_admin, request: HttpRequest) -> JsonResponse:
    """POST body (and excerpt) -> the HTML, excerpt and reading time the API will serve.

    The HTML is sanitised by posts.rendering, the same pipeline as Post.save().
    """

    @require_POST
    def view(request):
        _require_writer(model_admin, request)
        rendered = rendering.render(
            request.POST.get("body", ""), excerpt=request.POST.get("excerpt", "")
        )
        return JsonResponse(
            {
                "html": rendered.html,
                "excerpt": rendered.excerpt,
                "reading_time": rendered.reading_time,
            }
        )

    return view(request)


def tag_suggestions(model_admin, request: HttpRequest) -> JsonResponse:
    """GET ?q=ja -> {"tags": [...]}: existing tags containing the text, most used first."""

    @require_GET
    def view(request):
        _require_writer(model_admin, request)
        query = request.GET.get("q", "").strip()
        if not query:
            return JsonResponse({"tags": []})
        names = (
            Tag.objects.filter(name__icontains=query)
            .annotate(uses=Count("tagged_posts"))
            .order_by("-uses", "name")
            .values_list("name", flat=True)[:SUGGESTION_LIMIT]
        )
        return JsonResponse({"tags": list(names)})

    return view(request)
