"""The workbench menu: every workbench page in one of four groups, the current page marked,
the community-running pages only for those who run a community, in Chinese and English."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import StaffRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_worker(community, grid):
    user = UserFactory(username="grid_worker")
    StaffRole.objects.create(
        user=user, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )
    return user


def test_the_menu_marks_where_you_are_on_the_phone_and_on_a_laptop(login, staff):
    page = login(staff).get(reverse("staff:review")).content.decode()
    assert page.count('aria-current="page"') == 2  # the row and the offcanvas
    assert 'id="staff-menu"' in page and "工作台菜单" in page
    assert '<span class="staff-nav-here text-truncate"><strong>审核</strong></span>' in page


def test_every_group_and_page_is_there_for_community_staff(login, staff):
    page = login(staff).get(reverse("staff:index")).content.decode()
    for word in ("发布与活动", "志愿者", "统计与设置", "集中兑现", "心愿类别", "社区电话和地址"):
        assert word in page, word
    for name in ("staff:review", "staff:events", "staff:categories", "staff:access_log"):
        assert f'href="{reverse(name)}"' in page


def test_a_grid_worker_is_not_offered_the_pages_of_those_who_run_a_community(login, grid_worker):
    page = login(grid_worker).get(reverse("staff:index")).content.decode()
    assert f'href="{reverse("staff:review")}"' in page
    for name in ("staff:events", "staff:categories", "staff:volunteers", "staff:community"):
        assert f'href="{reverse(name)}"' not in page, name


def test_a_page_of_a_group_opens_that_group(login, staff):
    page = login(staff).get(reverse("staff:categories")).content.decode()
    assert 'dropdown-toggle active" type="button"' in page


def test_the_menu_speaks_english_on_an_english_page(login, staff):
    client = login(staff)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        page = client.get(reverse("staff:index")).content.decode()
    for word in ("Workbench menu", "Publish &amp; events", "Volunteers", "Reports &amp; settings"):
        assert word in page, word
