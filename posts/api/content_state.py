"""The content state every cached response depends on, and how a process keeps it current.

`content_state()` returns the change counter (`ContentVersion`), the latest publication
time already reached, the next one still ahead and how many posts are published. Reading
them is one small query, but a cached response costs little more than that query's round
trip, so a process keeps the last state it read and reuses it while the database says
nothing has changed:

- PostgreSQL: a trigger on the counter's table sends `NOTIFY cms_content` when a change
  commits (migration 0009). Each process holds one listening connection; checking it
  for notifications reads the socket without waiting (no round trip).
- SQLite: `PRAGMA data_version` on the request's own connection changes whenever another
  connection commits; it reads the open file's header, not a table.
- Either way, a bump this process commits is counted at once (`ContentVersion.
  local_bumps`), a scheduled post's time (or an expiry date) ends the kept state, and the
  state is re-read at least every RECHECK_SECONDS, so a listener that died silently (a
  network drop with no reset) cannot keep old content for longer than that.

The kept state is never used inside a transaction (the transaction may hold changes of
its own that no one was told of yet), while the listener cannot be had (it is retried
every few seconds; until then each request queries), or when CMS_CONTENT_STATE_WATCH is
off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router
from django.db.models import Subquery
from django.utils import timezone

from posts.api.compiled import SAMPLE_MOMENTS, CompiledQuery, prepare_moment
from posts.api.post_list import counted
from posts.models import ContentVersion, Post

logger = logging.getLogger(__name__)

CHANNEL = "cms_content"
# The longest a process trusts its kept state without reading it again.
RECHECK_SECONDS = 1.0
# After a failed attempt to listen, how long requests query before the next attempt.
RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class ContentState:
    """What every cached representation depends on, as of one request."""

    now: dt.datetime
    generation: int
    changed_at: dt.datetime | None
    # The moments time itself changes what readers see: a post going live or, with an
    # expiry date, leaving. The latest already reached, and the next one ahead.
    latest_publication: dt.datetime | None
    next_publication: dt.datetime | None
    # Posts Post.objects.published() holds: the count of the unfiltered post list, which
    # changes only with the counter or a publication time, like the rest of the state.
    published_count: int = 0
    # The latest expiry date reached by a published post: None while no post has left
    # this way, and the links' copy of their posts' state (posts.api.post_list) needs none.
    latest_expiry: dt.datetime | None = None

    @property
    def expired_posts(self) -> bool:
        """Whether any published post has passed its expiry date."""
        return self.latest_expiry is not None

    @property
    def modified(self) -> dt.datetime:
        """When the visible content last changed: an edit, or a scheduled post going live."""
        moments = [m for m in (self.changed_at, self.latest_publication) if m is not None]
        return max(moments) if moments else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    def seconds_until_next_publication(self) -> float | None:
        if self.next_publication is None:
            return None
        return (self.next_publication - self.now).total_seconds()


def _state_queryset(shape, now: dt.datetime):
    latest = Post.objects.published(now=now).order_by("-published_at").values("published_at")
    upcoming = Post.objects.scheduled(now=now).order_by("published_at").values("published_at")
    expired = Post.objects.expired(now=now).order_by("-expires_at").values("expires_at")
    expiring = (
        Post.objects.filter(status=Post.Status.PUBLISHED, expires_at__gt=now)
        .order_by("expires_at")
        .values("expires_at")
    )
    return (
        ContentVersion.objects.filter(pk=1)
        .annotate(
            latest=Subquery(latest[:1]),
            upcoming=Subquery(upcoming[:1]),
            published=Subquery(counted(Post.objects.published(now=now))),
            expired=Subquery(expired[:1]),
            expiring=Subquery(expiring[:1]),
        )
        .values_list(
            "generation", "changed_at", "latest", "upcoming", "published", "expired", "expiring"
        )
    )


# Compiled once (see posts.api.compiled). Its datetimes are read by _as_datetime, several
# times faster than the ORM's converters.
_state_query = CompiledQuery(_state_queryset, lambda shape: SAMPLE_MOMENTS, prepare_moment)


def _as_datetime(value) -> dt.datetime | None:
    """A database datetime as an aware UTC datetime (SQLite hands back text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _read_state(now: dt.datetime, using: str) -> ContentState:
    rows = _state_query.rows(None, [now], using=using)
    if not rows:  # a database flushed since migrating (some test set-ups)
        ContentVersion.objects.using(using).get_or_create(pk=1)
        rows = _state_query.rows(None, [now], using=using)
    generation, changed_at, latest, upcoming, published, expired, expiring = rows[0]
    latest, upcoming = _as_datetime(latest), _as_datetime(upcoming)
    expired, expiring = _as_datetime(expired), _as_datetime(expiring)
    return ContentState(
        now,
        generation,
        _as_datetime(changed_at),
        max((m for m in (latest, expired) if m is not None), default=None),
        min((m for m in (upcoming, expiring) if m is not None), default=None),
        published,
        expired,
    )


class _Listener:
    """One process's PostgreSQL connection that LISTENs for committed changes."""

    def __init__(self, connection):
        import psycopg

        params = connection.get_connection_params()
        self.connection = psycopg.connect(**params, autocommit=True)
        self.connection.execute(f"LISTEN {CHANNEL}")
        self.pid = os.getpid()
        self.received = 0
        self.failure: str | None = None
        # A server that ends the session (shutdown, pg_terminate_backend) first sends a
        # FATAL message, which libpq hands to notice handlers when idle; the closed
        # socket may only be read on a later poll.
        self.connection.add_notice_handler(self._notice)

    def _notice(self, diagnostic) -> None:
        if diagnostic.severity_nonlocalized in ("ERROR", "FATAL", "PANIC"):
            self.failure = diagnostic.message_primary or diagnostic.severity_nonlocalized

    def poll(self) -> int:
        """Notifications received so far; reads what arrived without waiting for more."""
        pgconn = self.connection.pgconn
        pgconn.consume_input()  # raises when the connection is gone
        while pgconn.notifies() is not None:
            self.received += 1
        if self.failure is not None:
            raise ConnectionError(self.failure)
        return self.received

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # already broken: nothing more to release
            pass


class _PostgresWatch:
    """Per process and database alias: the listener, and the state kept with it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.listener: _Listener | None = None
        self.retry_at = 0.0
        self.kept: tuple | None = None

    def token(self, connection):
        """(listener, notifications received), or None where nothing is listening."""
        with self.lock:
            listener = self.listener
            if listener is not None and listener.pid != os.getpid():
                listener = self.listener = None  # inherited through fork: not ours
            if listener is not None:
                try:
                    return listener, listener.poll()
                except Exception as exc:
                    listener.close()
                    self.listener, self.kept = None, None
                    logger.warning("the content-change listener failed: %s", exc)
            if time.monotonic() < self.retry_at:
                return None
            listener = None
            try:
                listener = _Listener(connection)
                token = listener, listener.poll()
            except Exception as exc:
                if listener is not None:
                    listener.close()
                self.retry_at = time.monotonic() + RETRY_SECONDS
                logger.warning("cannot LISTEN for content changes: %s", exc)
                return None
            self.listener = listener
            return token

    def forget(self) -> None:
        with self.lock:
            self.kept = None
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            self.retry_at = 0.0

    def get_kept(self, connection):
        return self.kept

    def set_kept(self, connection, kept) -> None:
        self.kept = kept


class _SQLiteWatch:
    """`PRAGMA data_version` of the request's connection; the state kept per connection
    (a version only compares with earlier ones of the same connection)."""

    def token(self, connection):
        connection.ensure_connection()
        raw = connection.connection
        return raw, raw.execute("PRAGMA data_version").fetchone()[0]

    def get_kept(self, connection):
        return getattr(connection, "cms_kept_content_state", None)

    def set_kept(self, connection, kept) -> None:
        connection.cms_kept_content_state = kept


_postgres_watches: dict[str, _PostgresWatch] = {}


def _watch(connection):
    if connection.vendor == "postgresql":
        watch = _postgres_watches.get(connection.alias)
        if watch is None:
            watch = _postgres_watches.setdefault(connection.alias, _PostgresWatch())
        return watch
    if connection.vendor == "sqlite":
        return _SQLITE_WATCH
    return None


_SQLITE_WATCH = _SQLiteWatch()


def content_state(*, now: dt.datetime | None = None) -> ContentState:
    """The change counter and the publication times around `now`.

    One query, unless this process read the state before and the database has told it
    of no change since (module docstring).
    """
    now = now or timezone.now()
    using = router.db_for_read(Post)
    connection = connections[using]
    watch = _watch(connection) if settings.CMS_CONTENT_STATE_WATCH else None
    if watch is None or connection.in_atomic_block:
        return _read_state(now, using)
    token = watch.token(connection)
    if token is None:
        return _read_state(now, using)
    source, count = token
    local = ContentVersion.local_bumps
    kept = watch.get_kept(connection)
    if kept is not None:
        kept_source, kept_count, kept_local, until, state = kept
        fresh = kept_source is source and kept_count == count and kept_local == local
        # state.now <= now: a clock set back (tests) must not see posts of its future.
        if fresh and state.now <= now < until:
            return dataclasses.replace(state, now=now)
    # Read after taking the token: a change that lands between the two is read now and
    # notified again, so the worst it costs is one more read.
    state = _read_state(now, using)
    until = now + dt.timedelta(seconds=RECHECK_SECONDS)
    if state.next_publication is not None:
        until = min(until, state.next_publication)
    watch.set_kept(connection, (source, count, local, until, state))
    return state


def forget() -> None:
    """Drop every kept state and listener of this process (tests; after a fork)."""
    for watch in list(_postgres_watches.values()):
        watch.forget()
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "cms_kept_content_state"):
            del connection.cms_kept_content_state
