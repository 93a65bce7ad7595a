"""Benchmark of import_markdown / export_markdown on a real folder. Prints figures, asserts nothing.

    make bench-import                       # ../shared/corpus/seedsite, SQLite then PostgreSQL
    .venv/bin/python bench/import_bench.py [FOLDER] [--only sqlite|postgresql|floor]

For each database, in a fresh process and a fresh database: the first import, a re-import of
the unchanged folder and an export (files/s and wall time), queries per batch of the first
import, and the process's peak RSS. The *parse floor* is reading, parsing and rendering every
file in one process without a database: the least any import can cost.

PostgreSQL: DATABASE_URL when it names a PostgreSQL server, else postgres://postgres@127.0.0.1
:5432; the benchmark creates and drops a database of its own (`<name>_bench`) there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = BASE.parent / "shared" / "corpus" / "seedsite"
TARGETS = (
    "targets: first import <= 2x parse floor; re-import <= 0.25x first import; "
    "peak RSS <= 300 MB; queries per batch constant"
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG would keep every query's SQL in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE))
    import django

    django.setup()


# --- children: one process per measurement ------------------------------------------------


def child_floor(folder: Path) -> dict:
    setup_django(None)
    from zoneinfo import ZoneInfo

    from posts import rendering
    from posts.markdown_io.fields import SectionPage
    from posts.markdown_io.importer import walk
    from posts.markdown_io.parsing import ParseError, parse_post

    tz = ZoneInfo("UTC")
    started = time.perf_counter()
    files = parsed = 0
    for rel, absolute in walk(folder):
        files += 1
        with open(absolute, "rb") as handle:
            data = handle.read()
        try:
            post = parse_post(data, rel, tz=tz, mtime=os.stat(absolute).st_mtime)
        except (ParseError, SectionPage):
            continue
        rendering.render(post.body, excerpt=post.excerpt)
        parsed += 1
    return {
        "files": files,
        "parsed": parsed,
        "seconds": time.perf_counter() - started,
        "rss_mb": peak_rss_mb(),
    }


def child_database(folder: Path, database_url: str) -> dict:
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from posts.markdown_io import importer
    from posts.markdown_io.exporter import export_folder
    from posts.models import Post

    call_command("migrate", verbosity=0)
    result = {"vendor": connection.vendor}

    # Queries per batch, counted by wrapping the batch writer.
    per_batch: list[int] = []
    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    original = importer.FolderImport.write_batch

    def write_batch(self, items):
        before = counter["n"]
        original(self, items)
        per_batch.append(counter["n"] - before)

    importer.FolderImport.write_batch = write_batch
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        first = importer.import_folder(folder)
        result["first"] = time.perf_counter() - started
    importer.FolderImport.write_batch = original
    result["first_counts"] = dict(first.counts)
    result["files"] = len(first.outcomes)
    result["rss_after_first_mb"] = peak_rss_mb()
    result["batches"] = per_batch

    started = time.perf_counter()
    again = importer.import_folder(folder)
    result["reimport"] = time.perf_counter() - started
    result["reimport_counts"] = dict(again.counts)

    out = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        started = time.perf_counter()
        exported = export_folder(out)
        result["export"] = time.perf_counter() - started
        result["export_counts"] = dict(exported.counts)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result["posts"] = Post.objects.count()
    result["rss_mb"] = peak_rss_mb()
    return result


# --- the parent: databases, processes, the table -------------------------------------------


def postgres_url() -> str | None:
    """A PostgreSQL server URL to create the bench database on, or None if none answers."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return url
    except Exception as exc:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipping it.")
        return None


def run_child(args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n")
        raise SystemExit(f"benchmark step failed: {' '.join(args)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def with_database(server_url: str, name: str):
    import psycopg
    from psycopg import sql

    base, _, _ = server_url.rpartition("/")
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def drop_database(server_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def line(label: str, seconds: float, files: int) -> str:
    return f"  {label:<22} {seconds:8.1f} s   {files / seconds:8.0f} files/s"


def report_database(result: dict, floor: dict | None) -> None:
    files = result["files"]
    print(f"\n{result['vendor']}:")
    print(line("first import", result["first"], files), " ", result["first_counts"])
    print(line("unchanged re-import", result["reimport"], files), " ", result["reimport_counts"])
    print(line("export", result["export"], result["posts"]), " ", result["export_counts"])
    batches = result["batches"]
    full = batches[:-1] or batches  # the last batch is partial
    print(
        f"  queries per batch      min {min(full)}, median {statistics.median(full):.0f}, "
        f"max {max(full)} over {len(batches)} batches of up to 500 files"
    )
    print(f"  peak RSS               {result['rss_mb']:.0f} MB")
    print(f"  posts in the database  {result['posts']:,}")
    ratio = result["reimport"] / result["first"]
    print(f"  re-import / first      {ratio:.2f}x (target <= 0.25x)")
    if floor:
        print(f"  first / parse floor    {result['first'] / floor['seconds']:.2f}x (target <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--only", choices=["floor", "sqlite", "postgresql"])
    parser.add_argument("--child", choices=["floor", "database"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.folder)
    if args.child == "floor":
        print(json.dumps(child_floor(folder)))
        return
    if args.child == "database":
        print(json.dumps(child_database(folder, args.database_url)))
        return
    if not folder.is_dir():
        print(f"{folder} not found: nothing to benchmark (the corpus lives in ../shared/corpus).")
        return

    print(f"Benchmark of {folder}\n{TARGETS}")
    floor = None
    if args.only in (None, "floor"):
        floor = run_child(["--child", "floor", str(folder)])
        print(
            f"\nparse floor (read + parse + render, no database):\n"
            f"{line('all files', floor['seconds'], floor['files'])}"
            f"   {floor['parsed']:,} parsed, peak RSS {floor['rss_mb']:.0f} MB"
        )
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite3"
            report_database(
                run_child(["--child", "database", "--database-url", url, str(folder)]), floor
            )
    if args.only in (None, "postgresql"):
        server = postgres_url()
        if server:
            name = (server.rpartition("/")[2] or "cms") + "_bench"
            url = with_database(server, name)
            try:
                result = run_child(["--child", "database", "--database-url", url, str(folder)])
                report_database(result, floor)
            finally:
                drop_database(server, name)


if __name__ == "__main__":
    main()
