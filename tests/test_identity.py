"""The request's user is read with every fact the access rules and the menu need, in one query
(accounts/identity.py), and those facts are exactly what reading them one by one gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import PhoneOrUsernameBackend
from accounts.identity import load_user
from accounts.models import StaffRole, User, VolunteerRegistration
from accounts.scoping import Scope
from communities.models import Organisation
from config.prepared import forget
from notices.models import Notice
from tests.factories import (
    CommunityFactory,
    GridFactory,
    ResidentFactory,
    StaffRoleFactory,
    UserFactory,
    WishFactory,
    make_volunteer,
)

pytestmark = pytest.mark.django_db

FACTS = [
    "communities",
    "grids",
    "grid_communities",
    "staff_communities",
    "volunteer_communities",
    "registered_communities",
    "organisations",
    "organisation_communities",
    "serves",
    "is_staff",
    "runs_a_community",
]


def facts(scope: Scope) -> dict:
    return {name: getattr(scope, name) for name in FACTS}


def same_as_read_one_by_one(user: User) -> None:
    loaded = load_user(user.pk)
    fresh = User.objects.get(pk=user.pk)  # no identity: every fact read by its own query
    assert not hasattr(fresh, "identity")
    assert facts(Scope(loaded)) == facts(Scope(fresh))


@pytest.fixture
def people(community, other_community, street, organisation, grid):
    organisation.communities.add(community, other_community)
    grid_worker = UserFactory(username="grid_worker")
    StaffRoleFactory(
        user=grid_worker, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )
    # A grid that lies in another community grants nothing.
    StaffRoleFactory(
        user=grid_worker,
        role=StaffRole.Role.GRID_WORKER,
        community=community,
        grid=GridFactory(community=other_community),
    )
    both = make_volunteer(community, organisation=organisation, username="both")
    StaffRoleFactory(user=both, community=other_community)
    ResidentFactory(user=both, community=community)
    unconfirmed = make_volunteer(community, organisation=organisation, status="pending")
    refused = make_volunteer(other_community, status="refused")
    return {
        "grid_worker": grid_worker,
        "both": both,
        "unconfirmed": unconfirmed,
        "refused": refused,
        "plain": UserFactory(),
    }


def test_every_fact_is_what_reading_it_alone_gives(
    people, staff, street_admin, volunteer, member, resident, superuser
):
    for user in [*people.values(), staff, street_admin, volunteer, member, resident, superuser]:
        same_as_read_one_by_one(user)


def test_the_facts_are_read_in_one_query(people):
    with CaptureQueriesContext(connection) as captured:
        user = load_user(people["both"].pk)
        scope = Scope(user)
        facts(scope)
        assert user.identity.resident_id is not None
        assert user.identity.volunteer_profile_id is not None
    # The user with its facts, and the street admin's or grid's lookups (none here: a
    # community staff role and a grid worker's role are in the row itself).
    assert len(captured) <= 2 if connection.vendor == "postgresql" else 1


def test_a_missing_resident_record_or_profile_costs_no_query(staff):
    user = load_user(staff.pk)
    with CaptureQueriesContext(connection) as captured:
        assert not hasattr(user, "resident")
        assert not hasattr(user, "volunteer_profile")
    assert len(captured) == 0


def test_unread_notices_are_counted(volunteer):
    Notice.objects.create(user=volunteer, kind="claimed")
    Notice.objects.create(user=volunteer, kind="claimed")
    read = Notice.objects.create(user=volunteer, kind="claimed")
    Notice.objects.filter(pk=read.pk).update(read_at=read.created_at)
    assert load_user(volunteer.pk).identity.unread == 2


def test_a_role_taken_away_no_longer_counts_on_the_next_read(staff, community):
    assert community.pk in Scope(load_user(staff.pk)).communities
    StaffRole.objects.filter(user=staff).delete()
    assert Scope(load_user(staff.pk)).communities == frozenset()


def test_a_registration_refused_no_longer_counts_on_the_next_read(volunteer, community):
    assert community.pk in Scope(load_user(volunteer.pk)).serves
    VolunteerRegistration.objects.filter(volunteer__user=volunteer).update(status="refused")
    assert community.pk not in Scope(load_user(volunteer.pk)).serves


def test_an_organisation_changing_its_communities_counts_on_the_next_read(member, community):
    organisation = Organisation.objects.get(members__user=member)
    added = CommunityFactory(name="新来社区")
    assert added.pk not in Scope(load_user(member.pk)).organisation_communities
    organisation.communities.add(added)
    assert added.pk in Scope(load_user(member.pk)).organisation_communities


def test_nobody_and_nonsense_ids_find_no_one(db):
    assert load_user(987654321) is None
    assert load_user("not a number") is None
    assert load_user(None) is None


def test_the_backend_refuses_a_deactivated_user(volunteer):
    backend = PhoneOrUsernameBackend()
    assert backend.get_user(volunteer.pk) == volunteer
    User.objects.filter(pk=volunteer.pk).update(is_active=False)
    assert backend.get_user(volunteer.pk) is None


def test_the_prepared_statement_is_prepared_again_when_needed(volunteer):
    """PostgreSQL keeps the statement per database session: a new session prepares it again,
    and one that still holds an older statement of the same name replaces it."""
    assert load_user(volunteer.pk) == volunteer
    connection._identity_prepared_on = None  # as if connected anew, the statement still there
    assert load_user(volunteer.pk) == volunteer
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        forget()
    assert load_user(volunteer.pk) == volunteer


@override_settings(PREPARED_STATEMENTS=False)
def test_without_prepared_statements_the_same_user_comes_back(volunteer):
    """Behind a pooler in transaction mode the statement is sent whole every time."""
    connection._identity_prepared_on = None
    user = load_user(volunteer.pk)
    assert user == volunteer and user.identity.volunteer_profile_id is not None
    assert connection._identity_prepared_on is None


@pytest.mark.django_db(transaction=True)
def test_a_statement_the_session_lost_is_prepared_again(volunteer):
    """Outside a transaction (where every request reads its user), a session that lost the
    statement to someone's DEALLOCATE ALL prepares it again instead of failing."""
    assert load_user(volunteer.pk) == volunteer
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    assert load_user(volunteer.pk) == volunteer


@pytest.mark.django_db(transaction=True)
def test_a_claim_after_the_session_lost_its_statements_is_answered(
    login, claimer, volunteer, community, staff
):
    """The glance at a claimed wish (wishes/views/volunteer.py) is prepared again too."""
    published = WishFactory(community=community, staff=staff, approved=True)
    published.claim(by=claimer)
    client = login(volunteer)
    url = reverse("wishes:claim", args=[published.pk])
    assert client.post(url).status_code == 409
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    assert client.post(url).status_code == 409
    published.refresh_from_db()
    assert published.claims.get().volunteer == claimer


def test_views_get_the_user_itself_read_with_its_identity(login, volunteer, client):
    """The lazy proxies of django.contrib.auth and django-otp are taken off once the user is
    read (accounts/two_factor.py): a page reads hundreds of its attributes."""
    from django.utils.functional import LazyObject

    response = login(volunteer).get(reverse("wishes:list"))
    user = response.wsgi_request.user
    assert not isinstance(user, LazyObject)
    assert isinstance(user, User) and user.pk == volunteer.pk
    assert user.identity is not None and user.is_verified() is False

    client.logout()
    anonymous = client.get(reverse("wishes:list")).wsgi_request.user
    assert not isinstance(anonymous, LazyObject) and not anonymous.is_authenticated
