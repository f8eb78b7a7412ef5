"""The production cache — Django's Redis backend sharing one client per server (config/cache.py)
— against the real Redis, with what the site keeps in it: versions, cached fragments, sessions
and counters. REDIS_TEST_URL names a database the tests may empty (CI uses 13)."""

from __future__ import annotations

import os
import threading

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from config import generations
from tests.factories import WishFactory
from wishes import versions

URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
REDIS = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": URL}}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS, SESSION_ENGINE="accounts.session_store"):
        cache = caches["default"]
        cache.clear()
        yield cache
        cache.clear()


@pytest.fixture
def pipelines(redis_cache, monkeypatch):
    """Each pipeline the shared client opens: one round trip each."""
    client = redis_cache._cache.get_client(write=True)
    sent = []
    real = type(client).pipeline

    def counted(self, *args, **kwargs):
        sent.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(client), "pipeline", counted)
    return sent


def test_values_round_trip_and_one_client_serves_every_call(redis_cache):
    redis_cache.set("greeting", {"text": "微心愿"}, 30)
    assert redis_cache.get("greeting") == {"text": "微心愿"}
    assert redis_cache.add("greeting", "other") is False
    assert redis_cache.add("n", 1) and redis_cache.incr("n") == 2
    assert redis_cache.get_many(["greeting", "missing"]) == {"greeting": {"text": "微心愿"}}
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client


def test_numbers_move_on_together_in_one_round_trip(redis_cache, pipelines):
    redis_cache.set("known", 41, timeout=None)
    client = redis_cache._cache.get_client(write=True)
    generations.incr(["known", "forgotten"])
    assert len(pipelines) == 1
    assert redis_cache.get("known") == 42
    # Never started again from an old number: a fresh one, kept for good.
    assert redis_cache.get("forgotten") not in (None, 1)
    assert client.ttl(redis_cache.make_and_validate_key("forgotten")) == -1


def test_numbers_start_once_each_in_one_round_trip(redis_cache, pipelines):
    redis_cache.set("known", 41, timeout=None)
    client = redis_cache._cache.get_client(write=True)
    first = generations.current_many(["known", "new"])
    assert len(pipelines) == 1
    assert first["known"] == 41 and first["new"] not in (None, 41)
    # Started for good: the same number the next time, and for current() too.
    assert generations.current_many(["new"]) == {"new": first["new"]}
    assert generations.current("new") == first["new"] == redis_cache.get("new")
    assert client.ttl(redis_cache.make_and_validate_key("new")) == -1


@pytest.mark.django_db
def test_versions_bump_and_survive_a_forgotten_key(redis_cache):
    first = versions.version(versions.LIST)
    versions.bump(versions.LIST)
    assert versions.version(versions.LIST) == first + 1
    redis_cache.delete(versions.PREFIX + versions.LIST)
    assert versions.version(versions.LIST) != first + 1
    assert versions.versions(versions.LIST, versions.CHOICES)[versions.LIST] == versions.version(
        versions.LIST
    )


def test_concurrent_bumps_are_never_lost(redis_cache):
    start = versions.version(versions.FIGURES)

    def bump_many():
        for _ in range(50):
            generations.incr([versions.PREFIX + versions.FIGURES])

    threads = [threading.Thread(target=bump_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert versions.version(versions.FIGURES) == start + 200


@pytest.mark.django_db
def test_the_list_is_cached_in_redis_and_a_session_read_from_it(redis_cache, volunteer, community):
    WishFactory(community=community, approved=True, title="一袋大米")
    client = Client()
    client.force_login(volunteer)
    assert "一袋大米" in client.get(reverse("wishes:list")).text
    keys = redis_cache._cache.get_client().keys("*")
    assert any(b"wish-list:" in key for key in keys)
    assert any(b"django.contrib.sessions.cached_db" in key for key in keys)
    WishFactory(community=community, approved=True, title="轮椅一台")
    assert "轮椅一台" in client.get(reverse("wishes:list")).text


@pytest.mark.django_db
def test_a_transaction_moves_a_number_at_once_each_time_and_once_more_at_commit(
    redis_cache, django_capture_on_commit_callbacks
):
    start = versions.version(versions.LIST)
    with django_capture_on_commit_callbacks(execute=True):
        versions.bump_list()
        assert versions.version(versions.LIST) == start + 1
        versions.bump_list()
        assert versions.version(versions.LIST) == start + 2
    # Both moves' second step in one, at the commit.
    assert versions.version(versions.LIST) == start + 3
