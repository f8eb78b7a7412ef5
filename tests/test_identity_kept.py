"""Who is asking, kept in the shared cache (accounts/identity_kept.py): read back without a query
while nothing it was read from has changed, and read afresh on the very next request after any
write to it — whatever makes the write.

These tests commit (the cache is written only outside a transaction), so each starts from an
empty database and cache."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import identity, identity_kept
from accounts.identity import load_user
from accounts.models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration
from accounts.scoping import Scope
from communities.models import Organisation
from notices.models import Notice
from notices.service import notify
from tests.factories import (
    PASSWORD,
    CommunityFactory,
    OrganisationFactory,
    ResidentFactory,
    StaffRoleFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kept(settings):
    settings.IDENTITY_KEPT = True


def read_afresh(user: User) -> User:
    return identity._read(user.pk, "default")


def same_as_afresh(user: User) -> User:
    """The user as the request would get them equals the user read from the database."""
    loaded = load_user(user.pk)
    fresh = read_afresh(user)
    assert loaded.identity == fresh.identity
    assert {f.attname: getattr(loaded, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(fresh, f.attname) for f in User._meta.concrete_fields
    }
    return loaded


def primed(user: User) -> User:
    """Read once (kept), and the next read is served from the cache."""
    load_user(user.pk)
    with CaptureQueriesContext(connection) as captured:
        again = load_user(user.pk)
    assert len(captured) == 0
    return again


def test_a_kept_user_comes_back_without_a_query_and_equal(staff, volunteer, member, resident):
    for user in (staff, volunteer, member, resident):
        again = primed(user)
        assert again.identity == read_afresh(user).identity
        assert again.display_name == user.display_name
        assert again.pk == user.pk


def test_signing_in_keeps_who_signed_in_for_the_first_page(client, volunteer):
    response = client.post(
        reverse("accounts:login"), {"username": volunteer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    # Kept once the login committed, under the number the login itself moved on to.
    with CaptureQueriesContext(connection) as captured:
        kept = load_user(volunteer.pk)
    assert len(captured) == 0
    assert kept.last_login is not None and kept.identity == read_afresh(volunteer).identity


def test_the_password_hash_is_not_kept(volunteer):
    load_user(volunteer.pk)
    _generations, user = cache.get(identity_kept._key(volunteer.pk))
    assert "password" not in user.__dict__
    assert volunteer.password not in repr(vars(user))
    # Read from the database if anything asks for it; the session's hash was made from it.
    again = load_user(volunteer.pk)
    assert again.get_session_auth_hash() == volunteer.get_session_auth_hash()
    assert again.check_password(PASSWORD) == volunteer.check_password(PASSWORD)
    assert again.password == volunteer.password


WRITES = {
    "role taken away (delete)": lambda u, c: StaffRole.objects.filter(user=u).delete(),
    "role moved (queryset update)": lambda u, c: StaffRole.objects.filter(user=u).update(
        community=CommunityFactory(name="别的社区")
    ),
    "role given (save)": lambda u, c: StaffRoleFactory(user=u, community=c),
    "registration refused (queryset update)": lambda u, c: VolunteerRegistration.objects.filter(
        volunteer__user=u
    ).update(status="refused"),
    "registration made (bulk_create)": lambda u, c: VolunteerRegistration.objects.bulk_create(
        [
            VolunteerRegistration(
                volunteer=VolunteerProfile.objects.get_or_create(user=u)[0],
                community=CommunityFactory(name="新报到社区"),
                status="approved",
            )
        ]
    ),
    "account switched off (queryset update)": lambda u, c: User.objects.filter(pk=u.pk).update(
        is_active=False
    ),
    "renamed (save)": lambda u, c: _rename(u),
    "resident record linked (update)": lambda u, c: Resident.objects.filter(
        pk=ResidentFactory(community=c).pk
    ).update(user=u),
    "organisation confirmed (save)": lambda u, c: _confirm(u, c),
    "organisation's communities changed (m2m)": lambda u, c: _widen(u),
    "raw SQL through Django's connection": lambda u, c: _raw_delete_roles(u),
}


def _confirm(user, community):
    organisation = OrganisationFactory()
    organisation.communities.add(community)
    profile, _ = VolunteerProfile.objects.get_or_create(user=user)
    profile.organisation = organisation
    profile.organisation_confirmed = True
    profile.save()


def _rename(user):
    user = User.objects.get(pk=user.pk)
    user.real_name = "改了名"
    user.save()


def _widen(user):
    for organisation in Organisation.objects.filter(members__user=user):
        organisation.communities.add(CommunityFactory(name="单位新社区"))


def _raw_delete_roles(user):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {StaffRole._meta.db_table} WHERE user_id = %s", [user.pk])


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_to_what_it_is_read_from_counts_on_the_next_read(
    write, staff, volunteer, member, community
):
    def seen(user):
        return (user.identity, user.is_active, user.display_name)

    changed = []
    for user in (staff, volunteer, member):
        before = primed(user)
        WRITES[write](user, community)
        after = same_as_afresh(user)
        changed.append(seen(before) != seen(after))
    assert any(changed)  # the write changed what someone's identity holds


def test_a_role_taken_away_counts_at_once_for_the_access_rules(staff, community):
    assert community.pk in Scope(primed(staff)).communities
    StaffRole.objects.filter(user=staff).delete()
    assert Scope(load_user(staff.pk)).communities == frozenset()


def test_a_write_inside_a_transaction_counts_once_committed_and_not_if_rolled_back(
    staff, community
):
    primed(staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        StaffRole.objects.filter(user=staff).delete()
        # Read inside the transaction: its own write counts, and nothing is kept.
        assert Scope(load_user(staff.pk)).communities == frozenset()
        raise RuntimeError("rolled back")
    assert community.pk in Scope(load_user(staff.pk)).communities
    with transaction.atomic():
        StaffRole.objects.filter(user=staff).delete()
    assert Scope(load_user(staff.pk)).communities == frozenset()


def test_a_write_committed_while_the_user_was_being_read_is_not_served_after(
    staff, community, monkeypatch
):
    """The generations are read before the database: a write that commits in between leaves
    what was read under numbers that are already old."""
    real = identity._read

    def read_then_someone_writes(user_id, using):
        user = real(user_id, using)
        StaffRole.objects.filter(user_id=user_id).delete()  # commits: autocommit
        return user

    monkeypatch.setattr(identity, "_read", read_then_someone_writes)
    assert community.pk in Scope(load_user(staff.pk)).communities  # as it was when read
    monkeypatch.setattr(identity, "_read", real)
    assert Scope(load_user(staff.pk)).communities == frozenset()


def test_notices_made_read_and_deleted_move_the_unread_number(volunteer, community):
    wish = WishFactory(community=community)
    assert primed(volunteer).identity.unread == 0
    notify("wish_claimed", [volunteer], wish=wish)  # bulk_create
    assert same_as_afresh(volunteer).identity.unread == 1
    one = Notice.objects.create(user=volunteer, kind="claimed")  # save
    assert same_as_afresh(volunteer).identity.unread == 2
    Notice.objects.filter(pk=one.pk).update(read_at=one.created_at)  # marked read
    assert same_as_afresh(volunteer).identity.unread == 1
    Notice.objects.filter(user=volunteer).delete()  # one statement, no signals
    assert same_as_afresh(volunteer).identity.unread == 0


def test_rows_the_seed_copies_in_count_too(volunteer, community):
    """seed_demo writes with COPY on PostgreSQL (wishes/seed/copy.py), around the wrapper."""
    from django.utils import timezone

    from wishes.seed.copy import insert_rows

    assert primed(volunteer).identity.unread == 0
    insert_rows(
        Notice,
        ["user_id", "kind", "params", "text", "mode", "created_at"],
        [(volunteer.pk, "claimed", {}, "", "in_app", timezone.now())],
    )
    assert same_as_afresh(volunteer).identity.unread == 1
    other = CommunityFactory(name="拷贝社区")
    role = [(volunteer.pk, StaffRole.Role.COMMUNITY_STAFF, other.pk, timezone.now())]
    insert_rows(StaffRole, ["user_id", "role", "community_id", "created_at"], role)
    assert other.pk in Scope(same_as_afresh(volunteer)).communities


def test_notices_given_to_someone_else_count_for_both(volunteer, staff):
    Notice.objects.create(user=volunteer, kind="claimed")
    assert primed(volunteer).identity.unread == 1
    assert primed(staff).identity.unread == 0
    Notice.objects.filter(user=volunteer).update(user=staff)
    assert same_as_afresh(volunteer).identity.unread == 0
    assert same_as_afresh(staff).identity.unread == 1


def test_a_notice_for_someone_else_leaves_a_kept_user_alone(volunteer, staff, community):
    primed(volunteer)
    Notice.objects.create(user=staff, kind="claimed")
    with CaptureQueriesContext(connection) as captured:
        load_user(volunteer.pk)
    assert len(captured) == 0


def test_without_the_cache_the_database_answers(volunteer, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get_many", down)
    assert load_user(volunteer.pk).identity == read_afresh(volunteer).identity


def test_a_new_secret_key_starts_afresh(volunteer, settings):
    primed(volunteer)
    settings.SECRET_KEY = "another-" + "s" * 50
    with CaptureQueriesContext(connection) as captured:
        load_user(volunteer.pk)
    assert len(captured) == 1


def test_changing_the_password_keeps_this_sign_in_and_ends_the_others(client, volunteer):
    from django.test import Client

    other = Client()
    for browser in (client, other):
        browser.force_login(volunteer)
        assert browser.get(reverse("accounts:profile")).status_code == 200
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-password-2026",
            "new_password2": "a-new-long-password-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.session[SESSION_KEY] == str(volunteer.pk)
    assert other.get(reverse("accounts:profile")).status_code == 302  # to the login page


def test_a_registration_refused_counts_on_the_next_request(client, volunteer, community):
    client.force_login(volunteer)
    wish = WishFactory(community=community, approved=True)
    for _ in range(2):  # the second from the cache
        response = client.get(reverse("wishes:detail", args=[wish.pk]))
        assert community.pk in Scope(response.wsgi_request.user).serves
    VolunteerRegistration.objects.filter(volunteer__user=volunteer).update(status="refused")
    response = client.get(reverse("wishes:detail", args=[wish.pk]))
    assert community.pk not in Scope(response.wsgi_request.user).serves
    response = client.post(reverse("wishes:claim", args=[wish.pk]))
    assert response.status_code in (403, 404)
    assert not wish.claims.exists()


@pytest.mark.parametrize(
    "sql,writes",
    [
        ('UPDATE "accounts_staffrole" SET "role" = %s', True),
        ('INSERT INTO "accounts_user" ("username") VALUES (%s)', True),
        ("delete from accounts_volunteerregistration where id = 1", True),
        ('DELETE FROM "wishes_notice" WHERE "id" IN (1)', True),
        ('UPDATE "wishes_notice" SET "read_at" = now()', False),  # per reader, by the queryset
        ('UPDATE "wishes_wish" SET "status" = %s', False),
        ('SELECT * FROM "accounts_user"', False),
        ('TRUNCATE "wishes_wish", "accounts_staffrole"', True),
        ("EXECUTE microwish_identity(5)", False),
    ],
)
def test_which_statements_move_everyone_on(sql, writes):
    assert identity_kept.writes_identity(sql) is writes
