"""One wish from start to finish in a real browser, on a phone-sized screen.

A resident registers and asks for rice and oil, community staff approve it in the admin, a
volunteer claims it and reports it fulfilled with a photo, and the resident confirms. Each step
leaves a screenshot in test-artifacts/e2e/. Runs Debian's Chromium at /usr/bin/chromium through
Playwright; skipped only where that browser is not installed (CI installs it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from accounts.models import Resident, User
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    CommunityFactory,
    GridFactory,
    StreetFactory,
    make_staff,
    make_volunteer,
)
from tests.signup import code_sent_to
from wishes.lifecycle import Status
from wishes.models import Wish, WishPhoto

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is not installed: the browser test needs Debian's chromium package "
        "(apt-get install chromium fonts-noto-cjk); CI installs it",
    ),
]

RESIDENT_PHONE = "15912345678"
RESIDENT_PASSWORD = "Fuyang-wish-2025"
RESIDENT_NAME = "王秀英"
TITLE = "一袋大米和一桶食用油"
DESCRIPTION = "老伴住院，家里米和油快吃完了，希望能帮忙送一袋10斤的大米和一桶5升的食用油。"
FULFIL_NOTE = "周六上午把大米和油送到家中，王阿姨很高兴。"
THANKS = "谢谢李同志，米和油都收到了！"


class Watcher:
    """Everything that went wrong in the browser: console errors, page errors, failed requests
    and HTTP errors from our own server, each tagged with the step it happened in."""

    def __init__(self, origin: str):
        self.origin = origin
        self.step = "setup"
        self.problems: list[str] = []

    def ours(self, url: str) -> bool:
        return url.startswith(self.origin) and not self.favicon(url)

    @staticmethod
    def favicon(url: str) -> bool:
        # Chromium asks for /favicon.ico on admin pages, which declare no icon of their own,
        # and drops an icon request still in flight when a quick click navigates away.
        return urlsplit(url).path in {"/favicon.ico", "/static/favicon.svg"}

    def watch(self, context: BrowserContext, who: str) -> None:
        def note(kind: str, text: str) -> None:
            self.problems.append(f"[{self.step}] {who}: {kind}: {text}")

        def on_console(message) -> None:
            url = message.location.get("url", "")
            if message.type == "error" and not self.favicon(url):
                note("console error", f"{message.text} ({url})")

        def on_response(response) -> None:
            if response.status >= 400 and self.ours(response.url):
                note(f"HTTP {response.status}", f"{response.request.method} {response.url}")

        def on_failed(request) -> None:
            if self.ours(request.url):
                note("request failed", f"{request.method} {request.url}: {request.failure}")

        context.on("console", on_console)
        context.on("weberror", lambda error: note("page error", str(error.error)))
        context.on("response", on_response)
        context.on("requestfailed", on_failed)


class Story:
    """Numbered steps, each ending in a screenshot; a failing step leaves one too."""

    def __init__(self, watcher: Watcher, prefix: str = ""):
        self.watcher = watcher
        self.prefix = prefix  # one story's screenshots apart from another's
        self.number = 0

    def shot(self, page: Page, name: str) -> None:
        self.number += 1
        path = ARTIFACTS / f"{self.prefix}{self.number:02d}-{name}.png"
        page.screenshot(path=path, full_page=True)

    @contextmanager
    def step(self, name: str, page: Page) -> Iterator[Page]:
        self.watcher.step = name
        try:
            yield page
        except Exception as error:
            path = ARTIFACTS / f"{self.prefix}{self.number + 1:02d}-{name}-FAILED.png"
            with suppress(Exception):  # the page itself may be what broke
                page.screenshot(path=path, full_page=True)
            error.add_note(f"e2e step “{name}” failed at {page.url}; screenshot: {path}")
            if self.watcher.problems:
                error.add_note("the browser saw errors:\n" + "\n".join(self.watcher.problems))
            raise


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
    # calls from the test body; the live server answers requests in its own thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # While Playwright runs, asgiref sees this thread as async and keeps the ORM's
        # connections apart from the usual thread-local ones, where pytest-django's teardown
        # would never close them (PostgreSQL then refuses to drop the test database).
        connections.close_all()


@pytest.fixture
def world(db):
    """福阳社区 with a grid, a category, a staff member and an approved volunteer."""
    community = CommunityFactory(street=StreetFactory(name="向阳街道"), name="福阳社区")
    elsewhere = CommunityFactory(street=StreetFactory(name="新兴街道"), name="新兴社区")
    GridFactory(community=elsewhere, name="新兴第一网格")
    return {
        "community": community,
        "grid": GridFactory(community=community, name="明珠花园第二网格"),
        # Not one of the categories a migration seeds, so its help text is the one set here.
        "category": CategoryFactory(name="米面粮油", help_text="大米、面粉、食用油等日常口粮"),
        "staff": make_staff(community, username="staff_fuyang", real_name="赵社工"),
        "volunteer": make_volunteer(community, username="volunteer_li", real_name="李建国"),
    }


@pytest.fixture
def photo(tmp_path) -> Path:
    path = tmp_path / "handover.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path, "PNG")
    return path


def phone_context(browser: Browser, watcher: Watcher, who: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        base_url=watcher.origin,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="zh-CN",
    )
    context.set_default_timeout(10_000)
    watcher.watch(context, who)
    return context, context.new_page()


def log_in(page: Page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("手机号或用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("main").get_by_role("button", name="登录").click()
    # Staff land on their workbench, everyone else on the home page.
    expect(page.locator("h1"), f"{username} should be logged in").to_contain_text(
        re.compile("您好|社区工作台")
    )


def open_menu(page: Page, link: str) -> None:
    """Go somewhere through the collapsed phone menu, as a person would."""
    page.get_by_role("button", name="打开菜单").click()
    page.locator("#nav").get_by_role("link", name=link).click()


def event_actions(wish: Wish) -> list[str]:
    return list(wish.events.values_list("action", flat=True))


def test_a_wish_goes_from_registration_to_confirmation_in_the_browser(
    live_server, browser, world, photo
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("[0-9][0-9]-*.png"):  # this story's; others keep theirs
        old.unlink()
    watcher = Watcher(live_server.url)
    story = Story(watcher)
    staff, volunteer = world["staff"], world["volunteer"]

    # 1. A resident registers on their phone.
    resident_context, page = phone_context(browser, watcher, "resident")
    with story.step("register", page):
        page.goto(reverse("accounts:register"))
        page.get_by_text("居民：我想提交心愿").click()
        page.get_by_label("手机号码").fill(RESIDENT_PHONE)
        page.get_by_label("设置密码").fill(RESIDENT_PASSWORD)
        page.get_by_label("再输一次密码").fill(RESIDENT_PASSWORD)
        page.get_by_label("真实姓名").fill(RESIDENT_NAME)
        page.get_by_role("combobox", name=re.compile(r"^社区")).select_option(label="福阳社区")
        grid = page.get_by_label("网格")
        expect(grid.locator("option", has_text="新兴第一网格")).to_be_disabled()
        grid.select_option(label="福阳社区 · 明珠花园第二网格")
        expect(page.locator("#volunteer-fields")).to_be_hidden()
        story.shot(page, "register")
        page.locator("#register-form").get_by_role("button", name="注册").click()

        # The number is proved with the code from the SMS before anything is saved.
        expect(page).to_have_url(re.compile(r"/accounts/register/code/$"))
        expect(page.get_by_role("status")).to_contain_text("验证码短信已经发到")
        assert not Resident.objects.filter(phone=RESIDENT_PHONE).exists()
        page.get_by_label("短信验证码").fill(code_sent_to(RESIDENT_PHONE))
        story.shot(page, "register-code")
        page.get_by_role("button", name="完成注册").click()

        expect(page).to_have_url(re.compile(r"/wishes/new/$"))
        expect(page.get_by_role("status")).to_contain_text("注册成功")
        resident = Resident.objects.select_related("user").get(phone=RESIDENT_PHONE)
        assert resident.user.username == RESIDENT_PHONE, "registration should log in by phone"
        assert resident.name == RESIDENT_NAME
        assert resident.community == world["community"]
        assert resident.grid == world["grid"]

    # 2. They ask for rice and oil, and follow it on 我的心愿.
    with story.step("new-wish", page):
        page.get_by_label("类别").select_option(label="米面粮油")
        expect(page.get_by_text("大米、面粉、食用油等日常口粮")).to_be_visible()
        page.get_by_label("想要什么（一句话）").fill(TITLE)
        page.get_by_label("具体说说").fill(DESCRIPTION)
        page.get_by_label("同意在心愿清单中公开展示").check()
        story.shot(page, "new-wish")
        page.locator("main form").get_by_role("button", name="提交心愿").click()

        expect(page).to_have_url(re.compile(r"/wishes/mine/$"))
        expect(page.get_by_role("status")).to_contain_text("心愿已提交")
        card = page.locator("article", has_text=TITLE)
        expect(card).to_contain_text("待审核")
        progress = card.get_by_role("list", name="心愿进度")
        steps = ["提交", "审核", "认领", "兑现", "确认"]
        expect(progress.locator(".wish-step-label")).to_have_text(steps)
        expect(progress.locator('[aria-current="step"]')).to_contain_text("审核")
        story.shot(page, "my-wishes-submitted")

        wish = Wish.objects.get(title=TITLE)
        assert wish.status == Status.SUBMITTED, wish.status
        assert wish.resident == resident
        assert wish.category == world["category"]
        assert wish.community == world["community"]
        assert event_actions(wish) == ["submit"]
    resident_context.close()

    # 3. Community staff approve it with the admin action.
    staff_context, page = phone_context(browser, watcher, "staff")
    with story.step("admin-approve", page):
        page.goto(reverse("admin:login") + "?next=" + reverse("admin:wishes_wish_changelist"))
        page.get_by_label("用户名").fill(staff.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()

        row = page.locator("#result_list tbody tr", has_text=TITLE)
        expect(row).to_contain_text("待审核")
        row.locator("input.action-select").check()
        page.locator("select[name=action]").select_option(
            label="审核通过所选心愿（发布到心愿清单）"
        )
        story.shot(page, "admin-changelist")
        page.get_by_role("button", name="运行").click()

        expect(page.locator(".messagelist")).to_contain_text("已审核通过 1 个心愿")
        expect(page.locator("#result_list tbody tr", has_text=TITLE)).to_contain_text("待认领")
        story.shot(page, "admin-approved")

        wish.refresh_from_db()
        assert wish.status == Status.APPROVED, wish.status
        assert wish.reviewed_by == staff
        assert wish.published_at is not None
        assert event_actions(wish) == ["submit", "approve"]
        assert wish.events.get(action="approve").actor == staff
    staff_context.close()

    # 4. A volunteer finds it on 心愿清单 and claims it.
    volunteer_context, page = phone_context(browser, watcher, "volunteer")
    with story.step("claim", page):
        log_in(page, volunteer.username, PASSWORD)
        open_menu(page, "心愿清单")
        expect(page).to_have_url(re.compile(r"/wishes/$"))
        card = page.locator("article.wish-card", has_text=TITLE)
        expect(card).to_contain_text("福阳社区")
        expect(card).to_contain_text("王**")
        story.shot(page, "wish-list")
        card.get_by_role("link", name=TITLE).click()

        expect(page.locator("h1")).to_have_text(TITLE)
        expect(page.get_by_text(RESIDENT_PHONE)).to_have_count(0)
        page.get_by_role("button", name="我来认领").click()

        expect(page.get_by_role("status")).to_contain_text("认领成功")
        delivery = page.locator("section", has_text="送达信息")
        expect(delivery).to_contain_text(RESIDENT_PHONE)
        expect(delivery.get_by_role("link", name=re.compile(RESIDENT_PHONE))).to_have_attribute(
            "href", f"tel:{RESIDENT_PHONE}"
        )
        expect(delivery).not_to_contain_text(RESIDENT_NAME)  # whom to ask for, not the full name
        story.shot(page, "claimed")

        wish.refresh_from_db()
        assert wish.status == Status.CLAIMED, wish.status
        assert wish.open_claim().volunteer == volunteer
        assert event_actions(wish) == ["submit", "approve", "claim"]

    # 5. They deliver it and report it fulfilled, with a photo of the hand-over.
    with story.step("fulfil", page):
        open_menu(page, "我的认领")
        expect(page).to_have_url(re.compile(r"/claims/$"))
        page.locator("article", has_text=TITLE).get_by_role("link", name="报告兑现").click()

        expect(page.locator("h1")).to_have_text("报告兑现")
        page.get_by_label("兑现情况").fill(FULFIL_NOTE)
        page.get_by_label("照片（最多6张）").set_input_files(photo)
        story.shot(page, "fulfil-form")
        page.get_by_role("button", name="提交兑现报告").click()

        expect(page).to_have_url(re.compile(r"/claims/$"))
        expect(page.get_by_role("status")).to_contain_text("已报告兑现")
        expect(page.locator("section", has_text="最近兑现")).to_contain_text(TITLE)
        story.shot(page, "fulfilled")

        wish.refresh_from_db()
        assert wish.status == Status.FULFILLED, wish.status
        assert wish.fulfil_note == FULFIL_NOTE
        assert wish.photos.filter(kind=WishPhoto.Kind.FULFILMENT).count() == 1
        assert event_actions(wish) == ["submit", "approve", "claim", "fulfil"]
    volunteer_context.close()

    # 6. The resident logs in again and learns every step from 通知, without opening the wish.
    resident_context, page = phone_context(browser, watcher, "resident")
    with story.step("notices", page):
        log_in(page, RESIDENT_PHONE, RESIDENT_PASSWORD)
        expect(page.get_by_role("link", name="3 条新通知")).to_be_visible()
        page.get_by_role("link", name="3 条新通知").click()
        notices = page.locator("main .list-group-item")
        expect(notices).to_have_count(3)
        expect(notices.nth(0)).to_contain_text("已经实现了")
        expect(notices.nth(1)).to_contain_text("李建国认领")
        expect(notices.nth(2)).to_contain_text("已审核通过")
        expect(notices.nth(0).get_by_role("button", name="收到了，确认")).to_be_visible()
        story.shot(page, "notices")
        notices.nth(0).get_by_role("link", name="去看看 →").click()
        expect(page).to_have_url(re.compile(rf"/wishes/{wish.pk}/#confirm$"))
        expect(page.get_by_role("button", name="确认收到")).to_be_visible()

    # 7. They confirm, with thanks and five stars.
    with story.step("confirm", page):
        open_menu(page, "我的心愿")
        card = page.locator("article", has_text=TITLE)
        expect(card).to_contain_text("心愿已兑现，请确认是否收到")
        expect(card).to_contain_text(FULFIL_NOTE)
        card.get_by_label("想对帮助您的人说").fill(THANKS)
        card.get_by_label("非常满意").check()
        story.shot(page, "confirm-form")
        card.get_by_role("button", name="确认收到").click()

        expect(page).to_have_url(re.compile(r"/wishes/mine/$"))
        expect(page.get_by_role("status")).to_contain_text("已确认收到")
        card = page.locator("article", has_text=TITLE)
        expect(card).to_contain_text("已确认")
        expect(card.locator('[aria-current="step"]')).to_have_count(0)
        story.shot(page, "confirmed")

        wish.refresh_from_db()
        assert wish.status == Status.CONFIRMED, wish.status
        assert wish.thanks_note == THANKS
        assert wish.rating == 5
        assert event_actions(wish) == ["submit", "approve", "claim", "fulfil", "confirm"]
        assert wish.events.get(action="confirm").actor == User.objects.get(username=RESIDENT_PHONE)
    resident_context.close()

    assert not watcher.problems, "the browser saw errors:\n" + "\n".join(watcher.problems)
