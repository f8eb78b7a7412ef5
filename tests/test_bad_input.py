"""Crafted input gets a 4xx or a form error, never a 500 (found in review)."""

import pytest
from django.urls import reverse

from tests.factories import WishFactory
from wishes.models import HandoverEvent, Wish


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


# Found by the fuzz (tests/test_fuzz.py). "²" passes str.isdigit() and fails int(): a view that
# checked with isdigit() handed it to the database and answered 500. Such a number is ignored.

SUPERSCRIPT_TWO = "²"


def test_a_superscript_digit_as_the_workbench_community_is_ignored(login, staff):
    response = login(staff).get(reverse("staff:index"), {"community": SUPERSCRIPT_TWO})
    assert response.status_code == 200


def test_a_superscript_digit_as_the_keyword_finds_nothing_rather_than_failing(login, staff):
    client = login(staff)
    assert client.get(reverse("staff:wishes"), {"q": SUPERSCRIPT_TWO}).status_code == 200
    assert client.get(reverse("staff:export_wishes"), {"q": SUPERSCRIPT_TWO}).status_code == 200


def test_a_superscript_digit_in_the_public_filters_is_ignored(client, community):
    assert client.get(reverse("wishes:list"), {"community": SUPERSCRIPT_TWO}).status_code == 200
    assert client.get(reverse("outcomes:wall"), {"street": SUPERSCRIPT_TWO}).status_code == 200
    honour = client.get(reverse("outcomes:honour"), {"kind": "community", "pk": SUPERSCRIPT_TWO})
    assert honour.status_code == 200


def test_bulk_approve_with_a_superscript_digit_approves_nothing(login, staff, community):
    wish = WishFactory(community=community, staff=staff)
    response = login(staff).post(reverse("staff:bulk_approve"), {"wish": SUPERSCRIPT_TWO})
    wish.refresh_from_db()
    assert response.status_code == 302 and wish.status == "submitted"


def test_admin_grid_filter_with_a_superscript_community_is_ignored(login, staff):
    response = login(staff).get(
        reverse("admin:wishes_wish_changelist"), {"community__id__exact": SUPERSCRIPT_TWO}
    )
    assert response.status_code < 500


# Django's autocomplete widget looked the submitted value up again to show it: a value that is
# not a number at all answered 500. The form now says the choice is not valid.


def test_admin_wish_with_a_resident_that_is_not_a_number_is_a_form_error(login, staff, community):
    category = WishFactory(community=community).category
    response = login(staff).post(
        reverse("admin:wishes_wish_add"),
        {
            "title": "一袋大米",
            "description": "家里米快吃完了。",
            "category": category.pk,
            "kind": "individual",
            "priority": "normal",
            "community": community.pk,
            "resident": "abc",
            "channel": "visit",
            "claims-TOTAL_FORMS": "0",
            "claims-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Wish.objects.filter(title="一袋大米").exists()
    assert 'value="一袋大米"' in response.content.decode()


def test_admin_organisation_with_a_liaison_that_is_not_a_number_is_a_form_error(
    login, superuser, organisation
):
    response = login(superuser).post(
        reverse("admin:communities_organisation_change", args=[organisation.pk]),
        {"name": organisation.name, "kind": organisation.kind, "liaisons": ["abc"]},
    )
    organisation.refresh_from_db()
    assert response.status_code == 200 and organisation.name == "市税务局稽查局党支部"


# SQLite holds integers up to 2**63 - 1; a larger one in `pk__in` raised OverflowError (500).


def test_a_category_number_past_any_integer_is_a_form_error(login, staff, community):
    response = login(staff).post(reverse("staff:categories"), {"offered": ["9" * 40]})
    assert response.status_code == 200 and not community.hidden_categories.exists()


def test_a_number_past_any_integer_in_an_in_lookup_matches_nothing(db):
    assert list(Wish.objects.filter(pk__in=[10**30])) == []
    assert list(Wish.objects.filter(pk__in=[10**30, -(10**30)])) == []


# Django's admin trusted what was sent in three places (config/admin_input.py).


def test_an_admin_action_on_a_key_that_is_not_a_number_changes_nothing(login, staff, community):
    wish = WishFactory(community=community, staff=staff)
    response = login(staff).post(
        reverse("admin:wishes_wish_changelist"),
        {"action": "approve_selected", "_selected_action": ["abc", wish.pk], "index": "0"},
        follow=True,
    )
    wish.refresh_from_db()
    assert wish.status == "submitted"
    assert "勾选的记录无法识别" in response.content.decode()


@pytest.mark.parametrize("year", ["2147483648", "9999"])
def test_an_impossible_year_in_an_admin_list_is_an_invalid_filter(login, staff, year):
    response = login(staff).get(reverse("admin:wishes_wish_changelist"), {"created_at__year": year})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


# int() reads at most 4,300 digits: a longer run of them passed str.isdecimal() and raised.

MANY_NINES = "9" * 5000


def test_a_community_of_five_thousand_digits_is_ignored_on_the_list(client, community):
    assert client.get(reverse("wishes:list"), {"community": MANY_NINES}).status_code == 200
