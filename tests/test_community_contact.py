"""社区电话和地址: community staff set what the printed list and the WeChat text tell people."""

import pytest
from django.urls import reverse

from accounts.models import StaffRole
from tests.factories import CommunityFactory, UserFactory

URL = reverse("staff:community")


@pytest.fixture
def staff_client(login, staff):
    return login(staff)


def test_staff_sets_the_phone_and_address_of_their_community(staff_client, community):
    response = staff_client.post(
        URL, {"phone": "0437-3221234 转 801", "address": "福阳路88号社区党群服务中心"}
    )

    community.refresh_from_db()
    assert response.status_code == 302
    assert (community.phone, community.address) == (
        "0437-3221234 转 801",
        "福阳路88号社区党群服务中心",
    )


def test_the_page_has_chinese_labels_and_a_phone_keyboard(staff_client):
    page = staff_client.get(URL).text

    assert "社区电话" in page and "社区地址" in page
    assert 'type="tel"' in page


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("13804371234", "13804371234"),
        ("138 0437 1234", "138 0437 1234"),
        ("0437-3221234", "0437-3221234"),
        ("12345", "12345"),
        ("0437-3221234转801", "0437-3221234转801"),
        ("0437-3221234 分机 8", "0437-3221234 分机 8"),
        ("0437-3221234 ext. 801", "0437-3221234 ext. 801"),
        ("０４３７－３２２１２３４", "0437-3221234"),  # full-width, from a phone's keyboard
        ("  0437  3221234 ", "0437 3221234"),
    ],
)
def test_phone_numbers_people_write_are_accepted(staff_client, community, typed, kept):
    staff_client.post(URL, {"phone": typed, "address": ""})

    community.refresh_from_db()
    assert community.phone == kept


@pytest.mark.parametrize(
    "typed",
    ["请打电话", "0437/3221234", "(0437)3221234", "1234", "0437--3221234", "3221234 转", "+86 138"],
)
def test_a_bad_phone_gets_a_plain_message_and_keeps_what_was_typed(staff_client, community, typed):
    community.phone = "0437-1111111"
    community.save()

    response = staff_client.post(URL, {"phone": typed, "address": "福阳路88号"})

    community.refresh_from_db()
    assert response.status_code == 200
    assert "电话号码只能写数字、空格和短横线" in response.text
    assert community.phone == "0437-1111111"


def test_clearing_the_phone_is_allowed(staff_client, community):
    community.phone = "0437-1111111"
    community.save()

    staff_client.post(URL, {"phone": "", "address": ""})

    community.refresh_from_db()
    assert community.phone == ""


def test_street_admin_picks_which_community(login, street_admin, community, street):
    neighbour = CommunityFactory(street=street, name="福安社区")
    client = login(street_admin)

    assert "请先在上方选择一个社区" in client.get(URL).text
    client.post(f"{URL}?community={neighbour.pk}", {"phone": "0437-2222222", "address": ""})

    neighbour.refresh_from_db()
    community.refresh_from_db()
    assert (neighbour.phone, community.phone) == ("0437-2222222", "")


def test_a_foreign_community_cannot_be_picked(login, street_admin, other_community):
    login(street_admin).post(
        f"{URL}?community={other_community.pk}", {"phone": "0437-2222222", "address": ""}
    )

    other_community.refresh_from_db()
    assert other_community.phone == ""


def test_grid_worker_gets_403(login, community, grid):
    worker = UserFactory()
    StaffRole.objects.create(
        user=worker, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )

    assert login(worker).get(URL).status_code == 403


def test_workbench_home_links_to_the_page(staff_client):
    assert URL in staff_client.get(reverse("staff:index")).text
