"""Leaks that were closed, reproduced over HTTP: each test fails if its leak reopens.

Every test reads as a sentence about the cast in conftest.py. Several people act in one test, so
each gets a client of their own (`as_user`), never the shared `login` client.
"""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import StaffRole, VolunteerProfile, VolunteerRegistration
from audit.models import AuditEntry
from notices.models import Notice
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    GridFactory,
    OrganisationFactory,
    ResidentFactory,
    UserFactory,
    WishFactory,
    make_volunteer,
)
from tests.signup import register as register_with_code
from wishes.lifecycle import Status
from wishes.models import EventPhoto, HandoverEvent, Wish, WishPhoto

# ----- helpers ------------------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
STARTS = datetime.datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI)
ENDS = datetime.datetime(2025, 7, 1, 11, 0, tzinfo=SHANGHAI)
IN_THE_WINDOW = datetime.datetime(2025, 7, 1, 8, 50, tzinfo=SHANGHAI)
GPS_IFD = 0x8825
NEW_PASSWORD = "Xinxing#2025ok"


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def as_user(user) -> Client:
    """A client of this person's own, so two people in one test never share a session."""
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def text(response) -> str:
    return response.content.decode()


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "orange").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def jpeg_with_gps(name: str = "IMG_20250701_093012.jpg") -> SimpleUploadedFile:
    """A phone photo that says where it was taken (a resident's home)."""
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 52.0, 0.0), 3: "E", 4: (117.0, 17.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "skyblue").save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test means something
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def id_card_number(first17: str) -> str:
    """A valid 18-digit 居民身份证号码: GB 11643 MOD 11-2 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def register(client: Client, **fields):
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "grid": "", "address": ""}
    data.update(fields)
    return register_with_code(client, data)


def unconfirm(user) -> None:
    VolunteerProfile.objects.filter(user=user).update(organisation_confirmed=False)


def sheet_text(response) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )


# ----- the people and records these tests share ---------------------------------------------------


@pytest.fixture
def wang(community):
    """王秀英, whose name, phone and address nobody outside may read."""
    return ResidentFactory(
        community=community,
        name="王秀英",
        phone="13756781234",
        address="明珠花园7号楼2单元101室",
        user=UserFactory(username="wang_xiuying"),
    )


@pytest.fixture
def staff_client(staff):
    return as_user(staff)


@pytest.fixture
def branch(other_community):
    """市财政局机关党支部, registered (双报到) with 新兴社区 only."""
    return OrganisationFactory(name="市财政局机关党支部", communities=[other_community])


@pytest.fixture
def newcomer(community, branch):
    """刘志强: approved in 福阳社区, says he belongs to the branch; nobody confirmed that yet."""
    user = make_volunteer(community, organisation=branch, username="liu_zhiqiang")
    unconfirm(user)
    return user


@pytest.fixture
def branch_dispatch(other_community, other_staff, branch):
    wish = WishFactory(
        community=other_community, staff=other_staff, approved=True, title="修好楼道里的扶手"
    )
    wish.dispatch(by=other_staff, organisation=branch)
    return wish


@pytest.fixture
def event(community, staff, organisation):
    return HandoverEvent.objects.create(
        community=community,
        title="七一主题党日微心愿集中兑现",
        place="福阳社区党群服务中心",
        starts_at=STARTS,
        ends_at=ENDS,
        organiser=organisation,
        created_by=staff,
    )


# ----- 1. e-mail: one message per recipient -------------------------------------------------------


def test_a_dispatch_to_a_branch_mails_each_member_separately(
    community, staff_client, staff, organisation, django_capture_on_commit_callbacks
):
    addresses = ["li.hongmei@swj.example.cn", "zhao.min@swj.example.cn", "chen.gang@swj.example.cn"]
    for n, address in enumerate(addresses):
        make_volunteer(community, organisation=organisation, username=f"swj{n}", email=address)
    wish = WishFactory(community=community, staff=staff, approved=True, title="一袋大米一桶油")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url("staff:dispatch", wish.pk), {"organisation": organisation.pk})
    assert sorted(message.to for message in mail.outbox) == sorted([a] for a in addresses)
    for message in mail.outbox:
        raw = message.message().as_string() + message.body + " ".join(message.cc + message.bcc)
        assert [a for a in addresses if a in raw] == message.to


# ----- 2. unconfirmed branch members hear nothing for the branch ----------------------------------


@pytest.fixture
def branch_story(
    community, staff, organisation, member, django_capture_on_commit_callbacks
) -> dict:
    """A wish dispatched to the branch, reminded, accepted by `member`, then released by staff;
    an unconfirmed colleague (with an e-mail) names the same branch."""
    member.email = "member@swj.example.cn"
    member.save()
    unconfirmed = make_volunteer(
        community, organisation=organisation, username="unconfirmed", email="wei@swj.example.cn"
    )
    unconfirm(unconfirmed)
    wish = WishFactory(community=community, staff=staff, approved=True, title="给独居老人送药箱")
    staff_client = as_user(staff)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url("staff:dispatch", wish.pk), {"organisation": organisation.pk})
        staff_client.post(url("staff:remind", wish.pk), {"note": "请本周内接单"})
        as_user(member).post(url("wishes:accept", wish.pk))
        staff_client.post(url("staff:release", wish.pk), {"reason": "联系不上认领人"})
    return {"wish": wish, "unconfirmed": unconfirmed}


def test_an_unconfirmed_branch_member_gets_no_notice_or_mail_for_the_branch(branch_story):
    unconfirmed = branch_story["unconfirmed"]
    assert not Notice.objects.filter(user=unconfirmed).exists()
    assert not [m for m in mail.outbox if unconfirmed.email in m.to]


def test_a_confirmed_branch_member_is_told_of_the_dispatch_the_reminder_and_the_release(
    branch_story, member
):
    kinds = set(Notice.objects.filter(user=member).values_list("kind", flat=True))
    assert kinds == {"dispatched", "remind", "released"}
    assert len([m for m in mail.outbox if m.to == [member.email]]) == 3


# ----- 3. membership is confirmed for the organisation, by someone responsible for it -------------


def test_approving_a_double_registration_does_not_confirm_the_branch_membership(
    community, branch, staff_client
):
    newcomer = Client()
    register(
        newcomer,
        role="volunteer",
        phone="13645678901",
        real_name="刘志强",
        community=community.pk,
        is_party_member="1",
        organisation=branch.pk,
    )
    registration = VolunteerRegistration.objects.get(volunteer__user__phone="13645678901")
    response = staff_client.post(url("staff:approve_volunteer", registration.pk))
    registration.refresh_from_db()
    profile = registration.volunteer
    assert response.status_code == 302 and registration.status == "approved"
    assert (profile.organisation, profile.organisation_confirmed) == (branch, False)


def test_an_unconfirmed_member_cannot_accept_the_branchs_dispatch(newcomer, branch_dispatch):
    response = as_user(newcomer).post(url("wishes:accept", branch_dispatch.pk))
    branch_dispatch.refresh_from_db()
    assert response.status_code == 404
    assert branch_dispatch.status == Status.DISPATCHED


def test_a_liaison_of_another_branch_gets_404_confirming_a_member(
    newcomer, branch, other_community
):
    elsewhere = OrganisationFactory(name="市教育局机关党支部", communities=[other_community])
    liaison = UserFactory(username="liaison_jyj", real_name="孙丽")
    elsewhere.liaisons.add(liaison)
    profile = newcomer.volunteer_profile
    response = as_user(liaison).post(url("communities:confirm_member", branch.pk, profile.pk))
    assert response.status_code == 404
    assert not VolunteerProfile.objects.get(pk=profile.pk).organisation_confirmed


def test_staff_of_a_community_the_branch_never_registered_with_get_404_confirming(
    newcomer, branch, staff
):
    # 福阳社区 approved the newcomer's 双报到, but the branch is registered with 新兴社区.
    profile = newcomer.volunteer_profile
    response = as_user(staff).post(url("communities:confirm_member", branch.pk, profile.pk))
    assert response.status_code == 404
    assert not VolunteerProfile.objects.get(pk=profile.pk).organisation_confirmed


def test_the_branchs_liaison_confirms_a_member_who_can_then_accept_its_dispatch(
    newcomer, branch, branch_dispatch
):
    secretary = UserFactory(username="secretary_czj", real_name="周建华")
    branch.liaisons.add(secretary)
    profile = newcomer.volunteer_profile
    as_user(secretary).post(url("communities:confirm_member", branch.pk, profile.pk))
    response = as_user(newcomer).post(url("wishes:accept", branch_dispatch.pk))
    branch_dispatch.refresh_from_db()
    assert response.status_code == 302 and branch_dispatch.status == Status.CLAIMED
    assert AuditEntry.objects.filter(
        actor=secretary, action=AuditEntry.Action.MEMBERSHIP_CONFIRMED
    ).exists()


def test_staff_of_the_branchs_community_may_confirm_its_member(newcomer, branch, other_staff):
    profile = newcomer.volunteer_profile
    response = as_user(other_staff).post(url("communities:confirm_member", branch.pk, profile.pk))
    assert response.status_code == 302
    assert VolunteerProfile.objects.get(pk=profile.pk).organisation_confirmed


# ----- 4. consent: who sees a wish the resident did not agree to show -----------------------------


@pytest.fixture
def private_wish(community, staff, wang):
    return WishFactory(
        community=community,
        resident=wang,
        staff=staff,
        approved=True,
        public_consent=False,
        title="一台二手轮椅",
    )


@pytest.fixture
def public_wish(community, staff, wang):
    return WishFactory(
        community=community,
        resident=wang,
        staff=staff,
        approved=True,
        public_consent=True,
        title="冬天盖的两床棉被",
    )


def test_a_freshly_registered_resident_elsewhere_neither_lists_nor_opens_a_private_wish(
    private_wish, public_wish, other_community
):
    client = Client()
    register(
        client,
        role="resident",
        phone="13512345670",
        real_name="赵春燕",
        community=other_community.pk,
        address="新兴小区3号楼",
    )
    listing = text(client.get(url("wishes:list"), {"scope": "all"}))
    assert public_wish.title in listing and private_wish.title not in listing
    assert client.get(url("wishes:detail", private_wish.pk)).status_code == 404


def test_a_pending_volunteer_neither_lists_nor_opens_a_private_wish(
    private_wish, public_wish, pending_volunteer
):
    client = as_user(pending_volunteer)
    listing = text(client.get(url("wishes:list"), {"scope": "all"}))
    assert public_wish.title in listing and private_wish.title not in listing
    assert client.get(url("wishes:detail", private_wish.pk)).status_code == 404


def test_a_private_wish_is_listed_to_approved_volunteers_and_staff_of_its_community(
    private_wish, volunteer, staff
):
    for person in (volunteer, staff):
        listing = text(as_user(person).get(url("wishes:list"), {"scope": "all"}))
        assert private_wish.title in listing, person.username


def test_a_consented_wish_shows_anonymous_visitors_only_the_masked_name(anon, public_wish, wang):
    pages = text(anon.get(url("wishes:list"), {"scope": "all"}))
    pages += text(anon.get(url("wishes:detail", public_wish.pk)))
    assert public_wish.title in pages and "王女士" in pages
    assert not [secret for secret in (wang.name, wang.phone, wang.address) if secret in pages]


def test_the_wish_form_says_plainly_who_sees_a_wish_without_consent(resident):
    CategoryFactory()
    page = text(as_user(resident).get(url("wishes:new")))
    assert "只有本社区工作人员和经社区审核通过的志愿者能看到" in page


# ----- 5. photos ----------------------------------------------------------------------------------


@pytest.fixture
def fulfilled_event(community, staff, volunteer, claimer, resident, event):
    """Two claimed wishes handed over at the event, each with photos chosen for it."""
    rice = WishFactory(
        community=community,
        resident=resident.resident,
        staff=staff,
        claimer=volunteer,
        claimed=True,
        title="一袋大米",
    )
    bag = WishFactory(community=community, staff=staff, claimer=claimer, claimed=True, title="书包")
    event.attach([rice, bag])
    event.add_attendee(volunteer, by=staff)
    response = as_user(staff).post(
        url("staff:event_fulfil", event.pk),
        {
            "note": "七一主题党日，大米和书包都已当面交到心愿人手中",
            "photos": [png("合影.png")],
            f"note_{rice.pk}": "大米送到了老人家里",
            f"photos_{rice.pk}": [png("rice-1.png"), png("rice-2.png")],
            f"note_{bag.pk}": "书包已交给孩子",
            f"photos_{bag.pk}": [png("bag.png")],
        },
    )
    assert response.status_code == 302
    return {"event": event, "rice": rice, "bag": bag}


def test_bulk_fulfil_gives_every_wish_photo_a_stored_file_of_its_own(fulfilled_event):
    rice, bag = fulfilled_event["rice"], fulfilled_event["bag"]
    wish_files = list(WishPhoto.objects.values_list("image", flat=True))
    event_files = set(EventPhoto.objects.values_list("image", flat=True))
    assert (rice.photos.count(), bag.photos.count()) == (2, 1)
    assert len(set(wish_files)) == len(wish_files) == 3
    assert event_files and event_files.isdisjoint(wish_files)


def test_a_resident_gets_404_on_the_event_photo_while_an_attendee_sees_it(
    fulfilled_event, resident, volunteer
):
    event = fulfilled_event["event"]
    photo_url = url("wishes:event_photo", event.short_code, event.photos.get().pk)
    assert as_user(resident).get(photo_url).status_code == 404
    assert as_user(volunteer).get(photo_url).status_code == 200


def test_a_residents_photo_is_stored_without_its_gps_location(resident):
    category = CategoryFactory()
    response = as_user(resident).post(
        url("wishes:new"),
        {
            "category": category.pk,
            "title": "楼道灯坏了",
            "description": "三单元二楼楼道灯不亮，晚上下楼看不见。",
            "kind": Wish.Kind.INDIVIDUAL,
            "target_group": Wish.TargetGroup.ELDERLY,
            "photo": jpeg_with_gps(),
        },
    )
    stored = WishPhoto.objects.get(wish__title="楼道灯坏了")
    with default_storage.open(stored.image.name) as handle:
        exif = Image.open(handle).getexif()
    assert response.status_code == 302
    assert not exif and not exif.get_ifd(GPS_IFD)


def test_a_volunteers_fulfilment_photo_is_stored_without_its_gps_location(
    community, staff, volunteer
):
    wish = WishFactory(community=community, staff=staff, claimer=volunteer, claimed=True)
    as_user(volunteer).post(
        url("wishes:fulfil", wish.pk), {"note": "已送到老人家中", "photos": [jpeg_with_gps()]}
    )
    with default_storage.open(wish.photos.get().image.name) as handle:
        exif = Image.open(handle).getexif()
    assert not exif and not exif.get_ifd(GPS_IFD)


def test_a_text_file_named_jpg_is_refused_in_plain_chinese_and_nothing_is_saved(resident):
    category = CategoryFactory()
    fake = SimpleUploadedFile("大米.jpg", "这不是照片，是一段文字".encode(), "image/jpeg")
    response = as_user(resident).post(
        url("wishes:new"),
        {
            "category": category.pk,
            "title": "一袋大米",
            "description": "家里米快吃完了。",
            "kind": Wish.Kind.INDIVIDUAL,
            "photo": fake,
        },
    )
    assert response.status_code == 200
    assert "只能上传 JPG、PNG、GIF 或 WebP 格式的照片。" in text(response)
    assert not Wish.objects.exists() and not WishPhoto.objects.exists()


# ----- 6. staff's internal notes never reach the resident -----------------------------------------

INTERNAL_NOTES = (
    "老人脾气不好，注意",
    "催了两次还没动静，再拖就换人",
    "志愿者李红梅多次失联，已记过",
)


def test_staffs_dispatch_remind_and_release_notes_never_reach_the_resident(
    community, staff_client, staff, volunteer, resident
):
    wish = WishFactory(
        community=community, resident=resident.resident, staff=staff, approved=True, title="电风扇"
    )
    dispatch_note, remind_note, release_reason = INTERNAL_NOTES
    staff_client.post(
        url("staff:dispatch", wish.pk), {"volunteer": volunteer.pk, "note": dispatch_note}
    )
    staff_client.post(url("staff:remind", wish.pk), {"note": remind_note})
    as_user(volunteer).post(url("wishes:accept", wish.pk))
    staff_client.post(url("staff:release", wish.pk), {"reason": release_reason})
    client = as_user(resident)
    pages = text(client.get(url("wishes:detail", wish.pk))) + text(client.get(url("wishes:mine")))
    assert "认领已取消，心愿重新等待认领" in pages  # the timeline is there, in plain words
    assert [note for note in INTERNAL_NOTES if note in pages] == []


def test_the_reject_and_close_reasons_reach_the_resident(community, staff_client, staff, resident):
    rejected = WishFactory(community=community, resident=resident.resident, title="现金两百元")
    closed = WishFactory(
        community=community, resident=resident.resident, staff=staff, approved=True, title="电视机"
    )
    reject_reason = "微心愿不提供现金，如有生活困难请向社区申请临时救助。"
    close_reason = "居民已搬离本社区，无法送达"
    staff_client.post(url("staff:reject", rejected.pk), {"reason": reject_reason})
    staff_client.post(url("staff:close", closed.pk), {"reason": close_reason})
    client = as_user(resident)
    mine = text(client.get(url("wishes:mine")))
    assert (
        reject_reason in text(client.get(url("wishes:detail", rejected.pk)))
        and reject_reason in mine
    )
    assert (
        close_reason in text(client.get(url("wishes:detail", closed.pk))) and close_reason in mine
    )


# ----- 7. grid workers work on their grid only ----------------------------------------------------


@pytest.fixture
def grid_b(community):
    return GridFactory(community=community, name="幸福里第五网格")


@pytest.fixture
def sun(community, grid_b):
    """孙桂兰 lives in 幸福里第五网格."""
    return ResidentFactory(
        community=community,
        grid=grid_b,
        name="孙桂兰",
        phone="13704561234",
        address="幸福里5号楼3单元202室",
    )


@pytest.fixture
def zhou(community, grid):
    """周玉梅 lives in 明珠花园第二网格."""
    return ResidentFactory(
        community=community,
        grid=grid,
        name="周玉梅",
        phone="13704569876",
        address="明珠花园2号楼1单元301室",
    )


@pytest.fixture
def sun_wish(community, staff, sun, grid_b):
    return WishFactory(community=community, grid=grid_b, resident=sun, staff=staff, approved=True)


@pytest.fixture
def zhou_wish(community, staff, zhou, grid):
    return WishFactory(community=community, grid=grid, resident=zhou, staff=staff, approved=True)


@pytest.fixture
def grid_worker(community, grid):
    """The grid worker (网格员) of 明珠花园第二网格."""
    user = UserFactory(username="grid_mingzhu", real_name="马丽")
    StaffRole.objects.create(
        user=user, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )
    return user


def test_a_grid_worker_gets_404_on_a_wish_of_another_grid(grid_worker, sun_wish, zhou_wish):
    client = as_user(grid_worker)
    assert client.get(url("staff:wish", sun_wish.pk)).status_code == 404
    assert client.get(url("staff:wish", zhou_wish.pk)).status_code == 200


def test_a_grid_worker_does_not_find_residents_of_another_grid(grid_worker, sun, zhou):
    # Searched by address, so the page cannot echo the name back from the search box.
    client = as_user(grid_worker)
    assert sun.name not in text(client.get(url("staff:find_resident"), {"q": "幸福里5号楼"}))
    assert zhou.name in text(client.get(url("staff:find_resident"), {"q": "明珠花园2号楼"}))


def test_a_grid_workers_export_has_no_row_of_another_grid(grid_worker, sun_wish, zhou_wish):
    exported = sheet_text(as_user(grid_worker).get(url("staff:export_wishes")))
    assert "13704561234" not in exported and "孙桂兰" not in exported
    assert "13704569876" in exported


def test_a_grid_workers_admin_resident_list_leaves_out_another_grid(grid_worker, sun, zhou):
    page = text(as_user(grid_worker).get("/admin/accounts/resident/"))
    assert sun.name not in page and zhou.name in page


def test_community_staff_work_on_every_grid(staff_client, sun_wish, zhou_wish, sun, zhou):
    assert staff_client.get(url("staff:wish", sun_wish.pk)).status_code == 200
    found = text(staff_client.get(url("staff:find_resident"), {"q": "13704"}))
    admin = text(staff_client.get("/admin/accounts/resident/"))
    assert sun.name in found and zhou.name in found and sun.name in admin and zhou.name in admin


# ----- 8. who may sign in at a hand-over event ----------------------------------------------------


def sign_in(user, event):
    with time_machine.travel(IN_THE_WINDOW, tick=False):
        return as_user(user).post(url("wishes:event", event.short_code))


def test_a_resident_of_another_community_cannot_sign_in(event, other_community):
    outsider = ResidentFactory(community=other_community, user=UserFactory(username="outsider"))
    response = sign_in(outsider.user, event)
    assert response.status_code == 403
    assert not event.attendances.filter(user=outsider.user).exists()


def test_a_pending_applicant_cannot_sign_in(event, pending_volunteer):
    response = sign_in(pending_volunteer, event)
    assert response.status_code == 403
    assert not event.attendances.filter(user=pending_volunteer).exists()


def test_an_approved_volunteer_of_the_community_signs_in(event, volunteer):
    assert sign_in(volunteer, event).status_code == 302
    assert event.attendances.filter(user=volunteer).exists()


def test_a_confirmed_member_of_the_organising_branch_registered_elsewhere_signs_in(
    event, organisation, other_community
):
    colleague = make_volunteer(other_community, organisation=organisation, username="colleague")
    assert sign_in(colleague, event).status_code == 302
    assert event.attendances.filter(user=colleague).exists()


# ----- 9. phone and ID numbers typed into a wish --------------------------------------------------

PHONE = "13812345678"
PHONE_MASKED = "138****5678"
ID_NUMBER = id_card_number("22040219560315002")


@pytest.fixture
def numbered_wish(community, staff, wang):
    return WishFactory(
        community=community,
        resident=wang,
        staff=staff,
        approved=True,
        title=f"一袋大米（送前打{PHONE}）",
        description=f"我叫王秀英，身份证{ID_NUMBER}，低保户，家里米快吃完了。",
    )


def test_typed_numbers_are_masked_on_the_list_and_the_wish_page(anon, volunteer, numbered_wish):
    pages = text(anon.get(url("wishes:list"), {"scope": "all"}))
    pages += text(anon.get(url("wishes:detail", numbered_wish.pk)))
    pages += text(as_user(volunteer).get(url("wishes:detail", numbered_wish.pk)))
    assert PHONE_MASKED in pages
    assert PHONE not in pages and ID_NUMBER not in pages


def test_typed_numbers_are_masked_in_the_wechat_text_and_the_print_list(
    staff_client, community, numbered_wish
):
    pages = text(staff_client.get(url("staff:publish", community.pk)))
    pages += text(staff_client.get(url("staff:publish_print", community.pk)))
    assert PHONE_MASKED in pages
    assert PHONE not in pages and ID_NUMBER not in pages


def test_typed_numbers_are_masked_in_a_dispatch_notice_to_a_branch_member(
    staff_client, member, organisation, numbered_wish, django_capture_on_commit_callbacks
):
    member.email = "member@swj.example.cn"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            url("staff:dispatch", numbered_wish.pk), {"organisation": organisation.pk}
        )
    told = Notice.objects.get(user=member).render() + "".join(
        m.subject + m.body for m in mail.outbox
    )
    assert PHONE_MASKED in told and PHONE not in told


def test_searching_the_list_for_masked_digits_does_not_confirm_them(anon, numbered_wish):
    def search(q: str) -> str:
        return text(anon.get(url("wishes:list"), {"scope": "all", "q": q}))

    assert PHONE_MASKED in search("大米")  # words still find the wish
    assert PHONE_MASKED not in search("1381234")  # the hidden middle of the phone number
    assert PHONE_MASKED not in search("19560315")  # the birth date inside the ID number


def test_the_resident_staff_and_active_claimer_read_typed_numbers_as_typed(
    community, staff, volunteer, wang
):
    wish = WishFactory(
        community=community,
        resident=wang,
        staff=staff,
        claimer=volunteer,
        claimed=True,
        title=f"一袋大米（送前打{PHONE}）",
        description=f"身份证{ID_NUMBER}",
    )
    for person in (wang.user, staff, volunteer):
        page = text(as_user(person).get(url("wishes:detail", wish.pk)))
        assert PHONE in page and ID_NUMBER in page, person.username


# ----- 10. a branch's reach, the claim endpoint, the category catalogue ---------------------------


@pytest.fixture
def branch_fulfilled(community, staff, organisation, wang):
    """A wish without consent that a colleague fulfilled in the branch's name."""
    colleague = make_volunteer(community, organisation=organisation, username="colleague_zhang")
    wish = WishFactory(
        community=community,
        resident=wang,
        staff=staff,
        approved=True,
        public_consent=False,
        title="给瘫痪在床的老伴买一张护理床",
        description="老伴中风后一直卧床，想要一张能摇起来的护理床。",
    )
    wish.claim(by=colleague, organisation=organisation)
    wish.fulfil(by=colleague, note="护理床已送到并安装好")
    return wish


