"""Every step is told to whom it concerns, once, and to nobody else; delivered after commit by the
task worker, in each reader's language, retried when the mail server is down."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import StaffRole, User, VolunteerRegistration
from notices.digests import send_digests
from notices.messages import KINDS
from notices.models import Channels, Delivery, Digest, Notice, Preference
from notices.tasks import retry_due
from tests.factories import (
    GridFactory,
    ResidentFactory,
    UserFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from wishes.models import HandoverEvent, Wish
from wishes.upkeep import sweep


@pytest.fixture
def people(community, street, organisation):
    """Who may hear of a wish of 福阳社区's 明珠花园 grid, each with an e-mail address."""
    grid = GridFactory(community=community, name="明珠花园")
    resident = UserFactory(username="resident", email="resident@example.cn")
    person = ResidentFactory(community=community, grid=grid, user=resident)
    worker = UserFactory(username="grid_worker", email="grid@example.cn")
    StaffRole.objects.create(
        user=worker, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )
    return {
        "resident": resident,
        "person": person,
        "grid": grid,
        "staff": make_staff(community, username="staff", email="staff@example.cn"),
        "grid_worker": User.objects.get(pk=worker.pk),
        "street_admin": make_staff(street=street, username="street", email="street@example.cn"),
        "volunteer": make_volunteer(community, username="volunteer", email="v@example.cn"),
        "member": make_volunteer(
            community, organisation=organisation, username="member", email="m@example.cn"
        ),
        "bystander": make_volunteer(community, username="bystander", email="b@example.cn"),
    }


def told(people) -> dict[str, list[str]]:
    """Who has notices now, and of which kinds."""
    by_role = {}
    for role, user in people.items():
        if isinstance(user, User):
            kinds = list(
                Notice.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
            )
            if kinds:
                by_role[role] = kinds
    return by_role


def wish_for(people, **state) -> Wish:
    return WishFactory(
        community=people["person"].community,
        grid=people["grid"],
        resident=people["person"],
        staff=people["staff"],
        **state,
    )


def fresh(people):
    Notice.objects.all().delete()
    mail.outbox.clear()


# Each move of the life cycle (and each decision around it): the state it starts from, the move,
# and who must hear of it, with which kind. Nobody else may hear anything.
MOVES = {
    "approve": ({}, lambda w, p: w.approve(by=p["staff"]), {"resident": ["wish_approved"]}),
    "reject": (
        {},
        lambda w, p: w.reject(by=p["staff"], reason="不在服务范围"),
        {"resident": ["wish_rejected"]},
    ),
    "withdraw": ({}, lambda w, p: w.withdraw(by=p["resident"], reason="自己买到了"), {}),
    "edit": ({}, lambda w, p: w.edit(by=p["resident"], title="两袋大米"), {}),
    "claim": (
        {"approved": True},
        lambda w, p: w.claim(by=p["volunteer"]),
        {"resident": ["wish_claimed"]},
    ),
    "dispatch": (
        {"approved": True},
        lambda w, p: w.dispatch(by=p["staff"], volunteer=p["volunteer"]),
        {"volunteer": ["dispatched"]},
    ),
    "dispatch to the branch": (
        {"approved": True},
        lambda w, p: w.dispatch(
            by=p["staff"], organisation=p["member"].volunteer_profile.organisation
        ),
        {"member": ["dispatched"]},
    ),
    "accept": (
        {"dispatched": True, "claimer": "volunteer"},
        lambda w, p: w.accept(by=p["volunteer"]),
        {"resident": ["wish_claimed"]},
    ),
    "decline": (
        {"dispatched": True, "claimer": "volunteer"},
        lambda w, p: w.decline(by=p["volunteer"], reason="这周出差"),
        {"staff": ["declined"]},
    ),
    "release by the claimer": (
        {"claimed": True, "claimer": "volunteer"},
        lambda w, p: w.release(by=p["volunteer"], reason="临时出差"),
        {},
    ),
    "release by staff": (
        {"claimed": True, "claimer": "volunteer"},
        lambda w, p: w.release(by=p["staff"], reason="长期联系不上"),
        {"volunteer": ["released"]},
    ),
    "fulfil": (
        {"claimed": True, "claimer": "volunteer"},
        lambda w, p: w.fulfil(by=p["volunteer"], note="送到了"),
        {"resident": ["wish_fulfilled"]},
    ),
    "confirm": (
        {"fulfilled": True, "claimer": "volunteer"},
        lambda w, p: w.confirm(by=p["resident"], thanks="谢谢党员同志", rating=5),
        {"volunteer": ["thanked"]},
    ),
    "remind": (
        {"claimed": True, "claimer": "volunteer"},
        lambda w, p: w.remind(by=p["staff"], note="老人等着用"),
        {"volunteer": ["remind"]},
    ),
    "escalate": (
        {"approved": True},
        lambda w, p: w.escalate(by=None),
        {"street_admin": ["escalated"]},
    ),
    "close a claimed wish": (
        {"claimed": True, "claimer": "volunteer"},
        lambda w, p: w.close(by=p["staff"], reason="居民已搬离"),
        {"resident": ["wish_closed"], "volunteer": ["released"]},
    ),
}


