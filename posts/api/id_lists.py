"""A list of ids as one query parameter: `column IN ids` whose SQL is the same for any
number of ids.

One parameter, not one per id: the query is compiled and prepared once for every page
size (posts.api.compiled), and stays short enough for psycopg to cache its parsing (it
parses anew any query with over 50 parameters, as 3 relations x 20 posts made). PostgreSQL
takes an array, SQLite JSON text read by json_each; other databases get `IN (%s, ...)`.
"""

import json

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

ONE_PARAMETER = {"postgresql", "sqlite"}


def ids_parameter(ids: tuple[int, ...], vendor: str):
    """The ids as the one parameter `ids_condition` takes on this database."""
    return list(ids) if vendor == "postgresql" else json.dumps(ids)


def prepare_ids(value, connection):
    """For posts.api.compiled: a tuple of ids in the form the query was compiled with."""
    if isinstance(value, tuple) and connection.vendor in ONE_PARAMETER:
        return ids_parameter(value, connection.vendor)
    return value


def ids_condition(model, column: str, ids: tuple[int, ...], vendor: str) -> RawSQL:
    """`model.column` is one of `ids` (on a database of ONE_PARAMETER)."""
    quoted = f"{_quote(model._meta.db_table)}.{_quote(column)}"
    if vendor == "postgresql":
        sql = f"{quoted} = ANY(%s::bigint[])"
    else:
        sql = f"{quoted} IN (SELECT value FROM json_each(%s))"
    return RawSQL(sql, [ids_parameter(ids, vendor)], output_field=BooleanField())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
