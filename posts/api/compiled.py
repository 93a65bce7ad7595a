"""Querysets compiled to SQL once per shape, then run with fresh values.

For the queries every uncached API request runs (the content state, a post list's count
and page, the relations of a page of posts), building and compiling the queryset costs
several times more than executing it. The ORM still writes the SQL, so the visibility
rule, the filters and the schema stay in one place: a query is built twice with two sets
of sample values; the parameters that differ between the two are the slots a run fills
with real values. Everything else (the SQL text, constant parameters, the ORM's value
converters) is kept per shape, for the most recently used shapes.
"""

import datetime as dt
import functools
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.conf import settings
from django.db import Error, connections
from django.db.models import QuerySet

# Shapes kept per query and database; a list's shape includes its filter values and page.
MAX_SHAPES = 2048

# Two sample moments, for queries whose one value is "now" (visibility depends on it).
SAMPLE_MOMENTS = (
    [dt.datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)],
    [dt.datetime(2002, 3, 4, 5, 6, 7, 890, tzinfo=dt.UTC)],
)


def prepare_moment(moment: dt.datetime, connection) -> Any:
    """An aware datetime as the ORM sends it for a DateTimeField."""
    return connection.ops.adapt_datetimefield_value(moment)


class CompiledQuery:
    """`build(shape, *values)` returns a queryset; `values` are replaced on each run.

    `samples(shape)` gives two sequences of values, differing at every position, that
    the query is built with to find where each value lands; `prepare(value, connection)`
    turns a value into its database form (what the ORM would have sent).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        samples: Callable[[Hashable], tuple[Sequence[Any], Sequence[Any]]],
        prepare: Callable[[Any, Any], Any] = lambda value, connection: value,
        *,
        convert: bool = False,
    ):
        self.build, self.samples, self.prepare, self.convert = build, samples, prepare, convert
        self._compiled: OrderedDict[tuple[str, Hashable], tuple] = OrderedDict()

    def _sql(self, alias: str, shape: Hashable, values: Sequence[Any]):
        compiler = self.build(shape, *values).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        prepared = [self.prepare(value, connections[alias]) for value in values]
        return compiler, sql, list(params), prepared

    def _compile(self, alias: str, shape: Hashable):
        key = (alias, shape)
        compiled = self._compiled.get(key)
        if compiled is not None:
            self._compiled.move_to_end(key)
            return compiled
        first, second = self.samples(shape)
        compiler, sql, params, prepared = self._sql(alias, shape, first)
        _, other_sql, other_params, other_prepared = self._sql(alias, shape, second)
        if sql != other_sql or len(params) != len(other_params):
            raise RuntimeError("the query's SQL depends on the values, not only the shape")
        slots = []
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one != two:
                matches = [
                    index
                    for index, (a, b) in enumerate(zip(prepared, other_prepared, strict=True))
                    if a == one and b == two
                ]
                if len(matches) != 1:
                    raise RuntimeError(f"cannot tell which value parameter {position} holds")
                slots.append((position, matches[0]))
        if len({index for _, index in slots}) != len(first):
            raise RuntimeError("a value did not reach the compiled SQL")
        converters = None
        if self.convert:
            fields = [select[0] for select in compiler.select[: compiler.col_count]]
            converters = _faster_converters(compiler.get_converters(fields), connections[alias])
        compiled = (compiler, sql, params, slots, converters)
        self._compiled[key] = compiled
        if len(self._compiled) > MAX_SHAPES:
            self._compiled.popitem(last=False)
        return compiled

    def rows(self, shape: Hashable, values: Sequence[Any], *, using: str = "default") -> list:
        compiler, sql, params, slots, converters = self._compile(using, shape)
        connection = connections[using]
        params = list(params)
        prepared = [self.prepare(value, connection) for value in values]
        for position, index in slots:
            params[position] = prepared[index]
        checks_health = _take_over_health_check(connection)
        try:
            rows = _fetch(connection, sql, params)
        except Error:
            if not checks_health or connection.is_usable():
                raise  # the query failed, not the connection
            # The kept connection had died (a database restart, an idle timeout): what
            # the health check would have found. Read again on a new one.
            connection.close()
            rows = _fetch(connection, sql, params)
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return rows


def _faster_converters(converters: dict, connection) -> dict:
    """The ORM's value converters, with SQLite's for timestamps swapped for a faster one.

    Django's reads settings and checks whether the value is aware twice for each
    timestamp, and a list page converts 40. Swapped only where the connection's zone is
    UTC (no TIME_ZONE in DATABASES), the case _sqlite_moment gives the same values for.
    """
    if connection.vendor != "sqlite" or connection.timezone is not dt.UTC:
        return converters
    slow = connection.ops.convert_datetimefield_value
    return {
        index: ([_sqlite_moment if c == slow else c for c in functions], expression)
        for index, (functions, expression) in converters.items()
    }


def _sqlite_moment(value, expression, connection):
    """A timestamp as Django reads it from SQLite: an aware datetime in UTC.

    Python's sqlite3 module has already parsed the text (Django registers the parser for
    `datetime` columns); what is left is attaching the zone.
    """
    if value.__class__ is not dt.datetime:  # None, or text from an expression
        return connection.ops.convert_datetimefield_value(value, expression, connection)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _take_over_health_check(connection) -> bool:
    """Mark the request's connection health check done if this query can stand in for
    it, and say whether it does.

    With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before the first query of a request
    on a kept connection: a round trip costing 0.3-0.5 ms on a busy PostgreSQL host, about
    a tenth of an uncached list. A compiled query only reads, so it can be the check
    itself: if it fails because the connection is gone, it runs again on a new one. Not
    inside a transaction, whose work a new connection would silently drop.
    """
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
    ):
        return False
    connection.health_check_done = True
    return True


def _fetch(connection, sql: str, params: list) -> list:
    if connection.vendor != "postgresql" or not hasattr(connection.Database, "Cursor"):
        with connection.cursor() as cursor:  # psycopg2 can neither prepare nor swap loaders
            cursor.execute(sql, params)
            return cursor.fetchall()
    cursor = _compiled_cursor(connection)
    cursor.execute(sql, params)
    return cursor.fetchall()


# The compiled queries' cursor of each open psycopg connection (see _compiled_cursor).
_cursors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_cursor(connection):
    """The cursor compiled queries run on, on PostgreSQL: it runs prepared statements and
    reads timestamps in C, and one is kept per connection.

    Django's cursors bind on the client, pasting values into the SQL text, so the server
    parses and plans every run anew: most of a small query's time (the relations of a
    page: 0.45 ms, 0.19 ms prepared). A compiled query's SQL is fixed per shape, so it is
    prepared on its first run on a connection and later runs send only the values
    (psycopg keeps the 100 most recent per connection). DATABASE_PREPARED_STATEMENTS=0
    turns this off, e.g. behind a transaction-pooling PgBouncer older than 1.21.

    Making a psycopg cursor copies the connection's adapters, and swapping in the C
    timestamp loader copies them again: 0.1 ms, twice per uncached list. The one kept
    cursor is re-executed instead; each run still goes through Django's wrapper, so
    errors, query logging and counting are the usual.
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    prepare = settings.DATABASE_PREPARED_STATEMENTS
    if (
        prepare
        and raw.prepare_threshold is None
        and "prepare_threshold" not in connection.settings_dict.get("OPTIONS", {})
    ):
        # Django leaves psycopg's preparing off unless OPTIONS say otherwise, and psycopg
        # then prepares nothing, even when asked. A threshold no query reaches turns it on
        # only for the statements asked for (Django's own cursors never prepare).
        raw.prepare_threshold = 2**31
    cursor = _cursors.get(raw)
    if cursor is None or cursor.closed or cursor.prepare != prepare:
        with connection.wrap_database_errors:
            cursor = _cursors[raw] = _compiled_cursor_class()(raw, prepare=prepare)
    return connection._prepare_cursor(cursor)


@functools.cache
def _compiled_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg.types.datetime import TimestamptzLoader

    class CompiledQueryCursor(ServerBindingCursor):
        def __init__(self, connection, *, prepare: bool):
            super().__init__(connection)
            self.prepare = prepare
            # Django reads timestamptz with a subclass of psycopg's loader (to attach its
            # time zone), which psycopg cannot swap for its C version: parsing the 40
            # timestamps of a list page in Python took 0.35 ms, most of reading the page.
            # The C loader gives the session's zone, which Django sets to its own (UTC
            # unless DATABASES sets TIME_ZONE): the same moments in the same zone.
            self.adapters.register_loader("timestamptz", TimestamptzLoader)

        def execute(self, query, params=None, **kwargs):
            if self.prepare:
                kwargs.setdefault("prepare", True)
            return super().execute(query, params, **kwargs)

    return CompiledQueryCursor
