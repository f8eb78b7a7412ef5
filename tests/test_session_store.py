"""Sessions read with who is asking (accounts/session_store.py): once this process knows whose
a session is, the session and that user's kept identity come back in one round trip; the
remembered owner is only a hint, and nothing read with it outlives a change.

These tests commit (identities are kept only outside a transaction)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import identity_kept, session_store
from accounts.identity import load_user
from accounts.models import StaffRole, VolunteerRegistration
from accounts.scoping import Scope
from tests.factories import WishFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kept(settings):
    settings.IDENTITY_KEPT = True
    session_store.OWNERS.clear()
    identity_kept.prefetched(None)
    yield
    session_store.OWNERS.clear()
    identity_kept.prefetched(None)


@pytest.fixture
def trips(cache_reads):
    return cache_reads


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_trips(seen, client) -> list:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [keys for keys in seen if any(key in k for k in keys)]


def identity_trips(seen, user) -> list:
    return [keys for keys in seen if identity_kept.keys(user.pk)[0] in keys]


def test_a_known_session_comes_back_with_its_user_in_one_trip(volunteer, trips):
    client = signed_in(volunteer)
    profile = reverse("accounts:profile")
    assert client.get(profile).status_code == 200  # the session read and its owner learnt
    trips.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(profile)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == volunteer.pk
    # One trip brought the session and the user's kept identity; no query for either.
    assert session_trips(trips, client) == identity_trips(trips, volunteer)
    assert len(session_trips(trips, client)) == 1
    assert not [q for q in queries.captured_queries if "accounts_user" in q["sql"]]


def test_a_wrong_hint_reads_the_sessions_own_user(volunteer, staff, trips):
    client = signed_in(volunteer)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    load_user(staff.pk)  # someone else's identity kept
    session_store.OWNERS[key] = staff.pk
    response = client.get(reverse("accounts:profile"))
    assert response.wsgi_request.user.pk == volunteer.pk
    assert response.wsgi_request.user.identity == load_user(volunteer.pk).identity
    assert session_store.OWNERS[key] == volunteer.pk  # set right by what the session said


def test_a_registration_refused_counts_on_the_next_request(volunteer, community, trips):
    wish = WishFactory(community=community, approved=True)
    client = signed_in(volunteer)
    detail = reverse("wishes:detail", args=[wish.pk])
    for _ in range(2):  # the second read with the session
        response = client.get(detail)
        assert community.pk in Scope(response.wsgi_request.user).serves
    VolunteerRegistration.objects.filter(volunteer__user=volunteer).update(status="refused")
    trips.clear()
    response = client.get(detail)
    assert community.pk not in Scope(response.wsgi_request.user).serves
    assert len(session_trips(trips, client)) == 1  # read with the session, and found stale
    response = client.post(reverse("wishes:claim", args=[wish.pk]))
    assert response.status_code in (403, 404)
    assert not wish.claims.exists()


def test_a_role_taken_away_counts_on_the_next_request(staff, trips):
    client = signed_in(staff)
    workbench = reverse("staff:index")
    assert client.get(workbench).status_code == 200
    assert client.get(workbench).status_code == 200
    StaffRole.objects.filter(user=staff).delete()
    assert client.get(workbench).status_code == 403


def test_signing_out_forgets_whose_the_session_was(volunteer):
    client = signed_in(volunteer)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("accounts:profile"))
    assert session_store.OWNERS[key] == volunteer.pk
    client.post(reverse("accounts:logout"))
    assert key not in session_store.OWNERS
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stolen.get(reverse("accounts:profile")).status_code == 302  # to the login page


def test_a_session_the_cache_forgot_is_read_from_the_database(volunteer):
    client = signed_in(volunteer)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("accounts:profile"))
    caches["default"].delete(session_store.SessionStore(key).cache_key)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == volunteer.pk


def test_a_session_the_cache_cannot_give_is_read_from_the_database(volunteer, monkeypatch):
    client = signed_in(volunteer)
    client.get(reverse("accounts:profile"))
    backend = caches["default"]
    real_get_many, real_set = backend.get_many, backend.set

    def sessions_down(call):
        def refused(keys, *args, **kwargs):
            named = [keys] if isinstance(keys, str) else keys
            if any(key.startswith(session_store.SessionStore.cache_key_prefix) for key in named):
                raise ConnectionError("Redis is down")
            return call(keys, *args, **kwargs)

        return refused

    monkeypatch.setattr(backend, "get_many", sessions_down(real_get_many))
    monkeypatch.setattr(backend, "set", sessions_down(real_set))
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == volunteer.pk


def test_what_was_read_with_the_session_does_not_outlive_a_write(volunteer, staff):
    """Read with the session, then a write in the same request: the next load asks again."""
    load_user(staff.pk)
    found = caches["default"].get_many(identity_kept.keys(staff.pk))
    identity_kept.prefetched(staff.pk, found)
    StaffRole.objects.filter(user=staff).delete()  # moves everyone's number on
    assert not load_user(staff.pk).identity.roles


def test_a_session_without_a_user_is_not_remembered(client):
    session = client.session
    session["language"] = "en"
    session.save()
    client.get(reverse("wishes:list"))
    assert session.session_key not in session_store.OWNERS


def test_the_oldest_owners_are_forgotten_first(monkeypatch):
    monkeypatch.setattr(session_store, "MAX_OWNERS", 3)
    for n in range(5):
        session_store._remember(f"key{n}", {SESSION_KEY: str(n)})
    assert session_store.OWNERS == {"key2": 2, "key3": 3, "key4": 4}


def test_a_kept_readers_page_key_is_worked_out_once_and_again_after_a_change(
    volunteer, community, monkeypatch
):
    from wishes import pages
    from wishes.views import public

    WishFactory(community=community, approved=True, title="一袋大米")
    worked = []
    real = public.list_readers
    monkeypatch.setattr(public, "list_readers", lambda user: worked.append(1) or real(user))
    client = signed_in(volunteer)
    for _ in range(2):  # the reader read afresh, then kept: the key remembered
        assert "一袋大米" in client.get(reverse("wishes:list")).text
    assert any(key[4] == volunteer.pk for key in pages.SPECS)
    worked.clear()
    assert "一袋大米" in client.get(reverse("wishes:list")).text
    assert worked == []
    VolunteerRegistration.objects.filter(volunteer__user=volunteer).update(status="refused")
    page = client.get(reverse("wishes:list"))
    # The reader changed: read afresh, and the key worked out again from what they are now.
    assert worked
    assert getattr(page.wsgi_request.user, "kept_numbers", None) is None
