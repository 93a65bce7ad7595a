"""The Editor and Author groups, and the two post permissions that tell them apart."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from posts.roles import ensure_roles

    ensure_roles(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Author"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="post",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [
                    ("publish_post", "Can publish, schedule and unpublish posts"),
                    ("change_any_post", "Can edit posts by anyone"),
                ],
            },
        ),
        migrations.RunPython(create_roles, remove_roles),
    ]