def test_a_branch_member_gets_404_on_a_private_wish_the_branch_fulfilled_elsewhere(
    branch_fulfilled, organisation, other_community
):
    # A member registered in 新兴社区; the branch has since left 福阳社区.
    far_member = make_volunteer(other_community, organisation=organisation, username="far_member")
    organisation.communities.clear()
    response = as_user(far_member).get(url("wishes:detail", branch_fulfilled.pk))
    assert response.status_code == 404


def test_a_branch_member_reads_nothing_of_a_private_wish_the_branch_fulfilled(
    branch_fulfilled, member
):
    # The branch still serves 福阳社区, where the wish was listed: only the short "taken" page.
    page = text(as_user(member).get(url("wishes:detail", branch_fulfilled.pk)))
    assert "这个心愿已经实现了" in page
    assert branch_fulfilled.title not in page and branch_fulfilled.description not in page


def test_claiming_a_wish_one_could_never_see_is_404(volunteer, other_community):
    hidden = WishFactory(community=other_community, approved=True, public_consent=False)
    response = as_user(volunteer).post(url("wishes:claim", hidden.pk))
    hidden.refresh_from_db()
    assert response.status_code == 404 and hidden.status == Status.APPROVED


def test_claiming_a_listed_wish_someone_else_took_meanwhile_is_409(
    community, staff, volunteer, claimer
):
    wish = WishFactory(community=community, staff=staff, approved=True)
    client = as_user(volunteer)
    assert wish.title in text(client.get(url("wishes:list")))
    wish.claim(by=claimer)
    response = client.post(url("wishes:claim", wish.pk))
    assert response.status_code == 409 and wish.open_claim().volunteer == claimer


