"""Every list page answers with the same few SQL queries however many rows it shows and however
many the database holds: at most MAX_QUERIES, counted with a few rows and again with many more
(one more is the COUNT a list needs once it outgrows its first page).

A page whose count grows with its rows has an N+1 (a query per card); one whose count grows with
the data has a lookup that should have been a join or a prefetch."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Resident
from audit.records import record_contact_view
from outcomes.hours import enter_hours
from tests.factories import ResidentFactory, UserFactory, WishFactory, make_staff, make_volunteer
from wishes.models import Claim

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8
# A volunteer's service record is a report beside its list: totals, events, where they serve.
MAX_QUERIES_OF = {"outcomes:volunteering": 12}

# (url name, who opens it, query string)
PAGES = [
    ("wishes:list", "volunteer", ""),
    ("wishes:list", "volunteer", "scope=all"),
    ("wishes:list", "volunteer", "scope=all&sort=due"),
    ("wishes:list", "volunteer", "scope=all&page=2"),
    ("wishes:list", None, ""),
    ("wishes:list", "resident", ""),
    ("wishes:list", "staff", ""),
    ("wishes:mine", "resident", ""),
    ("wishes:claims", "volunteer", ""),
    ("staff:review", "staff", ""),
    ("staff:wishes", "staff", ""),
    ("staff:wishes", "street_admin", "status=claimed"),
    ("staff:dispatch_queue", "staff", ""),
    ("staff:overdue", "staff", ""),
    ("staff:volunteers", "staff", ""),
    ("staff:access_log", "staff", ""),
    ("notices:list", "volunteer", ""),
    ("outcomes:volunteering", "volunteer", ""),
    ("outcomes:hours_queue", "staff", ""),
    ("outcomes:wall", None, ""),
]


class World:
    """One community with its staff, a volunteer and a resident who can log in; `grow(n)` adds
    n more of everything each list page shows."""

    def __init__(self, community):
        self.community = community
        self.staff = make_staff(community)
        self.street_admin = make_staff(street=community.street)
        self.volunteer = make_volunteer(community)
        self.resident = UserFactory()
        ResidentFactory(user=self.resident, community=community)

    def grow(self, n: int) -> None:
        home = Resident.objects.get(user=self.resident)
        long_ago = timezone.now() - datetime.timedelta(days=60)
        for _ in range(n):
            mine = WishFactory(community=self.community, resident=home)
            record_contact_view(self.staff, home, wish=mine, how="wish_page")
            WishFactory(community=self.community, approved=True, staff=self.staff)
            WishFactory(community=self.community, approved=True, staff=self.staff)
            claimed = WishFactory(
                community=self.community, claimed=True, staff=self.staff, claimer=self.volunteer
            )
            Claim.objects.filter(wish=claimed).update(accepted_at=long_ago)
            done = WishFactory(
                community=self.community, fulfilled=True, staff=self.staff, claimer=self.volunteer
            )
            enter_hours(self.volunteer, done, timezone.localdate(), "0.5")
            WishFactory(community=self.community, confirmed=True, staff=self.staff)
            make_volunteer(self.community)

    def user(self, who: str | None):
        return getattr(self, who) if who else None


@pytest.fixture
def world(community):
    return World(community)


def queries(client, path: str) -> int:
    client.get(path)  # caches warm, as on a site that has been up for a while
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


def path_of(name: str, query: str) -> str:
    return reverse(name) + (f"?{query}" if query else "")


def test_list_pages_need_the_same_few_queries_for_few_rows_and_many(world, client):
    clients = {}
    for who in {who for _name, who, _query in PAGES}:
        clients[who] = client.__class__()
        if who:
            clients[who].force_login(world.user(who))
    world.grow(1)
    few = {
        (name, who, query): queries(clients[who], path_of(name, query))
        for name, who, query in PAGES
        if "page=" not in query  # one page of rows only, for now
    }
    world.grow(11)  # more than a page of every list
    problems = []
    for name, who, query in PAGES:
        path = path_of(name, query)
        many = queries(clients[who], path)
        first_page = few.get((name, who, query), few.get((name, who, query.split("&page=")[0])))
        most = MAX_QUERIES_OF.get(name, MAX_QUERIES)
        if many > most:
            problems.append(f"{path} as {who}: {many} queries, more than {most}")
        elif not first_page <= many <= first_page + 1:
            # One more at most: the COUNT a list needs once it outgrows its first page
            # (wishes/pagination.py); a query per row would add eleven.
            problems.append(
                f"{path} as {who}: {first_page} queries with few rows, {many} with many"
            )
    assert not problems, "\n".join(problems)


def test_the_count_is_pinned_as_the_issue_asks(world, client, django_assert_max_num_queries):
    """django_assert_max_num_queries on the busiest page, the volunteers' list."""
    client.force_login(world.volunteer)
    world.grow(2)
    client.get(reverse("wishes:list"))
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("wishes:list"))
