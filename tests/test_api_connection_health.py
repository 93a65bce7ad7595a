"""A kept database connection is checked by the API's first query, not by a `SELECT 1`.

With CONN_HEALTH_CHECKS, Django checks a kept connection before a request uses it. The
API's compiled queries (posts.api.compiled) only read, so the first of them is the
check: one round trip less per uncached request, and a connection the database dropped
is still replaced without a failed request. These tests commit for real (transactional):
inside a transaction no connection may be replaced.
"""

import pytest
from django.db import close_old_connections, connection

from tests.api_helpers import published, slugs

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/posts/"


def get(client, url):
    """A request as a server makes it. Django's test client leaves out the start of a
    request's handling of kept connections (`close_old_connections`), which is what marks
    them for a health check."""
    close_old_connections()
    return client.get(url)


@pytest.fixture
def usability_checks(monkeypatch):
    """How many times Django checked the connection (`is_usable()`: a `SELECT 1`)."""
    calls = []
    original = connection.is_usable

    def counted():
        calls.append(True)
        return original()

    monkeypatch.setattr(connection, "is_usable", counted)
    return calls


@pytest.fixture(autouse=True)
def _health_checks_on():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"], "the product's default"


def test_an_uncached_list_checks_the_connection_with_its_own_query(
    client, settings, usability_checks
):
    settings.CMS_API_CACHE_SECONDS = 0
    published(slug="first", tags=["python"])
    for url in (LIST, f"{LIST}?tag=python", f"{LIST}first/"):
        response = get(client, url)
        assert response.status_code == 200, url
    assert usability_checks == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server that drops connections")
def test_a_list_after_the_database_dropped_the_connection_still_answers(client, settings):
    settings.CMS_API_CACHE_SECONDS = 0
    published(slug="first", tags=["python"])
    assert slugs(get(client, f"{LIST}?tag=python")) == ["first"]
    dropped = connection.connection.info.backend_pid
    import psycopg

    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])

    assert slugs(get(client, f"{LIST}?tag=python")) == ["first"]
    assert connection.connection.info.backend_pid != dropped


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server that drops connections")
def test_a_failing_query_is_not_run_twice_on_a_healthy_connection(client, settings, monkeypatch):
    """Only a dead connection is replaced: a query that fails on a live one is an error."""
    settings.CMS_API_CACHE_SECONDS = 0
    published(slug="first")
    assert get(client, LIST).status_code == 200
    kept = connection.connection.info.backend_pid
    from posts.api import compiled

    runs = []
    original = compiled._fetch

    def failing(conn, sql, params):
        runs.append(sql)
        return original(conn, "SELECT 1 / 0", [])

    monkeypatch.setattr(compiled, "_fetch", failing)
    client.raise_request_exception = False
    assert get(client, f"{LIST}?page_size=7").status_code == 500
    assert len(runs) == 1
    assert connection.connection is None or connection.connection.info.backend_pid == kept
