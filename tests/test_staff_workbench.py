"""The staff workbench at /staff/: scope, review, entry, dispatch, overdue, volunteers."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Resident, VolunteerRegistration
from notices.models import Notice
from tests.factories import CategoryFactory, ResidentFactory, WishFactory
from wishes.lifecycle import Status
from wishes.models import Claim, FollowUp, RejectionReason, Wish
from wishes.upkeep import sweep


def staff_url(name: str, *args) -> str:
    return reverse(f"staff:{name}", args=args)


@pytest.fixture
def submitted(community, resident):
    return WishFactory(community=community, resident=resident.resident, title="一辆轻便轮椅")


@pytest.fixture
def elsewhere(other_community):
    """A claimed wish of 新兴社区, for scope tests."""
    return WishFactory(community=other_community, claimed=True, title="新兴社区的心愿")


# ----- who may come in --------------------------------------------------------------------------

PAGES = [
    "index",
    "wishes",
    "review",
    "dispatch_queue",
    "overdue",
    "find_resident",
    "new_resident",
    "volunteers",
    "publish_choose",
    "import",
    "events",
]
WISH_PAGES = ["wish", "dispatch"]
WISH_ACTIONS = ["approve", "reject", "close", "release", "remind", "confirm", "follow_up"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor_is_sent_to_login(anon, name):
    response = anon.get(staff_url(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_resident_gets_403(login, resident, name):
    assert login(resident).get(staff_url(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_volunteer_gets_403(login, volunteer, name):
    assert login(volunteer).get(staff_url(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_staff_opens_every_page(login, staff, name):
    assert login(staff).get(staff_url(name), follow=True).status_code == 200


@pytest.mark.parametrize("name", WISH_PAGES)
def test_other_community_staff_gets_404_on_wish_pages(login, staff, elsewhere, name):
    assert login(staff).get(staff_url(name, elsewhere.pk)).status_code == 404


@pytest.mark.parametrize("name", WISH_ACTIONS)
def test_other_community_staff_gets_404_on_wish_actions(login, staff, elsewhere, name):
    response = login(staff).post(staff_url(name, elsewhere.pk), {"reason": "x"})
    elsewhere.refresh_from_db()
    assert response.status_code == 404
    assert elsewhere.status == Status.CLAIMED


@pytest.mark.parametrize("name", WISH_ACTIONS)
def test_get_on_a_wish_action_is_405(login, staff, submitted, name):
    assert login(staff).get(staff_url(name, submitted.pk)).status_code == 405


def test_other_community_staff_cannot_enter_a_wish_for_my_resident(login, other_staff, resident):
    url = staff_url("enter_wish", resident.resident.pk)
    assert login(other_staff).get(url).status_code == 404


def test_other_community_staff_cannot_decide_my_volunteers(login, other_staff, pending_volunteer):
    registration = VolunteerRegistration.objects.get(volunteer__user=pending_volunteer)
    response = login(other_staff).post(staff_url("approve_volunteer", registration.pk))
    registration.refresh_from_db()
    assert response.status_code == 404
    assert registration.status == VolunteerRegistration.Status.PENDING


def test_street_admin_opens_wishes_of_every_community_in_the_street(login, street_admin, submitted):
    assert login(street_admin).get(staff_url("wish", submitted.pk)).status_code == 200


def test_staff_of_fuyang_opening_a_xinxing_wish_gets_404(login, staff, other_community):
    xinxing = WishFactory(community=other_community)
    assert login(staff).get(staff_url("wish", xinxing.pk)).status_code == 404


# ----- review ------------------------------------------------------------------------------------


def test_review_queue_shows_urgent_wishes_first(login, staff, community, submitted):
    urgent = WishFactory(community=community, priority=Wish.Priority.URGENT, title="紧急的心愿")
    page = login(staff).get(staff_url("review")).content.decode()
    assert page.index(urgent.title) < page.index(submitted.title)


def test_review_queue_shows_only_my_communities(login, staff, submitted, other_community):
    WishFactory(community=other_community, title="别的社区待审核")
    page = login(staff).get(staff_url("review")).content.decode()
    assert submitted.title in page and "别的社区待审核" not in page


def test_review_shows_the_residents_situation_to_staff(login, staff, submitted):
    page = login(staff).get(staff_url("review")).content.decode()
    assert submitted.resident.get_situation_display() in page


def test_approve_with_fixed_category_and_priority(login, staff, submitted):
    school = CategoryFactory(name="学习用品")
    prefix = f"approve-{submitted.pk}"
    login(staff).post(
        staff_url("approve", submitted.pk),
        {
            f"{prefix}-category": school.pk,
            f"{prefix}-priority": "urgent",
            f"{prefix}-target_group": "children",
        },
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.category, submitted.priority) == (
        Status.APPROVED,
        school,
        Wish.Priority.URGENT,
    )


def test_reject_with_a_written_reason(login, staff, submitted):
    login(staff).post(staff_url("reject", submitted.pk), {"reason": "不在服务范围"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reject_reason) == (Status.REJECTED, "不在服务范围")


def test_reject_with_a_saved_reason(login, staff, submitted, community):
    saved = RejectionReason.objects.create(community=community, text="微心愿不提供现金。")
    login(staff).post(staff_url("reject", submitted.pk), {"saved": saved.pk})
    submitted.refresh_from_db()
    assert submitted.reject_reason == "微心愿不提供现金。"


def test_reject_can_remember_the_reason_for_next_time(login, staff, submitted, community):
    login(staff).post(staff_url("reject", submitted.pk), {"reason": "重复提交", "remember": "on"})
    assert RejectionReason.objects.filter(community=community, text="重复提交").exists()


def test_reject_without_any_reason_changes_nothing(login, staff, submitted):
    response = login(staff).post(staff_url("reject", submitted.pk), {"reason": " "}, follow=True)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert "请选择或填写不予通过的原因" in response.content.decode()


def test_another_communitys_saved_reason_cannot_be_used(login, staff, submitted, other_community):
    foreign = RejectionReason.objects.create(community=other_community, text="别处的原因")
    login(staff).post(staff_url("reject", submitted.pk), {"saved": foreign.pk})
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_bulk_approve_approves_the_ticked_wishes(login, staff, community, submitted):
    second = WishFactory(community=community)
    untouched = WishFactory(community=community)
    login(staff).post(staff_url("bulk_approve"), {"wish": [submitted.pk, second.pk]})
    statuses = set(Wish.objects.filter(pk__in=[submitted.pk, second.pk]).values_list("status"))
    untouched.refresh_from_db()
    assert statuses == {(Status.APPROVED,)} and untouched.status == Status.SUBMITTED


def test_bulk_approve_ignores_other_communities(login, staff, other_community):
    foreign = WishFactory(community=other_community)
    login(staff).post(staff_url("bulk_approve"), {"wish": [foreign.pk]})
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED


def test_approve_redirect_never_leaves_the_site(login, staff, submitted):
    prefix = f"approve-{submitted.pk}"
    response = login(staff).post(
        staff_url("approve", submitted.pk),
        {
            f"{prefix}-category": submitted.category_id,
            f"{prefix}-priority": "normal",
            "next": "https://evil.example.org/",
        },
    )
    assert response["Location"] == staff_url("review")


# ----- entering a wish for a resident ------------------------------------------------------------


def test_find_resident_by_name(login, staff, community):
    ResidentFactory(community=community, name="刘建国")
    page = login(staff).get(staff_url("find_resident"), {"q": "建国"}).content.decode()
    assert "刘建国" in page


def test_find_resident_never_shows_other_communities(login, staff, other_community):
    ResidentFactory(community=other_community, name="杨秀兰")
    page = login(staff).get(staff_url("find_resident"), {"q": "杨秀兰"}).content.decode()
    assert "为TA填报" not in page


def test_new_resident_without_phone_or_login(login, staff, community):
    response = login(staff).post(
        staff_url("new_resident"),
        {
            "name": "赵桂兰",
            "gender": "female",
            "community": community.pk,
            "address": "明珠花园3号楼",
            "situation": "elderly_alone",
        },
    )
    resident = Resident.objects.get(name="赵桂兰")
    assert response["Location"] == staff_url("enter_wish", resident.pk)
    assert (resident.user, resident.created_by.username) == (None, "staff_fuyang")


def test_new_resident_in_another_community_is_refused(login, staff, other_community):
    response = login(staff).post(
        staff_url("new_resident"), {"name": "外人", "community": other_community.pk}
    )
    assert response.status_code == 200 and not Resident.objects.filter(name="外人").exists()


def test_enter_wish_records_channel_and_who_entered_it(login, staff, community):
    person = ResidentFactory(community=community, user=None)
    category = CategoryFactory()
    login(staff).post(
        staff_url("enter_wish", person.pk),
        {
            "channel": "phone",
            "category": category.pk,
            "title": "一袋面粉",
            "description": "电话里说面粉吃完了",
            "kind": "individual",
            "priority": "normal",
        },
    )
    wish = Wish.objects.get(title="一袋面粉")
    assert (wish.channel, wish.entered_by.username, wish.resident) == (
        "phone",
        "staff_fuyang",
        person,
    )
    assert wish.events.get().action == "submit"


def test_enter_wish_with_missing_description_keeps_the_form(login, staff, community):
    person = ResidentFactory(community=community)
    category = CategoryFactory()
    response = login(staff).post(
        staff_url("enter_wish", person.pk),
        {
            "channel": "visit",
            "category": category.pk,
            "title": "一袋面粉",
            "kind": "individual",
            "priority": "normal",
        },
    )
    assert response.status_code == 200 and "一袋面粉" in response.content.decode()
    assert not Wish.objects.filter(title="一袋面粉").exists()


# ----- dispatch ----------------------------------------------------------------------------------


@pytest.fixture
def approved(community, staff):
    return WishFactory(community=community, staff=staff, approved=True, title="等人认领的心愿")


def test_dispatch_to_an_organisation(login, staff, approved, organisation):
    login(staff).post(
        staff_url("dispatch", approved.pk),
        {"organisation": organisation.pk, "due_date": "2030-01-15", "note": "请上门"},
    )
    approved.refresh_from_db()
    claim = approved.open_claim()
    assert approved.status == Status.DISPATCHED
    assert (claim.organisation, claim.due_date) == (organisation, datetime.date(2030, 1, 15))


def test_dispatch_to_an_unregistered_organisation_is_not_offered(login, staff, approved):
    from tests.factories import OrganisationFactory

    stranger = OrganisationFactory()
    response = login(staff).post(staff_url("dispatch", approved.pk), {"organisation": stranger.pk})
    approved.refresh_from_db()
    assert response.status_code == 200 and approved.status == Status.APPROVED


def test_dispatch_without_a_recipient_keeps_the_form(login, staff, approved):
    response = login(staff).post(staff_url("dispatch", approved.pk), {"note": "请上门"})
    assert "二选一" in response.content.decode()


def test_declined_dispatch_comes_back_flagged(login, staff, approved, volunteer):
    approved.dispatch(by=staff, volunteer=volunteer)
    approved.decline(by=volunteer, reason="出差")
    page = login(staff).get(staff_url("dispatch_queue")).content.decode()
    assert "派单被退回" in page and approved.title in page


def test_member_of_the_branch_accepts_the_dispatch(login, staff, approved, organisation, member):
    approved.dispatch(by=staff, organisation=organisation)
    login(member).post(reverse("wishes:accept", args=[approved.pk]))
    approved.refresh_from_db()
    assert approved.status == Status.CLAIMED
    assert approved.open_claim().volunteer == member


# ----- overdue, remind, release, automatic upkeep -----------------------------------------------


@pytest.fixture
def claimed(community, staff, volunteer):
    return WishFactory(community=community, staff=staff, claimer=volunteer, claimed=True)


def test_overdue_lists_claims_past_their_due_date(login, staff, claimed):
    Claim.objects.filter(wish=claimed).update(due_date=datetime.date(2020, 1, 1))
    page = login(staff).get(staff_url("overdue")).content.decode()
    assert claimed.title in page


def test_overdue_lists_claims_without_progress_for_14_days(login, staff, claimed):
    Claim.objects.filter(wish=claimed).update(
        accepted_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert claimed.title in login(staff).get(staff_url("overdue")).content.decode()


def test_overdue_leaves_out_fresh_claims(login, staff, claimed):
    assert claimed.title not in login(staff).get(staff_url("overdue")).content.decode()


def test_remind_from_the_workbench_notifies_the_claimer(login, staff, claimed, volunteer):
    login(staff).post(staff_url("remind", claimed.pk))
    assert Notice.objects.filter(user=volunteer, kind="remind").exists()


def test_staff_release_puts_the_wish_back_on_the_list(login, staff, claimed):
    login(staff).post(staff_url("release", claimed.pk), {"reason": "一个月没有联系居民"})
    claimed.refresh_from_db()
    assert claimed.status == Status.APPROVED


def test_staff_release_without_a_reason_is_refused(login, staff, claimed):
    response = login(staff).post(staff_url("release", claimed.pk), {"reason": ""})
    claimed.refresh_from_db()
    assert response.status_code == 400 and claimed.status == Status.CLAIMED


def test_sweep_releases_a_claim_untouched_for_30_days(claimed, volunteer):
    with time_machine.travel(datetime.timedelta(days=31)):
        report = sweep()
    claimed.refresh_from_db()
    assert report.released == [claimed.pk] and claimed.status == Status.APPROVED
    assert Notice.objects.filter(user=volunteer, kind="released").exists()


def test_sweep_records_the_system_as_the_actor(claimed):
    with time_machine.travel(datetime.timedelta(days=31)):
        sweep()
    event = claimed.events.order_by("created_at", "pk").last()
    assert (event.action, event.actor) == ("release", None)


def test_sweep_leaves_a_29_day_old_claim_alone(claimed):
    with time_machine.travel(datetime.timedelta(days=29)):
        report = sweep()
    assert report.released == []


def test_a_recent_reminder_postpones_the_automatic_release(claimed, staff):
    with time_machine.travel(datetime.timedelta(days=25)):
        claimed.remind(by=staff)
    with time_machine.travel(datetime.timedelta(days=31)):
        report = sweep()
    assert report.released == []


def test_sweep_withdraws_a_dispatch_nobody_answered(approved, staff, volunteer):
    approved.dispatch(by=staff, volunteer=volunteer)
    with time_machine.travel(datetime.timedelta(days=31)):
        report = sweep()
    approved.refresh_from_db()
    assert report.declined == [approved.pk] and approved.status == Status.APPROVED


def test_sweep_escalates_a_wish_unclaimed_for_30_days(approved, street_admin):
    with time_machine.travel(datetime.timedelta(days=31)):
        report = sweep()
    assert report.escalated == [approved.pk]
    assert Notice.objects.filter(user=street_admin, kind="escalated").exists()


def test_sweep_escalates_only_once(approved, street_admin):
    with time_machine.travel(datetime.timedelta(days=31)):
        sweep()
        second = sweep()
    assert second.escalated == []


def test_sweep_command_prints_what_it_did(claimed, capsys):
    with time_machine.travel(datetime.timedelta(days=31)):
        call_command("sweep_wishes")
    assert "released 1" in capsys.readouterr().out


# ----- volunteers --------------------------------------------------------------------------------


def test_pending_registration_is_listed(login, staff, pending_volunteer):
    page = login(staff).get(staff_url("volunteers")).content.decode()
    assert pending_volunteer.display_name in page


def test_approving_a_registration_lets_the_volunteer_claim(login, staff, pending_volunteer):
    registration = VolunteerRegistration.objects.get(volunteer__user=pending_volunteer)
    login(staff).post(staff_url("approve_volunteer", registration.pk))
    assert pending_volunteer.volunteer_communities().exists()
    assert Notice.objects.filter(user=pending_volunteer).exists()


def test_refusing_a_registration(login, staff, pending_volunteer):
    registration = VolunteerRegistration.objects.get(volunteer__user=pending_volunteer)
    login(staff).post(staff_url("refuse_volunteer", registration.pk))
    registration.refresh_from_db()
    assert registration.status == VolunteerRegistration.Status.REFUSED


def test_deciding_twice_changes_nothing(login, staff, pending_volunteer):
    registration = VolunteerRegistration.objects.get(volunteer__user=pending_volunteer)
    client = login(staff)
    client.post(staff_url("approve_volunteer", registration.pk))
    client.post(staff_url("refuse_volunteer", registration.pk))
    registration.refresh_from_db()
    assert registration.status == VolunteerRegistration.Status.APPROVED


# ----- confirm for a resident, follow-ups --------------------------------------------------------


@pytest.fixture
def fulfilled(community, staff, volunteer):
    return WishFactory(community=community, staff=staff, claimer=volunteer, fulfilled=True)


def test_staff_confirms_for_a_resident_without_a_phone(login, staff, fulfilled):
    login(staff).post(staff_url("confirm", fulfilled.pk), {"thanks": "老人说谢谢", "rating": "5"})
    fulfilled.refresh_from_db()
    assert fulfilled.status == Status.CONFIRMED
    assert fulfilled.events.get(action="confirm").actor.username == "staff_fuyang"


def test_follow_up_is_recorded_on_a_fulfilled_wish(login, staff, fulfilled):
    login(staff).post(
        staff_url("follow_up", fulfilled.pk),
        {
            "visited_on": "2026-11-20",
            "method": "visit",
            "satisfaction": "satisfied",
            "note": "轮椅用得很好",
        },
    )
    record = FollowUp.objects.get(wish=fulfilled)
    assert (record.note, record.visited_by.username) == ("轮椅用得很好", "staff_fuyang")


def test_follow_up_before_fulfilment_is_refused(login, staff, approved):
    response = login(staff).post(
        staff_url("follow_up", approved.pk),
        {"visited_on": "2026-11-20", "method": "visit", "note": "x"},
    )
    assert response.status_code == 409 and not FollowUp.objects.exists()


def test_wish_page_shows_follow_ups(login, staff, fulfilled):
    FollowUp.objects.create(wish=fulfilled, visited_by=staff, note="回访时老人精神很好")
    assert (
        "回访时老人精神很好" in login(staff).get(staff_url("wish", fulfilled.pk)).content.decode()
    )


def test_wish_page_query_count_is_small(login, staff, fulfilled, django_assert_max_num_queries):
    client = login(staff)
    with django_assert_max_num_queries(25):
        assert client.get(staff_url("wish", fulfilled.pk)).status_code == 200


# ----- the list of every wish --------------------------------------------------------------------


def test_wish_list_filters_by_status(login, staff, submitted, approved):
    page = login(staff).get(staff_url("wishes"), {"status": "approved"}).content.decode()
    assert approved.title in page and submitted.title not in page


def test_wish_list_finds_a_wish_by_residents_name(login, staff, submitted):
    page = login(staff).get(staff_url("wishes"), {"q": submitted.resident.name}).content.decode()
    assert submitted.title in page


def test_the_excel_export_sends_the_filter_as_it_stands_in_the_form(login, staff, submitted):
    """导出Excel submits the list's own form to the export, so dates typed but not yet applied
    with 筛选 are what the file holds — never every wish."""
    page = login(staff).get(staff_url("wishes"), {"status": "submitted"}).content.decode()
    start = page.index('role="search"')
    form = page[start : page.index("</form>", start)]
    assert f'formaction="{staff_url("export_wishes")}"' in form
    for name in ("status", "q", "submitted_from", "submitted_to"):
        assert f'name="{name}"' in form


def test_wish_list_never_shows_other_communities(login, staff, elsewhere):
    assert elsewhere.title not in login(staff).get(staff_url("wishes")).content.decode()


def test_review_queue_query_count_does_not_grow_with_the_wishes(
    login, staff, community, django_assert_max_num_queries
):
    client = login(staff)
    for _ in range(15):
        WishFactory(community=community)
    with django_assert_max_num_queries(14):
        response = client.get(staff_url("review"))
    assert len(response.context["items"]) == 15


def test_claims_page_pages_through_a_branchs_many_claims(login, community, staff, organisation):
    from tests.factories import make_volunteer

    member = make_volunteer(community, organisation=organisation)
    for _ in range(22):
        wish = WishFactory(community=community, staff=staff, approved=True)
        wish.claim(by=member, organisation=organisation)
    response = login(member).get(reverse("wishes:claims"))
    assert len(response.context["active"]) == 20
    assert response.context["page_obj"].paginator.count == 22
