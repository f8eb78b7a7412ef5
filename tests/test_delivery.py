"""What a volunteer needs to deliver a wish, in one place: whom to ask for, the address, a phone
to tap, the due date, staff's notes and the hand-over event — on 我的认领 and on the wish's page,
and only for the one delivering."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from tests.factories import ResidentFactory, WishFactory
from wishes.models import HandoverEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(community):
    return ResidentFactory(
        community=community,
        name="王建国",
        gender="male",
        phone="13912345678",
        address="福阳小区3栋2单元401",
        address_as="王叔叔",
    )


@pytest.fixture
def wish(wang, staff):
    wish = WishFactory(community=wang.community, resident=wang, title="修好厨房水龙头")
    wish.approve(by=staff, delivery_note="老人耳背，请多敲几下门")
    return wish


@pytest.fixture
def event(community, staff, wish):
    start = timezone.now() + datetime.timedelta(days=3)
    event = HandoverEvent.objects.create(
        community=community,
        title="七一主题党日微心愿集中兑现",
        place="福阳社区党群服务中心二楼",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        created_by=staff,
    )
    return event


def claims_page(client):
    return client.get(reverse("wishes:claims")).content.decode()


def test_a_claim_card_holds_everything_the_trip_needs(login, wish, volunteer, event):
    wish.claim(by=volunteer, due_date=datetime.date(2030, 5, 20))
    event.wishes.add(wish)
    page = claims_page(login(volunteer))
    assert "王叔叔" in page
    assert "王建国" not in page  # whom to ask for, never the full name
    assert "福阳小区3栋2单元401" in page
    assert 'href="tel:13912345678"' in page
    assert "老人耳背，请多敲几下门" in page
    assert "七一主题党日微心愿集中兑现" in page
    assert "福阳社区党群服务中心二楼" in page
    assert "5月20日前完成" in page


def test_without_a_form_of_address_the_card_says_mr_or_ms(login, wish, wang, volunteer):
    wang.address_as = ""
    wang.save()
    wish.claim(by=volunteer)
    page = claims_page(login(volunteer))
    assert "王先生" in page
    assert "王建国" not in page


def test_a_dispatch_shows_the_note_and_due_date_but_not_the_door_until_accepted(
    login, wish, staff, volunteer
):
    wish.dispatch(
        by=staff, volunteer=volunteer, due_date=datetime.date(2030, 6, 1), note="带上扳手"
    )
    page = claims_page(login(volunteer))
    assert "带上扳手" in page
    assert "6月1日前完成" in page
    assert "13912345678" not in page
    assert "福阳小区3栋2单元401" not in page
    assert "接单后可以看到地址和电话" in page


def test_the_claims_page_records_each_contact_shown_once(login, wish, volunteer):
    wish.claim(by=volunteer)
    client = login(volunteer)
    claims_page(client)
    claims_page(client)
    entries = AuditEntry.objects.filter(actor=volunteer, wish=wish, how="claims_page")
    assert entries.count() == 1
    assert entries.get().resident == wish.resident


def test_the_wish_page_gives_the_claimer_the_same_card(login, wish, volunteer, event):
    wish.claim(by=volunteer)
    event.wishes.add(wish)
    page = login(volunteer).get(reverse("wishes:detail", args=[wish.pk])).content.decode()
    assert "送达信息" in page
    facts = ("王叔叔", "福阳小区3栋2单元401", "tel:13912345678", "老人耳背", "党群服务中心二楼")
    for fact in facts:
        assert fact in page


def test_other_volunteers_never_read_the_delivery_facts(login, wish, volunteer, claimer):
    wish.claim(by=claimer)
    page = login(volunteer).get(reverse("wishes:detail", args=[wish.pk])).content.decode()
    for private in ("王叔叔", "福阳小区", "13912345678", "老人耳背"):
        assert private not in page


def test_staff_leave_the_note_when_approving(login, staff, wang):
    wish = WishFactory(community=wang.community, resident=wang)
    response = login(staff).post(
        reverse("staff:approve", args=[wish.pk]),
        {
            f"approve-{wish.pk}-category": wish.category_id,
            f"approve-{wish.pk}-priority": "normal",
            f"approve-{wish.pk}-target_group": "",
            f"approve-{wish.pk}-delivery_note": "  下午两点后在家  ",
        },
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert (wish.status, wish.delivery_note) == ("approved", "下午两点后在家")


def test_a_resident_chooses_how_to_be_addressed(login, resident):
    client = login(resident)
    response = client.post(
        reverse("accounts:profile"),
        {
            "real_name": resident.real_name or "李桂兰",
            "phone": "",
            "address": "福阳小区1栋",
            "address_as": "李阿姨",
        },
    )
    assert response.status_code == 302
    resident.resident.refresh_from_db()
    assert resident.resident.address_as == "李阿姨"


def test_the_residents_copy_and_erasure_cover_the_new_fields(wish, wang, staff):
    from wishes.privacy import erase_resident, resident_record

    record = resident_record(wang)
    assert record["resident"]["address_as"] == "王叔叔"
    assert record["wishes"][0]["delivery_note"] == "老人耳背，请多敲几下门"
    erase_resident(wang, by=staff, reason="居民要求")
    wang.refresh_from_db()
    wish.refresh_from_db()
    assert wang.address_as == "" and wish.delivery_note == ""


def test_staff_correct_a_residents_record_and_how_to_address_them(login, staff, wang):
    url = reverse("staff:resident_edit", args=[wang.pk])
    client = login(staff)
    page = client.get(url).content.decode()
    assert 'value="王叔叔"' in page
    data = {
        "name": "王建国",
        "gender": "male",
        "phone": "13912345678",
        "community": wang.community_id,
        "grid": "",
        "address": "福阳小区3栋2单元402",
        "address_as": "王大爷",
        "situation": "elderly_alone",
        "situation_detail": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    wang.refresh_from_db()
    assert (wang.address, wang.address_as) == ("福阳小区3栋2单元402", "王大爷")


def test_a_bad_phone_on_the_record_keeps_what_was_typed(login, staff, wang):
    url = reverse("staff:resident_edit", args=[wang.pk])
    data = {
        "name": "王建国",
        "phone": "1391234",
        "community": wang.community_id,
        "address_as": "王伯",
    }
    page = login(staff).post(url, data).content.decode()
    assert 'value="王伯"' in page and 'value="1391234"' in page
    wang.refresh_from_db()
    assert wang.address_as == "王叔叔"


def test_without_a_recorded_gender_the_card_says_mr_or_ms(community):
    person = ResidentFactory(community=community, name="欧阳修文", gender="", address_as="")
    assert person.greeting == "欧阳先生/女士"
