"""Paginators that spare the database: Chain (two index-ordered parts) is tested with my claims
(test_wish_views.py); the lookahead paginator here, with the overdue page that uses it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import WishFactory
from wishes.models import Claim, Wish
from wishes.pagination import LookaheadPaginator

pytestmark = pytest.mark.django_db


def test_lookahead_counts_a_few_pages_ahead_and_every_page_stays_reachable():
    for _ in range(9):
        WishFactory()
    wishes = Wish.objects.order_by("pk")
    first = LookaheadPaginator(wishes, 1, number=1)
    first.ahead = 2
    first.horizon = 3
    page = first.get_page(1)
    assert first.count == 3 and first.more and first.num_pages == 3
    assert page.has_next()
    seen = []
    number = 1
    while True:
        paginator = LookaheadPaginator(wishes, 2, number=number)
        page = paginator.get_page(number)
        seen += [wish.pk for wish in page]
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == list(wishes.values_list("pk", flat=True))
    last = LookaheadPaginator(wishes, 2, number=5)
    assert last.count == 9 and not last.more and last.num_pages == 5
    for junk in (None, "", "x", "-3", "99999999999999999999"):
        assert LookaheadPaginator(wishes, 2, number=junk).get_page(junk).object_list


def test_the_overdue_page_says_when_more_lie_beyond(client, community, staff):
    long_ago = timezone.now() - datetime.timedelta(days=40)
    for _ in range(3):
        wish = WishFactory(community=community, claimed=True, staff=staff)
        Claim.objects.filter(wish=wish).update(accepted_at=long_ago)
    client.force_login(staff)
    page = client.get(reverse("staff:overdue")).context["page_obj"]
    assert page.paginator.count == 3 and not page.paginator.more