def category_change(client, category, help_text: str):
    return client.post(
        reverse("admin:wishes_category_change", args=[category.pk]),
        {"name": category.name, "help_text": help_text, "order": 0, "is_active": "on"},
    )


def test_staff_cannot_change_a_category_in_the_admin(staff_client):
    category = CategoryFactory()
    before = category.help_text
    response = category_change(staff_client, category, "本社区只收大米，不收油")
    category.refresh_from_db()
    assert response.status_code == 403 and category.help_text == before


def test_a_superuser_changes_a_category_in_the_admin(superuser):
    category = CategoryFactory()
    response = category_change(as_user(superuser), category, "米、面、油、奶粉等日常用品")
    category.refresh_from_db()
    assert response.status_code == 302 and category.help_text == "米、面、油、奶粉等日常用品"


# ----- 11. a shared link to a wish that has been taken --------------------------------------------


def test_a_shared_link_to_a_claimed_wish_says_it_was_taken_and_nothing_more(
    anon, community, staff, volunteer, claimer, wang
):
    wish = WishFactory(
        community=community, resident=wang, staff=staff, claimer=volunteer, claimed=True
    )
    for client in (anon, as_user(claimer)):
        response = client.get(url("wishes:detail", wish.pk))
        page = text(response)
        assert response.status_code == 200 and "这个心愿已有人认领" in page
        assert not [s for s in (wang.name, wang.phone, wang.address) if s in page]


