"""The content state a process keeps between requests (posts.api.content_state).

A cached response needs no query while nothing changed, yet every change is seen by the
very next request: changes this process commits, changes other processes commit (told by
PostgreSQL's NOTIFY or SQLite's data_version), and scheduled posts reaching their time.
These tests commit for real (transactional): inside a transaction nothing is kept.
"""

import datetime as dt
import select
import sqlite3

import pytest
import time_machine
from django.db import connection

from posts.api import content_state
from tests.api_helpers import NOW, detail_url, published, scheduled, slugs

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/posts/"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def commit_elsewhere(*statements: str) -> None:
    """Run and commit SQL through a connection of its own, as another process would:
    no Django signal, nothing this process counts."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            for statement in statements:
                other.execute(statement)
            other.commit()
        finally:
            other.close()
        return
    import psycopg

    with psycopg.connect(**connection.get_connection_params()) as other:
        for statement in statements:
            other.execute(statement)
    watch = content_state._postgres_watches.get(connection.alias)
    if watch is not None and watch.listener is not None:
        # PostgreSQL delivers the notification right after the commit, on another socket;
        # wait until it is there (not a sleep: this returns as soon as it arrives).
        ready = select.select([watch.listener.connection.fileno()], [], [], 10)[0]
        assert ready, "no notification"


def bump_sql() -> str:
    return "UPDATE posts_contentversion SET generation = generation + 1"


def test_a_cached_response_needs_no_query_while_nothing_changes(client, django_assert_num_queries):
    published(slug="kept")
    first = client.get(LIST)

    with django_assert_num_queries(0):
        again = client.get(LIST)
        conditional = client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.content == first.content
    assert conditional.status_code == 304


def test_a_change_this_process_commits_is_seen_by_the_next_request(client):
    post = published(slug="kept", title="Before")
    assert client.get(LIST).json()["results"][0]["title"] == "Before"

    post.title = "After"
    post.save()

    assert client.get(LIST).json()["results"][0]["title"] == "After"


def test_a_change_another_process_commits_is_seen_by_the_next_request(client):
    published(slug="kept", title="Before")
    first = client.get(LIST)
    assert first.json()["results"][0]["title"] == "Before"

    commit_elsewhere("UPDATE posts_post SET title = 'After'", bump_sql())

    response = client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == "After"


def test_a_post_another_process_publishes_appears_in_the_list(client):
    published(slug="kept")
    draft_id = published(slug="soon").pk
    commit_elsewhere(f"UPDATE posts_post SET status = 'draft' WHERE id = {draft_id}", bump_sql())
    assert slugs(client.get(LIST)) == ["kept"]

    commit_elsewhere(
        f"UPDATE posts_post SET status = 'published' WHERE id = {draft_id}", bump_sql()
    )

    response = client.get(LIST)
    assert sorted(slugs(response)) == ["kept", "soon"]
    assert response.json()["count"] == 2
    assert client.get(detail_url("soon")).status_code == 200


def test_a_scheduled_post_appears_at_its_time_without_any_change(client):
    published(slug="kept")
    scheduled(slug="at-noon-thirty", published_at=NOW + dt.timedelta(minutes=30))
    assert slugs(client.get(LIST)) == ["kept"]
    assert client.get(detail_url("at-noon-thirty")).status_code == 404

    assert client.get(LIST).json()["count"] == 1
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        response = client.get(LIST)
        assert slugs(response) == ["at-noon-thirty", "kept"]
        assert response.json()["count"] == 2
        assert client.get(detail_url("at-noon-thirty")).status_code == 200


def test_the_state_is_read_again_after_a_second_even_untold(client, django_assert_num_queries):
    published(slug="kept")
    client.get(LIST)
    with django_assert_num_queries(0):
        client.get(LIST)

    with time_machine.travel(NOW + dt.timedelta(seconds=content_state.RECHECK_SECONDS)):
        with django_assert_num_queries(1):
            assert client.get(LIST).status_code == 200


def test_with_the_watch_off_every_request_reads_the_state(
    client, settings, django_assert_num_queries
):
    settings.CMS_CONTENT_STATE_WATCH = False
    published(slug="kept")
    client.get(LIST)

    with django_assert_num_queries(1):
        assert client.get(LIST).status_code == 200


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_lost_listener_falls_back_to_queries_and_listens_again(client, django_assert_num_queries):
    published(slug="kept", title="Before")
    client.get(LIST)
    watch = content_state._postgres_watches[connection.alias]
    lost = watch.listener
    commit_elsewhere(
        f"SELECT pg_terminate_backend({lost.connection.info.backend_pid})",
        "UPDATE posts_post SET title = 'After'",
        bump_sql(),
    )  # committed after the listener was gone: its notification reaches no one

    # The dead listener is noticed: the state is read, and a new listener made.
    assert client.get(LIST).json()["results"][0]["title"] == "After"
    assert watch.listener is not None and watch.listener is not lost
    with django_assert_num_queries(0):
        client.get(LIST)

    commit_elsewhere("UPDATE posts_post SET title = 'Again'", bump_sql())
    assert client.get(LIST).json()["results"][0]["title"] == "Again"
