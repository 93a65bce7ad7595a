"""Model fields the content model needs beyond Django's own."""

import json
from functools import partial

from django.db import models


class OrderedJSONField(models.JSONField):
    """A JSONField that keeps object key order on every database.

    PostgreSQL's `jsonb` (Django's default) sorts keys, which would reorder a post's front
    matter; its `json` type stores the text as given. The price: `json` has no equality
    operator, so querysets selecting this column must not use `.distinct()` on PostgreSQL.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        # psycopg decodes `json` columns itself (keeping order); only text needs decoding.
        if value is not None and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        from psycopg.types.json import Json

        return Json(value, dumps=partial(json.dumps, cls=self.encoder))
