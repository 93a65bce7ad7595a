"""One import at a time per database.

Two imports running at once (two commands, or a command and the admin's zip upload)
raced to create the same authors, tags and categories: the loser's batches failed on the
unique slugs, every file of them, even for different folders; on SQLite they also failed
on "database is locked". An import now waits for the one running to finish.

- PostgreSQL: a session-level advisory lock, released when the run ends (or its
  connection closes).
- SQLite (a database file): an exclusive `flock` on `<database>.import-lock` beside it.
- Elsewhere, and for in-memory SQLite databases (one process): no lock.
"""

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connections


class ImportRunning(Exception):
    """Raised by an `on_wait` that will not wait (the admin's upload: a request must not
    wait for a long import, past the server's timeout)."""


def refuse_to_wait() -> None:
    """An `on_wait` that gives up instead of waiting."""
    raise ImportRunning


# pg_advisory_lock's key: any number the application uses for nothing else.
ADVISORY_KEY = 0x706F_7374_696D_7074  # "postimpt"


@contextmanager
def one_import_at_a_time(using: str, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the database's import lock for the block; `on_wait()` first if another run
    holds it (then wait for it)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with _advisory_lock(connection, on_wait):
            yield
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
        with _file_lock(f"{connection.settings_dict['NAME']}.import-lock", on_wait):
            yield
    else:
        yield


@contextmanager
def _advisory_lock(connection, on_wait) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
        if not cursor.fetchone()[0]:
            if on_wait is not None:
                on_wait()
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])


@contextmanager
def _file_lock(path: str, on_wait) -> Iterator[None]:
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
