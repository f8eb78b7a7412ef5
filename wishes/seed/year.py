"""The year around the stories, in bulk: the work behind the figures the demo reports.

The stories (stories.py) are a few wishes told step by step; this is the rest of this calendar
year's programme, written as plain rows (rows.py) so the default seed stays fast. Read through
outcomes.figures (for this year, or for all time) it gives the figures a community worker quotes:

- 市税务局稽查局党支部: 32 members took part, in 4 communities, 49 wishes fulfilled;
- 市司法局党支部: 136 wishes taken on in 21 communities, all of them fulfilled;
- 福阳社区: 160-odd in-service Party members (在职党员) claimed its wishes;
- 新兴社区: a hand-over event in its 明珠花园第二网格, with 45 volunteers signed in.

Every wish was submitted between New Year and a month ago and has long been fulfilled. The
year's people are made once (by username, like bulk.py); its wishes, the event and the service
hours once, in one transaction, when none of the year's wishes is there yet.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Resident, User, VolunteerProfile, VolunteerRegistration
from outcomes.models import MAX_HOURS_A_DAY, ServiceHours, ServiceHoursChange
from wishes.models import EventAttendance, HandoverEvent, Wish
from wishes.models.handover import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH

from .rows import Context, Plan, fill_fields, random_name, write_wishes
from .world import ALL_COMMUNITIES, LIAISONS, PLACES, RESIDENTS, VOLUNTEERS, World

SEED = 2026
TAX = "市税务局稽查局党支部"
JUSTICE = "市司法局党支部"
EVENT_TITLE = "明珠花园主题党日微心愿集中兑现"
EVENT_GRID = "明珠花园第二网格"
REVIEWERS = {
    "福阳社区": "staff_fuyang",
    "新兴社区": "staff_xinxing",
    "向阳社区": "street_xiangyang",
}
GRID_WORKERS_GRID = ("福阳社区", "明珠花园第二网格")  # grid_mingzhu's, who enters what she sees

# The year's volunteers, numbered on from volunteer10 in this order:
# (community of their 双报到, organisation they belong to (confirmed) or None, how many).
VOLUNTEER_GROUPS = [
    ("福阳社区", TAX, 16),
    ("向阳社区", TAX, 5),
    ("新兴社区", TAX, 5),
    ("新城社区", TAX, 5),
    ("福阳社区", JUSTICE, 4),
    ("新兴社区", JUSTICE, 6),
    ("北寿社区", JUSTICE, 2),
    *((c, JUSTICE, 1) for c in ["向阳社区", "新城社区", "白泉社区", "寿山社区"]),
    *((c, JUSTICE, 1) for c in ["东吉社区", "西宁社区", "站前社区", "仙城社区"]),
    ("福阳社区", None, 139),  # 福阳社区's own 在职党员
    ("新兴社区", None, 20),
]
YEAR_VOLUNTEERS = sum(count for _, _, count in VOLUNTEER_GROUPS)

# The year's residents, numbered on from resident7: how many in each community.
RESIDENTS_IN = {"福阳社区": 90, "新兴社区": 24, "向阳社区": 8, "新城社区": 8}
RESIDENTS_ELSEWHERE = 4
YEAR_RESIDENTS = sum(RESIDENTS_IN.get(name, RESIDENTS_ELSEWHERE) for name in ALL_COMMUNITIES)

# Wishes each branch took on this year, by community (the stories add one fulfilled wish each:
# the breathing machine for 稽查局, the coal for 司法局).
TAX_WISHES = {"福阳社区": 24, "向阳社区": 8, "新兴社区": 8, "新城社区": 8}
JUSTICE_AT_HOME = {"福阳社区": 8, "新兴社区": 10}
JUSTICE_ELSEWHERE = 109  # over the other 19 communities, at least one each
JUSTICE_AT_EVENT = 8
FUYANG_WISHES = 170  # claimed by 福阳社区's own volunteers
XINXING_WISHES = 14
XINXING_AT_EVENT = 6

ANY = None


@dataclass(frozen=True)
class WishType:
    category: str
    title: str
    description: str
    groups: frozenset | None  # target groups it suits; None: anyone
    value: tuple[int, int] | None
    fulfilled: str


def _type(category, title, description, groups, value, fulfilled) -> WishType:
    return WishType(category, title, description, groups and frozenset(groups), value, fulfilled)


E, D, L, ILL, C = "elderly", "disabled", "low_income", "ill", "children"
TYPES = [
    _type(
        "生活物资",
        "一袋大米和一桶豆油",
        "家里米面油快吃完了，想要一袋大米和一桶豆油。",
        ANY,
        (120, 260),
        "大米一袋、豆油一桶已送到家中，帮忙搬进了厨房。",
    ),
    _type(
        "生活物资",
        "一件厚羽绒服",
        "入冬了，旧棉袄不保暖，想要一件厚实的羽绒服。",
        ANY,
        (200, 500),
        "羽绒服已送到，试穿合身。",
    ),
    _type(
        "生活物资",
        "一台电暖器",
        "屋里暖气不热，晚上冷得睡不着，想要一台电暖器。",
        [E, D, ILL, L],
        (150, 400),
        "电暖器已送到并教会使用，也提醒了用电安全。",
    ),
    _type(
        "生活物资",
        "一套新被褥",
        "被褥用了十几年，又薄又硬，想换一套新的。",
        ANY,
        (200, 450),
        "新被褥一套已送到，旧的帮忙拿去处理了。",
    ),
    _type(
        "生活物资",
        "一台小冰箱",
        "夏天饭菜放不住，想要一台小冰箱。",
        [L, E, ILL],
        (600, 1200),
        "小冰箱已送到，通电试用正常。",
    ),
    _type(
        "学习用品",
        "一套课外读物",
        "孩子爱看书，想要一套适合小学生的课外读物。",
        [C],
        (100, 300),
        "课外读物一套已送到，孩子很喜欢。",
    ),
    _type(
        "学习用品",
        "一张书桌和台灯",
        "孩子在饭桌上写作业，想要一张小书桌和一盏台灯。",
        [C],
        (300, 700),
        "书桌已组装好，台灯已装上。",
    ),
    _type(
        "学习用品",
        "新学期的校服和运动鞋",
        "孩子长高了，校服和鞋都小了，想要新的。",
        [C],
        (200, 400),
        "校服和运动鞋已送到，尺码合适。",
    ),
    _type(
        "医疗康复",
        "一副老花镜",
        "看报纸看不清字，想配一副老花镜。",
        [E],
        (50, 150),
        "陪同验光配镜，老花镜已送到。",
    ),
    _type(
        "医疗康复",
        "一张防褥疮气垫床",
        "长期卧床，想要一张防褥疮的气垫床。",
        [D, ILL],
        (400, 900),
        "气垫床已送到，安装调试好了。",
    ),
    _type(
        "医疗康复",
        "一台家用制氧机",
        "慢阻肺，医生建议在家吸氧，想要一台制氧机。",
        [ILL, E],
        (1500, 3000),
        "制氧机已送到，教会了家属使用和保养。",
    ),
    _type(
        "医疗康复",
        "一根四脚拐杖",
        "走路不稳，想要一根四脚拐杖。",
        [E, D],
        (60, 150),
        "四脚拐杖已送到，调好了高度。",
    ),
    _type(
        "医疗康复",
        "陪同去医院做检查",
        "一个人去医院不方便，想请人陪同做检查。",
        [E, ILL, D],
        None,
        "已陪同到医院做完检查，送回了家。",
    ),
    _type(
        "法律服务",
        "立遗嘱的法律咨询",
        "年纪大了，想咨询遗嘱怎么立才有效。",
        [E],
        None,
        "律师上门讲解了遗嘱的形式和见证要求，并协助起草。",
    ),
    _type(
        "法律服务",
        "讨要拖欠的工钱",
        "在工地干活的工钱一直没给，想请人帮忙讨要。",
        [L],
        None,
        "已协助向劳动监察部门投诉，工钱已追回。",
    ),
    _type(
        "法律服务",
        "邻里漏水纠纷调解",
        "楼上漏水把我家泡了，协商不成，想请人调解。",
        ANY,
        None,
        "人民调解员上门调解，双方达成了协议。",
    ),
    _type(
        "法律服务",
        "残疾人补贴政策咨询",
        "想了解残疾人两项补贴怎么申请。",
        [D],
        None,
        "已讲解政策，并协助准备好了申请材料。",
    ),
    _type(
        "法律服务",
        "赡养费的法律咨询",
        "子女不给赡养费，想咨询该怎么办。",
        [E],
        None,
        "已讲解赡养义务的法律规定，并协助与子女沟通。",
    ),
    _type(
        "公共设施",
        "单元门禁坏了",
        "单元门禁坏了很久，陌生人随意进出，老人心里不踏实。",
        ["public"],
        None,
        "门禁已修好，给每户配了新门卡。",
    ),
    _type(
        "公共设施",
        "小区健身器材维修",
        "小区里的健身器材锈坏了，老人孩子用着不安全。",
        ["public"],
        None,
        "健身器材已维修更换。",
    ),
    _type(
        "公共设施",
        "楼前路面坑洼积水",
        "楼前路面坑坑洼洼，一下雨就积水。",
        ["public"],
        None,
        "路面已修补平整。",
    ),
    _type(
        "其他",
        "上门理发",
        "行动不便，好久没理发了，想请人上门理发。",
        [E, D, ILL],
        None,
        "志愿者上门理了发，老人很满意。",
    ),
    _type(
        "其他",
        "更换漏水的水龙头",
        "厨房水龙头一直滴水，自己修不了。",
        ANY,
        (30, 80),
        "水龙头已更换。",
    ),
    _type(
        "其他",
        "教用智能手机挂号",
        "想学会用手机预约挂号。",
        [E],
        None,
        "已教会用手机挂号和视频通话。",
    ),
    _type(
        "其他",
        "过一个热闹的生日",
        "一个人住，想和大家一起过个生日。",
        [E],
        (100, 200),
        "志愿者带着蛋糕上门，陪老人过了生日。",
    ),
]
YEAR_TITLES = [t.title for t in TYPES]
COLLECTIVE = [t for t in TYPES if t.category == "公共设施"]
INDIVIDUAL = [t for t in TYPES if t.category != "公共设施"]
LEGAL = [t for t in INDIVIDUAL if t.category == "法律服务"]
THANKS = [
    "谢谢党员同志，东西收到了，很实用！",
    "感谢社区和志愿者，想得太周到了。",
    "谢谢你们，老人特别高兴。",
    "非常满意，谢谢！",
]
HOURS_NOTES = ["上门送达", "上门送达并陪老人聊天", "陪同办理", "上门服务"]
SITUATION_GROUP = {
    Resident.Situation.LOW_INCOME: L,
    Resident.Situation.ELDERLY_ALONE: E,
    Resident.Situation.DISABLED: D,
    Resident.Situation.SERIOUSLY_ILL: ILL,
    Resident.Situation.CHILD_IN_NEED: C,
    Resident.Situation.OTHER: L,
}
# Hours after the previous move that each move came, at the least and at the most.
GAPS = {
    "approve": (2, 48),
    "dispatch": (3, 72),
    "claim": (3, 144),
    "accept": (1, 48),
    "fulfil": (24, 288),
    "confirm": (3, 120),
}


@dataclass
class Counts:
    volunteers: int = 0
    residents: int = 0
    wishes: int = 0


@dataclass
class _Year:
    """What the wishes are made from."""

    world: World
    ctx: Context
    rng: random.Random
    volunteers: dict[tuple[str, str | None], list[int]]  # (community, org) → user ids
    # community → (resident id, grid id, user id, situation)
    residents: dict[int, list[tuple[int, int | None, int, str]]]
    start: datetime.datetime  # the first wishes came in then…
    last: datetime.datetime  # …and the last then
    wishes: list
    plans: list

    def community(self, name: str) -> int:
        return self.world.communities[name].pk


def write_year(world: World) -> Counts:
    """Make the year's people, and once its wishes, hand-over event and service hours."""
    rng = random.Random(SEED)
    counts = Counts()
    with transaction.atomic():
        start, last = window(timezone.now())
        joined = start - datetime.timedelta(days=60)
        counts.volunteers, volunteers = _volunteers(world, rng, joined)
        counts.residents, residents = _residents(world, rng, joined)
        if Wish.objects.filter(title__in=YEAR_TITLES).exists():
            return counts
        ctx = Context.load(world)
        year = _Year(world, ctx, rng, volunteers, residents, start, last, [], [])
        _branch_wishes(year)
        _community_wishes(year)
        event, at_event = _event(year)
        write_wishes(ctx, year.wishes, year.plans)
        event.wishes.add(*at_event)
        _hours(year, event, set(at_event))
        counts.wishes = len(year.wishes)
    return counts


