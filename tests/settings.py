"""Test settings: the product's settings plus what only tests need.

Tests run with DEBUG off, like production, so they need a secret key of their own.
"""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789"
)

from cms.settings import *  # noqa: E402,F403

# Manifest storage needs `collectstatic`; tests render templates without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the apps' folders (no collectstatic in tests), also to the
# live server that browser tests drive.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Throttling is off in tests whatever the environment says; tests that need it turn it on.
CMS_API_ANON_THROTTLE = ""

# SQLite tests use a file, not the in-memory default: with in-memory SQLite the live
# server's thread shares the test thread's connection, and a request the browser sends
# in the background (e.g. the editor's preview) races the test's own queries on it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile
    from pathlib import Path

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"cms-tests-{os.getpid()}.sqlite3")
    }
