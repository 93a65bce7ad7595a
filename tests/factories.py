import datetime as dt

import factory
from django.utils import timezone

from posts.models import Author, Category, Post


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class PostFactory(factory.django.DjangoModelFactory):
    """A published post, live since yesterday, unless told otherwise."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    body = factory.LazyAttribute(lambda post: f"Text of *{post.title}*.\n")
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    @factory.post_generation
    def authors(post, create, extracted, **kwargs):
        if create and extracted:
            post.set_authors(extracted)

    @factory.post_generation
    def categories(post, create, extracted, **kwargs):
        if create and extracted:
            post.categories.set(extracted)

    @factory.post_generation
    def tags(post, create, extracted, **kwargs):
        if create and extracted:
            post.tags.set(extracted)
