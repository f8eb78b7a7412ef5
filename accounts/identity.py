"""Who is asking, in one query: the request's user with every fact about them that nearly every
page asks — the staff roles, the 双报到 registrations, the resident record and volunteer profile,
the communities of a confirmed organisation, and how many notices are unread.

Read afresh at the start of every request (a role taken away a moment ago no longer counts), in
a single round trip instead of five, or with a shared cache from the cache for as long as
nothing it was read from has changed (accounts/identity_kept.py): `accounts/backends.py` loads
the request's user with it, `accounts/scoping.py` and the menu (`accounts/context_processors.py`)
read from it, and the pages kept whole in the cache (`wishes/pages.py`) are keyed by it.

The SQL comes from the ORM, built once per database connection and vendor, so it is the same
statement on PostgreSQL and SQLite and needs no hand-written dialect.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from config.prepared import SENTINEL, Prepared

from . import identity_kept

SEPARATOR = ";"
JOINER = ":"


@dataclass(frozen=True)
class Identity:
    roles: tuple[tuple[str, int | None, int | None, int | None], ...]
    registrations: tuple[tuple[int, str], ...]
    resident_id: int | None
    resident_community_id: int | None
    volunteer_profile_id: int | None
    confirmed_organisation_id: int | None
    organisation_communities: frozenset[int]
    unread: int

    def fingerprint(self) -> tuple:
        """Everything here that can change what a page shows its reader (not the unread count,
        which the cached pages key on by itself)."""
        return (
            self.roles,
            self.registrations,
            self.resident_id,
            self.resident_community_id,
            self.volunteer_profile_id,
            self.confirmed_organisation_id,
            tuple(sorted(self.organisation_communities)),
        )


class _Row(Func):
    """A row's fields as one text, "a:b:c" (a NULL as the empty string)."""

    arg_joiner = f" || '{JOINER}' || "
    template = "%(expressions)s"
    output_field = TextField()

    def __init__(self, *fields: str):
        texts = [Coalesce(Cast(field, output_field=TextField()), Value("")) for field in fields]
        super().__init__(*texts)


def _joined(queryset, *fields: str):
    """The rows as "a:b;a:b" (one text column, so one statement holds every list)."""
    aggregate = StringAgg(_Row(*fields), Value(SEPARATOR))
    return Subquery(
        queryset.order_by().values(one=Value(1)).annotate(joined=aggregate).values("joined"),
        output_field=TextField(),
    )


def _queryset():
    from communities.models import Organisation
    from notices.models import Notice

    from .models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration

    profile = VolunteerProfile.objects.filter(user=OuterRef("pk")).order_by()
    confirmed = profile.filter(organisation__isnull=False, organisation_confirmed=True)
    resident = Resident.objects.filter(user=OuterRef("pk")).order_by()
    unread = (
        Notice.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values(one=Value(1))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return User._default_manager.annotate(
        identity_roles=_joined(
            StaffRole.objects.filter(user=OuterRef("pk")),
            "role",
            "community_id",
            "grid_id",
            "street_id",
        ),
        identity_registrations=_joined(
            VolunteerRegistration.objects.filter(volunteer__user=OuterRef("pk")),
            "community_id",
            "status",
        ),
        identity_resident=Subquery(resident.values("pk")[:1]),
        identity_resident_community=Subquery(resident.values("community_id")[:1]),
        identity_profile=Subquery(profile.values("pk")[:1]),
        identity_organisation=Subquery(confirmed.values("organisation_id")[:1]),
        # `organisation = (the one confirmed)`, not `IN (…)`: as a semi-join the planner read
        # every organisation's communities and asked of each whether it was this user's.
        identity_organisation_communities=_joined(
            Organisation.communities.through.objects.filter(
                organisation=Subquery(
                    VolunteerProfile.objects.filter(
                        user=OuterRef(OuterRef("pk")),
                        organisation__isnull=False,
                        organisation_confirmed=True,
                    ).values("organisation_id")[:1]
                )
            ),
            "community_id",
        ),
        identity_unread=Coalesce(Subquery(unread), 0, output_field=IntegerField()),
    ).filter(pk=SENTINEL)


IDENTITY = Prepared("identity", lambda: _queryset())


def load_user(user_id, using: str = "default"):
    """The user with `.identity` set, or None. One query, prepared once per PostgreSQL session
    (config/prepared.py): parsing and planning it cost three times as long as running it."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if identity_kept.enabled(using):
        return identity_kept.load(user_id, using, _read)
    return _read(user_id, using)


def keep_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: who signed in is kept as soon as the login commits, so the first page
    after it is served like every later one (signing in wrote last_login, which moved this
    user's number on; a volunteer who signs in from the WeChat group's link and claims at
    once would otherwise be read afresh on exactly the request that must be quick)."""
    if settings.IDENTITY_KEPT:
        transaction.on_commit(lambda: load_user(user.pk))


def _read(user_id: int, using: str):
    found = IDENTITY.rows(user_id, using)
    if not found:
        return None
    user = found[0]
    attach(user, _from_row(user))
    return user


def _from_row(user) -> Identity:
    def rows(text):
        return [row.split(JOINER) for row in text.split(SEPARATOR)] if text else []

    def number(text):
        return int(text) if text not in ("", None) else None

    return Identity(
        roles=tuple(
            (role, number(community), number(grid), number(street))
            for role, community, grid, street in rows(user.identity_roles)
        ),
        registrations=tuple(
            (int(community), status) for community, status in rows(user.identity_registrations)
        ),
        resident_id=user.identity_resident,
        resident_community_id=user.identity_resident_community,
        volunteer_profile_id=user.identity_profile,
        confirmed_organisation_id=user.identity_organisation,
        organisation_communities=frozenset(
            int(community) for (community,) in rows(user.identity_organisation_communities)
        ),
        unread=int(user.identity_unread or 0),
    )


def attach(user, identity: Identity) -> None:
    """Keep the identity on the user; a resident record or volunteer profile it says is missing
    is known missing, so asking for it costs no query."""
    user.identity = identity
    cache = user._state.fields_cache
    if identity.resident_id is None:
        cache.setdefault("resident", None)
    if identity.volunteer_profile_id is None:
        cache.setdefault("volunteer_profile", None)


def identity_of(user) -> Identity | None:
    return getattr(user, "identity", None)


def reader_key(user) -> tuple | None:
    """Who reads a page, for keying what is kept of it in the cache: everyone signed out alike;
    a signed-in person by id, name, roles, communities and unread notices. None for a user not
    read with an identity (nothing safe to key by: not kept)."""
    if not user.is_authenticated:
        return ("-",)
    identity = identity_of(user)
    if identity is None:
        return None
    return (
        user.pk,
        user.display_name,
        user.is_superuser,
        user.is_staff,
        identity.fingerprint(),
        identity.unread,
    )
