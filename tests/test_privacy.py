"""What a volunteer may see and do, and what they may not, around a resident's private data."""

import pytest
from django.urls import reverse

from accounts.models import VolunteerRegistration
from tests.factories import OrganisationFactory, WishFactory, make_volunteer
from wishes.lifecycle import Status, WishError


def detail(wish):
    return reverse("wishes:detail", args=[wish.pk])


@pytest.fixture
def claimed(community, resident, staff, volunteer):
    return WishFactory(
        community=community,
        resident=resident.resident,
        staff=staff,
        claimer=volunteer,
        claimed=True,
    )


@pytest.fixture
def stranger_claiming_membership(community, organisation):
    """Signed up naming 市税务局稽查局党支部; nobody has checked that yet."""
    return make_volunteer(community, organisation=organisation, status="pending")


def test_claimer_sees_a_masked_name_not_the_full_name(login, volunteer, claimed):
    page = login(volunteer).get(detail(claimed)).content.decode()
    assert claimed.masked_name in page and claimed.resident.name not in page


def test_claimer_reads_the_timeline_in_plain_words_without_staffs_remarks(
    login, staff, volunteer, claimed
):
    claimed.remind(by=staff, note="请尽快送达")
    claimed.release(by=staff, reason="志愿者李红梅多次失联，已记过")
    claimed.claim(by=volunteer)
    page = login(volunteer).get(detail(claimed)).content.decode()
    assert "请尽快送达" in page and "多次失联" not in page


def test_claimer_still_gets_phone_and_address(login, volunteer, claimed):
    page = login(volunteer).get(detail(claimed)).content.decode()
    assert claimed.resident.phone in page and claimed.resident.address in page


def test_other_member_of_the_claiming_branch_gets_no_contact(
    login, community, organisation, member, claimed, staff
):
    wish = WishFactory(community=community, staff=staff, approved=True)
    wish.claim(by=member, organisation=organisation)
    colleague = make_volunteer(community, organisation=organisation)
    page = login(colleague).get(detail(wish)).content.decode()
    assert wish.resident.phone not in page


def test_unconfirmed_member_cannot_see_the_branchs_claims(
    login, community, organisation, member, staff, stranger_claiming_membership
):
    wish = WishFactory(community=community, staff=staff, approved=True, public_consent=False)
    wish.claim(by=member, organisation=organisation)
    assert login(stranger_claiming_membership).get(detail(wish)).status_code == 404


def test_unconfirmed_member_cannot_accept_a_dispatch_to_the_branch(
    community, organisation, staff, stranger_claiming_membership
):
    wish = WishFactory(community=community, staff=staff, approved=True)
    wish.dispatch(by=staff, organisation=organisation)
    with pytest.raises(WishError) as refusal:
        wish.accept(by=stranger_claiming_membership)
    assert refusal.value.code == "forbidden"


def test_approving_the_registration_does_not_confirm_the_organisation(
    staff, organisation, stranger_claiming_membership
):
    registration = VolunteerRegistration.objects.get(volunteer__user=stranger_claiming_membership)
    registration.decide(by=staff, approve=True)
    stranger_claiming_membership.volunteer_profile.refresh_from_db()
    assert stranger_claiming_membership.organisation_ids() == []


def test_a_registration_is_decided_once(staff, pending_volunteer):
    registration = VolunteerRegistration.objects.get(volunteer__user=pending_volunteer)
    assert registration.decide(by=staff, approve=True) is True
    assert registration.decide(by=staff, approve=False) is False


def test_claiming_for_a_branch_not_registered_with_the_community_is_refused(community, staff):
    elsewhere_branch = OrganisationFactory()
    member = make_volunteer(community, organisation=elsewhere_branch)
    wish = WishFactory(community=community, staff=staff, approved=True)
    with pytest.raises(WishError) as refusal:
        wish.claim(by=member, organisation=elsewhere_branch)
    wish.refresh_from_db()
    assert refusal.value.code == "forbidden" and wish.status == Status.APPROVED