@pytest.mark.parametrize("name", MOVES)
def test_each_move_tells_exactly_the_people_concerned_once(name, people):
    state, move, expected = MOVES[name]
    state = {key: people[value] if key == "claimer" else value for key, value in state.items()}
    wish = wish_for(people, **state)
    fresh(people)
    move(wish, people)
    assert told(people) == expected


@pytest.mark.parametrize("name", [name for name, (_s, _m, who) in MOVES.items() if who])
def test_each_notice_links_to_a_page_its_reader_may_open(name, people, client):
    state, move, _expected = MOVES[name]
    state = {key: people[value] if key == "claimer" else value for key, value in state.items()}
    wish = wish_for(people, **state)
    fresh(people)
    move(wish, people)
    for notice in Notice.objects.all():
        client.force_login(notice.user)
        response = client.get(reverse("notices:open", args=[notice.pk]), follow=True)
        assert response.status_code == 200, (notice.kind, notice.link())


def test_a_new_wish_is_told_to_the_staff_of_its_community_and_grid(people):
    fresh(people)
    wish_for(people)
    assert told(people) == {"staff": ["wish_submitted"], "grid_worker": ["wish_submitted"]}


def test_staff_hear_of_new_wishes_in_the_daily_digest_not_at_once(people):
    fresh(people)
    wish_for(people)
    assert mail.outbox == []
    assert set(Notice.objects.values_list("mode", flat=True)) == {Notice.Mode.DIGEST}


def test_a_resident_without_a_login_is_told_through_the_staff_who_entered_the_wish(
    people, community, client
):
    person = ResidentFactory(community=community, grid=people["grid"], user=None)
    wish = WishFactory(
        community=community, grid=people["grid"], resident=person, entered_by=people["grid_worker"]
    )
    fresh(people)
    wish.approve(by=people["staff"])
    notice = Notice.objects.get(kind="wish_approved")
    assert notice.user == people["grid_worker"] and person.name in notice.render()
    client.force_login(notice.user)
    assert client.get(notice.link()).status_code == 200


def test_approving_a_registration_tells_the_volunteer_wherever_it_is_decided(
    people, community, client
):
    pending = make_volunteer(community, status="pending", username="pending")
    registration = VolunteerRegistration.objects.get(volunteer__user=pending)
    client.force_login(people["staff"])
    client.post(reverse("staff:approve_volunteer", args=[registration.pk]))
    other = make_volunteer(community, status="pending", username="pending2")
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    client.post(
        reverse("admin:accounts_volunteerregistration_changelist"),
        {
            "action": "refuse_selected",
            "_selected_action": [VolunteerRegistration.objects.get(volunteer__user=other).pk],
        },
    )
    assert [n.params["approved"] for n in Notice.objects.filter(user=pending)] == [True]
    assert [n.params["approved"] for n in Notice.objects.filter(user=other)] == [False]


