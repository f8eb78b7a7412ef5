"""What the pages cache (the list's cards and filters, the reports) is never stale and never
shown to someone it was not rendered for: every key carries the versions of the data it shows
(wishes/versions.py) and everything about the reader that changes what they may see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Resident
from tests.factories import CommunityFactory, WishFactory, make_volunteer

pytestmark = pytest.mark.django_db

LIST = reverse("wishes:list")
STATS = reverse("outcomes:stats")


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def main(page: str) -> str:
    """The page's own content (header and footer differ per response: a fresh CSP nonce and
    CSRF token)."""
    return page[page.index("<main") : page.index("</main>")]


def sql(client, path: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response.text, [query["sql"] for query in captured.captured_queries]


def test_a_second_look_at_the_list_counts_and_reads_no_wishes(volunteer, community):
    WishFactory(community=community, approved=True, title="一袋大米")
    client = signed_in(volunteer)
    first, _ = sql(client, LIST)
    again, queries = sql(client, LIST)
    assert "一袋大米" in first and "一袋大米" in again
    assert not [q for q in queries if 'FROM "wishes_wish"' in q]


def test_a_wish_published_since_shows_at_once(volunteer, community, staff):
    client = signed_in(volunteer)
    sql(client, LIST)
    WishFactory(community=community, approved=True, staff=staff, title="轮椅一台")
    assert "轮椅一台" in sql(client, LIST)[0]


def test_a_wish_claimed_since_leaves_the_list_at_once(volunteer, claimer, community):
    wish = WishFactory(community=community, approved=True, title="楼道灯维修")
    client = signed_in(volunteer)
    assert "楼道灯维修" in sql(client, LIST)[0]
    wish.claim(by=claimer)
    assert "楼道灯维修" not in sql(client, LIST)[0]


def test_a_residents_new_name_shows_on_the_cards_at_once(volunteer, community):
    wish = WishFactory(community=community, approved=True)
    client = signed_in(volunteer)
    sql(client, LIST)
    resident = Resident.objects.get(pk=wish.resident_id)
    resident.name, resident.gender = "欧阳秀英", Resident.Gender.FEMALE
    resident.save()  # as the admin and the staff's resident page save it
    assert "欧阳女士" in sql(client, LIST)[0]


def test_staff_see_numbers_that_volunteers_never_get_from_the_cache(staff, volunteer, community):
    WishFactory(community=community, approved=True, description="请打13812345678联系我")
    staff_page = sql(signed_in(staff), LIST)[0]
    volunteer_page = sql(signed_in(volunteer), LIST)[0]
    assert "13812345678" in staff_page
    assert "13812345678" not in volunteer_page and "138****5678" in volunteer_page


def test_unconsented_wishes_are_cached_for_their_community_only(volunteer, community):
    WishFactory(community=community, approved=True, public_consent=False, title="只给本社区看")
    elsewhere = make_volunteer(CommunityFactory(name="新兴社区"))
    assert "只给本社区看" in sql(signed_in(volunteer), f"{LIST}?scope=all")[0]
    assert "只给本社区看" not in sql(signed_in(elsewhere), f"{LIST}?scope=all")[0]
    assert "只给本社区看" not in sql(signed_in(None), f"{LIST}?scope=all")[0]


def test_each_language_has_its_own_cards(volunteer, community):
    WishFactory(community=community, approved=True)
    client = signed_in(volunteer)
    chinese = sql(client, LIST)[0]
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = client.get(LIST, headers={"accept-language": "en"}).text
    assert "已等待" in chinese
    assert "已等待" not in english


def test_a_new_community_is_offered_in_the_filter_at_once(volunteer, community):
    client = signed_in(volunteer)
    sql(client, LIST)
    CommunityFactory(street=community.street, name="明珠社区")
    assert "明珠社区" in sql(client, LIST)[0]


def test_statistics_are_read_once_and_counted_again_after_a_change(community, staff):
    wish = WishFactory(community=community, approved=True, staff=staff)
    client = signed_in(None)
    before, _ = sql(client, f"{STATS}?period=all")
    again, queries = sql(client, f"{STATS}?period=all")
    assert main(before) == main(again)
    assert not [q for q in queries if 'FROM "wishes_wish"' in q]
    wish.claim(by=make_volunteer(community))
    wish.fulfil(by=wish.open_claim().volunteer, note="已送到")
    after, _ = sql(client, f"{STATS}?period=all")
    assert main(after) != main(before)
