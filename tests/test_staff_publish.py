"""发布心愿清单: the WeChat text, the QR code and the printable list of a community's wishes."""

import datetime
import io
import zoneinfo

import pytest
import qrcode
import time_machine
from django.urls import reverse
from PIL import Image

from tests.factories import (
    CategoryFactory,
    CommunityFactory,
    ResidentFactory,
    StaffRoleFactory,
    WishFactory,
)
from wishes.views.staff.publish import DESCRIPTION_CHARS

ROUTES = ["publish", "publish_qr_png", "publish_qr_svg", "publish_print"]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def url(name: str, community) -> str:
    return reverse(f"staff:{name}", args=[community.pk])


@pytest.fixture
def wang(community):
    """王建国: his phone, address and circumstances must never leave the workbench."""
    return ResidentFactory(
        community=community,
        name="王建国",
        gender="male",
        phone="13912345678",
        address="明珠花园3栋2单元501",
        situation_detail="低保户，独自照顾患病的老伴",
    )


@pytest.fixture
def published(community, grid, wang, staff):
    return WishFactory(
        community=community,
        grid=grid,
        resident=wang,
        staff=staff,
        category=CategoryFactory(name="生活物资"),
        title="米、面、油各一份",
        description="家里米面油快吃完了，希望能帮忙送一袋大米和一桶油。",
        approved=True,
    )


@pytest.fixture
def private(community, staff):
    """Published, but the resident did not agree to public display."""
    return WishFactory(
        community=community, staff=staff, title="轮椅一辆", public_consent=False, approved=True
    )


@pytest.fixture
def staff_client(login, staff):
    return login(staff)


def wechat_text(response) -> str:
    return response.context["text"]


def test_staff_sees_the_text_with_the_published_wish_and_its_link(staff_client, published):
    response = staff_client.get(url("publish", published.community))

    text = wechat_text(response)
    assert response.status_code == 200
    assert "1. [生活物资] 米、面、油各一份——家里米面油快吃完了" in text
    assert f"http://testserver/wishes/{published.pk}/" in text


def test_each_item_shows_grid_and_masked_name_only(staff_client, published):
    text = wechat_text(staff_client.get(url("publish", published.community)))

    assert "（明珠花园第二网格 · 王先生）" in text
    for secret in ["王建国", "13912345678", "明珠花园3栋2单元501", "独自照顾患病的老伴"]:
        assert secret not in text


def test_long_descriptions_are_cut_after_a_phrase(staff_client, published):
    published.description = (
        "家里米面油快吃完了，希望能帮忙送一袋大米和一桶油，\n"
        "孩子下个月开学还需要一个新书包和几本练习册。"
    )
    published.save()

    text = wechat_text(staff_client.get(url("publish", published.community)))

    assert "——家里米面油快吃完了，希望能帮忙送一袋大米和一桶油…（" in text
    assert "书包" not in text


def test_descriptions_without_punctuation_are_cut_at_the_limit(staff_client, published):
    published.description = "米" * 50
    published.save()

    text = wechat_text(staff_client.get(url("publish", published.community)))

    assert "——" + "米" * (DESCRIPTION_CHARS - 1) + "…（" in text


def test_wish_without_consent_is_left_out_but_counted(staff_client, published, private):
    text = wechat_text(staff_client.get(url("publish", published.community)))

    assert "轮椅一辆" not in text
    assert "另有 1 个心愿未同意公开，经社区审核的志愿者登录后可在心愿清单查看" in text


def test_submitted_and_claimed_wishes_are_not_on_the_list(staff_client, community, staff):
    WishFactory(community=community, title="还在审核的心愿")
    WishFactory(community=community, staff=staff, title="已被认领的心愿", claimed=True)

    text = wechat_text(staff_client.get(url("publish", community)))

    assert "还在审核的心愿" not in text
    assert "已被认领的心愿" not in text


