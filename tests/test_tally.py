"""The wish tally (wishes/tallies.py) always sums to what counting the wishes gives: whatever
writes them — the life-cycle methods, a queryset's update(), bulk_create, delete — and after
its rows are folded, or its triggers lost and put back."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CommunityFactory,
    GridFactory,
    ResidentFactory,
    StaffRoleFactory,
    UserFactory,
    WishFactory,
    make_staff,
)
from wishes import tallies
from wishes.counters import count_open
from wishes.models import Wish, WishTally

pytestmark = pytest.mark.django_db


def counted() -> dict:
    """{(community, grid, status, urgent, escalated): wishes}, counted from the wishes."""
    rows = Wish.objects.values_list(
        "community_id", "grid_id", "status", "priority", "escalated_at"
    ).order_by()
    result: dict = {}
    for community, grid, status, priority, escalated_at in rows:
        key = (community, grid, status, priority == "urgent", escalated_at is not None)
        result[key] = result.get(key, 0) + 1
    return result


def tallied() -> dict:
    result: dict = {}
    for row in WishTally.objects.all():
        key = (row.community, row.grid, row.status, row.urgent, row.escalated)
        result[key] = result.get(key, 0) + row.wishes
    return {key: total for key, total in result.items() if total}


def test_every_kind_of_write_is_tallied():
    community, other = CommunityFactory(), CommunityFactory(name="福阳社区")
    grid = GridFactory(community=community)
    resident = ResidentFactory(community=community, grid=grid)
    WishFactory(community=community, resident=resident, grid=grid)
    WishFactory(community=community, claimed=True)
    WishFactory(community=other, confirmed=True, priority=Wish.Priority.URGENT)
    closed = WishFactory(community=other, approved=True)
    assert tallied() == counted()

    closed.close(by=make_staff(other), reason="已搬离")  # a life-cycle method
    Wish.objects.filter(status=Wish.Status.SUBMITTED).update(  # a queryset's update
        priority=Wish.Priority.URGENT, escalated_at=timezone.now()
    )
    Wish.objects.filter(community=other).update(community=community, grid=grid)  # moved
    template = Wish.objects.first()
    Wish.objects.bulk_create(  # bulk_create, two keys in one statement
        [
            Wish(
                title=f"批量{n}",
                description="批量导入",
                category=template.category,
                community=community if n % 2 else other,
                status=Wish.Status.APPROVED,
                entered_by=None,
            )
            for n in range(7)
        ]
    )
    assert tallied() == counted()

    Wish.objects.filter(title__startswith="批量", community=other).delete()  # delete
    Wish.objects.filter(title="no such wish").update(status=Wish.Status.CLOSED)  # no rows
    Wish.objects.update(description="只改了描述")  # no counted column changes: no new rows
    assert tallied() == counted()


def test_an_edit_that_moves_no_count_adds_no_row():
    wish = WishFactory()
    before = WishTally.objects.count()
    wish.description = "补充：需要一袋十斤装的大米"
    wish.save()
    assert WishTally.objects.count() == before


def test_compacting_folds_the_rows_and_keeps_the_sums():
    community = CommunityFactory()
    for _ in range(3):
        WishFactory(community=community, claimed=True)
    WishFactory(community=community, rejected=True)
    before = tallied()
    rows = WishTally.objects.count()
    kept = tallies.compact()
    assert tallied() == before == counted()
    assert WishTally.objects.count() == kept < rows
    # Keys that sum to nothing (the wishes' passage through submitted, approved) are gone.
    assert not WishTally.objects.filter(wishes=0).exists()
    assert not WishTally.objects.filter(status=Wish.Status.SUBMITTED).exists()
    assert tallies.compact() == kept  # again: nothing changes


def test_a_lost_trigger_is_put_back_and_the_tally_counted_afresh():
    WishFactory(approved=True)
    tallies.uninstall()
    WishFactory(claimed=True)  # not tallied while the triggers are gone
    assert tallied() != counted()
    assert tallies.install() is True
    assert tallied() == counted()
    assert tallies.install() is False  # in place: nothing to do
    WishFactory()
    assert tallied() == counted()


def test_the_triggers_are_installed_by_migrate():
    with connection.cursor() as cursor:
        assert tallies._installed(cursor, connection.vendor) == len(tallies.TRIGGERS)


def test_counters_read_the_tally_and_match_counting_the_wishes():
    community = CommunityFactory()
    grid, other_grid = GridFactory(community=community), GridFactory(community=community)
    for target, grid_ in [("approved", grid), ("claimed", grid), ("approved", other_grid)]:
        resident = ResidentFactory(community=community, grid=grid_)
        WishFactory(community=community, resident=resident, grid=grid_, **{target: True})
    WishFactory(community=community, grid=grid, priority=Wish.Priority.URGENT)
    Wish.objects.filter(status=Wish.Status.APPROVED, grid=other_grid).update(
        escalated_at=timezone.now() - datetime.timedelta(days=1)
    )
    WishFactory(confirmed=True)  # another community's

    def direct(where: Q) -> dict:
        wishes = Wish.objects.filter(where)
        return wishes.aggregate(
            to_review=Count("pk", filter=Q(status="submitted")),
            waiting=Count("pk", filter=Q(status="approved")),
            dispatched=Count("pk", filter=Q(status="dispatched")),
            claimed=Count("pk", filter=Q(status="claimed")),
            to_confirm=Count("pk", filter=Q(status="fulfilled")),
            urgent=Count("pk", filter=Q(status="submitted", priority="urgent")),
            escalated=Count("pk", filter=Q(status="approved", escalated_at__isnull=False)),
        )

    for where in [Q(), Q(community=community.pk), Q(grid__in=[grid.pk]), Q(grid__in=[])]:
        assert count_open(where) == direct(where)
    assert count_open(Q(community=community.pk))["waiting"] == 2


def test_a_grid_workers_workbench_counts_only_their_grid(client):
    community = CommunityFactory()
    mine, theirs = GridFactory(community=community), GridFactory(community=community)
    for grid in (mine, theirs, theirs):
        resident = ResidentFactory(community=community, grid=grid)
        WishFactory(community=community, resident=resident, grid=grid)
    worker = UserFactory()
    StaffRoleFactory(user=worker, role="grid_worker", community=community, grid=mine)
    client.force_login(worker)
    counts = client.get(reverse("staff:index")).context["counts"]
    assert counts["to_review"] == 1
    staff = make_staff(community)
    client.force_login(staff)
    assert client.get(reverse("staff:index")).context["counts"]["to_review"] == 3


def test_the_staff_list_counts_from_the_tally_and_agrees_with_counting(client):
    community, other = CommunityFactory(), CommunityFactory(name="福阳社区")
    for target in ["approved", "approved", "claimed", "rejected"]:
        WishFactory(community=community, **{target: True})
    WishFactory(community=community, title="轮椅一台")
    WishFactory(community=other, approved=True)
    client.force_login(make_staff(community))
    url = reverse("staff:wishes")

    def listed(query: str) -> tuple[int, int]:
        page = client.get(url + query).context["page_obj"]
        return page.paginator.count, len(page.object_list)

    assert listed("") == (5, 5)
    assert listed("?status=approved") == (2, 2)
    assert listed("?status=confirmed") == (0, 0)
    assert listed("?status=nonsense") == (5, 5)  # an unknown status is ignored, as the list does
    assert listed("?q=轮椅") == (1, 1)  # a keyword: counted from what it leaves
    assert listed(f"?community={other.pk}") == (5, 5)  # not theirs: ignored