def window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """When the year's wishes were submitted: from New Year's first working day to a month ago,
    so that each was long fulfilled by now. Early in a year, the months before instead."""
    new_year = timezone.localtime(now).replace(
        month=1, day=2, hour=8, minute=30, second=0, microsecond=0
    )
    last = now - datetime.timedelta(days=30)
    if last - new_year < datetime.timedelta(days=60):
        new_year = last - datetime.timedelta(days=150)
    return new_year, last


def _reviewer(world: World, community: str) -> User:
    """Who approved 双报到 there: the community's staff, its street's admin, else the admin."""
    return world.users[REVIEWERS.get(community, "admin")]


def _volunteers(world: World, rng: random.Random, joined) -> tuple[int, dict]:
    """volunteer10 … volunteer219: approved where they live, members their branch confirmed."""
    planned = []
    number = len(VOLUNTEERS) + 1
    for community, organisation, count in VOLUNTEER_GROUPS:
        for _ in range(count):
            # Drawn for every planned person, so a second run draws the same.
            name = random_name(rng)
            credit = rng.choices(
                list(VolunteerProfile.WallCredit),
                weights=[3, 2 if organisation else 0, 5],
            )[0]
            planned.append((f"volunteer{number}", number, name, community, organisation, credit))
            number += 1
    usernames = [row[0] for row in planned]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    new_users = [
        User(
            username=username,
            real_name=name,
            phone=f"136{number:08d}",
            email=f"{username}@example.org",
            password=world.password_hash,
            date_joined=joined,
        )
        for username, number, name, *_ in planned
        if username not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    with_profile = set(
        VolunteerProfile.objects.filter(user__in=ids.values()).values_list("user_id", flat=True)
    )
    profiles = VolunteerProfile.objects.bulk_create(
        [
            VolunteerProfile(
                user_id=ids[username],
                is_party_member=True,
                organisation=world.organisations[organisation] if organisation else None,
                organisation_confirmed=organisation is not None,
                organisation_confirmed_by=(
                    world.users[LIAISONS[organisation]] if organisation else None
                ),
                organisation_confirmed_at=(
                    joined + datetime.timedelta(days=3) if organisation else None
                ),
                wall_credit=credit,
            )
            for username, _, _, _, organisation, credit in planned
            if ids[username] not in with_profile
        ],
        batch_size=1000,
    )
    profile_ids = dict(
        VolunteerProfile.objects.filter(user__in=ids.values()).values_list("user_id", "pk")
    )
    registered = set(
        VolunteerRegistration.objects.filter(volunteer__in=profile_ids.values()).values_list(
            "volunteer_id", "community_id"
        )
    )
    registrations = VolunteerRegistration.objects.bulk_create(
        [
            VolunteerRegistration(
                volunteer_id=profile_ids[ids[username]],
                community=world.communities[community],
                status=VolunteerRegistration.Status.APPROVED,
                decided_by=_reviewer(world, community),
                decided_at=joined + datetime.timedelta(days=1),
            )
            for username, _, _, community, _, _ in planned
            if (profile_ids[ids[username]], world.communities[community].pk) not in registered
        ],
        batch_size=1000,
    )
    # auto_now_add stamped them today; they joined before the year began.
    VolunteerProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(created_at=joined)
    VolunteerRegistration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        created_at=joined
    )
    groups = defaultdict(list)
    for username, _, _, community, organisation, _ in planned:
        groups[community, organisation].append(ids[username])
    return len(new_users), groups