def test_wishes_of_other_communities_are_not_on_the_list(staff_client, community):
    WishFactory(community=CommunityFactory(street=community.street), title="邻居社区的心愿")

    assert "邻居社区的心愿" not in wechat_text(staff_client.get(url("publish", community)))


def test_the_longest_waiting_wish_comes_first(staff_client, community, staff):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, tzinfo=SHANGHAI)):
        WishFactory(community=community, staff=staff, title="先发布的心愿", approved=True)
    with time_machine.travel(datetime.datetime(2025, 3, 2, 9, tzinfo=SHANGHAI)):
        WishFactory(community=community, staff=staff, title="后发布的心愿", approved=True)

    text = wechat_text(staff_client.get(url("publish", community)))

    assert text.index("1. [生活物资] 先发布的心愿") < text.index("2. [生活物资] 后发布的心愿")


def test_header_carries_the_date_in_shanghai(staff_client, community):
    # 20:00 in London on 5 January is already 6 January in 辽源.
    with time_machine.travel(datetime.datetime(2025, 1, 5, 20, tzinfo=datetime.UTC)):
        text = wechat_text(staff_client.get(url("publish", community)))

    assert text.startswith("【福阳社区微心愿清单】2025年1月6日")


def test_text_links_to_the_community_list(staff_client, published):
    community = published.community
    text = wechat_text(staff_client.get(url("publish", community)))

    assert f"http://testserver/wishes/?community={community.pk}&scope=all" in text


def test_community_list_link_shows_the_wish_to_anonymous_visitors(anon, published):
    response = anon.get(f"/wishes/?community={published.community.pk}&scope=all")

    assert published in response.context["wishes"]


def test_publish_page_has_copy_button_and_qr_code(staff_client, published):
    response = staff_client.get(url("publish", published.community))

    assert 'data-copy-target="wechat-text"' in response.text
    assert url("publish_qr_png", published.community) in response.text


def test_publish_page_query_count_does_not_grow_with_the_list(
    staff_client, community, staff, django_assert_max_num_queries
):
    for _ in range(5):
        WishFactory(community=community, staff=staff, approved=True)

    with django_assert_max_num_queries(12):
        staff_client.get(url("publish", community))


def test_qr_png_is_an_image_pillow_can_open(staff_client, community):
    response = staff_client.get(url("publish_qr_png", community))

    image = Image.open(io.BytesIO(response.content))
    image.verify()
    assert response["Content-Type"] == "image/png"
    assert image.format == "PNG"
    assert response["Content-Disposition"] == (
        f'inline; filename="community-{community.pk}-qr.png"'
    )


def test_qr_png_encodes_the_community_list(staff_client, community):
    # No QR decoder is installed: draw the expected code and compare the modules instead.
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    expected.add_data(f"http://testserver/wishes/?community={community.pk}&scope=all")
    buffer = io.BytesIO()
    expected.make_image().save(buffer)

    response = staff_client.get(url("publish_qr_png", community))

    assert response.content == buffer.getvalue()


def test_qr_svg_is_svg(staff_client, community):
    response = staff_client.get(url("publish_qr_svg", community))

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content


def test_print_page_lists_wishes_with_the_print_stylesheet(staff_client, published, private):
    response = staff_client.get(url("publish_print", published.community))

    assert "米、面、油各一份" in response.text and "王先生" in response.text
    assert "轮椅一辆" not in response.text
    assert "css/print.css" in response.text


def test_print_page_shows_the_community_phone(staff_client, community):
    community.phone = "0437-1234567"
    community.save()

    response = staff_client.get(url("publish_print", community))

    assert "0437-1234567" in response.text


@pytest.mark.parametrize("name", ROUTES)
def test_other_community_staff_gets_404(login, other_staff, community, name):
    assert login(other_staff).get(url(name, community)).status_code == 404


