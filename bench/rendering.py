"""How long do pathological bodies take to render? Prints timings; asserts nothing.

    .venv/bin/python bench/rendering.py [--repeat 3]

Each case doubles its size once: a time that grows about 2x with it is linear, 4x is
quadratic. The cases are bodies real folders hold (the seed site's single-line `<div>`s, up to
110,000 characters) and ones that made a rendering step quadratic before (repeated headings).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from posts.rendering import render  # noqa: E402

CASES = {
    "one-line <div>, as the seed site's": lambda n: (
        "[t](https://x.example)\n------\n<div>" + "中文字句，" * (22_000 * n) + "</div>\n"
    ),
    "20,000 identical headings": lambda n: "# Notes\n\n" * (20_000 * n),
    "20,000 paragraphs": lambda n: "Some *text* here.\n\n" * (20_000 * n),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'case':40} {'size':>8} {'x1':>9} {'x2':>9} {'growth':>7}")
    for name, make in CASES.items():
        times = []
        for scale in (1, 2):
            body = make(scale)
            best = min(_timed(body) for _ in range(args.repeat))
            times.append(best)
        size = f"{len(make(1).encode()) / 1024:,.0f} KB"
        print(f"{name:40} {size:>8} {times[0]:8.3f}s {times[1]:8.3f}s {times[1] / times[0]:6.1f}x")


def _timed(body: str) -> float:
    start = time.perf_counter()
    render(body)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
