"""Two volunteers press 认领 at the same moment: one wins, the other is told it was taken."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import ClaimFactory, WishFactory
from wishes.lifecycle import Status, WishError
from wishes.models import Claim, Wish, WishEvent

# SQLite serialises writers for the whole file, so only PostgreSQL's row locks make a real race.
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrent claims need PostgreSQL row locks; run with DATABASE_URL=postgres://…",
)


def claim_at_once(wish: Wish, *volunteers) -> list[str]:
    """Each volunteer claims `wish` from their own thread and connection; returns the outcomes."""
    barrier = threading.Barrier(len(volunteers))
    outcomes: list[str] = []

    def claim(volunteer) -> None:
        try:
            copy = Wish.objects.get(pk=wish.pk)
            barrier.wait(timeout=10)
            try:
                copy.claim(by=volunteer)
            except WishError as error:
                outcomes.append(error.code)
            else:
                outcomes.append("claimed")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(volunteer,)) for volunteer in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.fixture
def approved_wish(community, staff):
    return WishFactory(community=community, staff=staff, approved=True)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_volunteers_claiming_at_once_one_wins_one_gets_conflict(
    approved_wish, volunteer, claimer
):
    outcomes = claim_at_once(approved_wish, volunteer, claimer)
    approved_wish.refresh_from_db()
    assert outcomes == ["claimed", "conflict"]
    assert approved_wish.status == Status.CLAIMED


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_claims_leave_exactly_one_open_claim_and_one_event(
    approved_wish, volunteer, claimer
):
    claim_at_once(approved_wish, volunteer, claimer)
    open_claims = Claim.objects.filter(wish=approved_wish, state__in=Claim.OPEN_STATES)
    assert open_claims.count() == 1
    assert WishEvent.objects.filter(wish=approved_wish, action="claim").count() == 1


def test_database_refuses_a_second_open_claim_on_the_same_wish(approved_wish, volunteer, claimer):
    ClaimFactory(wish=approved_wish, volunteer=volunteer, state=Claim.State.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(wish=approved_wish, volunteer=claimer, state=Claim.State.OFFERED)


def test_database_allows_a_new_claim_beside_finished_ones(approved_wish, volunteer, claimer):
    ClaimFactory(wish=approved_wish, volunteer=volunteer, state=Claim.State.RELEASED)
    ClaimFactory(wish=approved_wish, volunteer=claimer, state=Claim.State.ACTIVE)
    assert approved_wish.claims.count() == 2
