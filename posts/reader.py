"""The small reader site at `/`: one page whose script renders every route from the API.

The server only hands out the same shell for each shareable path; everything shown comes
from the public read API, exactly as a separate front end would get it.
"""

from django.conf import settings
from django.urls import path
from django.views.generic import TemplateView


class ReaderView(TemplateView):
    template_name = "reader.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "site_title": settings.CMS_SITE_TITLE}


reader = ReaderView.as_view()

urlpatterns = [
    path("", reader, name="reader-home"),
    path("search/", reader, name="reader-search"),
    path("posts/<str:slug>/", reader, name="reader-post"),
    path("tags/<str:slug>/", reader, name="reader-tag"),
    path("categories/<str:slug>/", reader, name="reader-category"),
    path("authors/<str:slug>/", reader, name="reader-author"),
]
