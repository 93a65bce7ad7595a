"""`?search=`: posts whose title, plain excerpt or body holds a text, case-insensitively.

A substring, not words, so that CJK words are found inside text without spaces. What a
query is depends on the database, so that an index can serve it:

- SQLite: the FTS5 trigram table of migration 0007_sqlite_search_index. A query of 3+
  characters is one FTS5 phrase (its trigrams at consecutive positions: exactly the
  substring). A 2-character query reads the document ids of the trigrams that start with
  it from the table's vocabulary (every indexed value ends with a newline, so every
  2-character substring starts a trigram). A 1-character query scans with LIKE.
- PostgreSQL: `icontains` on each column, which pg_trgm GIN indexes serve for 3+ characters
  (migrations 0004_api, 0005_slug_search_index). A 2-character query is the condition of
  the GIN index of character pairs of migration 0008_pair_search_index (`pair_condition`).
  A 1-character query scans.
- Any other database: `icontains`, scanning.

SQLite's index conditions are `pk IN (SELECT ...)` subqueries written as RawSQL: the ORM
has no words for an FTS5 MATCH or its vocabulary table. Their SQL
depends only on the text, so a list's compiled queries (posts.api.post_list) embed it like
any other filter value.

Case: FTS5 folds case by its own tables (SQLite 3.40: simple case folding of an older
Unicode version), LIKE folds ASCII letters only. See README, "Search", for the differences.

Writing many posts (the importer): `prepare_bulk_write` and `merge_pending_index_entries`
make PostgreSQL's GIN indexes cheaper to keep up to date.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import DatabaseError, connections, transaction
from django.db.models import BigIntegerField, BooleanField, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper

COLUMNS = ("title", "plain_excerpt", "body")

# Migration 0007_sqlite_search_index.
FTS_TABLE = "posts_post_search"
FTS_TERMS = "posts_post_search_terms"
# The character appended to every value in the FTS table.
FTS_END = "\n"
# The largest code point: a trigram's third character is never above it.
LAST_CHARACTER = "\U0010ffff"


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed to the posts whose title, plain excerpt or body contains `text`."""
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        return queryset.filter(_sqlite_condition(text))
    if vendor == "postgresql" and len(text) == 2:
        return queryset.filter(pair_condition(text))
    return queryset.filter(_substring(text))


class _SearchPairs(Func):
    """posts_search_pairs(...) of migration 0008_pair_search_index: the distinct pairs of
    adjacent characters of its arguments, as bigints."""

    function = "posts_search_pairs"
    output_field = ArrayField(BigIntegerField())


def pair_condition(text: str) -> Func:
    """PostgreSQL: the post holds the 2-character `text`, case-insensitively (as
    `icontains`): its pairs contain the pair of UPPER(text).

    The left side is the expression of the index post_search_pairs, which serves it. It
    reads one index entry list and the matching rows (0.6 ms for `香港`, 337 of 2,100
    posts), where `pk IN (SELECT posts_post_ids_containing_pair(...))` ran that scan in a
    function and joined its ids with every visible post (1.6 ms). The planner can choose
    here since the index has no statistics (0008): it estimates any pair at 0.5% of posts,
    for which a bitmap scan of the index is cheapest, and a sequential scan, running the
    pair function on every body, never is.
    """
    keys = _SearchPairs(*(Upper(column) for column in COLUMNS))
    return Func(
        keys,
        _SearchPairs(Upper(Value(text))),
        template="%(expressions)s",
        arg_joiner=" @> ",
        output_field=BooleanField(),
    )


def _substring(text: str) -> Q:
    condition = Q()
    for column in COLUMNS:
        condition |= Q(**{f"{column}__icontains": text})
    return condition


def _sqlite_condition(text: str) -> Q:
    # A text ending with the appended newline would also match a value's very end.
    if len(text) < 2 or text.endswith(FTS_END):
        return _substring(text)
    if len(text) >= 3:
        # One phrase in double quotes (doubled inside): no input is an FTS5 syntax error.
        phrase = '"' + text.replace('"', '""') + '"'
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        return Q(pk__in=RawSQL(sql, [phrase]))
    branches, params = [], []
    for prefix in sorted(fts_forms(text)):
        branches.append(f"SELECT doc FROM {FTS_TERMS} WHERE term >= %s AND term <= %s")
        params += [prefix, prefix + LAST_CHARACTER]
    return Q(pk__in=RawSQL(" UNION ALL ".join(branches), params))


