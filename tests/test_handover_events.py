"""集中兑现 / 主题党日: events, sign-in inside and outside the window, and bulk fulfilment."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import WishFactory, make_volunteer
from wishes.lifecycle import Status, WishError
from wishes.models import EventAttendance, HandoverEvent, WishEvent, WishPhoto
from wishes.models.handover import SHORT_CODE_ALPHABET

SHANGHAI = ZoneInfo("Asia/Shanghai")
STARTS = datetime.datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI)
ENDS = datetime.datetime(2025, 7, 1, 11, 0, tzinfo=SHANGHAI)


def at(hour: int, minute: int = 0):
    """Freeze the clock at that time on the event's day, Beijing time."""
    return time_machine.travel(
        datetime.datetime(2025, 7, 1, hour, minute, tzinfo=SHANGHAI), tick=False
    )


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def photo(name: str = "hand-over.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


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


@pytest.fixture
def claimed(community, staff, volunteer):
    return WishFactory(
        community=community, staff=staff, claimer=volunteer, claimed=True, title="一袋大米"
    )


@pytest.fixture
def claimed_too(community, staff, claimer):
    return WishFactory(
        community=community, staff=staff, claimer=claimer, claimed=True, title="一个新书包"
    )


@pytest.fixture
def attached(event, claimed, claimed_too):
    event.attach([claimed, claimed_too])
    return event


@pytest.fixture
def staff_client(login, staff):
    return login(staff)


# ----- creating and filling an event ---------------------------------------------------------


def test_staff_creates_an_event_with_a_generated_short_code(staff_client, community):
    response = staff_client.post(
        url("staff:event_new"),
        {
            "community": community.pk,
            "title": "主题党日活动",
            "place": "社区广场",
            "starts_at": "2025-07-01T09:00",
            "ends_at": "2025-07-01T11:00",
        },
    )
    event = HandoverEvent.objects.get()
    assert response.status_code == 302 and response.url == url("staff:event", event.pk)
    assert event.starts_at == STARTS and event.community == community
    assert len(event.short_code) == 6 and set(event.short_code) <= set(SHORT_CODE_ALPHABET)


def test_an_event_ending_before_it_starts_is_refused(staff_client, community):
    response = staff_client.post(
        url("staff:event_new"),
        {
            "community": community.pk,
            "title": "主题党日活动",
            "place": "社区广场",
            "starts_at": "2025-07-01T11:00",
            "ends_at": "2025-07-01T09:00",
        },
    )
    assert response.status_code == 200
    assert "结束时间要晚于开始时间" in response.content.decode()
    assert not HandoverEvent.objects.exists()


def test_staff_attaches_a_claimed_wish(staff_client, event, claimed):
    response = staff_client.post(url("staff:event_attach", event.pk), {"wishes": [claimed.pk]})
    assert response.status_code == 302
    assert list(event.wishes.all()) == [claimed]


def test_attaching_an_unclaimed_wish_is_refused_with_a_clear_message(
    staff_client, event, community, staff
):
    waiting = WishFactory(community=community, staff=staff, approved=True, title="修好楼道灯")
    response = staff_client.post(url("staff:event_attach", event.pk), {"wishes": [waiting.pk]})
    assert any("“修好楼道灯”现在是“待认领”" in text for text in message_texts(response))
    assert not event.wishes.exists()


def test_another_communitys_wish_cannot_be_attached(staff_client, event, other_community):
    elsewhere = WishFactory(community=other_community, claimed=True)
    response = staff_client.post(url("staff:event_attach", event.pk), {"wishes": [elsewhere.pk]})
    assert "所选心愿不是本社区的心愿。" in message_texts(response)
    assert not event.wishes.exists()


def test_a_wish_already_in_another_open_event_is_refused(event, claimed, community):
    other = HandoverEvent.objects.create(
        community=community, title="另一场活动", place="社区", starts_at=STARTS, ends_at=ENDS
    )
    other.attach([claimed])
    with pytest.raises(WishError, match="已经加入了活动“另一场活动”"):
        event.attach([claimed])


def test_the_attach_form_offers_only_claimed_wishes_not_in_an_open_event(
    staff_client, event, claimed, claimed_too, community, staff
):
    WishFactory(community=community, staff=staff, approved=True)
    other = HandoverEvent.objects.create(
        community=community, title="另一场活动", place="社区", starts_at=STARTS, ends_at=ENDS
    )
    other.attach([claimed_too])
    response = staff_client.get(url("staff:event", event.pk))
    offered = response.context["attach_form"].fields["wishes"].queryset
    assert list(offered) == [claimed]


def test_staff_detaches_a_wish(staff_client, attached, claimed):
    staff_client.post(url("staff:event_detach", attached.pk, claimed.pk))
    assert claimed not in attached.wishes.all()


# ----- signing in ----------------------------------------------------------------------------


def test_volunteer_signs_in_inside_the_window(login, volunteer, event):
    with at(8, 50):
        response = login(volunteer).post(url("wishes:event", event.short_code))
    assert response.status_code == 302
    attendance = EventAttendance.objects.get(event=event)
    assert (attendance.user, attendance.added_by) == (volunteer, None)


def test_sign_in_opens_thirty_minutes_before_the_start(login, volunteer, event):
    with at(8, 30):
        login(volunteer).post(url("wishes:event", event.short_code))
    assert event.attendances.filter(user=volunteer).exists()


def test_sign_in_before_the_window_is_refused(login, volunteer, event):
    with at(8, 29):
        response = login(volunteer).post(url("wishes:event", event.short_code))
    assert response.status_code == 409
    assert "签到还没有开始" in response.content.decode()
    assert not event.attendances.exists()


def test_sign_in_after_the_event_ended_is_refused(login, volunteer, event):
    with at(11, 1):
        response = login(volunteer).post(url("wishes:event", event.short_code))
    assert response.status_code == 409
    assert "签到已关闭" in response.content.decode()
    assert not event.attendances.exists()


def test_signing_in_twice_is_refused_and_counted_once(login, volunteer, event):
    client = login(volunteer)
    with at(9, 30):
        client.post(url("wishes:event", event.short_code))
        response = client.post(url("wishes:event", event.short_code))
    assert response.status_code == 409
    assert "不用重复签到" in response.content.decode()
    assert event.attendances.count() == 1


def test_a_typed_code_ignores_case_and_spaces(login, volunteer, event):
    typed = f"  {event.short_code[:3].lower()} {event.short_code[3:].lower()} "
    response = login(volunteer).get(url("wishes:event_code"), {"code": typed})
    assert response.status_code == 302
    assert response.url == url("wishes:event", event.short_code)


def test_an_unknown_code_says_so(login, volunteer, event):
    response = login(volunteer).get(url("wishes:event_code"), {"code": "ZZZZZZ"})
    assert response.status_code == 200
    assert "没有找到签到码为“ZZZZZZ”的活动" in response.content.decode()


def test_the_sign_in_page_asks_anonymous_visitors_to_log_in(anon, event):
    response = anon.get(url("wishes:event", event.short_code))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_staff_adds_an_attendee_after_the_event(staff_client, staff, volunteer, event):
    with at(15, 0):
        staff_client.post(url("staff:event_attendee_add", event.pk), {"user": volunteer.pk})
    assert event.attendances.get().added_by == staff


def test_staff_removes_an_attendee(staff_client, volunteer, event):
    with at(9, 0):
        attendance = event.sign_in(volunteer)
    staff_client.post(url("staff:event_attendee_remove", event.pk, attendance.pk))
    assert not event.attendances.exists()


# ----- bulk fulfilment -----------------------------------------------------------------------


def make_resident_login(wish):
    from tests.factories import UserFactory

    wish.resident.user = UserFactory()
    wish.resident.save()
    return wish.resident.user


def fulfil(client, event, *photos):
    return client.post(
        url("staff:event_fulfil", event.pk),
        {"note": "大米和书包都已当面交给心愿人", "photos": list(photos)},
    )


def test_bulk_fulfil_moves_every_attached_wish_to_fulfilled(
    staff_client, attached, claimed, claimed_too
):
    response = fulfil(staff_client, attached, photo())
    assert response.status_code == 302
    claimed.refresh_from_db()
    claimed_too.refresh_from_db()
    assert claimed.status == claimed_too.status == Status.FULFILLED


def test_bulk_fulfil_writes_one_fulfil_event_per_wish_naming_the_event(
    staff_client, staff, attached, claimed, claimed_too
):
    fulfil(staff_client, attached)
    events = WishEvent.objects.filter(action="fulfil")
    assert sorted(e.wish_id for e in events) == sorted([claimed.pk, claimed_too.pk])
    assert all("七一主题党日微心愿集中兑现" in e.note and e.actor == staff for e in events)


def test_the_events_photos_belong_to_the_event_not_to_any_wish(
    staff_client, attached, claimed, claimed_too
):
    fulfil(staff_client, attached, photo("a.png"), photo("b.png"))
    assert attached.photos.count() == 2
    assert not WishPhoto.objects.filter(wish__in=[claimed, claimed_too]).exists()


def test_the_events_note_stays_with_the_event(staff_client, attached, claimed):
    fulfil(staff_client, attached)
    claimed.refresh_from_db()
    assert "当面交给" not in claimed.fulfil_note
    assert "当面交给" not in claimed.events.get(action="fulfil").note


def test_each_wish_gets_only_what_was_chosen_for_it_in_its_own_files(
    staff_client, attached, claimed, claimed_too
):
    staff_client.post(
        url("staff:event_fulfil", attached.pk),
        {
            "note": "集中兑现",
            f"note_{claimed.pk}": "大米送到了王大爷手里",
            f"photos_{claimed.pk}": [photo("rice.png")],
            f"photos_{claimed_too.pk}": [photo("bag.png")],
        },
    )
    mine = claimed.photos.get()
    theirs = claimed_too.photos.get()
    claimed.refresh_from_db()
    assert claimed.fulfil_note == "大米送到了王大爷手里"
    assert mine.kind == WishPhoto.Kind.HANDOVER and mine.image.name != theirs.image.name
    assert default_storage.exists(mine.image.name) and default_storage.exists(theirs.image.name)


def test_a_resident_cannot_open_the_events_photos(login, staff_client, attached, claimed):
    fulfil(staff_client, attached, photo())
    shared = attached.photos.get()
    resident = claimed.resident.user or make_resident_login(claimed)
    response = login(resident).get(url("wishes:event_photo", attached.short_code, shared.pk))
    assert response.status_code == 404


def test_an_attendee_sees_the_events_photos(login, staff_client, staff, volunteer, attached):
    attached.add_attendee(volunteer, by=staff)
    fulfil(staff_client, attached, photo())
    shared = attached.photos.get()
    response = login(volunteer).get(url("wishes:event_photo", attached.short_code, shared.pk))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert response.status_code == 200 and cache_control == {"no-store", "private"}


def test_bulk_fulfil_stamps_the_event(staff_client, staff, attached):
    fulfil(staff_client, attached)
    attached.refresh_from_db()
    assert attached.fulfilled_at is not None and attached.fulfilled_by == staff


def test_bulk_fulfil_is_refused_when_a_wish_was_released_meanwhile(
    staff_client, attached, claimed, claimed_too, claimer
):
    claimed_too.release(by=claimer, reason="临时出差")
    response = fulfil(staff_client, attached, photo())
    assert response.status_code == 409
    assert "“一个新书包”（待认领）" in response.content.decode()
    claimed.refresh_from_db()
    attached.refresh_from_db()
    assert (claimed.status, attached.fulfilled_at) == (Status.CLAIMED, None)


def test_bulk_fulfil_fails_whole_when_one_fulfil_fails_midway(
    attached, claimed, claimed_too, volunteer
):
    # The volunteer may fulfil their own wish (the first) but not the claimer's (the second).
    upload = photo()
    with pytest.raises(WishError):
        attached.fulfil_wishes(by=volunteer, note="送到了", photos=[upload])
    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED
    assert not WishPhoto.objects.exists()


def test_the_event_page_shows_what_was_handed_over(staff_client, attached, claimed):
    fulfil(staff_client, attached, photo())
    response = staff_client.get(url("staff:event", attached.pk))
    page = response.content.decode()
    shared = attached.photos.get()
    assert "活动情况" in page and claimed.masked_name in page
    assert url("wishes:event_photo", attached.short_code, shared.pk) in page


# ----- who may do what -----------------------------------------------------------------------


def test_other_community_staff_gets_404_on_the_event_page(login, other_staff, event):
    assert login(other_staff).get(url("staff:event", event.pk)).status_code == 404


def test_other_community_staff_cannot_fulfil_the_event(login, other_staff, attached, claimed):
    response = fulfil(login(other_staff), attached)
    assert response.status_code == 404
    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED


def test_residents_get_403_on_the_event_list(login, resident):
    assert login(resident).get(url("staff:events")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_the_event_list(anon):
    response = anon.get(url("staff:events"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_get_on_attach_is_405(staff_client, event):
    assert staff_client.get(url("staff:event_attach", event.pk)).status_code == 405


def test_the_qr_code_is_a_png_image(staff_client, event):
    response = staff_client.get(url("staff:event_qr", event.pk))
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).format == "PNG"


def test_staff_can_read_their_event_in_the_admin_but_not_change_it(staff_client, attached):
    response = staff_client.get(reverse("admin:wishes_handoverevent_change", args=[attached.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_the_event_list_has_a_pinned_query_count(
    staff_client, community, django_assert_max_num_queries
):
    for n in range(5):
        HandoverEvent.objects.create(
            community=community, title=f"活动{n}", place="社区", starts_at=STARTS, ends_at=ENDS
        )
    with django_assert_max_num_queries(10):
        response = staff_client.get(url("staff:events"))
    assert response.status_code == 200


def test_a_volunteer_of_the_organiser_can_be_added_by_staff(
    staff_client, event, organisation, other_community
):
    member = make_volunteer(other_community, organisation=organisation, username="branch")
    staff_client.post(url("staff:event_attendee_add", event.pk), {"user": member.pk})
    assert event.attendances.filter(user=member).exists()


# ----- quotation marks: a title that brings its own is not quoted again ----------------------

QUOTED_TITLE = "“七一”主题党日微心愿集中兑现"


@pytest.fixture
def july_first(event):
    event.title = QUOTED_TITLE
    event.save()
    return event


def no_doubled_quotes(text: str) -> bool:
    return "““" not in text and "””" not in text and "”“" not in text


@pytest.mark.parametrize(
    "title, shown",
    [
        ("七一主题党日微心愿集中兑现", "“七一主题党日微心愿集中兑现”"),
        (QUOTED_TITLE, QUOTED_TITLE),
        ("“七一主题党日”", "“七一主题党日”"),
        ('"七一"主题党日', '"七一"主题党日'),
        ("「七一」主题党日", "「七一」主题党日"),
        ("‘七一’主题党日", "“‘七一’主题党日”"),  # single marks nest inside double ones
    ],
)
def test_a_title_is_quoted_once(title, shown):
    from wishes.quotes import quoted

    assert quoted(title) == shown


def test_signing_in_early_names_a_quoted_event_once(login, volunteer, july_first):
    with at(8, 29):
        page = login(volunteer).post(url("wishes:event", july_first.short_code)).text

    assert "签到还没有开始：“七一”主题党日微心愿集中兑现从7月1日 08:30起可以签到。" in page
    assert no_doubled_quotes(page)


def test_signing_in_late_names_a_quoted_event_once(login, volunteer, july_first):
    with at(11, 1):
        page = login(volunteer).post(url("wishes:event", july_first.short_code)).text

    assert "“七一”主题党日微心愿集中兑现已于7月1日 11:00结束" in page
    assert no_doubled_quotes(page)


def test_a_wish_in_a_quoted_event_is_refused_naming_it_once(event, claimed, community):
    other = HandoverEvent.objects.create(
        community=community, title=QUOTED_TITLE, place="社区", starts_at=STARTS, ends_at=ENDS
    )
    other.attach([claimed])

    with pytest.raises(WishError) as refused:
        event.attach([claimed])

    assert "“一袋大米”已经加入了活动“七一”主题党日微心愿集中兑现" in str(refused.value)
    assert no_doubled_quotes(str(refused.value))


def test_the_holder_hears_of_a_quoted_event_once(july_first, claimed, volunteer):
    from notices.models import Notice

    july_first.attach([claimed])

    text = Notice.objects.get(user=volunteer, kind="event_attached").render()
    assert "将在集中兑现活动“七一”主题党日微心愿集中兑现中交付" in text
    assert no_doubled_quotes(text)


def test_the_holder_hears_of_a_plain_event_in_quotes(attached, volunteer):
    from notices.models import Notice

    text = Notice.objects.get(user=volunteer, kind="event_attached").render()

    assert "将在集中兑现活动“七一主题党日微心愿集中兑现”中交付" in text


def test_each_wish_fulfilled_at_a_quoted_event_names_it_once(
    staff_client, july_first, claimed, claimed_too
):
    july_first.attach([claimed, claimed_too])

    fulfil(staff_client, july_first)

    claimed.refresh_from_db()
    assert claimed.fulfil_note == "在集中兑现活动“七一”主题党日微心愿集中兑现中兑现。"
    assert claimed.events.get(action="fulfil").note == claimed.fulfil_note


def test_a_plain_event_is_still_quoted_in_the_note(staff_client, attached, claimed):
    fulfil(staff_client, attached)

    claimed.refresh_from_db()
    assert claimed.fulfil_note == "在集中兑现活动“七一主题党日微心愿集中兑现”中兑现。"


def test_the_calendar_file_carries_the_title_as_typed(login, volunteer, july_first):
    body = login(volunteer).get(url("wishes:event_calendar", july_first.short_code))

    assert "SUMMARY:“七一”主题党日微心愿集中兑现" in body.content.decode()


def test_the_workbench_and_sign_in_pages_show_a_quoted_title_once(
    login, staff_client, volunteer, july_first, claimed
):
    july_first.attach([claimed])
    pages = [
        staff_client.get(url("staff:events")).text,
        staff_client.get(url("staff:event", july_first.pk)).text,
        staff_client.get(url("staff:event_fulfil", july_first.pk)).text,
        login(volunteer).get(url("wishes:event", july_first.short_code)).text,
    ]

    assert all(QUOTED_TITLE in page and no_doubled_quotes(page) for page in pages)


def test_the_welcome_after_signing_in_names_a_quoted_event_once(login, volunteer, july_first):
    with at(8, 50):
        response = login(volunteer).post(url("wishes:event", july_first.short_code))

    assert message_texts(response) == ["签到成功！欢迎参加“七一”主题党日微心愿集中兑现。"]
