"""The import_markdown and export_markdown commands: options, output, exit status."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from posts.models import Post
from tests.markdown_helpers import jekyll, write_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    return write_files(
        tmp_path / "site",
        {"_posts/2020-01-02-a.md": jekyll("A"), "_posts/2020-01-03-b.md": jekyll("B")},
    )


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_prints_a_summary(folder):
    output = run("import_markdown", str(folder))
    assert "2 created" in output and "0 failed" in output
    assert Post.objects.count() == 2


def test_import_verbosity_two_lists_each_file(folder):
    output = run("import_markdown", str(folder), "-v", "2")
    assert "created   _posts/2020-01-02-a.md" in output
    assert "created   _posts/2020-01-03-b.md" in output


def test_import_exits_with_status_one_when_a_file_failed(folder):
    write_files(folder, {"broken.md": "---\ntitle: [\n---\n"})
    out = StringIO()
    with pytest.raises(CommandError, match="1 file failed") as caught:
        call_command("import_markdown", str(folder), stdout=out)
    assert caught.value.returncode == 1
    assert "failed    broken.md:3" in out.getvalue()
    assert Post.objects.count() == 2


def test_import_dry_run_and_options(folder):
    output = run(
        "import_markdown",
        str(folder),
        "--dry-run",
        "--timezone",
        "Europe/Paris",
        "--default-author",
        "Team",
    )
    assert output.startswith("Dry run") or "Dry run" in output
    assert Post.objects.count() == 0


def test_import_of_a_missing_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        call_command("import_markdown", str(tmp_path / "nope"), stdout=StringIO())


def test_export_writes_the_folder(folder, tmp_path):
    run("import_markdown", str(folder))
    output = run("export_markdown", str(tmp_path / "out"), "--status", "published")
    assert "2 written" in output
    assert (tmp_path / "out/_posts/2020-01-02-a.md").read_bytes() == (
        folder / "_posts/2020-01-02-a.md"
    ).read_bytes()


def test_example_posts_import_cleanly_and_twice():
    from django.conf import settings

    examples = settings.BASE_DIR / "posts" / "example_posts"
    first = run("import_markdown", str(examples))
    assert "0 failed" in first and "0 created" not in first
    second = run("import_markdown", str(examples))
    assert "0 created" in second and "0 updated" in second
    assert Post.objects.drafts().exists()
    assert Post.objects.scheduled().exists()
    assert Post.objects.filter(post_authors__position=1).exists()  # two authors on one post


def test_import_refuses_to_prune_every_post_from_another_folder(folder, tmp_path):
    run("import_markdown", str(folder))
    other = write_files(tmp_path / "other", {"notes/todo.md": "---\ntitle: Todo\n---\n"})

    with pytest.raises(CommandError, match="--prune would delete all 2 imported posts"):
        run("import_markdown", str(other), "--prune")

    assert sorted(Post.objects.values_list("title", flat=True)) == ["A", "B"]
