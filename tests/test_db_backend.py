"""The PostgreSQL backend (config/postgresql): Django's health check before a request's first
query is asked only of a connection that has been quiet a while, not of one that answered a
moment ago — under load that was a round trip per request for nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, connections

from config.postgresql.base import QUIET_SECONDS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
]


def test_production_settings_use_it():
    assert settings.DATABASES["default"]["ENGINE"] == "config.postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]


@pytest.fixture
def db_connection(monkeypatch):
    """The real connection (not Django's proxy to it), open, with health checks on."""
    wrapper = connections["default"]
    wrapper.ensure_connection()
    monkeypatch.setattr(wrapper, "health_check_enabled", True, raising=False)
    return wrapper


def new_request(wrapper):
    """What Django does to the connection at the start of a request."""
    wrapper.health_check_done = False


def test_a_connection_that_answered_a_moment_ago_is_not_asked_again(db_connection, monkeypatch):
    connection = db_connection
    asked = []
    monkeypatch.setattr(type(connection), "is_usable", lambda self: asked.append(1) or True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    new_request(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert asked == []

    connection.used_at -= QUIET_SECONDS + 1  # quiet a while
    new_request(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert asked == [1]
    # Asked once per request, as Django does.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert asked == [1]


def test_a_quiet_connection_that_fails_its_check_is_replaced(db_connection, monkeypatch):
    connection = db_connection
    monkeypatch.setattr(type(connection), "is_usable", lambda self: False)
    closed = []
    monkeypatch.setattr(type(connection), "close", lambda self: closed.append(1))
    with connection.cursor():
        pass
    connection.used_at -= QUIET_SECONDS + 1
    new_request(connection)
    with connection.cursor():
        pass
    assert closed == [1]
