"""Factories for every model. Wishes in later states are driven through the life-cycle
methods, so each one carries a real timeline: `WishFactory(claimed=True)`."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration
from communities.models import Community, Grid, Organisation, Street
from wishes.models import Category, Claim, Wish, WishEvent

PASSWORD = "test-pass-123"


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试街道{n}")


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")
    address = factory.Faker("address", locale="zh_CN")


class GridFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试单位{n}党支部")
    kind = Organisation.Kind.PARTY_BRANCH

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.add(*extracted)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class StaffRoleFactory(DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    role = StaffRole.Role.COMMUNITY_STAFF
    community = factory.SubFactory(CommunityFactory)

    class Params:
        street_admin = factory.Trait(
            role=StaffRole.Role.STREET_ADMIN,
            community=None,
            street=factory.SubFactory(StreetFactory),
        )


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Faker("name", locale="zh_CN")
    gender = Resident.Gender.FEMALE
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    community = factory.SubFactory(CommunityFactory)
    address = factory.Faker("street_address", locale="zh_CN")
    situation = Resident.Situation.LOW_INCOME
    situation_detail = "低保户，独自照顾患病的老伴"


class VolunteerProfileFactory(DjangoModelFactory):
    class Meta:
        model = VolunteerProfile

    user = factory.SubFactory(UserFactory)
    is_party_member = True


class VolunteerRegistrationFactory(DjangoModelFactory):
    class Meta:
        model = VolunteerRegistration

    volunteer = factory.SubFactory(VolunteerProfileFactory)
    community = factory.SubFactory(CommunityFactory)
    status = VolunteerRegistration.Status.APPROVED


def make_volunteer(community, *, organisation=None, status="approved", **user_fields) -> User:
    """A user with a volunteer profile registered (双报到) with `community`.

    An approved volunteer's organisation counts as confirmed, as staff confirm it on approval.
    """
    profile = VolunteerProfileFactory(
        user=UserFactory(**user_fields),
        organisation=organisation,
        organisation_confirmed=organisation is not None and status == "approved",
    )
    VolunteerRegistrationFactory(volunteer=profile, community=community, status=status)
    return profile.user


def make_staff(community=None, *, street=None, **user_fields) -> User:
    if street is not None:
        role = StaffRoleFactory(user=UserFactory(**user_fields), street_admin=True, street=street)
    else:
        role = StaffRoleFactory(user=UserFactory(**user_fields), community=community)
    return User.objects.get(pk=role.user_id)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["name"]

    name = "生活物资"
    help_text = "米面油等日常生活用品"


STATES = [
    "approved",
    "dispatched",
    "claimed",
    "fulfilled",
    "confirmed",
    "rejected",
    "withdrawn",
    "closed",
]


class WishFactory(DjangoModelFactory):
    """A wish as `Wish.submit` makes it, then moved along by the life-cycle methods.

    `WishFactory(claimed=True)` (or approved, dispatched, fulfilled, confirmed, rejected,
    withdrawn, closed) walks the wish there, so it carries a real timeline. The moves are made
    by `staff=` and `claimer=` when given, else by a staff member and a registered volunteer
    of the wish's community created on the fly.
    """

    class Meta:
        model = Wish

    title = factory.Sequence(lambda n: f"心愿{n}：大米和食用油")
    description = "家里米面油快吃完了，希望能帮忙送一袋大米和一桶油。"
    category = factory.SubFactory(CategoryFactory)
    community = factory.SubFactory(CommunityFactory)
    resident = factory.SubFactory(ResidentFactory, community=factory.SelfAttribute("..community"))
    target_group = Wish.TargetGroup.LOW_INCOME
    channel = Wish.Channel.ONLINE
    public_consent = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        flags = {state: kwargs.pop(state, False) for state in STATES}
        staff = kwargs.pop("staff", None)
        claimer = kwargs.pop("claimer", None)
        entered_by = kwargs.pop("entered_by", None)
        wish = model_class(*args, entered_by=entered_by, **kwargs)
        wish.save_submitted(by=entered_by)
        target = next((state for state in reversed(STATES) if flags[state]), None)
        if target is not None:
            walk(wish, target, staff=staff, claimer=claimer)
        return wish


def walk(wish: Wish, target: str, *, staff=None, claimer=None) -> Wish:
    """Move a submitted wish to `target` through the same methods the app uses."""
    staff = staff or make_staff(wish.community)
    if target == "rejected":
        wish.reject(by=staff, reason="不在本社区服务范围")
        return wish
    if target == "withdrawn":
        wish.withdraw(by=staff, reason="居民已自行解决")
        return wish
    wish.approve(by=staff)
    if target == "dispatched":
        wish.dispatch(by=staff, volunteer=claimer or make_volunteer(wish.community))
    elif target in {"claimed", "fulfilled", "confirmed"}:
        wish.claim(by=claimer or make_volunteer(wish.community))
        if target in {"fulfilled", "confirmed"}:
            wish.fulfil(by=wish.open_claim().volunteer, note="已送到家中")
        if target == "confirmed":
            wish.confirm(by=staff, thanks="谢谢党员同志", rating=5)
    elif target == "closed":
        wish.close(by=staff, reason="居民已搬离本社区")
    return wish


class ClaimFactory(DjangoModelFactory):
    class Meta:
        model = Claim

    wish = factory.SubFactory(WishFactory)
    volunteer = factory.SubFactory(UserFactory)
    state = Claim.State.RELEASED


class WishEventFactory(DjangoModelFactory):
    class Meta:
        model = WishEvent

    wish = factory.SubFactory(WishFactory)
    action = "submit"
    from_status = ""
    to_status = Wish.Status.SUBMITTED
