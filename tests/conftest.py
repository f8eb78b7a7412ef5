"""The cast: every test reads as a sentence about these people."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts import session_store
from config import read_ahead
from notices.channels import LocmemSmsBackend
from tests.factories import (
    PASSWORD,
    CommunityFactory,
    GridFactory,
    OrganisationFactory,
    ResidentFactory,
    StreetFactory,
    UserFactory,
    make_staff,
    make_volunteer,
)
from wishes import pages


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login throttling counts in the cache: every test starts with none. Nor with what a
    process remembers beside it (pages kept for a menu, whose sessions, what they read)."""
    forget_here()
    cache.clear()
    yield
    cache.clear()
    forget_here()


def forget_here():
    pages.LOCAL.clear()
    pages.SPECS.clear()
    session_store.OWNERS.clear()
    read_ahead.LEARNT.clear()


@pytest.fixture
def cache_reads(monkeypatch):
    """Each round trip a request makes to read the default cache: the keys it asked for (the
    per-process cache's get_many asks get for each key: one trip all the same)."""
    from django.core.cache import caches

    backend = caches["default"]
    seen: list[tuple[str, ...]] = []
    real_get, real_get_many = backend.get, backend.get_many
    inside = []

    def get(key, *args, **kwargs):
        if not inside:
            seen.append((key,))
        return real_get(key, *args, **kwargs)

    def get_many(keys, *args, **kwargs):
        seen.append(tuple(keys))
        inside.append(1)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(backend, "get", get)
    monkeypatch.setattr(backend, "get_many", get_many)
    return seen


@pytest.fixture(autouse=True)
def outbox():
    """The SMS messages sent during the test (SMS_BACKEND is LocmemSmsBackend in tests)."""
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def street(db):
    return StreetFactory(name="向阳街道")


@pytest.fixture
def community(street):
    return CommunityFactory(street=street, name="福阳社区")


@pytest.fixture
def other_community(db):
    return CommunityFactory(street=StreetFactory(name="新兴街道"), name="新兴社区")


@pytest.fixture
def grid(community):
    return GridFactory(community=community, name="明珠花园第二网格")


@pytest.fixture
def resident(community):
    """A resident with a login, living in 福阳社区."""
    person = ResidentFactory(community=community, user=UserFactory(username="resident"))
    return person.user


@pytest.fixture
def other_resident(community):
    person = ResidentFactory(community=community, user=UserFactory(username="other_resident"))
    return person.user


@pytest.fixture
def organisation(community):
    return OrganisationFactory(name="市税务局稽查局党支部", communities=[community])


@pytest.fixture
def volunteer(community):
    """An approved 双报到 volunteer of 福阳社区."""
    return make_volunteer(community, username="volunteer")


@pytest.fixture
def claimer(community):
    """A second approved volunteer, who races `volunteer` for the same wish."""
    return make_volunteer(community, username="claimer")


@pytest.fixture
def member(community, organisation):
    """A volunteer of 福阳社区 who belongs to 市税务局稽查局党支部."""
    return make_volunteer(community, organisation=organisation, username="member")


@pytest.fixture
def pending_volunteer(community):
    return make_volunteer(community, status="pending", username="pending_volunteer")


@pytest.fixture
def staff(community):
    return make_staff(community, username="staff_fuyang")


@pytest.fixture
def other_staff(other_community):
    return make_staff(other_community, username="staff_xinxing")


@pytest.fixture
def street_admin(street):
    return make_staff(street=street, username="street_xiangyang")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def anon():
    return Client()


@pytest.fixture
def login(client):
    """`login(user)` gives a client logged in as that user."""

    def _login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login
