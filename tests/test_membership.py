"""Who belongs to an organisation is decided for it, by its liaison or by staff of a community it
registered with — and a volunteer who names another organisation starts afresh."""

import pytest
from django.urls import reverse

from accounts.models import VolunteerProfile
from audit.models import AuditEntry
from notices.models import Notice
from tests.factories import OrganisationFactory, UserFactory, make_volunteer


@pytest.fixture
def applicant(community, organisation):
    """Approved for 福阳社区; says they belong to 市税务局稽查局党支部; nobody has checked."""
    user = make_volunteer(community, organisation=organisation)
    VolunteerProfile.objects.filter(user=user).update(organisation_confirmed=False)
    return user


@pytest.fixture
def liaison(organisation):
    person = UserFactory(username="liaison")
    organisation.liaisons.add(person)
    return person


def confirm(client, organisation, user):
    profile = user.volunteer_profile
    return client.post(reverse("communities:confirm_member", args=[organisation.pk, profile.pk]))


def test_the_liaison_confirms_a_member(login, liaison, organisation, applicant):
    confirm(login(liaison), organisation, applicant)
    assert applicant.organisation_ids() == [organisation.pk]


def test_a_confirmation_is_recorded_and_told_to_the_volunteer(
    login, liaison, organisation, applicant
):
    confirm(login(liaison), organisation, applicant)
    assert AuditEntry.objects.filter(
        actor=liaison, action=AuditEntry.Action.MEMBERSHIP_CONFIRMED
    ).exists()
    assert "已确认您是本单位成员" in Notice.objects.get(user=applicant).render()


def test_refusing_clears_the_named_organisation(login, liaison, organisation, applicant):
    profile = applicant.volunteer_profile
    login(liaison).post(reverse("communities:refuse_member", args=[organisation.pk, profile.pk]))
    profile.refresh_from_db()
    assert profile.organisation is None and not profile.organisation_confirmed


def test_a_liaison_of_another_organisation_gets_404(login, organisation, applicant):
    other = UserFactory()
    OrganisationFactory().liaisons.add(other)
    assert confirm(login(other), organisation, applicant).status_code == 404


def test_the_members_page_is_403_for_someone_responsible_for_no_organisation(login, volunteer):
    assert login(volunteer).get(reverse("communities:organisations")).status_code == 403


def test_naming_another_organisation_starts_its_confirmation_afresh(login, member, organisation):
    other = OrganisationFactory(name="市司法局党支部")
    login(member).post(reverse("accounts:change_organisation"), {"organisation": other.pk})
    profile = VolunteerProfile.objects.get(user=member)
    assert (profile.organisation, profile.organisation_confirmed) == (other, False)


def test_a_resident_without_a_volunteer_profile_gets_403(login, resident):
    response = login(resident).post(reverse("accounts:change_organisation"), {})
    assert response.status_code == 403