def fts_forms(text: str) -> set[str]:
    """Every way the FTS5 trigram tokenizer may have indexed `text` (case folded).

    The tokenizer lowercases ASCII; other characters it folds by SQLite's own tables, which
    follow an older Unicode version than Python's (and read U+FFFE, U+FFFF as U+FFFD).
    Trying the character, its lowercase and its case fold covers every character's folded
    form; the forms that are not indexed match nothing.
    """
    forms = {""}
    for char in text:
        if char.isascii():
            options = {char.lower()}
        else:
            options = {char, char.lower(), char.casefold()}
            if char in "\ufffe\uffff":
                options.add("\ufffd")
        forms = {form + option for form in forms for option in options if len(option) == 1}
    return forms


# --- writing many posts -------------------------------------------------------------------

# PostgreSQL's GIN indexes (all the search indexes) queue new entries in a pending list and
# merge it into the index once it outgrows gin_pending_list_limit (4 MB), sorting with
# work_mem (4 MB). For an import's transactions, larger values make fewer, larger merges:
# the seed site's first import takes 138 s instead of 175 s. Dropping the indexes and
# building them after the load would be slower (about 85 s of single-threaded builds, no
# faster with more maintenance_work_mem) and would lock readers out of posts_post.
# Only the importing transactions use these values.
BULK_WRITE_SETTINGS = {"gin_pending_list_limit": "32MB", "work_mem": "64MB"}


def prepare_bulk_write(using: str) -> None:
    """Before writing many posts in the current transaction."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    settings = ", ".join("set_config(%s, %s, true)" for _ in BULK_WRITE_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {settings}", [v for item in BULK_WRITE_SETTINGS.items() for v in item]
        )


def merge_pending_index_entries(using: str) -> None:
    """After writing many posts: merge the GIN pending lists into their indexes now, so that
    searches do not read up to 32 MB of queued entries each until autovacuum merges them.

    Only an index's owner may; a database user that is not leaves it to autovacuum.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(index.indexrelid) FROM pg_index AS index "
                "JOIN pg_class AS class ON class.oid = index.indexrelid "
                "JOIN pg_am AS method ON method.oid = class.relam "
                "WHERE index.indrelid = 'posts_post'::regclass AND method.amname = 'gin'"
            )
    except DatabaseError:
        pass


# The tables an import writes, whose statistics the planner needs to choose indexes.
IMPORTED_TABLES = (
    "posts_post",
    "posts_postauthor",
    "posts_post_categories",
    "posts_taggedpost",
    "posts_author",
    "posts_category",
    "posts_tag",
)


def refresh_statistics(using: str) -> None:
    """After writing many posts: refresh the planner's statistics of what was written.

    PostgreSQL, VACUUM (ANALYZE): without statistics the planner takes a freshly imported
    table for a few rows and, for a list page, reads and sorts every published post instead
    of walking the index to the first 20 (2,100 posts: 1.4 ms instead of 0.03 ms a page).
    VACUUM marks the new rows visible to all, so counts read the index alone (0.6 ms ->
    0.26 ms). Autovacuum would do both eventually (a minute later at best; never where it
    is off). About half a second at 2,100 posts. Inside a transaction (VACUUM cannot run
    there) only ANALYZE.

    SQLite, ANALYZE: without it SQLite reads 20 posts given by id through the status index
    rather than by rowid (0.26 ms instead of 0.04 ms). 15 ms at 2,100 posts.

    A database user that may not do this leaves it to autovacuum (or to no one).
    """
    connection = connections[using]
    tables = ", ".join(IMPORTED_TABLES)
    try:
        if connection.vendor == "sqlite":
            with transaction.atomic(using=using), connection.cursor() as cursor:
                for table in IMPORTED_TABLES:
                    cursor.execute(f"ANALYZE {table}")
        elif connection.vendor != "postgresql":
            return
        elif connection.in_atomic_block:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
    except DatabaseError:
        pass
