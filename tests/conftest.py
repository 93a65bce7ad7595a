from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache, whichever backend is configured."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real markdown folders; tests using it skip where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS
