"""Moves that concern someone else tell them: in the app, and by email when they have one."""

import pytest
from django.core import mail
from django.urls import reverse

from notices.models import Notice
from tests.factories import WishFactory, make_volunteer
from wishes.models import Claim


@pytest.fixture
def approved(community, staff):
    return WishFactory(community=community, staff=staff, approved=True)


def notices_for(user):
    return list(Notice.objects.filter(user=user).values_list("kind", flat=True))


def test_dispatch_tells_the_volunteer(approved, staff, volunteer):
    approved.dispatch(by=staff, volunteer=volunteer)
    assert notices_for(volunteer) == ["dispatched"]


def test_dispatch_to_an_organisation_tells_every_member(approved, staff, organisation, member):
    second = make_volunteer(approved.community, organisation=organisation)
    approved.dispatch(by=staff, organisation=organisation)
    assert notices_for(member) == notices_for(second) == ["dispatched"]


def test_decline_tells_the_staff_member_who_dispatched(approved, staff, volunteer):
    approved.dispatch(by=staff, volunteer=volunteer)
    approved.decline(by=volunteer, reason="这周出差")
    assert Notice.objects.get(user=staff, kind="declined").render().endswith("这周出差")


def test_staff_releasing_a_claim_tells_the_claimer(approved, staff, volunteer):
    approved.claim(by=volunteer)
    approved.release(by=staff, reason="两周没有联系居民")
    assert notices_for(volunteer) == ["released"]


def test_claimer_releasing_their_own_claim_gets_no_notice(approved, volunteer):
    approved.claim(by=volunteer)
    approved.release(by=volunteer, reason="临时出差")
    assert notices_for(volunteer) == []


def test_remind_tells_the_claimer_and_stamps_the_claim(approved, staff, volunteer):
    approved.claim(by=volunteer)
    approved.remind(by=staff)
    claim = Claim.objects.get(wish=approved)
    assert notices_for(volunteer) == ["remind"]
    assert claim.reminded_at is not None


def test_escalate_tells_the_street_admins(approved, staff, street_admin):
    approved.escalate(by=None)
    approved.refresh_from_db()
    assert notices_for(street_admin) == ["escalated"]
    assert approved.escalated_at is not None


def test_escalate_by_the_system_is_in_the_timeline(approved):
    event = approved.escalate(by=None)
    assert (event.action, event.actor, event.to_status) == ("escalate", None, "approved")


def test_notice_email_goes_out_only_after_commit(
    approved, staff, volunteer, django_capture_on_commit_callbacks
):
    volunteer.email = "volunteer@example.org"
    volunteer.save()
    with django_capture_on_commit_callbacks(execute=True):
        approved.dispatch(by=staff, volunteer=volunteer)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["volunteer@example.org"]


# ----- the notices page ------------------------------------------------------------------------


def test_notices_page_lists_my_notices(login, approved, staff, volunteer):
    approved.dispatch(by=staff, volunteer=volunteer)
    page = login(volunteer).get(reverse("notices:list")).content.decode()
    assert approved.title in page


def test_following_a_notice_marks_it_read(login, approved, staff, volunteer):
    approved.dispatch(by=staff, volunteer=volunteer)
    notice = Notice.objects.get(user=volunteer)
    login(volunteer).get(reverse("notices:open", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_unread_count_shows_in_the_navigation(login, approved, staff, volunteer):
    approved.dispatch(by=staff, volunteer=volunteer)
    page = login(volunteer).get(reverse("wishes:home")).content.decode()
    assert "1 条新通知" in page


def test_someone_elses_notices_are_not_shown(login, approved, staff, volunteer, claimer):
    approved.dispatch(by=staff, volunteer=volunteer)
    page = login(claimer).get(reverse("notices:list")).content.decode()
    assert approved.title not in page


def test_anonymous_notices_go_to_login(anon):
    response = anon.get(reverse("notices:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