def test_attaching_a_wish_to_an_event_tells_its_claimer_when_and_where(people, community):
    wish = wish_for(people, claimed=True, claimer=people["volunteer"])
    start = timezone.now() + datetime.timedelta(days=2)
    event = HandoverEvent.objects.create(
        community=community,
        title="七一主题党日",
        place="党群服务中心",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    fresh(people)
    event.attach([wish])
    notice = Notice.objects.get(user=people["volunteer"])
    assert notice.kind == "event_attached" and "党群服务中心" in notice.render()
    assert notice.link() == reverse("wishes:event", args=[event.short_code])


def test_the_event_offers_a_calendar_file(people, community, client):
    start = timezone.now() + datetime.timedelta(days=2)
    event = HandoverEvent.objects.create(
        community=community,
        title="七一主题党日",
        place="党群服务中心",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    client.force_login(people["volunteer"])
    response = client.get(reverse("wishes:event_calendar", args=[event.short_code]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "七一主题党日" in body


def test_a_wish_left_unconfirmed_prompts_its_staff_once(people, settings):
    wish = wish_for(people, fulfilled=True, claimer=people["volunteer"])
    fresh(people)
    later = timezone.now() + datetime.timedelta(days=settings.WISH_CONFIRM_REMIND_DAYS + 1)
    sweep(later)
    sweep(later)
    assert told(people) == {
        "staff": ["awaiting_confirmation"],
        "grid_worker": ["awaiting_confirmation"],
    }
    assert Notice.objects.filter(wish=wish).count() == 2


# ----- delivery ------------------------------------------------------------------------------


def test_nothing_is_told_when_the_move_rolls_back(people, django_capture_on_commit_callbacks):
    wish = wish_for(people, approved=True)
    fresh(people)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
        raise RuntimeError("something else failed")
    assert not Notice.objects.exists() and mail.outbox == []


def test_mail_goes_after_commit_one_message_per_recipient(
    people, organisation, django_capture_on_commit_callbacks
):
    make_volunteer(people["person"].community, organisation=organisation, email="second@example.cn")
    wish = wish_for(people, approved=True)
    fresh(people)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        wish.dispatch(by=people["staff"], organisation=organisation)
    assert mail.outbox == []  # nothing inside the transaction
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mail.outbox) == ["m@example.cn", "second@example.cn"]
    assert all(len(message.to) == 1 for message in mail.outbox)


def test_each_reader_gets_the_mail_in_their_own_language(
    people, organisation, django_capture_on_commit_callbacks
):
    member = people["member"]
    member.language = "en"
    member.save()
    chinese = make_volunteer(
        people["person"].community, organisation=organisation, email="zh@example.cn"
    )
    wish = wish_for(people, approved=True)
    fresh(people)
    with django_capture_on_commit_callbacks(execute=True):
        wish.dispatch(by=people["staff"], organisation=organisation)
    by_address = {message.to[0]: message for message in mail.outbox}
    with translation.override("en"):
        english = KINDS["dispatched"].subject
    with translation.override("zh-hans"):
        zh = KINDS["dispatched"].subject
    assert english != zh
    assert by_address["m@example.cn"].subject == english
    assert by_address[chinese.email].subject == zh


def test_the_mail_has_a_plain_and_an_html_part_with_a_link_back(
    people, django_capture_on_commit_callbacks
):
    wish = wish_for(people, approved=True)
    fresh(people)
    with django_capture_on_commit_callbacks(execute=True):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    message = mail.outbox[0]
    notice = Notice.objects.get(user=people["volunteer"])
    link = "http://testserver" + reverse("notices:open", args=[notice.pk])
    assert link in message.body
    html, content_type = message.alternatives[0]
    assert content_type == "text/html" and link in html


class FailingMail:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")

    def open(self):
        pass

    def close(self):
        pass


FAILING = {"default": {"BACKEND": "tests.test_notifications.FailingMail"}}


def test_a_mail_outage_leaves_the_move_done_and_the_delivery_waiting_to_try_again(
    people, django_capture_on_commit_callbacks
):
    wish = wish_for(people, approved=True)
    fresh(people)
    with override_settings(MAILERS=FAILING), django_capture_on_commit_callbacks(execute=True):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    wish.refresh_from_db()
    delivery = Delivery.objects.get()
    assert wish.status == Wish.Status.DISPATCHED
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "mail server is down" in delivery.last_error


def test_a_waiting_delivery_is_sent_once_the_mail_server_is_back(
    people, django_capture_on_commit_callbacks
):
    wish = wish_for(people, approved=True)
    fresh(people)
    with override_settings(MAILERS=FAILING), django_capture_on_commit_callbacks(execute=True):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    assert retry_due(timezone.now()) == 0  # the pause is not over yet
    assert retry_due(timezone.now() + datetime.timedelta(minutes=2)) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, len(mail.outbox)) == (Delivery.Status.SENT, 2, 1)


def test_after_the_last_try_the_delivery_is_marked_failed(
    people, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_MAX_ATTEMPTS = 2
    wish = wish_for(people, approved=True)
    fresh(people)
    with override_settings(MAILERS=FAILING):
        with django_capture_on_commit_callbacks(execute=True):
            wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
        retry_due(timezone.now() + datetime.timedelta(minutes=2))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 2)


# ----- preferences and digests ---------------------------------------------------------------


def test_in_app_only_sends_no_mail(people, django_capture_on_commit_callbacks):
    Preference.objects.create(user=people["volunteer"], kind="dispatched", mode="in_app")
    wish = wish_for(people, approved=True)
    fresh(people)
    with django_capture_on_commit_callbacks(execute=True):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    assert Notice.objects.filter(user=people["volunteer"]).exists() and mail.outbox == []


def test_a_person_who_turned_mail_off_gets_none(people, django_capture_on_commit_callbacks):
    Channels.objects.create(user=people["volunteer"], email=False)
    wish = wish_for(people, approved=True)
    fresh(people)
    with django_capture_on_commit_callbacks(execute=True):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    assert mail.outbox == []


def test_sms_goes_through_the_sms_backend(
    people, caplog, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "notices.channels.LoggingSmsBackend"  # the default outside tests
    Channels.objects.create(user=people["volunteer"], email=False, sms=True)
    wish = wish_for(people, approved=True)
    fresh(people)
    with (
        caplog.at_level("INFO", logger="notices.channels"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    delivery = Delivery.objects.get()
    assert delivery.channel == "sms" and delivery.status == Delivery.Status.SENT
    assert any("SMS to" in record.message for record in caplog.records)


def test_a_digest_collects_the_days_notices_in_one_mail(people, django_capture_on_commit_callbacks):
    fresh(people)
    wish_for(people)
    wish_for(people)
    with django_capture_on_commit_callbacks(execute=True):
        made = send_digests()
    to_staff = [message for message in mail.outbox if message.to == ["staff@example.cn"]]
    assert made == 2  # staff and the grid worker
    assert len(to_staff) == 1 and to_staff[0].body.count("有新心愿待审核") == 2


def test_digests_are_sent_once_a_day_however_often_the_command_runs(
    people, django_capture_on_commit_callbacks
):
    fresh(people)
    wish_for(people)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
        call_command("send_digests")
    assert Digest.objects.count() == 2 and len(mail.outbox) == 2


def test_a_notice_after_todays_digest_waits_for_tomorrows(people):
    fresh(people)
    wish_for(people)
    send_digests()
    wish_for(people)
    assert send_digests() == 0
    assert send_digests(timezone.now() + datetime.timedelta(days=1)) == 2


def test_choosing_the_digest_holds_back_immediate_mail(people, django_capture_on_commit_callbacks):
    Preference.objects.create(user=people["volunteer"], kind="dispatched", mode="digest")
    wish = wish_for(people, approved=True)
    fresh(people)
    with django_capture_on_commit_callbacks(execute=True):
        wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        send_digests()
    assert [message.to for message in mail.outbox] == [["v@example.cn"]]


def test_the_preferences_page_saves_each_choice(people, client):
    client.force_login(people["volunteer"])
    page = client.get(reverse("notices:settings"))
    data = {field.html_name: field.initial for field in page.context["form"].kind_fields()}
    data |= {"kind_dispatched": "digest", "email": "on"}
    client.post(reverse("notices:settings"), data)
    assert Preference.objects.get(user=people["volunteer"], kind="dispatched").mode == "digest"


# ----- the notices page ----------------------------------------------------------------------


def test_unread_notices_come_first(people, client):
    first = wish_for(people, approved=True)
    first.dispatch(by=people["staff"], volunteer=people["volunteer"])
    older = Notice.objects.get(user=people["volunteer"])
    second = wish_for(people, approved=True)
    second.dispatch(by=people["staff"], volunteer=people["volunteer"])
    Notice.objects.exclude(pk=older.pk).filter(user=people["volunteer"]).update(
        read_at=timezone.now()
    )
    client.force_login(people["volunteer"])
    listed = list(client.get(reverse("notices:list")).context["notices"])
    assert listed[0].pk == older.pk


def test_marking_all_read_clears_the_badge(people, client):
    wish = wish_for(people, approved=True)
    wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    client.force_login(people["volunteer"])
    client.post(reverse("notices:read_all"))
    page = client.get(reverse("notices:list")).content.decode()
    assert not Notice.objects.filter(user=people["volunteer"], read_at=None).exists()
    assert "条未读" not in page


def test_the_resident_confirms_from_the_notice_in_one_tap(people, client):
    wish = wish_for(people, claimed=True, claimer=people["volunteer"])
    wish.fulfil(by=people["volunteer"], note="送到了")
    client.force_login(people["resident"])
    page = client.get(reverse("notices:list")).content.decode()
    assert reverse("wishes:confirm", args=[wish.pk]) in page
    client.post(reverse("wishes:confirm", args=[wish.pk]))
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CONFIRMED


def test_switching_the_language_is_remembered_for_notices(people, client):
    client.force_login(people["volunteer"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    people["volunteer"].refresh_from_db()
    assert people["volunteer"].language == "en"


# ----- the production worker -----------------------------------------------------------------


WORKER = ["--batch", "--no-startup-delay", "--no-reload", "--backend", "database"]


@pytest.fixture
def database_worker():
    """Tasks go to the database, for the production worker (`manage.py db_worker`)."""
    from django.tasks import task_backends

    task_backends["default"] = task_backends["database"]
    yield
    del task_backends["default"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_try_is_queued_again_for_later_with_the_worker(people, database_worker):
    from django_tasks_db.models import DBTaskResult

    wish = wish_for(people, approved=True)
    fresh(people)
    DBTaskResult.objects.all().delete()  # the approval's notice to the resident, not tried here
    wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    with override_settings(MAILERS=FAILING):
        call_command("db_worker", *WORKER)
    waiting = DBTaskResult.objects.filter(status="READY").get()
    assert waiting.run_after > timezone.now() + datetime.timedelta(seconds=50)
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_the_database_worker_delivers_a_queued_notice_end_to_end(people, database_worker):
    wish = wish_for(people, approved=True)
    fresh(people)
    wish.dispatch(by=people["staff"], volunteer=people["volunteer"])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and mail.outbox == []
    call_command("db_worker", *WORKER)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and mail.outbox[0].to == ["v@example.cn"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_residents_notice_of_a_claim(people, database_worker):
    from django_tasks_db.models import DBTaskResult

    wish = wish_for(people, approved=True)
    call_command("db_worker", *WORKER)  # the approval's notice
    fresh(people)
    wish.claim(by=people["volunteer"])
    # The claim wrote one task, not the notice: the resident hears once the worker runs.
    assert not Notice.objects.exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", *WORKER)
    notice = Notice.objects.get()
    assert (notice.user, notice.kind, notice.wish) == (people["resident"], "wish_claimed", wish)
    assert notice.params["who"] == str(people["volunteer"])
    assert mail.outbox[0].to == [people["resident"].email]


@pytest.mark.django_db(transaction=True)
def test_a_move_that_rolls_back_queues_no_notice_for_the_resident(people, database_worker):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    wish = wish_for(people, approved=True)
    fresh(people)
    DBTaskResult.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        wish.claim(by=people["volunteer"])
        raise RuntimeError("the request failed after the claim")
    assert not DBTaskResult.objects.exists()
    call_command("db_worker", *WORKER)
    assert not Notice.objects.exists()


def test_the_table_above_covers_every_move_of_the_life_cycle():
    from wishes.lifecycle import MOVES as LIFE_CYCLE

    covered = {name.split()[0] for name in MOVES}
    assert set(LIFE_CYCLE) <= covered, set(LIFE_CYCLE) - covered
