"""Crafted input gets a 4xx or a form error, never a 500 (found in review)."""

import pytest
from django.urls import reverse

from tests.factories import WishFactory
from wishes.models import HandoverEvent


@pytest.fixture
def claimed(community, staff, volunteer):
    return WishFactory(community=community, staff=staff, claimer=volunteer, claimed=True)


# A NUL byte is refused before any view (config.middleware.RefuseNulBytesMiddleware): 400.


def test_nul_byte_in_the_export_keyword_is_a_bad_request(login, staff):
    client = login(staff)
    client.raise_request_exception = False
    response = client.get(reverse("staff:export_wishes"), {"q": "a\x00b"})
    assert response.status_code == 400


def test_nul_byte_in_a_reminder_is_a_bad_request_and_reminds_nobody(login, staff, claimed):
    client = login(staff)
    client.raise_request_exception = False
    response = client.post(reverse("staff:remind", args=[claimed.pk]), {"note": "a\x00b"})
    assert response.status_code == 400
    assert not claimed.events.filter(action="remind").exists()


def test_event_code_with_a_nul_byte_is_a_bad_request(login, volunteer):
    client = login(volunteer)
    client.raise_request_exception = False
    assert client.get("/events/AB%00CD/").status_code == 400


def test_event_in_the_year_one_is_refused(login, staff, community):
    response = login(staff).post(
        reverse("staff:event_new"),
        {
            "community": community.pk,
            "title": "主题党日",
            "place": "党群服务中心",
            "starts_at": "0001-01-01T08:10",
            "ends_at": "0001-01-01T10:10",
        },
    )
    assert response.status_code == 200 and not HandoverEvent.objects.exists()


def test_making_a_collective_wish_individual_without_a_resident_is_a_form_error(
    login, staff, community
):
    wish = WishFactory(community=community, resident=None, kind="collective", title="修路灯")
    response = login(staff).post(
        reverse("wishes:edit", args=[wish.pk]),
        {
            "category": wish.category_id,
            "title": "修路灯",
            "description": "路灯坏了",
            "kind": "individual",
            "target_group": "",
        },
    )
    wish.refresh_from_db()
    assert response.status_code == 200 and wish.kind == "collective"


def test_bulk_approve_with_a_huge_id_is_ignored(login, staff):
    response = login(staff).post(reverse("staff:bulk_approve"), {"wish": "9" * 30})
    assert response.status_code == 302
