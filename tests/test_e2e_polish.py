"""Phone-first polish, checked in a real browser (Debian's Chromium) at 390 px and 1280 px, in
Chinese and English: a wish is sent once, a photo survives a mistake, a long pasted title never
makes a page scroll sideways, claim cards say what delivery needs, staff land on the workbench,
and every page passes axe-core's WCAG 2.1 AA rules plus the house's own: text at least 14 px,
tap targets at least 44 × 44 px. Screenshots go to test-artifacts/polish/.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Resident, StaffRole, User
from tests import test_e2e
from tests.factories import (
    CategoryFactory,
    CommunityFactory,
    GridFactory,
    StreetFactory,
    UserFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from tests.test_e2e import CHROMIUM
from wishes.models import HandoverEvent, Wish

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "polish"
AXE = (Path(__file__).parent / "vendor" / "axe-core-4.10.2.min.js").read_text()
# A shop link pasted as a title: 100 characters without a place to break.
LONG_TITLE = "https://item.taobao.com/item.htm?id=68123456789012&spm=a21n57.1.0.0.5b2c523cXyZ" + (
    "q" * 19
)
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}

browser = test_e2e.browser  # Debian's Chromium through Playwright, as the other browser tests

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

# The house's checks, beside axe: targets of 44 px (links inside a sentence excepted, as WCAG
# 2.5.5 does), no visible text under 14 px, and no sideways scrolling.
OWN_CHECKS = """() => {
  const problems = [];
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden") return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const label = (el) => (el.innerText || el.value || el.getAttribute("aria-label") || el.name
    || el.tagName).trim().slice(0, 30);
  const inSentence = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    return Array.from(el.parentElement.childNodes).some(
      (node) => node !== el && node.textContent.trim());
  };
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  for (const el of document.querySelectorAll(controls)) {
    if (!visible(el) || el.closest(".visually-hidden-focusable")) continue;
    if (el.tagName === "A" && !el.classList.contains("btn") && inSentence(el)) continue;
    let box = el.getBoundingClientRect();
    if (el.type === "radio" || el.type === "checkbox") {
      const row = el.closest(".form-check") || (el.labels && el.labels[0]);
      if (row) box = row.getBoundingClientRect();
    }
    if (box.height < 43.5 || box.width < 43.5) {
      problems.push(`target ${Math.round(box.width)}x${Math.round(box.height)}: ${label(el)}`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    if (!visible(el) || el.closest(".visually-hidden, .visually-hidden-focusable")) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 13.9) problems.push(`text ${size}px: ${walker.currentNode.textContent.trim()}`);
  }
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways > 0) problems.push(`the page scrolls sideways by ${sideways}px`);
  return problems;
}"""


@pytest.fixture
def world(db):
    community = CommunityFactory(street=StreetFactory(name="向阳街道"), name="福阳社区")
    grid = GridFactory(community=community, name="明珠花园第二网格")
    category = CategoryFactory(
        name="生活物资", name_en="Daily necessities", help_text="米面油、衣物被褥等"
    )
    staff = make_staff(community, username="staff_fuyang", real_name="赵社工")
    volunteer = make_volunteer(community, username="volunteer_li", real_name="李建国")
    person = Resident.objects.create(
        user=UserFactory(username="wang", real_name="王建国"),
        name="王建国",
        gender="male",
        phone="13912345678",
        community=community,
        grid=grid,
        address="明珠花园7号楼2单元101室",
        address_as="王叔叔",
    )
    long_wish = WishFactory(
        community=community,
        grid=grid,
        resident=person,
        category=category,
        title=LONG_TITLE,
        description=LONG_TITLE * 2,  # the link pasted again, longer, in the description
    )
    long_wish.approve(by=staff, delivery_note="王叔叔腿脚不便，敲门后请多等一会儿")
    long_wish.claim(by=volunteer, due_date=timezone.localdate() + datetime.timedelta(days=5))
    start = timezone.now() + datetime.timedelta(days=3)
    event = HandoverEvent.objects.create(
        community=community,
        title="“七一”主题党日微心愿集中兑现",
        place="福阳社区党群服务中心二楼",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        created_by=staff,
    )
    event.wishes.add(long_wish)
    WishFactory(community=community, grid=grid, resident=person, category=category)
    # Claimed and not yet in the event: its long title is in the event page's checklist.
    WishFactory(
        community=community,
        grid=grid,
        resident=person,
        category=category,
        title=LONG_TITLE[::-1],
        staff=staff,
        claimer=volunteer,
        claimed=True,
    )
    return {
        "community": community,
        "category": category,
        "staff": staff,
        "volunteer": volunteer,
        "resident": person.user,
        "person": person,
        "long_wish": long_wish,
        "event": event,
    }


def signed_in(
    browser: Browser, live_server, user: User | None, *, size="phone", lang="zh-hans"
) -> tuple[BrowserContext, Page]:
    """A browser as this person, already signed in (a session made by Django's test client)."""
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        is_mobile=size == "phone",
        locale="en-GB" if lang == "en" else "zh-CN",
    )
    context.set_default_timeout(10_000)
    # Every Content-Security-Policy violation the page meets is kept for checked() to report.
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) =>"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        )
    context.add_cookies(cookies)
    return context, context.new_page()