def test_a_shared_link_to_a_claimed_private_wish_is_404_for_outsiders(
    anon, community, staff, volunteer, other_community, wang
):
    wish = WishFactory(
        community=community,
        resident=wang,
        staff=staff,
        claimer=volunteer,
        claimed=True,
        public_consent=False,
    )
    stranger = make_volunteer(other_community, username="stranger")
    assert anon.get(url("wishes:detail", wish.pk)).status_code == 404
    assert as_user(stranger).get(url("wishes:detail", wish.pk)).status_code == 404


# ----- caching and the access record --------------------------------------------------------------


def test_pages_and_photos_for_a_logged_in_person_are_never_cached(community, staff, wang):
    wish = WishFactory(community=community, resident=wang, staff=staff, approved=True)
    photo = WishPhoto.objects.create(wish=wish, image=png(), kind=WishPhoto.Kind.REQUEST)
    client = as_user(wang.user)
    for address in (url("wishes:detail", wish.pk), url("wishes:photo", wish.pk, photo.pk)):
        response = client.get(address)
        assert response.status_code == 200 and {"no-store", "private"} <= cache_control(response)


def test_a_claimer_opening_the_wish_page_is_recorded_as_viewing_the_contact(
    community, staff, volunteer, wang
):
    wish = WishFactory(
        community=community, resident=wang, staff=staff, claimer=volunteer, claimed=True
    )
    page = text(as_user(volunteer).get(url("wishes:detail", wish.pk)))
    assert wang.phone in page
    assert AuditEntry.objects.filter(
        actor=volunteer, action=AuditEntry.Action.CONTACT_VIEWED, resident=wang, wish=wish
    ).exists()


def test_staff_exporting_wishes_is_recorded_per_resident(staff_client, staff, sun_wish, zhou_wish):
    staff_client.get(url("staff:export_wishes"))
    exported = AuditEntry.objects.filter(actor=staff, action=AuditEntry.Action.CONTACT_EXPORTED)
    assert set(exported.values_list("resident__name", flat=True)) == {"孙桂兰", "周玉梅"}


def test_a_search_by_digits_says_that_only_words_are_searched(anon, numbered_wish):
    page = text(anon.get(url("wishes:list"), {"scope": "all", "q": "138"}))
    assert "不支持按电话、门牌等数字搜索" in page
