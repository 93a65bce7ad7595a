# posts.models.PostRevision: a proxy of django-reversion's Revision whose revert changes only
# the posts and their own links (posts.versioning.revert_posts). No table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0011_sanitize_stored_srcset'),
        ('reversion', '0002_add_index_on_version_for_content_type_and_db'),
    ]

    operations = [
        migrations.CreateModel(
            name='PostRevision',
            fields=[
            ],
            options={
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('reversion.revision',),
        ),
    ]
