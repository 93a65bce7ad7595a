"""Settings for `make bench-api`: production settings plus the ceiling URL (bench/urls.py).

Never used outside the benchmark; the production URL conf has no ceiling view.
"""

from cms.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
