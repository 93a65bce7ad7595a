"""`/healthz`: a load balancer's probe of an app server."""

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_healthz_says_ok_while_the_database_answers(client):
    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)

    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (503, {"status": "database unavailable"})
