"""The world the access matrix runs in: every kind of person the programme has, and one record
of each kind for every URL to point at.

Places: 向阳街道 holds 福阳社区 (grids 明珠花园 and 龙山小区) and 向阳社区; 新兴街道 holds 新兴社区.
The 市税务局稽查局党支部 is registered with 福阳社区.
Most records are 王志强's (福阳社区, 明珠花园).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

import factory.random
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.models import Resident, StaffRole, User, VolunteerRegistration
from api.models import ApiToken
from audit.records import record_contact_view
from notices.digests import send_digests
from notices.models import Delivery, Digest, Notice
from outcomes.hours import enter_hours
from outcomes.models import WallStory
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    CommunityFactory,
    GridFactory,
    OrganisationFactory,
    ResidentFactory,
    StreetFactory,
    UserFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from tests.signup import register
from wishes.models import (
    EventPhoto,
    FollowUp,
    HandoverEvent,
    HeldPhoto,
    RejectionReason,
    Wish,
    WishPhoto,
)

# The people, in the order the matrix lists them.
ROLES = (
    "anon",
    "resident",  # 王志强, whose wishes these are (福阳社区, 明珠花园)
    "other_resident",  # a neighbour in the same community (龙山小区)
    "fresh",  # signed up a moment ago through the form, as a resident of 向阳社区
    "pending",  # asked to serve 福阳社区 (双报到), not yet approved
    "volunteer",  # approved volunteer of 福阳社区
    "volunteer_b",  # approved volunteer of 新兴社区
    "claimer",  # approved volunteer of 福阳社区 holding the claimed wish
    "member",  # confirmed member of the branch, registered with 新兴社区 only
    "unconfirmed",  # named the branch at sign-up, nobody confirmed it
    "grid_worker",  # grid worker of 明珠花园
    "other_grid_worker",  # grid worker of 龙山小区
    "staff",  # community staff of 福阳社区
    "other_staff",  # community staff of 新兴社区
    "street_admin",  # street admin of 向阳街道
    "superuser",
)


def png(color: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)
    # What each secret is and whose it is: {"13700000001": "resident", …}
    secrets: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.objects[name]


def build_world() -> World:
    """The same world on every run: Faker's names and addresses from a fixed seed. (With
    random names, a volunteer once drew the resident's own name, 王志强, and the matrix took
    the organisation page that shows the volunteer for a leak of the resident.)"""
    state = factory.random.get_random_state()
    factory.random.reseed_random("microwish-fuzz")
    try:
        return _build_world()
    finally:
        factory.random.set_random_state(state)


def _build_world() -> World:
    world = World()
    o = world.objects
    street = StreetFactory(name="向阳街道")
    other_street = StreetFactory(name="新兴街道")
    o["community"] = community = CommunityFactory(street=street, name="福阳社区")
    o["community_c"] = community_c = CommunityFactory(street=street, name="向阳社区")
    o["community_b"] = community_b = CommunityFactory(street=other_street, name="新兴社区")
    o["grid"] = grid = GridFactory(community=community, name="明珠花园")
    o["grid_2"] = grid_2 = GridFactory(community=community, name="龙山小区")
    o["street"] = street
    o["category"] = CategoryFactory()
    o["branch"] = branch = OrganisationFactory(name="市税务局稽查局党支部", communities=[community])

    # ----- people -------------------------------------------------------------------------
    u = world.users
    u["resident"] = UserFactory(username="wangzhiqiang", email="wzq@example.cn")
    o["person"] = person = ResidentFactory(
        user=u["resident"],
        community=community,
        grid=grid,
        name="王志强",
        gender=Resident.Gender.MALE,
        phone="13700000001",
        address="明珠花园9号楼1单元302室",
        situation=Resident.Situation.DISABLED,
        situation_detail="一级肢体残疾，独居",
    )
    u["other_resident"] = UserFactory(username="neighbour", email="neighbour@example.cn")
    o["neighbour"] = neighbour = ResidentFactory(
        user=u["other_resident"],
        community=community,
        grid=grid_2,
        name="欧阳秀英",
        phone="13700000002",
        address="龙山小区3号楼501室",
        situation_detail="低保户，照顾患病的老伴",
    )
    u["fresh"] = _register_fresh_account(community_c)
    u["pending"] = make_volunteer(
        community, status="pending", username="pending", email="pending@example.cn"
    )
    u["volunteer"] = make_volunteer(community, username="volunteer", email="v@example.cn")
    u["volunteer_b"] = make_volunteer(community_b, username="volunteer_b")
    u["claimer"] = make_volunteer(community, username="claimer", email="claimer@example.cn")
    u["member"] = make_volunteer(community_b, organisation=branch, username="member")
    u["unconfirmed"] = make_volunteer(community_b, organisation=branch, username="unconfirmed")
    profile = u["unconfirmed"].volunteer_profile
    profile.organisation_confirmed = False
    profile.save()
    u["grid_worker"] = _grid_worker("grid_worker", community, grid)
    u["other_grid_worker"] = _grid_worker("other_grid_worker", community, grid_2)
    u["staff"] = make_staff(community, username="staff_fuyang", email="staff@example.cn")
    u["other_staff"] = make_staff(community_b, username="staff_xinxing")
    u["street_admin"] = make_staff(street=street, username="street_xiangyang")
    u["superuser"] = UserFactory(username="admin", is_superuser=True, is_staff=True)
    staff = u["staff"]

    # ----- wishes: every state, private unless said otherwise -------------------------------
    def wish(**fields) -> Wish:
        fields.setdefault("community", community)
        fields.setdefault("grid", grid)
        fields.setdefault("resident", person)
        fields.setdefault("public_consent", False)
        fields.setdefault("staff", staff)
        return WishFactory(**fields)

    o["submitted"] = wish(title="轮椅一辆，电话13700000001")
    o["submitted"].photos.create(image=png("blue"), kind=WishPhoto.Kind.REQUEST)
    o["request_photo"] = o["submitted"].photos.get()
    o["published"] = wish(approved=True, public_consent=True, title="米面油各一份")
    o["published_private"] = wish(approved=True, title="一袋大米")
    o["collective"] = wish(
        approved=True,
        public_consent=True,
        resident=None,
        kind=Wish.Kind.COLLECTIVE,
        title="龙山公园公厕维修",
    )
    o["dispatched_org"] = wish(approved=True, title="法律咨询")
    o["dispatched_org"].dispatch(by=staff, organisation=branch, note="老人脾气不好，注意")
    o["claimed"] = wish(claimed=True, claimer=u["claimer"], title="一个新书包")
    o["claimed"].remind(by=staff, note="志愿者李红梅多次失联，已记过")
    o["fulfilled"] = wish(approved=True, title="呼吸机一台")
    o["fulfilled"].claim(by=u["claimer"])
    o["fulfilled"].fulfil(by=u["claimer"], note="已送到家中", photos=[png("green")])
    o["fulfil_photo"] = o["fulfilled"].photos.get()
    o["hours_entry"] = enter_hours(
        u["claimer"], o["fulfilled"], timezone.localdate(), "2", "送呼吸机并调试"
    )
    o["follow_up"] = FollowUp.objects.create(
        wish=o["fulfilled"], visited_by=staff, note="老人很满意", method=FollowUp.Method.PHONE
    )
    o["neighbours_wish"] = wish(resident=neighbour, grid=grid_2, title="楼道灯维修")
    # Its resident's name and number are set, not generated: a generated 王志强 or 13700000002
    # would read as a leak of this world's secrets (factory sequences and Faker collide).
    o["wish_b"] = WishFactory(
        community=community_b,
        resident=ResidentFactory(
            community=community_b, name="赵海涛", phone="13600000009", address="新兴小区1栋"
        ),
        approved=True,
        public_consent=False,
    )

    # ----- records around them ------------------------------------------------------------
    now = timezone.now()
    o["event"] = event = HandoverEvent.objects.create(
        community=community,
        title="七一主题党日微心愿集中兑现",
        place="福阳社区党群服务中心",
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=2),
        organiser=branch,
        created_by=staff,
    )
    event.attach([o["claimed"]])
    o["attendance"] = event.add_attendee(u["volunteer"], by=staff)
    o["event_photo"] = EventPhoto.objects.create(event=event, image=png("yellow"))
    o["held_photo"] = HeldPhoto.objects.create(owner=u["resident"], image=png("green"))
    o["registration"] = VolunteerRegistration.objects.get(volunteer__user=u["pending"])
    o["unconfirmed_profile"] = profile
    o["reason"] = RejectionReason.objects.create(community=community, text="不在服务范围")
    o["staff_role"] = StaffRole.objects.get(user=staff)
    o["user"] = u["volunteer"]
    o["volunteer_profile"] = u["volunteer"].volunteer_profile
    o["claim"] = o["claimed"].open_claim()
    o["timeline_event"] = o["submitted"].events.first()
    o["notice"] = Notice.objects.filter(user=u["claimer"]).first()
    o["delivery"] = Delivery.objects.filter(notice__user=u["claimer"]).first()
    send_digests()
    o["digest"] = Digest.objects.first()
    o["task_result"] = _queued_task(o["delivery"])
    record_contact_view(u["claimer"], person, wish=o["claimed"], how="wish_page")
    o["audit_entry"] = person.audit_entries.first()
    from django.contrib.auth.models import Group

    o["group"] = Group.objects.create(name="街道办")
    o["token"] = ApiToken.issue(u["volunteer"], name="社区小程序", scope="read", days=30)[0]

    # A story on the 圆梦墙: consented, fulfilled, with a photo chosen for the wall.
    o["story"] = story = wish(approved=True, public_consent=True, title="助听器一副")
    story.claim(by=u["volunteer"])
    story.fulfil(by=u["volunteer"], note="助听器已送到并调试好", photos=[png("purple")])
    o["story_photo"] = story.photos.get()
    WallStory.objects.create(wish=story, decided_by=staff).photos.add(o["story_photo"])

    # ----- what must not reach the wrong eyes ------------------------------------------
    for who, resident in (("resident", person), ("other_resident", neighbour)):
        for secret in (resident.phone, resident.address, resident.situation_detail):
            world.secrets[secret] = who
    world.secrets["王志强"] = "resident"
    world.secrets["欧阳秀英"] = "other_resident"
    for role, user in u.items():
        if user.email:
            world.secrets[user.email] = f"email:{role}"
    return world


def _queued_task(delivery):
    """A delivery queued for the production worker: a row for the task results' admin."""
    from django_tasks_db.models import DBTaskResult

    from notices.tasks import deliver

    result = deliver.using(backend="database").enqueue(delivery.pk)
    return DBTaskResult.objects.get(id=result.id)


def _grid_worker(username: str, community, grid) -> User:
    user = UserFactory(username=username)
    StaffRole.objects.create(
        user=user, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )
    return User.objects.get(pk=user.pk)


def _register_fresh_account(community) -> User:
    """Through the sign-up form, as anyone can."""
    response = register(
        Client(),
        {
            "role": "resident",
            "phone": "13900009999",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "real_name": "新注册",
            "community": community.pk,
            "address": "向阳社区1号楼",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(phone="13900009999")
