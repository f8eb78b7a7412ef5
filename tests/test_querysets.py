"""Who sees which wishes: `visible_to` and `managed_by`, and how names are masked."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Resident, mask_name
from tests.factories import (
    CommunityFactory,
    ResidentFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from wishes import policy
from wishes.models import Wish


def visible(user) -> set[int]:
    return set(Wish.objects.visible_to(user).values_list("pk", flat=True))


def managed(user) -> set[int]:
    return set(Wish.objects.managed_by(user).values_list("pk", flat=True))


@pytest.fixture
def neighbour_community(street):
    """A second community in 向阳街道, beside 福阳社区."""
    return CommunityFactory(street=street, name="明珠社区")


@pytest.fixture
def wishes(community, neighbour_community, other_community, resident, staff, claimer):
    """One wish per situation that matters for visibility, named for what sets it apart."""
    return {
        "published": WishFactory(community=community, staff=staff, approved=True),
        "published_private": WishFactory(
            community=community, staff=staff, approved=True, public_consent=False
        ),
        "submitted": WishFactory(community=community),
        "rejected": WishFactory(community=community, staff=staff, rejected=True),
        "own_submitted": WishFactory(community=community, resident=resident.resident),
        "claimed_by_claimer": WishFactory(
            community=community, staff=staff, claimer=claimer, claimed=True
        ),
        "neighbour_submitted": WishFactory(community=neighbour_community),
        "elsewhere_submitted": WishFactory(community=other_community),
        "elsewhere_published": WishFactory(community=other_community, approved=True),
    }


def pks(wishes, *names) -> set[int]:
    return {wishes[name].pk for name in names}


# ----- visible_to -------------------------------------------------------------------------


def test_anonymous_visitor_sees_only_published_wishes_with_public_consent(wishes):
    assert visible(AnonymousUser()) == pks(wishes, "published", "elsewhere_published")


def test_resident_sees_own_wishes_and_published_ones_with_consent(wishes, resident):
    assert visible(resident) == pks(wishes, "published", "elsewhere_published", "own_submitted")


def test_approved_volunteer_sees_the_communitys_wishes_without_consent(wishes, volunteer):
    assert wishes["published_private"].pk in visible(volunteer)


def test_pending_volunteer_does_not_see_wishes_without_consent(wishes, pending_volunteer):
    assert wishes["published_private"].pk not in visible(pending_volunteer)


def test_approved_volunteer_of_another_community_does_not_see_them(wishes, other_community):
    elsewhere = make_volunteer(other_community)
    assert wishes["published_private"].pk not in visible(elsewhere)


def test_resident_does_not_see_another_residents_submitted_wish(wishes, other_resident):
    assert wishes["submitted"].pk not in visible(other_resident)


def test_volunteer_sees_the_wishes_they_claimed(wishes, claimer):
    assert wishes["claimed_by_claimer"].pk in visible(claimer)


def test_volunteer_does_not_see_another_volunteers_claim(wishes, volunteer):
    assert wishes["claimed_by_claimer"].pk not in visible(volunteer)


def test_a_wish_given_up_and_closed_is_no_longer_the_volunteers(community, staff, claimer):
    wish = WishFactory(community=community, staff=staff, claimer=claimer, claimed=True)
    wish.release(by=claimer, reason="临时出差")
    wish.close(by=staff, reason="居民已搬离本社区")
    assert wish.pk not in visible(claimer)


def test_a_wish_given_up_and_closed_still_reaches_its_taken_page(community, staff, claimer):
    wish = WishFactory(community=community, staff=staff, claimer=claimer, claimed=True)
    wish.release(by=claimer, reason="临时出差")
    wish.close(by=staff, reason="居民已搬离本社区")
    assert policy.wishes.reachable(claimer).filter(pk=wish.pk).exists()


def test_staff_sees_every_status_of_their_own_community(wishes, staff):
    assert visible(staff) >= pks(
        wishes, "submitted", "rejected", "own_submitted", "claimed_by_claimer"
    )


def test_staff_does_not_see_another_communitys_unpublished_wishes(wishes, staff):
    assert visible(staff).isdisjoint(pks(wishes, "neighbour_submitted", "elsewhere_submitted"))


def test_street_admin_sees_every_community_of_their_street(wishes, street_admin):
    assert visible(street_admin) >= pks(wishes, "submitted", "neighbour_submitted")


def test_street_admin_does_not_see_another_streets_unpublished_wishes(wishes, street_admin):
    assert wishes["elsewhere_submitted"].pk not in visible(street_admin)


def test_superuser_sees_everything(wishes, superuser):
    assert visible(superuser) == {wish.pk for wish in wishes.values()}


def test_staff_who_entered_a_wish_elsewhere_do_not_keep_seeing_it(staff, other_community):
    # Access follows the role someone holds now, not what they once did.
    wish = WishFactory(community=other_community, entered_by=staff)
    assert wish.pk not in visible(staff)


def test_organisation_member_sees_a_wish_dispatched_to_their_organisation(
    community, staff, organisation, member
):
    wish = WishFactory(community=community, staff=staff, approved=True)
    wish.dispatch(by=staff, organisation=organisation)
    assert wish.pk in visible(member)


def test_non_member_does_not_see_a_wish_dispatched_to_an_organisation(
    community, staff, organisation, volunteer
):
    wish = WishFactory(community=community, staff=staff, approved=True)
    wish.dispatch(by=staff, organisation=organisation)
    assert wish.pk not in visible(volunteer)


def test_visible_to_lists_each_wish_once_despite_several_claims(community, staff, claimer):
    wish = WishFactory(community=community, staff=staff, claimer=claimer, claimed=True)
    wish.release(by=claimer, reason="临时出差")
    wish.claim(by=claimer)
    assert list(Wish.objects.visible_to(claimer).filter(pk=wish.pk)) == [wish]


# ----- managed_by -------------------------------------------------------------------------


def test_staff_manages_their_own_community_only(wishes, staff):
    assert managed(staff) == pks(
        wishes,
        "published",
        "published_private",
        "submitted",
        "rejected",
        "own_submitted",
        "claimed_by_claimer",
    )


def test_street_admin_manages_every_community_of_their_street(wishes, street_admin, staff):
    assert managed(street_admin) == managed(staff) | pks(wishes, "neighbour_submitted")


def test_superuser_manages_everything(wishes, superuser):
    assert managed(superuser) == {wish.pk for wish in wishes.values()}


def test_volunteer_manages_nothing(wishes, volunteer):
    assert managed(volunteer) == set()


def test_anonymous_visitor_manages_nothing(wishes):
    assert managed(AnonymousUser()) == set()


def test_inactive_staff_manages_nothing(wishes, community):
    former = make_staff(community, is_active=False)
    assert managed(former) == set()


def test_published_lists_only_approved_wishes(wishes):
    assert set(Wish.objects.published().values_list("pk", flat=True)) == pks(
        wishes, "published", "published_private", "elsewhere_published"
    )


def test_open_leaves_out_rejected_wishes(wishes):
    assert wishes["rejected"].pk not in set(Wish.objects.open().values_list("pk", flat=True))


# ----- masked names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "gender", "masked"),
    [
        ("张三丰", Resident.Gender.UNKNOWN, "张**"),
        ("张三", Resident.Gender.UNKNOWN, "张*"),
        ("张", Resident.Gender.UNKNOWN, "张*"),
        ("王秀英", Resident.Gender.FEMALE, "王女士"),
        ("李建国", Resident.Gender.MALE, "李先生"),
        (" 张三丰 ", Resident.Gender.UNKNOWN, "张**"),
        ("", Resident.Gender.FEMALE, "**"),
    ],
)
def test_mask_name_keeps_only_the_surname(name, gender, masked):
    assert mask_name(name, gender) == masked


def test_wish_shows_its_residents_masked_name(community):
    person = ResidentFactory(community=community, name="王秀英", gender=Resident.Gender.FEMALE)
    assert WishFactory(community=community, resident=person).masked_name == "王女士"


def test_collective_wish_has_no_person_behind_its_name(community):
    wish = WishFactory(community=community, resident=None, kind=Wish.Kind.COLLECTIVE)
    assert wish.masked_name == "社区居民"


def test_compound_surname_stays_whole_when_masked():
    assert mask_name("欧阳修") == "欧阳*"


def test_compound_surname_with_gender_gets_a_title():
    assert mask_name("司马光", Resident.Gender.MALE) == "司马先生"


@pytest.mark.parametrize("who", ["anon", "resident", "volunteer", "staff", "other_staff"])
def test_listed_to_is_the_published_individual_part_of_visible_to(who, wishes, request):
    user = AnonymousUser() if who == "anon" else request.getfixturevalue(who)
    listed = set(Wish.objects.listed_to(user).values_list("pk", flat=True))
    published = Wish.objects.visible_to(user).published().filter(kind=Wish.Kind.INDIVIDUAL)
    assert listed == set(published.values_list("pk", flat=True))