def _residents(world: World, rng: random.Random, joined) -> tuple[int, dict]:
    """resident7 … resident204: with a login, spread over every community and its grids."""
    planned = []
    number = len(RESIDENTS) + 1
    situations = [s for s in Resident.Situation.values if s]
    for _, (_, communities) in PLACES.items():
        for community, grids in communities.items():
            for index in range(RESIDENTS_IN.get(community, RESIDENTS_ELSEWHERE)):
                grid = grids[index % len(grids)]
                estate = "明珠花园" if grid.startswith("明珠花园") else community[:2] + "小区"
                address = (
                    f"{estate}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
                    f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
                )
                gender = rng.choice([Resident.Gender.FEMALE, Resident.Gender.MALE])
                planned.append(
                    (
                        f"resident{number}",
                        number,
                        random_name(rng),
                        gender,
                        community,
                        grid,
                        rng.choice(situations),
                        address,
                    )
                )
                number += 1
    usernames = [row[0] for row in planned]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    new_users = [
        User(
            username=username,
            real_name=name,
            phone=f"135{number:08d}",
            email=f"{username}@example.org",
            password=world.password_hash,
            date_joined=joined,
        )
        for username, number, name, *_ in planned
        if username not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    users = {
        username: (pk, phone)
        for username, pk, phone in User.objects.filter(username__in=usernames).values_list(
            "username", "pk", "phone"
        )
    }
    with_record = set(
        Resident.objects.filter(user__in=[pk for pk, _ in users.values()]).values_list(
            "user_id", flat=True
        )
    )
    created = Resident.objects.bulk_create(
        [
            Resident(
                user_id=users[username][0],
                name=name,
                gender=gender,
                phone=users[username][1] or "",
                community=world.communities[community],
                grid=world.grids[community, grid],
                situation=situation,
                address=address,
                created_by=_reviewer(world, community),
            )
            for username, _, name, gender, community, grid, situation, address in planned
            if users[username][0] not in with_record
        ],
        batch_size=1000,
    )
    Resident.objects.filter(pk__in=[r.pk for r in created]).update(created_at=joined)
    residents = defaultdict(list)
    for pk, community, grid, user, situation in Resident.objects.filter(
        user__in=[pk for pk, _ in users.values()]
    ).values_list("pk", "community_id", "grid_id", "user_id", "situation"):
        residents[community].append((pk, grid, user, situation))
    for rows in residents.values():
        rows.sort()
    return len(new_users), residents


# ----- the wishes ------------------------------------------------------------------------------


def _everyone_once(count: int, people: list[int], rng: random.Random) -> list[int]:
    """Who takes each of `count` wishes: every one of `people` at least once."""
    assert count >= len(people), (count, len(people))
    takers = list(people) + [rng.choice(people) for _ in range(count - len(people))]
    rng.shuffle(takers)
    return takers


def _branch_wishes(year: _Year) -> None:
    """What the two branches took on, each in the communities it registered with."""
    rng = year.rng
    for community, count in TAX_WISHES.items():
        members = year.volunteers[community, TAX]
        for member in _everyone_once(count, members, rng):
            _wish(year, community, member, TAX)

    # 福阳社区's wishes go to members registered there: its figures count its own volunteers.
    fuyang = year.volunteers["福阳社区", JUSTICE]
    for member in _everyone_once(JUSTICE_AT_HOME["福阳社区"], fuyang, rng):
        _wish(year, "福阳社区", member, JUSTICE, legal=True)
    elsewhere = [c for c in ALL_COMMUNITIES if c not in {"福阳社区", "新兴社区"}]
    places = elsewhere + [rng.choice(elsewhere) for _ in range(JUSTICE_ELSEWHERE - len(elsewhere))]
    places += ["新兴社区"] * JUSTICE_AT_HOME["新兴社区"]
    members = [
        member
        for (community, organisation), people in year.volunteers.items()
        if organisation == JUSTICE and community != "福阳社区"
        for member in people
    ]
    for community, member in zip(places, _everyone_once(len(places), members, rng), strict=True):
        _wish(year, community, member, JUSTICE, legal=True)


def _community_wishes(year: _Year) -> None:
    """What 福阳社区's own volunteers claimed (新兴社区's come with its event)."""
    for member in _everyone_once(FUYANG_WISHES, year.volunteers["福阳社区", None], year.rng):
        _wish(year, "福阳社区", member, None)


def _wish(
    year: _Year,
    community: str,
    volunteer: int,
    organisation: str | None,
    *,
    legal: bool = False,
    at: tuple[datetime.datetime, datetime.datetime] | None = None,
    event: tuple[int, datetime.datetime] | None = None,
) -> None:
    """One wish, from submission to its resident's thanks.

    `at` narrows when it came in; `event` is (staff user, moment) when it was fulfilled at a
    hand-over event rather than by its claimer.
    """
    rng, ctx = year.rng, year.ctx
    community_id = year.community(community)
    org_id = year.world.organisations[organisation].pk if organisation else None
    collective = organisation is not None and event is None and rng.random() < 0.1
    if collective:
        wish_type = rng.choice(COLLECTIVE)
        resident_id = resident_user = None
        grids = ctx.grids[community_id]
        grid_id = rng.choice(grids) if grids and rng.random() < 0.5 else None
        group = "public"
    else:
        residents = year.residents[community_id]
        if event is not None:
            event_grid = year.world.grids[community, EVENT_GRID].pk
            residents = [r for r in residents if r[1] == event_grid]
        resident_id, grid_id, resident_user, situation = rng.choice(residents)
        group = SITUATION_GROUP.get(situation, E)
        suitable = [k for k in INDIVIDUAL if k.groups is None or group in k.groups]
        if legal and rng.random() < 0.4:
            suitable = [k for k in LEGAL if k.groups is None or group in k.groups] or LEGAL
        wish_type = rng.choice(suitable)

    first, last = at or (year.start, year.last)
    created_at = first + (last - first) * rng.random()
    if collective:
        path = ["approve", "dispatch", "accept", "fulfil"]
    elif organisation and rng.random() < 0.5:
        path = ["approve", "dispatch", "accept", "fulfil"]  # 派单 to the branch
    else:
        path = ["approve", "claim", "fulfil"]
    recent = created_at > year.last - datetime.timedelta(days=30)
    if not (recent and rng.random() < 0.4):
        path.append("confirm")
    steps, moment = [], created_at
    latest = ctx.now - datetime.timedelta(hours=1)
    for move in path:
        if event is not None and move == "fulfil":
            moment = event[1]
        else:
            low, high = GAPS[move]
            moment = min(moment + datetime.timedelta(hours=rng.uniform(low, high)), latest)
        steps.append(moment)

    if collective or resident_user is None:
        channel = Wish.Channel.VISIT
    else:
        channel = rng.choices(
            [Wish.Channel.ONLINE, Wish.Channel.VISIT, Wish.Channel.PHONE], weights=[5, 3, 2]
        )[0]
    entered_by = ctx.reviewers[community_id]
    if channel == Wish.Channel.ONLINE:
        entered_by = resident_user
    elif channel == Wish.Channel.VISIT and grid_id == year.world.grids[GRID_WORKERS_GRID].pk:
        entered_by = year.world.users["grid_mingzhu"].pk
    wish = Wish(
        title=wish_type.title,
        description=wish_type.description,
        category=ctx.categories[wish_type.category],
        kind=Wish.Kind.COLLECTIVE if collective else Wish.Kind.INDIVIDUAL,
        priority=Wish.Priority.URGENT if rng.random() < 0.06 else Wish.Priority.NORMAL,
        target_group=group,
        community_id=community_id,
        grid_id=grid_id,
        resident_id=resident_id,
        entered_by_id=entered_by,
        channel=channel,
        estimated_value=(Decimal(rng.randrange(*wish_type.value, 10)) if wish_type.value else None),
        public_consent=collective or rng.random() < 0.85,
        created_at=created_at,
        fulfil_note=(
            f"在集中兑现活动“{EVENT_TITLE}”中兑现。" if event is not None else wish_type.fulfilled
        ),
        thanks_note=rng.choice(THANKS),
    )
    plan = Plan(
        path,
        steps,
        (volunteer, org_id),
        resident_user,
        fulfilled_by=event[0] if event is not None else None,
    )
    fill_fields(wish, plan, ctx, rng)
    if "confirm" not in path:
        wish.thanks_note = ""  # not confirmed yet
    year.wishes.append(wish)
    year.plans.append(plan)


def _event(year: _Year) -> tuple[HandoverEvent, list[Wish]]:
    """新兴社区's hand-over event in its 明珠花园第二网格, organised with 市司法局党支部:
    the branch's members and the community's volunteers came, the wishes were handed over."""
    rng, world = year.rng, year.world
    staff = world.users["staff_xinxing"]
    day = timezone.localtime(year.start + (year.last - year.start) * 0.7).date()
    starts_at = datetime.datetime.combine(day, datetime.time(9, 0), timezone.get_default_timezone())
    ends_at = starts_at + datetime.timedelta(hours=2, minutes=30)
    fulfilled_at = ends_at + datetime.timedelta(minutes=20)
    code = "".join(rng.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
    if HandoverEvent.objects.filter(short_code=code).exists():
        code = ""  # save() picks an unused one
    justice = year.volunteers["新兴社区", JUSTICE]
    xinxing = year.volunteers["新兴社区", None]
    # Claimed well before the day; handed over at the event.
    came_in = (
        max(year.start, starts_at - datetime.timedelta(days=60)),
        starts_at - datetime.timedelta(days=12),
    )
    at_event = (staff.pk, fulfilled_at)
    first = len(year.wishes)
    for member in _everyone_once(JUSTICE_AT_EVENT, justice, rng):
        _wish(year, "新兴社区", member, JUSTICE, legal=True, at=came_in, event=at_event)
    takers = _everyone_once(XINXING_WISHES + XINXING_AT_EVENT, xinxing, rng)
    for member in takers[:XINXING_AT_EVENT]:
        _wish(year, "新兴社区", member, None, at=came_in, event=at_event)
    handed_over = year.wishes[first:]
    for member in takers[XINXING_AT_EVENT:]:
        _wish(year, "新兴社区", member, None)

    # Whoever could sign in: the branch's confirmed members and 新兴社区's volunteers.
    attendees = [
        *(m for (_, org), people in year.volunteers.items() if org == JUSTICE for m in people),
        *xinxing,
        *year.volunteers["新兴社区", TAX],
    ]
    event = HandoverEvent(
        community=world.communities["新兴社区"],
        title=EVENT_TITLE,
        place="新兴社区明珠花园文化广场（明珠花园第二网格）",
        starts_at=starts_at,
        ends_at=ends_at,
        organiser=world.organisations[JUSTICE],
        short_code=code,
        note="市司法局党支部与新兴社区共同开展主题党日，"
        "把明珠花园第二网格群众的微心愿集中送到家门口。",
        created_by=staff,
        created_at=starts_at - datetime.timedelta(days=14),
        fulfilled_at=fulfilled_at,
        fulfilled_by=staff,
        fulfil_note=f"{len(attendees)}名党员志愿者参加，{len(handed_over)}个微心愿集中兑现。",
    )
    event.save()
    opens = starts_at - datetime.timedelta(minutes=30)
    EventAttendance.objects.bulk_create(
        [
            EventAttendance(
                event=event,
                user_id=user,
                signed_in_at=opens + datetime.timedelta(minutes=rng.uniform(0, 50)),
                # A few forgot to scan the code: staff signed them in.
                added_by=staff if rng.random() < 0.1 else None,
            )
            for user in attendees
        ]
    )
    return event, handed_over


def _hours(year: _Year, event: HandoverEvent, at_event: set) -> None:
    """Approved service hours, each with its record (as outcomes' rules write them): the event's
    duration for everyone at it, credited as they signed in; and hours that about half of the
    claimers entered for a wish they delivered, approved by staff of its community."""
    rng, ctx = year.rng, year.ctx
    day_total: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    latest = ctx.now - datetime.timedelta(hours=1)
    entries, records = [], []
    event_day = timezone.localdate(event.starts_at)
    # The event's length on the half-hour grid.
    event_hours = Decimal(round((event.ends_at - event.starts_at).total_seconds() / 1800)) / 2
    for user, added_by, signed_in_at in event.attendances.values_list(
        "user_id", "added_by_id", "signed_in_at"
    ):
        day_total[user, event_day] += event_hours
        entry = ServiceHours(
            volunteer_id=user,
            source=ServiceHours.Source.EVENT,
            event=event,
            day=event_day,
            hours=event_hours,
            note=event.title,
            status=ServiceHours.Status.APPROVED,
            decided_by_id=added_by,
            decided_at=signed_in_at,
            created_at=signed_in_at,
        )
        entries.append(entry)
        records.append((entry, added_by, f"活动签到，记入{event_hours:.1f}小时", signed_in_at))
    for wish, plan in zip(year.wishes, year.plans, strict=True):
        volunteer = plan.holder[0]
        if wish in at_event or rng.random() >= 0.5:
            continue
        hours = Decimal(rng.choice(["1.0", "1.5", "2.0", "2.0", "2.5", "3.0", "4.0"]))
        day = timezone.localdate(wish.fulfilled_at)
        # Nobody gives more than 24 hours in one day.
        if day_total[volunteer, day] + hours > MAX_HOURS_A_DAY:
            continue
        day_total[volunteer, day] += hours
        entered = min(wish.fulfilled_at + datetime.timedelta(hours=rng.uniform(1, 24)), latest)
        decided = min(entered + datetime.timedelta(hours=rng.uniform(2, 72)), latest)
        reviewer = ctx.reviewers[wish.community_id]
        entry = ServiceHours(
            volunteer_id=volunteer,
            source=ServiceHours.Source.WISH,
            wish_id=wish.pk,
            day=day,
            hours=hours,
            note=rng.choice(HOURS_NOTES),
            status=ServiceHours.Status.APPROVED,
            decided_by_id=reviewer,
            decided_at=decided,
            created_at=entered,
        )
        entries.append(entry)
        day_text = f"{day.year}年{day.month}月{day.day}日"
        records.append((entry, volunteer, f"登记{hours:.1f}小时（{day_text}）", entered))
        records.append((entry, reviewer, "认定", decided))
    ServiceHours.objects.bulk_create(entries, batch_size=1000)
    ServiceHoursChange.objects.bulk_create(
        [
            ServiceHoursChange(entry_id=entry.pk, by_id=by, what=what, created_at=moment)
            for entry, by, what, moment in records
        ],
        batch_size=1000,
    )
