"""`make bench-api`: throughput of the read API against the framework's ceiling.

1. Migrates the benchmark database (DATABASE_URL, else bench/out/bench.sqlite3) and, unless
   it already holds enough posts, imports --posts seed-site posts from
   ../shared/corpus/seedsite with `manage.py import_markdown` (a temporary copy:
   `_posts/` first, then `archived/`, one file per name).
2. Serves the project with gunicorn (2 sync workers, DEBUG off) on 127.0.0.1 with
   bench/settings.py, which adds `/bench/ceiling/<name>/`: a bare Django view returning the
   bytes an endpoint returned, precomputed, through the same middleware and server.
3. Loads each endpoint with wrk (10 s, 16 connections): with the server-side response
   cache on (repeat requests are cache hits), again with it off (CMS_API_CACHE_SECONDS=0:
   every request queries and serialises), each run followed by the ceiling for the same
   bytes on the same server.
4. Prints req/s, p50 and p99 and each run's ratio to the ceiling measured beside it.

The server is stopped at the end whatever happens. Figures depend on the machine and on
what else runs on it; compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CORPUS = ROOT.parent / "shared" / "corpus" / "seedsite"
PYTHON = sys.executable
# Load average above which the machine is too busy for figures worth quoting.
BUSY_LOAD = 0.5 * (os.cpu_count() or 1)


@dataclass
class Endpoint:
    name: str
    path: str
    headers: dict[str, str]
    cacheable: bool = True  # False: the response never comes from the server cache (304)


@dataclass
class Result:
    rps: float
    p50: str
    p99: str
    errors: int


def base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CMS_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        CMS_API_ANON_THROTTLE="",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def published_count(env: dict[str, str]) -> int:
    script = "from posts.models import Post; print(Post.objects.published().count())"
    return int(manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


def seed_folder(count: int, folder: Path) -> int:
    """Copy `count` seed-site posts into `folder/_posts`, one per file name.

    Copies, not symlinks: the importer skips symbolic links (a folder must not reach
    outside itself)."""
    target = folder / "_posts"
    target.mkdir(parents=True)
    names: set[str] = set()
    candidates = sorted((CORPUS / "_posts").glob("*.md"))
    candidates += sorted((CORPUS / "archived").glob("*/*.md"), reverse=True)
    for source in candidates:
        if len(names) >= count:
            break
        if source.name not in names:
            names.add(source.name)
            shutil.copyfile(source, target / source.name)
    return len(names)


def ensure_posts(env: dict[str, str], wanted: int) -> int:
    manage(env, "migrate", "--noinput", "-v", "0")
    have = published_count(env)
    if have >= wanted:
        print(f"database already holds {have} published posts; not importing")
        return have
    if not CORPUS.is_dir():
        sys.exit(f"the seed-site corpus is not at {CORPUS}")
    commands = manage(env, "help", "--commands")
    if "import_markdown" not in commands.split():
        sys.exit("`manage.py import_markdown` is not in this checkout (the import work adds it)")
    with tempfile.TemporaryDirectory(prefix="bench-seedsite-") as tmp:
        linked = seed_folder(wanted + wanted // 20, Path(tmp))  # a few files may not parse
        print(f"importing {linked} seed-site files ...", flush=True)
        started = time.perf_counter()
        manage(env, "import_markdown", tmp)
        print(f"imported in {time.perf_counter() - started:.1f} s")
    have = published_count(env)
    if have < wanted:
        sys.exit(f"only {have} published posts after the import; wanted {wanted}")
    return have


class Server:
    """gunicorn in its own process group, stopped (group and all) by stop()."""

    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port, self.process = env, port, None

    def start(self, **extra_env: str) -> None:
        command = [
            PYTHON, "-m", "gunicorn", "cms.wsgi",
            "--workers", "2", "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **extra_env}, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("gunicorn exited during start-up")
            try:
                urllib.request.urlopen(self.url("/api/v1/tags/"), timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        sys.exit("gunicorn did not answer within 30 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def fetch(server: Server, endpoint: Endpoint) -> tuple[int, str, bytes, str]:
    request = urllib.request.Request(server.url(endpoint.path), headers=endpoint.headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read(),
                response.headers.get("ETag", ""),
            )
    except urllib.error.HTTPError as error:  # 304 arrives as an "error"
        return error.code, error.headers.get("Content-Type", ""), error.read(), ""


LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+(\S+)", re.M)


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> Result:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latencies = dict(LATENCY.findall(output))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    if socket_errors:
        print(f"    ({socket_errors.group(0).strip()})")
    failed = int(errors.group(1)) if errors else 0
    return Result(rps, latencies.get("50", "?"), latencies.get("99", "?"), failed)


def endpoints(server: Server, search: str) -> list[Endpoint]:
    tags = fetch(server, Endpoint("", "/api/v1/tags/?page_size=100", {}))[2]
    busiest = max(json.loads(tags)["results"], key=lambda tag: tag["post_count"])
    first = json.loads(fetch(server, Endpoint("", "/api/v1/posts/?page_size=1", {}))[2])
    slug = urllib.parse.quote(first["results"][0]["slug"])
    tag = urllib.parse.quote(busiest["slug"])
    listed = [
        Endpoint("list page 1", "/api/v1/posts/", {}),
        Endpoint("list page 50", "/api/v1/posts/?page=50", {}),
        Endpoint(f"list tag={busiest['name']}", f"/api/v1/posts/?tag={tag}", {}),
        Endpoint(f"search {search}", f"/api/v1/posts/?search={urllib.parse.quote(search)}", {}),
        Endpoint(
            "list fields=...,body_html",
            "/api/v1/posts/?fields=slug,title,excerpt,published_at,body_html",
            {},
        ),
        Endpoint("detail", f"/api/v1/posts/{slug}/", {}),
    ]
    etag = fetch(server, listed[0])[3]
    conditional = Endpoint(
        "conditional GET (304)", "/api/v1/posts/", {"If-None-Match": etag}, False
    )
    listed.append(conditional)
    return listed


def record_ceilings(server: Server, listed: list[Endpoint], folder: Path) -> None:
    for index, endpoint in enumerate(listed):
        status, content_type, body, _ = fetch(server, endpoint)
        expected = 304 if "If-None-Match" in endpoint.headers else 200
        if status != expected:
            sys.exit(f"{endpoint.name}: expected {expected}, got {status}")
        (folder / f"e{index}.meta").write_text(f"{status}\n{content_type}")
        (folder / f"e{index}.body").write_bytes(body)
        shown = endpoint.path if len(endpoint.path) <= 70 else endpoint.path[:67] + "..."
        print(f"  {endpoint.name}: {shown} -> {status}, {len(body):,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000, help="published posts wanted")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--search", default="香港", help="the CJK word searched for")
    args = parser.parse_args()

    # The server and wrk share the machine's cores: anything else running skews the
    # ratios (mostly the ceiling's), so a run on a busy machine is not one to quote.
    load = os.getloadavg()[0]
    busy_at_start = load if load > BUSY_LOAD else 0.0
    if busy_at_start:
        print(f"warning: load average {load:.1f}: the machine is busy; figures will be skewed")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    OUT.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{OUT / 'bench.sqlite3'}"
    env = base_env(database_url)
    posts = ensure_posts(env, args.posts)

    ceiling_dir = Path(tempfile.mkdtemp(prefix="bench-ceiling-"))
    env["BENCH_CEILING_DIR"] = str(ceiling_dir)
    server = Server(env, args.port)
    # (endpoint, cached, its ceiling, (uncached, its ceiling) or None)
    rows: list[tuple[Endpoint, Result, Result, tuple[Result, Result] | None]] = []
    try:
        server.start()
        listed = endpoints(server, args.search)
        print("responses:")
        record_ceilings(server, listed, ceiling_dir)
        run = functools.partial(wrk, seconds=args.seconds, connections=args.connections)
        cached, ceilings = {}, {}
        for index, endpoint in enumerate(listed):
            print(f"wrk: {endpoint.name} (server cache on) ...", flush=True)
            cached[index] = run(server.url(endpoint.path), endpoint.headers)
            print(f"wrk: {endpoint.name} ceiling ...", flush=True)
            ceilings[index] = run(server.url(f"/bench/ceiling/e{index}/"), {})
        server.stop()
        server.start(CMS_API_CACHE_SECONDS="0")
        # Each uncached run is compared with a ceiling measured right after it, on the
        # same server: the ceiling drifts by 10-20% over minutes on a shared machine.
        uncached = {}
        for index, endpoint in enumerate(listed):
            if endpoint.cacheable:
                print(f"wrk: {endpoint.name} (server cache off) ...", flush=True)
                miss = run(server.url(endpoint.path), endpoint.headers)
                print(f"wrk: {endpoint.name} ceiling again ...", flush=True)
                uncached[index] = (miss, run(server.url(f"/bench/ceiling/e{index}/"), {}))
        for index, endpoint in enumerate(listed):
            rows.append((endpoint, cached[index], ceilings[index], uncached.get(index)))
    finally:
        server.stop()
        shutil.rmtree(ceiling_dir, ignore_errors=True)

    print()
    print(f"{posts} published posts, {database_url.split(':')[0]}, gunicorn 2 sync workers, "
          f"wrk {args.seconds} s x {args.connections} connections")  # fmt: skip
    if busy_at_start:
        print(f"warning: the load average was {busy_at_start:.1f} at the start: figures skewed")
    header = f"{'endpoint':<34}{'mode':<9}{'req/s':>9}{'p50':>10}{'p99':>10}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for endpoint, hit, top, uncached_pair in rows:
        lines = [("ceiling", top, None), ("cached" if endpoint.cacheable else "304", hit, top)]
        if uncached_pair is not None:
            miss, top_again = uncached_pair
            lines += [("ceiling", top_again, None), ("uncached", miss, top_again)]
        for index, (mode, result, ceiling) in enumerate(lines):
            name = endpoint.name if index == 0 else ""
            ratio = f"{result.rps / ceiling.rps:>7.2f}x" if ceiling else f"{'':>8}"
            flag = f"  ({result.errors} errors)" if result.errors else ""
            print(
                f"{name:<34}{mode:<9}{result.rps:>9.0f}{result.p50:>10}{result.p99:>10}"
                f"{ratio}{flag}"
            )
    print("\ntargets: cached and 304 >= 0.70x the ceiling; uncached list >= 0.20x")


if __name__ == "__main__":
    main()
