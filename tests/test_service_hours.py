"""志愿服务时长: hours from hand-over events and from fulfilled wishes, the 24-hour day, staff
approving them, the volunteer's service page and the printable certificate."""

import datetime
import threading
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts.models import StaffRole
from notices.models import Notice
from outcomes import hours
from outcomes.figures import Scope, period_for, summary
from outcomes.hours import (
    COUNTED,
    HoursError,
    credit_event_attendance,
    decide_hours,
    enter_hours,
)
from outcomes.models import ServiceHours
from tests.factories import UserFactory, VolunteerRegistrationFactory, WishFactory
from wishes.models import HandoverEvent, Wish

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2025, 7, 1)


def at(hour: int, minute: int = 0, day: int = 1) -> datetime.datetime:
    return datetime.datetime(2025, 7, day, hour, minute, tzinfo=SHANGHAI)


def url(name: str, *args) -> str:
    return reverse(name, args=args)


@pytest.fixture(autouse=True)
def clock():
    """10 o'clock on 1 July 2025, Beijing time: the wishes below were claimed this morning."""
    with time_machine.travel(at(10), tick=True):
        yield


def make_event(community, staff, starts, ends, title="七一主题党日微心愿集中兑现"):
    return HandoverEvent.objects.create(
        community=community,
        title=title,
        place="福阳社区党群服务中心",
        starts_at=starts,
        ends_at=ends,
        created_by=staff,
    )


@pytest.fixture
def event(community, staff):
    return make_event(community, staff, at(9), at(11))


@pytest.fixture
def fulfilled(community, grid, staff, claimer):
    return WishFactory(
        community=community,
        grid=grid,
        staff=staff,
        claimer=claimer,
        fulfilled=True,
        title="一袋大米和一桶油",
    )


@pytest.fixture
def entry(fulfilled, claimer):
    return enter_hours(claimer, fulfilled, TODAY, "3", "采买并送到家")


@pytest.fixture
def grid_worker(community, grid):
    user = UserFactory(username="grid_worker")
    StaffRole.objects.create(
        user=user, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )
    return user


def community_hours(community) -> Decimal:
    return summary(Scope("community", community.pk, community.name), period_for("month")).hours


# ----- hours from hand-over events --------------------------------------------------------------


def test_attending_an_event_credits_its_duration_once(event, volunteer, staff):
    event.add_attendee(volunteer, by=staff)
    credit = ServiceHours.objects.get(volunteer=volunteer)
    assert (credit.source, credit.hours, credit.status) == ("event", Decimal("2.0"), "approved")
    assert credit_event_attendance(event.attendances.get()) == credit
    assert ServiceHours.objects.filter(volunteer=volunteer).count() == 1


@pytest.mark.parametrize(
    ("ends", "credited"),
    [(at(10, 40), "1.5"), (at(10, 50), "2.0"), (at(9, 10), "0.5")],
)
def test_event_hours_are_rounded_to_the_half_hour(community, staff, volunteer, ends, credited):
    event = make_event(community, staff, at(9), ends)
    event.add_attendee(volunteer, by=staff)
    assert ServiceHours.objects.get(volunteer=volunteer).hours == Decimal(credited)


def test_event_hours_fall_on_the_events_start_date_in_beijing(community, staff, volunteer):
    # 00:30 on 2 July in Beijing is still 1 July in UTC.
    event = make_event(community, staff, at(0, 30, day=2), at(2, 30, day=2))
    event.add_attendee(volunteer, by=staff)
    assert ServiceHours.objects.get(volunteer=volunteer).day == datetime.date(2025, 7, 2)


def test_staff_removing_an_attendance_takes_its_hours_back(login, staff, event, volunteer):
    attendance = event.add_attendee(volunteer, by=staff)
    response = login(staff).post(url("staff:event_attendee_remove", event.pk, attendance.pk))
    assert response.status_code == 302
    # Kept on record (its changes are history), no longer counted.
    credit = ServiceHours.objects.get(volunteer=volunteer)
    assert (credit.status, credit.decided_by) == (ServiceHours.Status.REJECTED, staff)


