"""How fast is the admin's post list with 30,000 posts? Prints timings; asserts nothing.

    .venv/bin/python bench/admin_changelist.py [--posts 30000] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms .venv/bin/python bench/admin_changelist.py

Works in a throwaway test database (`test_<name>`, created and dropped here), never in
the configured one. Requests go through Django's test client, so the figures are server
time: queries, Python and template rendering, without a network or a browser.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from posts import rendering  # noqa: E402
from posts.models import Author, Category, Post, PostAuthor, Tag, TaggedPost  # noqa: E402

WORDS = (
    "markdown editor kettle harbour typhoon 香港 新聞 python django archive letter morning "
    "river lantern engine garden 評論 東京 winter station"
).split()


def generate(*, posts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    authors = Author.objects.bulk_create(
        Author(name=f"Author {i}", slug=f"author-{i}") for i in range(300)
    )
    categories = Category.objects.bulk_create(
        Category(name=f"Category {i}", slug=f"category-{i}") for i in range(40)
    )
    tags = Tag.objects.bulk_create(Tag(name=f"tag {i}", slug=f"tag-{i}") for i in range(2000))
    # One rendering shared by every post: the bench measures the list, not markdown.
    body = "\n\n".join(" ".join(rng.choices(WORDS, k=60)) for _ in range(12))
    rendered = rendering.render(body)
    now = timezone.now()
    statuses = [Post.Status.PUBLISHED] * 8 + [Post.Status.DRAFT] * 2
    batch = []
    for i in range(posts):
        batch.append(
            Post(
                title=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                slug=f"post-{i}",
                body=body + f"\n\nunique-{i}",
                body_html=rendered.html,
                plain_excerpt=rendered.excerpt,
                reading_time=rendered.reading_time,
                status=rng.choice(statuses),
                # Ten years back, and a few scheduled ahead.
                published_at=now - timezone.timedelta(hours=rng.randint(-200, 87_600)),
                meta={"layout": "post", "weight": i},
            )
        )
    created = Post.objects.bulk_create(batch, batch_size=2000)
    links = []
    tagged = []
    cat_links = []
    through = Post.categories.through
    for post in created:
        for position, author in enumerate(rng.sample(authors, rng.choice([1, 1, 2]))):
            links.append(PostAuthor(post=post, author=author, position=position))
        for tag in rng.sample(tags, 3):
            tagged.append(TaggedPost(content_object=post, tag=tag))
        cat_links.append(through(post=post, category=rng.choice(categories)))
    PostAuthor.objects.bulk_create(links, batch_size=5000)
    TaggedPost.objects.bulk_create(tagged, batch_size=5000)
    through.objects.bulk_create(cat_links, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(client: Client, label: str, url: str, repeat: int) -> None:
    client.get(url)  # warm: template and query caches
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    shown = len(response.context["cl"].result_list)
    print(
        f"{label:<42} median {statistics.median(timings):7.1f} ms   "
        f"max {max(timings):7.1f} ms   {len(queries):2d} queries   {shown:3d} rows"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=30_000, help="posts to generate")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per URL")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        generate(posts=args.posts)
        print(
            f"{connection.vendor}: generated {Post.objects.count():,} posts, "
            f"{TaggedPost.objects.count():,} tag links in {time.perf_counter() - start:.1f} s"
        )
        user = User.objects.create_superuser("bench", password="bench")
        client = Client()
        client.force_login(user)
        category = Category.objects.first().pk
        tag = Tag.objects.first().pk
        author = Author.objects.first().pk
        base = "/admin/posts/post/"
        cases = [
            ("first page", base),
            ("page 300", f"{base}?p=300"),
            ("status=published", f"{base}?status=published"),
            ("status=scheduled", f"{base}?status=scheduled"),
            ("category filter", f"{base}?category={category}"),
            ("tag filter", f"{base}?tag={tag}"),
            ("author filter", f"{base}?author={author}"),
            ("date hierarchy: one year", f"{base}?published_at__year=2020"),
            ("search title word", f"{base}?q=kettle"),
            ("search body (no match)", f"{base}?q=zzzz-nothing"),
            (
                "search + category + tag + status",
                f"{base}?q=harbour&category={category}&tag={tag}&status=published",
            ),
            ("sorted by title", f"{base}?o=1"),
            ("tag list (2,000 tags, counts)", "/admin/posts/tag/"),
        ]
        for label, url in cases:
            if url.startswith("/admin/posts/tag/"):
                client.get(url)
                start = time.perf_counter()
                for _ in range(args.repeat):
                    client.get(url)
                per = (time.perf_counter() - start) * 1000 / args.repeat
                print(f"{label:<42} mean   {per:7.1f} ms")
                continue
            measure(client, label, url, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