@pytest.mark.parametrize("name", ROUTES)
def test_resident_gets_403(login, resident, community, name):
    assert login(resident).get(url(name, community)).status_code == 403


@pytest.mark.parametrize("name", [*ROUTES, "publish_choose"])
def test_anonymous_goes_to_login(anon, community, name):
    path = reverse("staff:publish_choose") if name == "publish_choose" else url(name, community)

    response = anon.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_street_admin_can_publish_each_community_of_their_street(
    login, street_admin, community, street
):
    client = login(street_admin)
    neighbour = CommunityFactory(street=street, name="福安社区")

    for each in [community, neighbour]:
        response = client.get(url("publish", each))
        assert response.status_code == 200
        assert f"【{each.name}微心愿清单】" in wechat_text(response)


def test_menu_takes_staff_of_one_community_straight_to_its_page(staff_client, community):
    response = staff_client.get(reverse("staff:publish_choose"))

    assert response.status_code == 302
    assert response.url == url("publish", community)


def test_menu_lets_street_admin_pick_a_community(login, street_admin, community, street):
    neighbour = CommunityFactory(street=street, name="福安社区")

    response = login(street_admin).get(reverse("staff:publish_choose"))

    assert url("publish", community) in response.text
    assert url("publish", neighbour) in response.text


def test_menu_counts_each_communitys_waiting_wishes(login, street_admin, community, street):
    StaffRoleFactory(user=street_admin, community=community)  # a second role must not double
    WishFactory(community=community, approved=True)
    WishFactory(community=community, approved=True, public_consent=False)
    WishFactory(community=community)
    CommunityFactory(street=street, name="福安社区")

    response = login(street_admin).get(reverse("staff:publish_choose"))

    waiting = {each.name: each.waiting for each in response.context["communities"]}
    assert waiting == {"福阳社区": 2, "福安社区": 0}


def test_workbench_menu_links_to_publishing(staff_client, community):
    response = staff_client.get(reverse("staff:index"))

    assert reverse("staff:publish_choose") in response.text


def test_print_page_without_a_phone_has_no_phone_label(staff_client, community):
    community.address = ""
    community.save()

    page = staff_client.get(url("publish_print", community)).text

    assert "电话：" not in page and "社区地址：" not in page


def test_print_page_without_a_phone_links_staff_to_set_it(staff_client, community):
    page = staff_client.get(url("publish_print", community)).text

    assert f"{reverse('staff:community')}?community={community.pk}" in page


def test_print_page_with_a_phone_does_not_ask_for_it(staff_client, community):
    community.phone = "0437-1234567"
    community.save()

    page = staff_client.get(url("publish_print", community)).text

    assert reverse("staff:community") not in page


def test_print_page_shows_the_community_address(staff_client, community):
    community.address = "福阳路88号社区党群服务中心"
    community.save()

    page = staff_client.get(url("publish_print", community)).text

    assert "社区地址：福阳路88号社区党群服务中心" in page


def test_grid_worker_printing_is_not_sent_to_a_page_they_cannot_open(login, community, grid):
    from accounts.models import StaffRole
    from tests.factories import UserFactory

    worker = UserFactory()
    StaffRole.objects.create(
        user=worker, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )

    page = login(worker).get(url("publish_print", community)).text

    assert reverse("staff:community") not in page
    assert "请社区工作人员在工作台填写" in page


def test_text_ends_with_the_community_phone_and_address(staff_client, community):
    community.phone = "0437-1234567"
    community.address = "福阳路88号社区党群服务中心"
    community.save()

    text = wechat_text(staff_client.get(url("publish", community)))

    assert text.endswith("咨询电话：0437-1234567\n社区地址：福阳路88号社区党群服务中心")


def test_text_without_a_phone_says_nothing_about_one(staff_client, community):
    community.address = ""
    community.save()

    text = wechat_text(staff_client.get(url("publish", community)))

    assert "电话" not in text and "地址" not in text
