"""The two editorial roles, Editor and Author, and the rules the admin enforces with them.

- An *Editor* edits and publishes every post (permissions `publish_post`, `change_any_post`).
- An *Author* creates posts and edits only their own: posts where their linked `Author`
  profile is among the authors, or that they created in the admin. They cannot publish:
  what they save is a draft, for an Editor to publish.

The groups are made by the data migration `0002_editor_roles`; `ensure_roles()` is the one
definition of what each group may do, used by that migration and by tests (transactional
tests flush the groups away).
"""

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast

EDITOR = "Editor"
AUTHOR = "Author"

CRUD = ("add", "change", "delete", "view")

# model name -> actions, per group. Custom post permissions are declared on Post.Meta.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    EDITOR: {
        "post": (*CRUD, "publish", "change_any"),
        "postauthor": CRUD,
        "author": CRUD,
        "category": CRUD,
        "tag": CRUD,
    },
    AUTHOR: {
        # The inline of ordered authors needs its own permissions to be editable.
        "post": ("add", "change", "view"),
        "postauthor": CRUD,
        # Autocomplete for authors and categories needs view permission on them.
        "author": ("view",),
        "category": ("view",),
        "tag": ("view",),
    },
}

CUSTOM_PERMISSION_NAMES = {
    "publish_post": "Can publish, schedule and unpublish posts",
    "change_any_post": "Can edit posts by anyone",
}


def ensure_roles(*, group_model, permission_model, content_type_model) -> None:
    """Create or update the groups with exactly their permissions (idempotent).

    Takes the models as arguments so that the data migration can pass historical ones.
    """
    for group_name, per_model in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        permissions = []
        for model_name, actions in per_model.items():
            content_type, _ = content_type_model.objects.get_or_create(
                app_label="posts", model=model_name
            )
            for action in actions:
                codename = f"{action}_{model_name}"
                default_name = f"Can {action} {model_name}"
                permission, _ = permission_model.objects.get_or_create(
                    content_type=content_type,
                    codename=codename,
                    defaults={"name": CUSTOM_PERMISSION_NAMES.get(codename, default_name)},
                )
                permissions.append(permission)
        group.permissions.set(permissions)


def can_publish(user) -> bool:
    return user.has_perm("posts.publish_post")


def can_edit_any_post(user) -> bool:
    return user.has_perm("posts.change_any_post")


def own_posts(queryset: QuerySet, user) -> QuerySet:
    """The posts of `queryset` that `user` may edit without `change_any_post`.

    Subqueries on primary keys rather than joins, so the result has no duplicate rows
    and needs no DISTINCT (which PostgreSQL refuses on the `json` meta column).
    """
    from posts.models import Post, PostAuthor

    authored = PostAuthor.objects.filter(author__user=user).values("post_id")
    created = (
        LogEntry.objects.filter(
            user=user,
            action_flag=ADDITION,
            content_type=ContentType.objects.get_for_model(Post),
        )
        .annotate(post_id=Cast("object_id", BigIntegerField()))
        .values("post_id")
    )
    return queryset.filter(Q(pk__in=authored) | Q(pk__in=created))


def editable_posts(queryset: QuerySet, user) -> QuerySet:
    """All of `queryset` for an Editor, only their own posts for anyone else."""
    if can_edit_any_post(user):
        return queryset
    return own_posts(queryset, user)
