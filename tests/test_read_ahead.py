"""Reading ahead (config/read_ahead.py): a session asking again for a page it read from the cache
gets the page's keys in its session's round trip; never another page's, never old values."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from config import generations, read_ahead
from tests.factories import WishFactory
from wishes import versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(cache_reads):
    return cache_reads


def pages_read(seen) -> list[tuple[str, ...]]:
    return [keys for keys in seen if any(key.startswith("page:") for key in keys)]


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_list_again_is_read_with_the_session_in_one_trip(volunteer, community, reads):
    WishFactory(community=community, approved=True, title="一袋大米")
    client = Client()
    client.force_login(volunteer)
    first = client.get(reverse("wishes:list"))
    assert "一袋大米" in first.text
    learnt = read_ahead.LEARNT[(session_key(client), reverse("wishes:list"))]
    assert any(key.startswith("page:") for key in learnt)
    reads.clear()
    again = client.get(reverse("wishes:list"))
    assert again.templates == []  # kept
    assert "一袋大米" in again.text
    trips = pages_read(reads)
    assert len(trips) == 1
    assert any(key.startswith("django.contrib.sessions") for key in trips[0])


def test_what_changed_since_shows_at_once(volunteer, community, reads):
    client = Client()
    client.force_login(volunteer)
    WishFactory(community=community, approved=True, title="一袋大米")
    client.get(reverse("wishes:list"))
    client.get(reverse("wishes:list"))
    WishFactory(community=community, approved=True, title="轮椅一台")  # versions move on
    page = client.get(reverse("wishes:list"))
    assert "轮椅一台" in page.text and "一袋大米" in page.text


def test_another_page_is_not_read_with_what_this_one_read(volunteer, community, reads):
    wish = WishFactory(community=community, approved=True)
    client = Client()
    client.force_login(volunteer)
    client.get(reverse("wishes:list"))
    reads.clear()
    client.get(reverse("wishes:detail", args=[wish.pk]))
    learnt_for_list = read_ahead.LEARNT[(session_key(client), reverse("wishes:list"))]
    list_page = {key for key in learnt_for_list if key.startswith("page:")}
    assert list_page and not any(list_page & set(keys) for keys in reads)


def test_another_session_is_not_read_ahead_with_this_ones_keys(volunteer, member, community):
    WishFactory(community=community, approved=True)
    mine, theirs = Client(), Client()
    mine.force_login(volunteer)
    theirs.force_login(member)
    mine.get(reverse("wishes:list"))
    assert (session_key(theirs), reverse("wishes:list")) not in read_ahead.LEARNT
    page = theirs.get(reverse("wishes:list"))
    assert page.wsgi_request.user == member


def test_a_post_is_not_read_ahead(volunteer, community):
    wish = WishFactory(community=community, approved=True)
    client = Client()
    client.force_login(volunteer)
    client.post(reverse("wishes:claim", args=[wish.pk]))
    assert not [where for where in read_ahead.LEARNT if where[1].endswith("/claim/")]


def test_a_version_moved_on_in_the_request_drops_what_was_read_ahead(rf):
    current = read_ahead._Request("key", "/wishes/")
    token = read_ahead._CURRENT.set(current)
    try:
        name = versions.PREFIX + versions.LIST
        read_ahead.read([name], {name: 1})
        assert read_ahead.get_many([name]) == {name: 1}
        generations.move_on([name])
        assert current.ahead == {}
        assert read_ahead.get_many([name])[name] != 1
    finally:
        read_ahead._CURRENT.reset(token)


def test_only_what_was_read_ahead_in_full_is_used():
    current = read_ahead._Request("key", "/wishes/")
    token = read_ahead._CURRENT.set(current)
    try:
        read_ahead.read(["a", "b"], {"a": 1})  # "b" not in the cache
        assert read_ahead.get_many(["a", "b"]) == {"a": 1}
        caches["default"].set("c", 3)
        assert read_ahead.get_many(["a", "c"]) == {"c": 3}  # asked the cache, for both
        assert current.read == ["a", "c"]
    finally:
        read_ahead._CURRENT.reset(token)
    assert read_ahead.keys_for("key") == ()  # outside a request: nothing


def test_the_oldest_are_forgotten_first(monkeypatch):
    monkeypatch.setattr(read_ahead, "MAX_LEARNT", 2)
    for n in range(3):
        current = read_ahead._Request(f"key{n}", "/")
        current.read = [f"page:{n}"]
        read_ahead._learn(current)
    assert list(read_ahead.LEARNT) == [("key1", "/"), ("key2", "/")]
