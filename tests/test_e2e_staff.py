"""The community workbench from review to export in a real browser, as 福阳社区's staff use it.

Staff review two wishes (the urgent one first), enter a wish from a phone call, approve and
dispatch it to a Party branch whose member takes it on, publish the 心愿清单 (WeChat text and the
A4 print page), run a hand-over event that fulfils three wishes at once, and import and export
wishes as Excel. Mostly on a phone-sized screen; the print page on a desktop one. Each step
leaves a screenshot in test-artifacts/e2e/staff-NN-*.png. The browser set-up and error watching
are tests/test_e2e.py's; like that test, this one is skipped only where Chromium is missing.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Resident
from tests import test_e2e
from tests.factories import PASSWORD, CategoryFactory, ResidentFactory, WishFactory
from tests.test_e2e import ARTIFACTS, CHROMIUM, Story, Watcher, log_in, open_menu, phone_context
from wishes.lifecycle import Status
from wishes.models import Claim, EventAttendance, HandoverEvent, RejectionReason, Wish

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is not installed: the browser test needs Debian's chromium package "
        "(apt-get install chromium fonts-noto-cjk); CI installs it",
    ),
]


def staff_menu(page, link: str) -> None:
    """Go somewhere through the workbench menu as it is on a phone: one button, headed groups."""
    page.get_by_role("button", name="工作台菜单").click()
    page.locator("#staff-menu").get_by_role("link", name=link, exact=True).click()


# The same Chromium, launched and shut down the same way as for the resident's story.
browser = test_e2e.browser

SCHOOLBAG = "给上三年级的孙子买一个新书包"
GADGET = "想要一部新款智能手机"
PHONE_TITLE = "家里的灯泡坏了，想请人帮忙换"
REJECT_REASON = "新款手机超出微心愿的范围，社区会联系您看看旧手机能否修好。"
EVENT_TITLE = "七一主题党日微心愿集中兑现"
HANDOVER_NOTE = "在社区党群服务中心集中送达，心愿人都当面收到了。"
IMPORTED = ("一桶五升的食用油", "一套初中数学辅导书")


@pytest.fixture
def photo(tmp_path) -> Path:
    path = tmp_path / "event.png"
    Image.new("RGB", (64, 48), (40, 120, 200)).save(path, "PNG")
    return path


@pytest.fixture
def rice(db):
    return CategoryFactory(name="米面粮油", help_text="大米、面粉、食用油等日常口粮")


@pytest.fixture
def goods(db):
    return CategoryFactory(name="生活物资", help_text="衣被、家电、日用品等")


@pytest.fixture
def study(db):
    return CategoryFactory(name="学习用品", help_text="书包、文具、课外书等")


def desktop_context(
    browser: Browser, watcher: Watcher, who: str, like: BrowserContext
) -> tuple[BrowserContext, Page]:
    """A 1280×800 window logged in as whoever is logged in to `like`."""
    context = browser.new_context(
        base_url=watcher.origin,
        viewport={"width": 1280, "height": 800},
        locale="zh-CN",
        storage_state=like.storage_state(),
    )
    context.set_default_timeout(10_000)
    watcher.watch(context, who)
    return context, context.new_page()


def local_input(moment) -> str:
    """A moment as a datetime-local field holds it, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_community_staff_run_the_workbench_in_the_browser(
    live_server,
    browser,
    community,
    grid,
    staff,
    organisation,
    member,
    volunteer,
    rice,
    goods,
    study,
    photo,
    tmp_path,
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("staff-*.png"):
        old.unlink()
    watcher = Watcher(live_server.url)
    story = Story(watcher, prefix="staff-")
    downloads: list[str] = []

    community.phone = "0731-84561234"  # printed on the A4 list
    community.save(update_fields=["phone"])
    # Two wishes wait for review; the urgent one came in later but must come first.
    schoolbag = WishFactory(
        community=community,
        grid=grid,
        category=study,
        title=SCHOOLBAG,
        description="孙子九月上三年级，旧书包的拉链和背带都坏了，想要一个结实的新书包。",
    )
    gadget = WishFactory(
        community=community,
        grid=grid,
        category=goods,
        title=GADGET,
        description="老人机坏了，想要一部新款智能手机，方便和在外地的儿子视频。",
        priority="urgent",
    )

    # 1. Staff log in and review: approve one (raising its priority), reject the other.
    staff_context, page = phone_context(browser, watcher, "staff")
    staff_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    with story.step("review", page):
        log_in(page, staff.username, PASSWORD)
        expect(page).to_have_url(re.compile(r"/staff/$"))  # staff land on the workbench
        page.locator(".staff-counters").get_by_role("link", name=re.compile("待审核")).click()
        expect(page.locator("h1")).to_have_text("审核心愿")
        cards = page.locator("main article.card")
        expect(cards).to_have_count(2)
        expect(cards.first).to_contain_text(GADGET)
        expect(cards.first.locator(".badge", has_text="紧急")).to_be_visible()
        expect(cards.nth(1)).to_contain_text(SCHOOLBAG)
        story.shot(page, "review-queue")

        card = page.locator("article", has_text=SCHOOLBAG)
        card.get_by_label("紧急程度").select_option(label="紧急")
        card.get_by_role("button", name="审核通过").click()
        expect(page).to_have_url(re.compile(r"/staff/review/$"))
        expect(page.get_by_role("status")).to_contain_text(f"“{SCHOOLBAG}”已审核通过")
        expect(page.locator("main article.card")).to_have_count(1)

        card = page.locator("article", has_text=GADGET)
        card.get_by_text("不予通过", exact=True).click()
        card.get_by_label("原因（居民会看到）").fill(REJECT_REASON)
        card.get_by_label("存为本社区的常用原因").check()
        story.shot(page, "review-reject")
        card.get_by_role("button", name="确定不予通过").click()
        expect(page.get_by_role("status")).to_contain_text(f"“{GADGET}”已不予通过")
        expect(page.get_by_text("没有等待审核的心愿。")).to_be_visible()
        story.shot(page, "review-done")

        schoolbag.refresh_from_db()
        gadget.refresh_from_db()
        assert schoolbag.status == Status.APPROVED, schoolbag.status
        assert schoolbag.priority == Wish.Priority.URGENT
        assert schoolbag.reviewed_by == staff
        assert gadget.status == Status.REJECTED, gadget.status
        assert gadget.reject_reason == REJECT_REASON
        assert RejectionReason.objects.filter(community=community, text=REJECT_REASON).exists()

    # 2. An elderly resident without a phone calls in a wish; staff enter it for him.
    with story.step("enter-by-phone", page):
        page.goto(reverse("staff:find_resident"))
        page.get_by_role("link", name="新建居民记录").click()
        expect(page.locator("h1")).to_have_text("新建居民记录")
        page.get_by_label("姓名").fill("孙德福")
        page.get_by_label("性别").select_option(label="男")
        page.get_by_label("网格").select_option(value=str(grid.pk))
        page.get_by_label("住址").fill("明珠花园3栋2单元501")
        page.get_by_label("家庭情况").select_option(label="孤寡老人")
        story.shot(page, "new-resident")
        page.get_by_role("button", name="保存，继续填写心愿").click()

        expect(page.locator("h1")).to_have_text("为孙德福填报心愿")
        expect(page.get_by_role("status")).to_contain_text("已登记居民孙德福")
        page.get_by_label("征集渠道").select_option(label="电话征集")
        page.get_by_label("类别").select_option(label=goods.name)
        page.get_by_label("心愿标题").fill(PHONE_TITLE)
        page.get_by_label("心愿描述").fill("厨房和卫生间的灯泡坏了，老人腿脚不便，够不着。")
        page.get_by_label("同意公开展示").check()
        story.shot(page, "enter-wish")
        page.get_by_role("button", name="登记心愿").click()

        expect(page).to_have_url(re.compile(r"/staff/wishes/\d+/$"))
        expect(page.locator("h1")).to_have_text(PHONE_TITLE)
        expect(page.get_by_role("status")).to_contain_text(f"已为孙德福登记心愿“{PHONE_TITLE}”")
        expect(page.locator("main article").first).to_contain_text("电话征集")
        story.shot(page, "entered-wish")

        phoned = Wish.objects.select_related("resident").get(title=PHONE_TITLE)
        assert phoned.status == Status.SUBMITTED, phoned.status
        assert phoned.channel == Wish.Channel.PHONE
        assert phoned.entered_by == staff
        assert phoned.resident.name == "孙德福"
        assert phoned.resident.user is None
        assert phoned.resident.phone == ""
        assert phoned.grid == grid

    # 3. Staff approve it on its own page and dispatch it to the Party branch.
    with story.step("approve-and-dispatch", page):
        actions = page.locator("section.actions")
        actions.get_by_role("button", name="审核通过").click()
        expect(page.get_by_role("status")).to_contain_text("已审核通过")
        expect(page).to_have_url(re.compile(rf"/staff/wishes/{phoned.pk}/$"))
        actions.get_by_role("link", name="派单").click()

        expect(page.locator("h1")).to_have_text("派单")
        page.get_by_label("或派给单位/党支部").select_option(label=organisation.name)
        page.get_by_label("派单说明").fill("请支部安排党员本周内上门更换。")
        story.shot(page, "dispatch-form")
        page.locator("main form").get_by_role("button", name="派单").click()

        expect(page).to_have_url(re.compile(rf"/staff/wishes/{phoned.pk}/$"))
        expect(page.get_by_role("status")).to_contain_text(f"已派单给{organisation.name}")
        expect(page.locator("main dl")).to_contain_text(organisation.name)
        story.shot(page, "dispatched")

        phoned.refresh_from_db()
        assert phoned.status == Status.DISPATCHED, phoned.status
        offer = phoned.open_claim()
        assert offer.state == Claim.State.OFFERED
        assert offer.organisation == organisation
        assert offer.dispatched_by == staff

    # 4. A member of the branch finds the dispatch under 我的认领 and takes it on.
    member_context, member_page = phone_context(browser, watcher, "member")
    with story.step("accept", member_page):
        log_in(member_page, member.username, PASSWORD)
        open_menu(member_page, "我的认领")
        expect(member_page).to_have_url(re.compile(r"/claims/$"))
        offered = member_page.locator("section", has_text="社区派给我的心愿").locator(
            "article", has_text=PHONE_TITLE
        )
        expect(offered).to_contain_text(f"派给{organisation.name}")
        story.shot(member_page, "dispatch-offered")
        offered.get_by_role("button", name="接单").click()

        expect(member_page.get_by_role("status")).to_contain_text("已接单")
        expect(member_page.locator("h1")).to_have_text(PHONE_TITLE)
        story.shot(member_page, "accepted")

        phoned.refresh_from_db()
        assert phoned.status == Status.CLAIMED, phoned.status
        assert phoned.open_claim().volunteer == member
        assert phoned.open_claim().organisation == organisation
    member_context.close()

    # 5. Staff publish the 心愿清单: copy the WeChat text, then open the A4 print page.
    with story.step("publish", page):
        page.goto(reverse("staff:publish_choose"))
        expect(page).to_have_url(re.compile(rf"/staff/communities/{community.pk}/publish/$"))
        expect(page.locator("h1")).to_have_text("发布心愿清单 · 福阳社区")
        text = page.locator("#wechat-text").input_value()
        link = live_server.url + reverse("wishes:detail", args=[schoolbag.pk])
        assert SCHOOLBAG in text, text
        assert link in text, text
        assert PHONE_TITLE not in text, "a claimed wish is no longer waiting"
        page.get_by_role("button", name="复制").click()
        expect(page.locator("#copy-status")).to_contain_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == text
        story.shot(page, "publish")

    print_context, print_page = desktop_context(browser, watcher, "staff (desktop)", staff_context)
    with story.step("print", print_page):
        print_page.goto(reverse("staff:publish", args=[community.pk]))
        print_page.get_by_role("link", name="打开打印页").click()
        expect(print_page).to_have_url(re.compile(rf"/communities/{community.pk}/print/$"))
        expect(print_page.locator("h1")).to_have_text("福阳社区微心愿清单")
        expect(print_page.locator(".print-header")).to_contain_text("0731-84561234")
        rows = print_page.locator("table.print-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(SCHOOLBAG)
        expect(rows.first).to_contain_text("紧急")
        expect(print_page.locator(".print-qr img")).to_have_js_property("complete", True)
        print_page.emulate_media(media="print")
        expect(print_page.get_by_role("button", name="打印")).to_be_hidden()
        story.shot(print_page, "print")
    print_context.close()

    # 6. A hand-over event: three claimed wishes, a volunteer signs in, all fulfilled at once.
    handed = [
        WishFactory(
            community=community,
            grid=grid,
            category=rice,
            title=title,
            claimed=True,
            claimer=volunteer,
            staff=staff,
        )
        for title in ("一袋十斤的大米", "一台二手洗衣机", "冬天盖的棉被")
    ]
    with story.step("event-create", page):
        page.goto(reverse("staff:events"))
        page.get_by_role("link", name="新建活动").click()
        expect(page.locator("h1")).to_have_text("新建集中兑现活动")
        now = timezone.now()
        page.get_by_label("活动名称").fill(EVENT_TITLE)
        page.get_by_label("活动地点").fill("福阳社区党群服务中心一楼大厅")
        page.get_by_label("开始时间").fill(local_input(now - datetime.timedelta(minutes=10)))
        page.get_by_label("结束时间").fill(local_input(now + datetime.timedelta(hours=2)))
        page.get_by_label("组织单位").select_option(label=organisation.name)
        story.shot(page, "event-form")
        page.get_by_role("button", name="创建活动").click()

        event = HandoverEvent.objects.get(title=EVENT_TITLE)
        expect(page).to_have_url(re.compile(rf"/staff/events/{event.pk}/$"))
        expect(page.get_by_role("status")).to_contain_text(f"签到码 {event.short_code}")
        expect(page.locator("#sign-in-heading + p")).to_have_text(event.short_code)
        for wish in handed:
            page.get_by_label(wish.title).check()
        story.shot(page, "event-attach")
        page.get_by_role("button", name="加入所选心愿").click()

        expect(page.get_by_role("status")).to_contain_text("已加入 3 个心愿")
        expect(page.locator("#wishes-heading")).to_have_text("集中兑现的心愿（3）")
        assert set(event.wishes.all()) == set(handed)

    volunteer_context, volunteer_page = phone_context(browser, watcher, "volunteer")
    with story.step("event-sign-in", volunteer_page):
        log_in(volunteer_page, volunteer.username, PASSWORD)
        open_menu(volunteer_page, "活动签到")
        volunteer_page.get_by_label("活动签到码").fill(event.short_code.lower())
        story.shot(volunteer_page, "event-code")
        volunteer_page.get_by_role("button", name="下一步").click()

        expect(volunteer_page.locator("h1")).to_have_text(EVENT_TITLE)
        volunteer_page.get_by_role("button", name="我已到场，签到").click()
        expect(volunteer_page.get_by_role("status")).to_contain_text("签到成功")
        expect(volunteer_page.locator("#signed-heading")).to_contain_text("您已签到")
        story.shot(volunteer_page, "event-signed-in")

        attendance = EventAttendance.objects.get(event=event)
        assert attendance.user == volunteer
        assert attendance.is_self_sign_in
    volunteer_context.close()

    with story.step("event-fulfil", page):
        page.reload()
        expect(page.locator("#attendees-heading")).to_have_text("签到（1人）")
        page.get_by_role("link", name="活动结束，集中登记兑现").click()

        expect(page.locator("h1")).to_have_text("集中登记兑现")
        page.get_by_label("活动情况").fill(HANDOVER_NOTE)
        page.get_by_label("活动照片（最多6张）").set_input_files(photo)
        story.shot(page, "event-fulfil-form")
        page.get_by_role("button", name="全部登记为已兑现").click()

        expect(page).to_have_url(re.compile(rf"/staff/events/{event.pk}/$"))
        expect(page.get_by_role("status")).to_contain_text("已集中兑现 3 个心愿")
        handed_over = page.locator("section", has=page.locator("#handed-heading"))
        expect(handed_over).to_contain_text(HANDOVER_NOTE)
        expect(handed_over.locator("img")).to_have_count(1)
        expect(handed_over.locator("img")).to_have_js_property("naturalWidth", 64)
        story.shot(page, "event-fulfilled")

        for wish in handed:
            wish.refresh_from_db()
            assert wish.status == Status.FULFILLED, (wish.title, wish.status)
            fulfils = list(wish.events.filter(action="fulfil"))
            assert len(fulfils) == 1, fulfils
            assert EVENT_TITLE in fulfils[0].note
            assert fulfils[0].actor == staff
            # The event's photo is the event's: no resident sees another's home.
            assert not wish.photos.exists()
        assert event.photos.count() == 1

    # 7. Import two wishes from the Excel template, then export the community's wishes.
    known = ResidentFactory(
        community=community, grid=grid, name="刘桂兰", phone="13700001111", user=None
    )
    with story.step("import", page):
        page.goto(reverse("staff:import"))
        with page.expect_download() as download:
            page.get_by_role("link", name="下载导入模板（.xlsx）").click()
        template = tmp_path / "template.xlsx"
        download.value.save_as(template)
        downloads.append(download.value.url)

        workbook = openpyxl.load_workbook(template)
        sheet = workbook["心愿"]
        column = {cell.value: cell.column for cell in sheet[1]}
        rows = [
            {
                "社区": "福阳社区",
                "网格": grid.name,
                "居民姓名": known.name,
                "联系电话": known.phone,
                "类别": rice.name,
                "心愿标题": IMPORTED[0],
                "心愿描述": "家里的油快用完了，想要一桶五升的食用油。",
                "紧急程度": "普通",
                "同意公开": "是",
            },
            {
                "社区": "福阳社区",
                "居民姓名": "陈建华",
                "性别": "男",
                "住址": "明珠花园5栋1单元302",
                "类别": study.name,
                "心愿标题": IMPORTED[1],
                "心愿描述": "孩子上初二，想要一套数学辅导书。",
                "同意公开": "否",
            },
        ]
        for number, row in enumerate(rows, start=2):
            for header, value in row.items():
                sheet.cell(row=number, column=column[header], value=value)
        filled = tmp_path / "filled.xlsx"
        workbook.save(filled)

        page.get_by_label("选择填好的 Excel 文件（.xlsx）").set_input_files(filled)
        story.shot(page, "import-form")
        page.get_by_role("button", name="上传并导入").click()

        expect(page).to_have_url(re.compile(r"/staff/review/$"))
        expect(page.get_by_role("status")).to_contain_text("已导入 2 个心愿")
        cards = page.locator("main article.card")
        expect(cards).to_have_count(2)
        for title in IMPORTED:
            expect(page.locator("article", has_text=title)).to_contain_text("批量导入")
        story.shot(page, "imported")

        imported = Wish.objects.filter(title__in=IMPORTED).select_related("resident")
        assert {wish.channel for wish in imported} == {Wish.Channel.IMPORT}
        assert {wish.status for wish in imported} == {Status.SUBMITTED}
        assert {wish.entered_by for wish in imported} == {staff}
        assert Resident.objects.filter(name=known.name).count() == 1, "found, not registered again"
        assert imported.get(title=IMPORTED[0]).resident == known

    with story.step("export", page):
        staff_menu(page, "全部心愿")
        expect(page.locator("h1")).to_have_text("全部心愿")
        total = Wish.objects.filter(community=community).count()
        expect(page.get_by_text(f"共 {total} 个心愿")).to_be_visible()
        story.shot(page, "wish-list")
        with page.expect_download() as download:
            page.get_by_role("button", name="导出Excel").click()
        exported = tmp_path / "export.xlsx"
        download.value.save_as(exported)
        downloads.append(download.value.url)
        assert download.value.suggested_filename.endswith(".xlsx")

        sheet = openpyxl.load_workbook(exported, read_only=True)["心愿"]
        header, *rows = list(sheet.iter_rows(values_only=True))
        assert "心愿标题" in header, header
        titles = [row[header.index("心愿标题")] for row in rows]
        assert sorted(titles) == sorted(
            Wish.objects.filter(community=community).values_list("title", flat=True)
        )
        channels = dict(zip(titles, (row[header.index("征集渠道")] for row in rows), strict=True))
        assert channels[PHONE_TITLE] == "电话征集"
        assert channels[IMPORTED[0]] == "批量导入"
    staff_context.close()

    # Chromium reports a link that turns into a download as an aborted navigation.
    aborted = {f"request failed: GET {url}: net::ERR_ABORTED" for url in downloads}
    problems = [p for p in watcher.problems if not p.endswith(tuple(aborted))]
    assert not problems, "the browser saw errors:\n" + "\n".join(problems)
