"""The editors' admin.

- post_admin.py: the post list and editor (preview, publishing, revisions, roles)
- taxonomy_admin.py: authors, categories and tags (post counts, merging, stable slugs)
- actions.py: bulk actions; filters.py: list filters; forms.py: forms and widgets
- views.py: the JSON endpoints behind the editor (markdown preview, tag suggestions)
"""

from django.contrib import admin
from taggit.models import Tag as TaggitDefaultTag

from posts.versioning import register_models

# Before the admin classes: VersionAdmin would otherwise register Post with less to follow.
register_models()

from posts.admin import post_admin, taxonomy_admin  # noqa: E402,F401

# taggit registers an admin for its own default Tag model, which this project does not use
# (posts.Tag is the tag model): hide it so editors see one "Tags" list.
if admin.site.is_registered(TaggitDefaultTag):
    admin.site.unregister(TaggitDefaultTag)
