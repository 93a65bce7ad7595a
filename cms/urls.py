"""Top-level URLs: the admin, the read API, and the small reader site at `/`."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Headless CMS"
admin.site.site_title = "Headless CMS admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("posts.reader")),
]
