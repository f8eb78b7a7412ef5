"""History cannot be rewritten: the timeline, the access log and the record of service-hours
changes refuse UPDATE and DELETE in PostgreSQL itself (pgtrigger), and in the models; nothing
cascades into them; erasure anonymises the timeline's notes and nothing else."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from audit.records import record
from outcomes.models import ServiceHours, ServiceHoursChange
from tests.factories import UserFactory, WishFactory
from wishes.lifecycle import WishError
from wishes.models import HandoverEvent, Wish, WishEvent
from wishes.privacy import erase_resident

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the triggers live in PostgreSQL; run with DATABASE_URL=postgres://…",
)


def url(name, *args):
    return reverse(name, args=args)


@pytest.fixture
def wish(community, staff, volunteer):
    return WishFactory(community=community, staff=staff, claimer=volunteer, claimed=True)


@pytest.fixture
def event(wish):
    return wish.events.order_by("pk").last()


@pytest.fixture
def entry(staff, wish):
    return record(staff, AuditEntry.Action.CONTACT_VIEWED, resident=wish.resident, how="staff")


@pytest.fixture
def hours_change(community, staff, volunteer):
    start = timezone.now() - datetime.timedelta(days=1)
    handover = HandoverEvent.objects.create(
        community=community,
        title="重阳节集中兑现",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="社区服务中心",
        created_by=staff,
    )
    handover.add_attendee(volunteer, by=staff)
    return ServiceHoursChange.objects.get(entry__volunteer=volunteer)


def refused_by_the_database(run) -> bool:
    """True when PostgreSQL refuses the statement (inside a savepoint, so the test goes on)."""
    try:
        with transaction.atomic():
            run()
    except DatabaseError as error:
        return "pgtrigger" in str(error)
    return False


# ----- PostgreSQL refuses UPDATE and DELETE ----------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"note": "改写过的说明"},
        {"to_status": Wish.Status.CONFIRMED},
        {"actor": None},
        {"created_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
    ],
    ids=["note", "to_status", "actor", "created_at"],
)
@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_a_queryset_update_of_a_timeline_event(event, change):
    assert refused_by_the_database(lambda: WishEvent.objects.filter(pk=event.pk).update(**change))


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_a_queryset_delete_of_the_timeline(wish):
    assert refused_by_the_database(lambda: WishEvent.objects.filter(wish=wish).delete())
    assert wish.events.count() >= 3


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_raw_sql_on_the_timeline(event):
    table = WishEvent._meta.db_table

    def raw(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])

        return run

    assert refused_by_the_database(raw(f"UPDATE {table} SET action = 'approve' WHERE id = %s"))
    assert refused_by_the_database(raw(f"DELETE FROM {table} WHERE id = %s"))


@needs_postgres
@pytest.mark.postgres
def test_postgres_allows_blanking_a_timeline_note_and_nothing_more(community, staff):
    """The one change erasure makes: a note emptied, every other column as it was."""
    rejected = WishFactory(community=community, staff=staff, rejected=True)
    noted = rejected.events.get(action="reject", note="不在本社区服务范围")
    WishEvent.objects.filter(pk=noted.pk).update(note="")
    assert WishEvent.objects.get(pk=noted.pk).note == ""
    assert refused_by_the_database(
        lambda: WishEvent.objects.filter(pk=noted.pk).update(note="", action="approve")
    )


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_the_access_log(entry):
    rows = AuditEntry.objects.filter(pk=entry.pk)
    assert refused_by_the_database(lambda: rows.update(reason="没有这回事"))
    assert refused_by_the_database(lambda: rows.update(actor=None))
    assert refused_by_the_database(lambda: rows.delete())


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_update_and_delete_of_service_hours_changes(hours_change):
    rows = ServiceHoursChange.objects.filter(pk=hours_change.pk)
    assert refused_by_the_database(lambda: rows.update(what="记入24小时"))
    assert refused_by_the_database(lambda: rows.delete())


@needs_postgres
@pytest.mark.postgres
def test_the_triggers_are_installed(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%%'")
        names = {name for (name,) in cursor.fetchall()}
    expected = {
        "append_only_update",
        "append_only_delete",
    }
    for stem in expected:
        assert sum(stem in name for name in names) == 3, names


# ----- the models refuse too, on every database ----------------------------------------------


def test_a_saved_timeline_event_cannot_be_saved_again(event):
    event.note = "改过"
    with pytest.raises(WishError):
        event.save()


def test_an_access_log_entry_cannot_be_changed_or_deleted(entry):
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_a_service_hours_change_cannot_be_changed_or_deleted(hours_change):
    hours_change.what = "记入24小时"
    with pytest.raises(ValueError):
        hours_change.save()
    with pytest.raises(ValueError):
        hours_change.delete()
    assert ServiceHoursChange.objects.get(pk=hours_change.pk).what != "记入24小时"


# ----- nothing cascades into history ----------------------------------------------------------


def test_a_wish_with_a_timeline_cannot_be_deleted(wish):
    with pytest.raises(ProtectedError):
        wish.delete()
    assert WishEvent.objects.filter(wish=wish).exists()


def test_a_user_who_acted_cannot_be_deleted_out_of_the_timeline(wish, staff):
    with pytest.raises(ProtectedError):
        staff.delete()
    assert wish.events.filter(actor=staff).exists()


def test_a_user_in_the_access_log_cannot_be_deleted_out_of_it(entry, staff):
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=staff.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_id == staff.pk


def test_a_user_without_history_can_still_be_deleted(db):
    bystander = UserFactory(username="bystander")
    bystander.delete()
    assert not User.objects.filter(username="bystander").exists()


def test_the_admin_explains_why_a_wish_cannot_be_deleted(login, superuser, wish):
    response = login(superuser).post(url("admin:wishes_wish_delete", wish.pk), {"post": "yes"})
    assert response.status_code == 200
    assert Wish.objects.filter(pk=wish.pk).exists()


def test_the_admin_bulk_delete_of_wishes_is_refused_without_a_500(login, superuser, wish):
    response = login(superuser).post(
        url("admin:wishes_wish_changelist"),
        {"action": "delete_selected", "_selected_action": [wish.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert Wish.objects.filter(pk=wish.pk).exists()


def test_the_admin_explains_why_a_user_who_acted_cannot_be_deleted(login, superuser, wish, staff):
    response = login(superuser).post(url("admin:accounts_user_delete", staff.pk), {"post": "yes"})
    assert response.status_code == 200
    assert User.objects.filter(pk=staff.pk).exists()


# ----- erasure anonymises, it does not delete or rewrite --------------------------------------


def test_erasure_keeps_every_timeline_event_and_blanks_only_the_notes(wish, staff):
    before = list(wish.events.order_by("pk").values_list("pk", "action", "actor", "created_at"))
    erase_resident(wish.resident, by=staff, reason="居民本人申请")
    after = list(wish.events.order_by("pk").values_list("pk", "action", "actor", "created_at"))
    assert after == before
    assert not wish.events.exclude(note="").exists()


def test_erasure_leaves_the_access_log_as_it_was(wish, staff, entry):
    erase_resident(wish.resident, by=staff, reason="居民本人申请")
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.actor_id, kept.resident_id, kept.action) == (
        staff.pk,
        wish.resident_id,
        AuditEntry.Action.CONTACT_VIEWED,
    )


# ----- taking back an event's hours leaves a record ---------------------------------------


def test_removing_an_attendance_withdraws_the_hours_on_record(community, staff, hours_change):
    credit = hours_change.entry
    credit.event.remove_attendee(credit.event.attendances.get(), by=staff)
    credit.refresh_from_db()
    assert credit.status == ServiceHours.Status.REJECTED
    assert list(credit.changes.values_list("by", flat=True)) == [staff.pk, staff.pk]


def test_signing_in_again_credits_the_withdrawn_hours_again(staff, volunteer, hours_change):
    handover = hours_change.entry.event
    handover.remove_attendee(handover.attendances.get(), by=staff)
    handover.add_attendee(volunteer, by=staff)
    credit = ServiceHours.objects.get(volunteer=volunteer, event=handover)
    assert credit.status == ServiceHours.Status.APPROVED and credit.changes.count() == 3
