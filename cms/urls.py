"""Top-level URLs: the admin, the read API, and the small page at `/`."""

from django.contrib import admin
from django.urls import path
from django.views.generic import TemplateView

admin.site.site_header = "Headless CMS"
admin.site.site_title = "Headless CMS admin"

urlpatterns = [
    path("", TemplateView.as_view(template_name="index.html"), name="home"),
    path("admin/", admin.site.urls),
]