def test_deleting_attendances_in_the_admin_takes_their_hours_back(
    login, superuser, staff, event, volunteer, claimer
):
    """The admin's delete page and its bulk action go through the event, as the workbench does."""
    first = event.add_attendee(volunteer, by=staff)
    second = event.add_attendee(claimer, by=staff)
    client = login(superuser)
    response = client.post(url("admin:wishes_eventattendance_delete", first.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not ServiceHours.objects.filter(volunteer=volunteer, status__in=COUNTED).exists()
    response = client.post(
        url("admin:wishes_eventattendance_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not event.attendances.exists()
    assert not ServiceHours.objects.filter(event=event, status__in=COUNTED).exists()


def test_two_long_events_on_one_day_never_pass_24_hours(community, staff, volunteer):
    make_event(community, staff, at(0), at(14)).add_attendee(volunteer, by=staff)
    make_event(community, staff, at(8), at(22), "重阳节敬老活动").add_attendee(volunteer, by=staff)
    credits = ServiceHours.objects.filter(volunteer=volunteer).order_by("pk")
    assert [credit.hours for credit in credits] == [Decimal("14.0"), Decimal("10.0")]
    assert "少记4.0小时" in credits[1].changes.get().what


# ----- hours for fulfilled wishes: who, when, how many ------------------------------------------


def test_an_entry_pushing_the_day_over_24_hours_is_refused(community, staff, claimer, fulfilled):
    make_event(community, staff, at(0), at(20)).add_attendee(claimer, by=staff)
    with pytest.raises(HoursError, match="超过了一天24小时") as refusal:
        enter_hours(claimer, fulfilled, TODAY, "5")
    assert refusal.value.code == "invalid"
    assert enter_hours(claimer, fulfilled, TODAY, "4").hours == Decimal("4.0")


def test_no_hours_for_a_claimed_but_unfulfilled_wish(community, staff, claimer):
    claimed = WishFactory(community=community, staff=staff, claimer=claimer, claimed=True)
    with pytest.raises(HoursError, match="心愿兑现以后") as refusal:
        enter_hours(claimer, claimed, TODAY, "2")
    assert refusal.value.code == "state"


def test_no_hours_for_someone_elses_wish(fulfilled, volunteer):
    with pytest.raises(HoursError, match="只有兑现这个心愿的志愿者本人") as refusal:
        enter_hours(volunteer, fulfilled, TODAY, "2")
    assert refusal.value.code == "forbidden"


def test_no_hours_for_a_wish_another_volunteer_fulfilled(community, staff, volunteer, claimer):
    wish = WishFactory(community=community, staff=staff, approved=True)
    wish.claim(by=claimer)
    wish.release(by=claimer, reason="临时出差，去不了了")
    wish.claim(by=volunteer)
    wish.fulfil(by=volunteer, note="已送到家中")
    with pytest.raises(HoursError) as refusal:
        enter_hours(claimer, wish, TODAY, "2")
    assert refusal.value.code == "forbidden"


def test_the_database_refuses_hours_that_stand_on_nothing(claimer):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceHours.objects.create(volunteer=claimer, source="wish", day=TODAY, hours=2)


def test_a_volunteer_who_may_not_open_the_wish_gets_404(login, volunteer, fulfilled):
    response = login(volunteer).post(url("outcomes:hours_enter", fulfilled.pk), {"hours": "2"})
    assert response.status_code == 404


def test_staff_who_may_open_the_wish_are_told_why_they_cannot_enter_hours(login, staff, fulfilled):
    response = login(staff).get(url("outcomes:hours_enter", fulfilled.pk))
    assert response.status_code == 403
    assert "只有兑现这个心愿的志愿者本人" in response.content.decode()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY + datetime.timedelta(days=1), "不能晚于今天"),
        (datetime.date(2025, 6, 30), "不能早于"),
    ],
)
def test_an_entry_day_lies_between_the_claim_and_today(claimer, fulfilled, day, message):
    with pytest.raises(HoursError, match=message):
        enter_hours(claimer, fulfilled, day, "2")


@pytest.mark.parametrize("typed", ["0", "1.3", "24.5", "很多"])
def test_hours_are_half_hours_from_half_an_hour_to_a_day(claimer, fulfilled, typed):
    with pytest.raises(HoursError):
        enter_hours(claimer, fulfilled, TODAY, typed)


def test_a_claimers_entry_waits_and_counts_only_once_approved(community, staff, claimer, entry):
    assert (entry.status, community_hours(community)) == ("pending", Decimal("0"))
    decide_hours(staff, entry, approve=True)
    assert community_hours(community) == Decimal("3.0")


def test_the_claimer_enters_hours_on_the_wish_page(login, claimer, fulfilled):
    client = login(claimer)
    assert 'id="hours"' in client.get(url("wishes:detail", fulfilled.pk)).content.decode()
    response = client.post(
        url("outcomes:hours_enter", fulfilled.pk), {"day": "2025-07-01", "hours": "2.5"}
    )
    assert response.status_code == 302
    assert ServiceHours.objects.get(wish=fulfilled).hours == Decimal("2.5")


def test_nobody_but_the_claimer_sees_the_hours_form(login, staff, fulfilled):
    response = login(staff).get(url("wishes:detail", fulfilled.pk))
    assert 'id="hours"' not in response.content.decode()


def test_an_entry_over_the_day_is_shown_on_the_form(login, community, staff, claimer, fulfilled):
    make_event(community, staff, at(0), at(23)).add_attendee(claimer, by=staff)
    response = login(claimer).post(
        url("outcomes:hours_enter", fulfilled.pk), {"day": "2025-07-01", "hours": "2"}
    )
    assert response.status_code == 200
    assert "超过了一天24小时" in response.content.decode()


# ----- edits and decisions, recorded -------------------------------------------------------------


def test_the_claimer_may_change_a_pending_entry_and_the_change_is_recorded(
    claimer, fulfilled, entry
):
    enter_hours(claimer, fulfilled, TODAY, "4.5", "采买并送到家")
    entry.refresh_from_db()
    assert entry.hours == Decimal("4.5")
    assert entry.changes.last().what == "3.0 → 4.5 小时"


def test_an_approved_entry_cannot_be_changed_by_the_volunteer(staff, claimer, fulfilled, entry):
    decide_hours(staff, entry, approve=True)
    with pytest.raises(HoursError, match="已经认定") as refusal:
        enter_hours(claimer, fulfilled, TODAY, "6")
    assert refusal.value.code == "state"


def test_decisions_are_recorded_with_who_and_why(staff, entry):
    decide_hours(staff, entry, approve=False, reason="时长与兑现情况不符")
    change = entry.changes.last()
    assert (change.by, change.what) == (staff, "不认定：时长与兑现情况不符")


def test_a_rejected_entry_changed_by_the_claimer_waits_again(staff, claimer, fulfilled, entry):
    decide_hours(staff, entry, approve=False, reason="请按实际时间填写")
    enter_hours(claimer, fulfilled, TODAY, "2", "采买并送到家")
    entry.refresh_from_db()
    assert entry.status == "pending"
    assert entry.changes.last().what == "3.0 → 2.0 小时；重新提交审核"


def test_the_volunteer_hears_of_the_decision(staff, claimer, entry):
    decide_hours(staff, entry, approve=True)
    notice = Notice.objects.get(user=claimer, kind="hours_decided")
    assert "已由社区认定" in notice.render()
    assert notice.link() == url("outcomes:volunteering")


def test_a_decided_entry_is_not_decided_twice(staff, entry):
    decide_hours(staff, entry, approve=True)
    with pytest.raises(HoursError) as refusal:
        decide_hours(staff, entry, approve=False, reason="重复")
    assert refusal.value.code == "conflict"


# ----- the workbench queue ----------------------------------------------------------------------


def test_staff_approve_an_entry_from_the_queue(login, staff, entry):
    client = login(staff)
    assert "一袋大米和一桶油" in client.get(url("outcomes:hours_queue")).content.decode()
    response = client.post(url("outcomes:hours_approve", entry.pk))
    entry.refresh_from_db()
    assert response.status_code == 302 and entry.status == "approved"


def test_the_queue_lists_the_oldest_entry_first(login, community, staff, claimer, entry):
    later = WishFactory(community=community, staff=staff, claimer=claimer, fulfilled=True)
    newer = enter_hours(claimer, later, TODAY, "1")
    response = login(staff).get(url("outcomes:hours_queue"))
    assert [shown.pk for shown in response.context["entries"]] == [entry.pk, newer.pk]


def test_staff_of_another_community_get_404(login, other_staff, entry):
    client = login(other_staff)
    assert "一袋大米和一桶油" not in client.get(url("outcomes:hours_queue")).content.decode()
    assert client.post(url("outcomes:hours_approve", entry.pk)).status_code == 404


def test_a_grid_worker_approves_only_their_grids_entries(
    login, community, staff, claimer, grid_worker, entry
):
    elsewhere = WishFactory(community=community, staff=staff, claimer=claimer, fulfilled=True)
    other = enter_hours(claimer, elsewhere, TODAY, "1")
    client = login(grid_worker)
    assert client.post(url("outcomes:hours_approve", entry.pk)).status_code == 302
    assert client.post(url("outcomes:hours_approve", other.pk)).status_code == 404


def test_rejecting_needs_a_reason(login, staff, entry):
    response = login(staff).post(url("outcomes:hours_reject", entry.pk), {"reason": " "})
    entry.refresh_from_db()
    assert response.status_code == 400 and entry.status == "pending"


def test_a_volunteer_gets_403_on_the_queue(login, volunteer):
    assert login(volunteer).get(url("outcomes:hours_queue")).status_code == 403


@pytest.mark.parametrize("name", ["outcomes:hours_approve", "outcomes:hours_reject"])
def test_get_on_a_decision_is_405(login, staff, entry, name):
    assert login(staff).get(url(name, entry.pk)).status_code == 405


@pytest.mark.parametrize(
    ("name", "record"),
    [
        ("outcomes:hours_queue", None),
        ("outcomes:hours_approve", "entry"),
        ("outcomes:volunteering", None),
        ("outcomes:service_certificate", "community"),
        ("outcomes:hours_enter", "fulfilled"),
        ("outcomes:volunteer_service", "claimer"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(anon, request, name, record):
    args = [request.getfixturevalue(record).pk] if record else []
    method = anon.post if name == "outcomes:hours_approve" else anon.get
    response = method(url(name, *args))
    assert response.status_code == 302 and "/login/" in response.url


# ----- the volunteer's service page and certificate ---------------------------------------------


def test_the_volunteer_page_shows_event_and_wish_hours_apart(login, staff, claimer, event, entry):
    event.add_attendee(claimer, by=staff)
    decide_hours(staff, entry, approve=True)
    response = login(claimer).get(url("outcomes:volunteering"))
    totals = response.context["totals"]
    assert (totals.event_hours, totals.wish_hours, totals.wishes) == (2, 3, 1)
    assert "七一主题党日微心愿集中兑现" in response.content.decode()


def test_pending_hours_are_shown_but_not_counted(login, claimer, entry):
    totals = login(claimer).get(url("outcomes:volunteering")).context["totals"]
    assert (totals.pending_hours, totals.hours) == (3, 0)


def test_someone_without_a_volunteer_profile_gets_403(login, resident):
    assert login(resident).get(url("outcomes:volunteering")).status_code == 403


def test_a_certificate_is_404_where_the_volunteer_does_not_serve(login, claimer, other_community):
    response = login(claimer).get(url("outcomes:service_certificate", other_community.pk))
    assert response.status_code == 404


def test_a_certificate_is_404_while_the_registration_waits(login, pending_volunteer, community):
    response = login(pending_volunteer).get(url("outcomes:service_certificate", community.pk))
    assert response.status_code == 404


def test_the_certificate_shows_the_communitys_totals(
    login, community, other_community, staff, claimer, event, entry
):
    event.add_attendee(claimer, by=staff)
    decide_hours(staff, entry, approve=True)
    VolunteerRegistrationFactory(volunteer=claimer.volunteer_profile, community=other_community)
    elsewhere = WishFactory(community=other_community, claimer=claimer, fulfilled=True)
    enter_hours(claimer, elsewhere, TODAY, "6")  # another community's, and still pending
    response = login(claimer).get(url("outcomes:service_certificate", community.pk))
    assert (response.context["totals"].wishes, response.context["totals"].hours) == (1, 5)
    assert "盖章处" in response.content.decode()


def test_the_certificate_covers_the_period_asked_for(login, staff, claimer, community, entry):
    decide_hours(staff, entry, approve=True)
    response = login(claimer).get(
        url("outcomes:service_certificate", community.pk),
        {"start": "2025-06-01", "end": "2025-06-30"},
    )
    assert response.context["totals"].hours == 0


def test_the_certificate_is_csp_ready(login, claimer, community):
    content = login(claimer).get(url("outcomes:service_certificate", community.pk)).content.decode()
    assert "style=" not in content and "<style" not in content
    assert "<script>" not in content and "css/print-certificate.css" in content


# ----- a volunteer's record on the workbench -----------------------------------------------------


def test_staff_open_a_volunteers_service_record(login, staff, claimer, entry):
    response = login(staff).get(url("outcomes:volunteer_service", claimer.pk))
    assert response.status_code == 200 and response.context["totals"].pending_hours == 3


def test_staff_of_another_community_get_404_for_a_volunteers_record(login, other_staff, claimer):
    assert login(other_staff).get(url("outcomes:volunteer_service", claimer.pk)).status_code == 404


def test_a_grid_worker_gets_403_for_a_volunteers_record(login, grid_worker, claimer):
    assert login(grid_worker).get(url("outcomes:volunteer_service", claimer.pk)).status_code == 403


# ----- two entries at once on PostgreSQL ---------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrent entries need PostgreSQL row locks; run with DATABASE_URL=postgres://…",
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_entries_at_once_never_pass_24_hours(community, staff, claimer, monkeypatch):
    wishes = [
        WishFactory(community=community, staff=staff, claimer=claimer, fulfilled=True)
        for _ in range(2)
    ]
    counted = hours.hours_on

    def slowly_counted(*args, **kwargs):
        total = counted(*args, **kwargs)
        time.sleep(0.5)  # room for the other entry to count the same day, were it not locked out
        return total

    monkeypatch.setattr(hours, "hours_on", slowly_counted)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enter(wish: Wish) -> None:
        try:
            barrier.wait(timeout=10)
            try:
                enter_hours(claimer, wish, TODAY, "13")
            except HoursError as error:
                outcomes.append(error.code)
            else:
                outcomes.append("entered")
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(wish,)) for wish in wishes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["entered", "invalid"]
    assert hours.hours_on(claimer, TODAY) == Decimal("13.0")


# ----- query counts -----------------------------------------------------------------------------


def test_the_queue_reads_a_page_in_few_queries(
    login, community, staff, claimer, entry, django_assert_max_num_queries
):
    for _ in range(4):
        wish = WishFactory(community=community, staff=staff, claimer=claimer, fulfilled=True)
        enter_hours(claimer, wish, TODAY, "1")
    client = login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(url("outcomes:hours_queue"))
    assert len(response.context["entries"]) == 5


def test_the_service_page_reads_in_few_queries(
    login, community, staff, claimer, event, entry, django_assert_max_num_queries
):
    event.add_attendee(claimer, by=staff)
    for _ in range(8):
        wish = WishFactory(community=community, staff=staff, claimer=claimer, fulfilled=True)
        enter_hours(claimer, wish, TODAY, "1")
    client = login(claimer)
    with django_assert_max_num_queries(18):
        response = client.get(url("outcomes:volunteering"))
    assert response.context["totals"].wishes == 9
