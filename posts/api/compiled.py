"""Querysets compiled to SQL once per shape, then run with fresh values.

For the small queries every API request runs (the content state; the relations of a page
of posts), building and compiling the queryset costs several times more than executing
it. The ORM still writes the SQL, so the visibility rule and the schema stay in one place:
a query is built once with sentinel values, the positions of the sentinels among the
compiled parameters are remembered, and each run swaps the real values in.
"""

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet


class CompiledQuery:
    """`build(shape, *values)` returns a queryset; `values` are replaced on each run.

    `sentinels(shape)` gives one distinctive value per placeholder (never a value the
    query holds otherwise, e.g. negative ids); `prepare(value, connection)` turns a real
    value into its database form (what the ORM would have sent).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        sentinels: Callable[[Hashable], Sequence[Any]],
        prepare: Callable[[Any, Any], Any] = lambda value, connection: value,
    ):
        self.build, self.sentinels, self.prepare = build, sentinels, prepare
        self._compiled: dict[tuple[str, Hashable], tuple[str, list, list[tuple[int, int]]]] = {}

    def _compile(self, alias: str, shape: Hashable):
        key = (alias, shape)
        if key not in self._compiled:
            connection = connections[alias]
            sentinels = list(self.sentinels(shape))
            queryset = self.build(shape, *sentinels)
            sql, params = queryset.query.get_compiler(alias).as_sql()
            prepared = [self.prepare(value, connection) for value in sentinels]
            slots = [
                (position, prepared.index(param))
                for position, param in enumerate(params)
                if param in prepared
            ]
            if len({index for _, index in slots}) != len(sentinels):
                raise RuntimeError("a sentinel value did not reach the compiled SQL")
            self._compiled[key] = (sql, list(params), slots)
        return self._compiled[key]

    def rows(self, shape: Hashable, values: Sequence[Any], *, using: str = "default") -> list:
        sql, params, slots = self._compile(using, shape)
        connection = connections[using]
        params = list(params)
        prepared = [self.prepare(value, connection) for value in values]
        for position, index in slots:
            params[position] = prepared[index]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