def checked(page: Page, name: str) -> list[str]:
    """Screenshot the page, then run axe-core (WCAG 2.1 A and AA) and the house's checks."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    # Evaluated through the DevTools protocol, which the page's own CSP does not govern: a
    # <script> tag would (rightly) be refused and count as a violation.
    page.evaluate(AXE)
    violations = page.evaluate(
        """async () => {
          const result = await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
          });
          return result.violations.map((v) =>
            `axe ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
        }"""
    )
    csp = [f"CSP violation: {v}" for v in page.evaluate("window.__csp || []")]
    return [f"{name}: {problem}" for problem in violations + page.evaluate(OWN_CHECKS) + csp]


# ----- every page with a long title, both sizes, both languages ---------------------------------


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_pages_with_a_long_pasted_title_read_well_and_never_scroll_sideways(
    live_server, browser, world, size, lang
):
    wish = world["long_wish"]
    pages = {
        world["volunteer"]: {
            "list": reverse("wishes:list"),
            "detail": reverse("wishes:detail", args=[wish.pk]),
            "claims": reverse("wishes:claims"),
            "home": reverse("wishes:home"),
        },
        world["resident"]: {
            "mine": reverse("wishes:mine"),
            "new": reverse("wishes:new"),
        },
        world["staff"]: {
            "workbench": reverse("staff:index"),
            "staff-wishes": reverse("staff:wishes"),
            "staff-wish": reverse("staff:wish", args=[wish.pk]),
            "review": reverse("staff:review"),
            "event": reverse("staff:event", args=[world["event"].pk]),
        },
        None: {"public-list": reverse("wishes:list"), "stats": reverse("outcomes:stats")},
    }
    problems = []
    for user, paths in pages.items():
        context, page = signed_in(browser, live_server, user, size=size, lang=lang)
        for name, path in paths.items():
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            problems += checked(page, f"{name}-{lang}-{size}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_street_admin_and_the_grid_worker_meet_no_accessibility_problem(
    live_server, browser, world
):
    """axe as every staff role, not only community staff: their workbench, queues, lists and
    statistics, on a phone."""
    community = world["community"]
    street_admin = make_staff(street=community.street, username="street_xiangyang")
    grid_worker = UserFactory(username="grid_mingzhu", real_name="孙网格员")
    StaffRole.objects.create(
        user=grid_worker,
        role=StaffRole.Role.GRID_WORKER,
        community=community,
        grid=community.grids.get(),
    )
    pages = {
        "workbench": reverse("staff:index"),
        "review": reverse("staff:review"),
        "staff-wishes": reverse("staff:wishes"),
        "overdue": reverse("staff:overdue"),
        "staff-stats": reverse("outcomes:staff_stats"),
        "list": reverse("wishes:list"),
    }
    problems = []
    for name, user in (("street", street_admin), ("grid", grid_worker)):
        context, page = signed_in(browser, live_server, User.objects.get(pk=user.pk))
        for page_name, path in pages.items():
            response = page.goto(path)
            assert response.status == 200, (name, path, response.status)
            problems += checked(page, f"{name}-{page_name}")
        context.close()
    assert not problems, "\n".join(problems)


# ----- a wish is sent once ------------------------------------------------------------------------


def fill_wish(page: Page, title: str = "一袋大米和一桶油") -> None:
    page.get_by_label("类别").select_option(label="生活物资")
    page.get_by_label("想要什么（一句话）").fill(title)
    page.get_by_label("具体说说").fill("家里米面油快吃完了。")


def test_a_wish_is_sent_once_however_often_the_button_is_pressed(live_server, browser, world):
    context, page = signed_in(browser, live_server, world["resident"])
    mine = Wish.objects.filter(resident=world["person"])
    before = mine.count()

    page.goto(reverse("wishes:new"))
    fill_wish(page)
    # Hold the first send in the page (a slow connection), to look at the button and tap again.
    form = page.locator("form[data-submit-once]")
    form.evaluate("form => form.addEventListener('submit', (event) => event.preventDefault())")
    button = form.locator("button[type=submit]")
    button.click()
    expect(button).to_be_disabled()
    expect(button).to_have_text("正在提交…")
    button.click(force=True)  # a second tap on the disabled button does nothing
    page.screenshot(path=ARTIFACTS / "submit-once-sending.png", full_page=True)
    with page.expect_navigation():
        form.evaluate("form => form.submit()")  # the held send goes through, once
    expect(page).to_have_url(re.compile(r"/wishes/mine/$"))
    assert mine.count() == before + 1
    page.screenshot(path=ARTIFACTS / "submit-once-sent.png", full_page=True)

    # Back to the form and send it again: the same wish, not a second one.
    page.go_back()
    page.wait_for_load_state()
    if page.get_by_role("button", name="提交心愿").count():
        if not page.get_by_label("想要什么（一句话）").input_value():
            fill_wish(page)  # the browser fetched a fresh form: the look-alike check answers
        page.get_by_role("button", name="提交心愿").click()
        page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "刚才已经提交过了" in body or "已经有一个相似的心愿还没有完成" in body, body
    assert mine.count() == before + 1
    page.screenshot(path=ARTIFACTS / "submit-once-again.png", full_page=True)
    context.close()


def test_a_photo_chosen_before_a_mistake_is_kept(live_server, browser, world, tmp_path):
    photo = tmp_path / "needs.jpg"
    Image.new("RGB", (80, 60), (30, 120, 200)).save(photo, "JPEG")
    context, page = signed_in(browser, live_server, world["resident"])
    page.goto(reverse("wishes:new"))
    page.get_by_label("想要什么（一句话）").fill("一个新书包")
    page.get_by_label("具体说说").fill("孩子上三年级，书包背带断了。")
    page.get_by_label("照片（可选）").set_input_files(str(photo))
    page.get_by_role("button", name="提交心愿").click()  # no category: back with a mistake

    kept = page.locator("fieldset", has_text="您刚才选的照片已经保留")
    expect(kept.locator("img")).to_be_visible()
    assert kept.locator("img").evaluate("img => img.naturalWidth") > 0
    error = page.locator("#div_id_category .invalid-feedback")
    expect(error).to_be_visible()
    page.get_by_label("类别").select_option(label="生活物资")
    expect(error).to_be_hidden()  # corrected: its error goes at once
    expect(page.locator("#id_category")).not_to_have_class(re.compile("is-invalid"))
    page.screenshot(path=ARTIFACTS / "photo-kept.png", full_page=True)
    page.get_by_role("button", name="提交心愿").click()
    try:
        page.wait_for_url(re.compile(r"/wishes/mine/$"))
    finally:
        page.screenshot(path=ARTIFACTS / "photo-kept-sent.png", full_page=True)
    wish = Wish.objects.filter(resident=world["person"], title="一个新书包").get()
    assert wish.photos.count() == 1
    context.close()


def test_a_pasted_text_over_the_limit_is_kept_and_counted(live_server, browser, world):
    context, page = signed_in(browser, live_server, world["resident"])
    page.goto(reverse("wishes:new"))
    title = page.get_by_label("想要什么（一句话）")
    title.fill("米" * 120)  # as a paste does: nothing cut off
    assert len(title.input_value()) == 120
    expect(page.locator(".char-count")).to_contain_text("超出20字")
    page.get_by_role("button", name="提交心愿").click()
    expect(page.locator("#div_id_title .invalid-feedback")).to_contain_text(
        "最多可以写100个字，现在是120个字"
    )
    assert len(page.get_by_label("想要什么（一句话）").input_value()) == 120
    page.screenshot(path=ARTIFACTS / "too-long.png", full_page=True)
    context.close()


# ----- volunteers and staff ---------------------------------------------------------------------


def test_the_claim_card_says_what_delivery_needs(live_server, browser, world):
    context, page = signed_in(browser, live_server, world["volunteer"])
    page.goto(reverse("wishes:claims"))
    card = page.locator("article.card", has_text="王叔叔腿脚不便")
    expect(card).to_contain_text("王叔叔")
    expect(card).to_contain_text("明珠花园7号楼2单元101室")
    expect(card.get_by_role("link", name=re.compile("13912345678"))).to_have_attribute(
        "href", "tel:13912345678"
    )
    expect(card).to_contain_text("王叔叔腿脚不便")
    expect(card).to_contain_text("“七一”主题党日微心愿集中兑现")
    expect(card).to_contain_text("福阳社区党群服务中心二楼")
    expect(card).to_contain_text("前完成")
    expect(card).not_to_contain_text("王建国")
    page.screenshot(path=ARTIFACTS / "claims-card.png", full_page=True)
    # and the event sign-in is in the menu
    page.get_by_role("button", name="打开菜单").click()
    page.locator("#nav").get_by_role("link", name="活动签到").click()
    expect(page).to_have_url(re.compile(r"/events/$"))
    context.close()


def test_staff_land_on_the_workbench_and_each_counter_opens_its_queue(live_server, browser, world):
    context, page = signed_in(browser, live_server, None)
    page.goto(reverse("accounts:login"))
    page.get_by_label("手机号或用户名").fill(world["staff"].username)
    page.get_by_label("密码").fill("test-pass-123")
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    counters = page.locator(".staff-counters")
    expect(counters.get_by_role("link")).to_have_count(5)
    counters.get_by_role("link", name=re.compile("待审核")).click()
    expect(page).to_have_url(re.compile(r"/staff/review/$"))
    page.go_back()
    counters.get_by_role("link", name=re.compile("认领中")).click()
    expect(page).to_have_url(re.compile(r"/staff/wishes/\?status=claimed$"))
    expect(page.locator("main")).to_contain_text("1")
    # The menu: one button on a phone, the groups in an offcanvas.
    page.get_by_role("button", name="工作台菜单").click()
    menu = page.locator("#staff-menu")
    expect(menu.get_by_role("heading", name="统计与设置")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "staff-menu-phone.png", full_page=False)
    menu.get_by_role("link", name="统计", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/stats/$"))
    context.close()


def test_the_workbench_menu_is_one_row_at_1280_in_english(live_server, browser, world):
    context, page = signed_in(browser, live_server, world["staff"], size="laptop", lang="en")
    page.goto(reverse("staff:wishes"))
    row = page.locator(".staff-nav-wide")
    expect(row).to_be_visible()
    assert row.evaluate("el => el.getBoundingClientRect().height") < 60
    row.get_by_role("button", name="Reports & settings").click()
    expect(row.get_by_role("link", name="Statistics")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "staff-menu-laptop-en.png")
    context.close()
