"""Places, organisations and people of the demo, created idempotently (get or create)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration
from communities.models import Community, Grid, Organisation, Street
from wishes.models import DEFAULT_REJECTION_REASONS, RejectionReason

CITY = "辽源市"

# street → (kind, {community: [grids]})
PLACES = {
    "向阳街道": (
        Street.Kind.STREET,
        {
            "福阳社区": ["明珠花园第一网格", "明珠花园第二网格", "福阳小区网格"],
            "向阳社区": ["向阳第一网格", "向阳第二网格"],
        },
    ),
    "新兴街道": (
        Street.Kind.STREET,
        {
            # Grid names are unique within a community: 新兴社区 has its own 明珠花园 too.
            "新兴社区": ["新兴第一网格", "新兴第二网格", "明珠花园第二网格"],
            "新城社区": ["新城第一网格"],
        },
    ),
    "白泉镇": (Street.Kind.TOWN, {"白泉社区": ["白泉第一网格"]}),
    "北寿街道": (Street.Kind.STREET, {"北寿社区": ["北寿第一网格"]}),
    # The rest of the city, where 市司法局党支部 also serves (year.py).
    "寿山街道": (
        Street.Kind.STREET,
        {
            "寿山社区": ["寿山第一网格", "寿山第二网格"],
            "福寿社区": ["福寿第一网格"],
            "康宁社区": ["康宁第一网格"],
        },
    ),
    "东吉街道": (
        Street.Kind.STREET,
        {
            "东吉社区": ["东吉第一网格", "东吉第二网格"],
            "吉祥社区": ["吉祥第一网格"],
            "兴隆社区": ["兴隆第一网格"],
        },
    ),
    "西宁街道": (
        Street.Kind.STREET,
        {
            "西宁社区": ["西宁第一网格", "西宁第二网格"],
            "宁康社区": ["宁康第一网格"],
            "长青社区": ["长青第一网格"],
        },
    ),
    "站前街道": (
        Street.Kind.STREET,
        {
            "站前社区": ["站前第一网格", "站前第二网格"],
            "铁北社区": ["铁北第一网格"],
            "南康社区": ["南康第一网格"],
        },
    ),
    "仙城街道": (
        Street.Kind.STREET,
        {
            "仙城社区": ["仙城第一网格", "仙城第二网格"],
            "富国社区": ["富国第一网格"],
            "东山社区": ["东山第一网格"],
        },
    ),
}
ALL_COMMUNITIES = [name for _, communities in PLACES.values() for name in communities]

# name → (kind, contact, communities it has registered with)
ORGANISATIONS = {
    "市税务局稽查局党支部": (
        Organisation.Kind.PARTY_BRANCH,
        "周建华",
        ["福阳社区", "向阳社区", "新兴社区", "新城社区"],
    ),
    # A city bureau's branch: registered with every community of the city (21).
    "市司法局党支部": (Organisation.Kind.PARTY_BRANCH, "吴晓明", ALL_COMMUNITIES),
    "园林管理中心党支部": (
        Organisation.Kind.DEPARTMENT,
        "郑国栋",
        ["福阳社区", "向阳社区", "新兴社区", "新城社区", "白泉社区", "北寿社区"],
    ),
}

# username → (real name, community, organisation or None)
VOLUNTEERS = {
    "volunteer1": ("李红梅", "福阳社区", "市税务局稽查局党支部"),
    "volunteer2": ("张伟", "福阳社区", "市税务局稽查局党支部"),
    "volunteer3": ("马丽娜", "福阳社区", None),
    "volunteer4": ("吴晓明", "新兴社区", "市司法局党支部"),
    "volunteer5": ("赵磊", "新城社区", "市税务局稽查局党支部"),
    "volunteer6": ("郑国栋", "福阳社区", "园林管理中心党支部"),
    "volunteer7": ("孙志刚", "向阳社区", None),
    "volunteer8": ("钱芳", "白泉社区", None),
    "volunteer9": ("冯涛", "北寿社区", "市司法局党支部"),
}

# Memberships the organisation has confirmed (the others wait for its liaison or for staff of
# a community it registered with), and each organisation's liaison (联络员).
CONFIRMED_MEMBERS = {"volunteer1", "volunteer2", "volunteer4", "volunteer6", "volunteer9"}
LIAISONS = {"市税务局稽查局党支部": "volunteer1", "市司法局党支部": "volunteer4"}

# Volunteers whose 双报到 still waits for staff: username → (real name, community, organisation)
APPLICANTS = {
    "applicant1": ("周敏", "福阳社区", "市税务局稽查局党支部"),
    "applicant2": ("韩雪", "新兴社区", None),
}

# username → (name, gender, community, grid, situation, private detail, address)
RESIDENTS = {
    "resident1": (
        "王志强",
        Resident.Gender.MALE,
        "福阳社区",
        "明珠花园第二网格",
        Resident.Situation.DISABLED,
        "肢体一级残疾，常年卧床，由七十多岁的母亲照顾，家庭靠低保生活。",
        "明珠花园7号楼2单元101室",
    ),
    "resident2": (
        "孙丽",
        Resident.Gender.FEMALE,
        "福阳社区",
        "福阳小区网格",
        Resident.Situation.LOW_INCOME,
        "单亲母亲，独自抚养两个上小学的孩子，低保户。",
        "福阳小区3号楼5单元402室",
    ),
    "resident3": (
        "陈秀英",
        Resident.Gender.FEMALE,
        "福阳社区",
        "明珠花园第一网格",
        Resident.Situation.ELDERLY_ALONE,
        "82岁，独居，老伴去世后与侄子有房屋继承纠纷。",
        "明珠花园2号楼1单元301室",
    ),
    "resident4": (
        "周淑芬",
        Resident.Gender.FEMALE,
        "福阳社区",
        "明珠花园第二网格",
        Resident.Situation.ELDERLY_ALONE,
        "78岁，独居，膝关节退行性病变，行走困难。",
        "明珠花园9号楼3单元102室",
    ),
    "resident5": (
        "何建军",
        Resident.Gender.MALE,
        "新兴社区",
        "新兴第一网格",
        Resident.Situation.LOW_INCOME,
        "下岗职工，低保户。",
        "新兴小区12号楼4单元502室",
    ),
    "resident6": (
        "林桂香",
        Resident.Gender.FEMALE,
        "新城社区",
        "新城第一网格",
        Resident.Situation.ELDERLY_ALONE,
        "75岁，独居，子女在外地工作。",
        "新城家园5号楼1单元201室",
    ),
}

# How volunteers at the door ask for them (set by staff after a visit, or by the resident).
ADDRESS_AS = {
    "王志强": "王大哥",
    "陈秀英": "陈奶奶",
    "周淑芬": "周阿姨",
    "林桂香": "林阿姨",
    "刘建国": "刘叔叔",
    "杨秀兰": "杨奶奶",
}

# Residents without a login, whose wishes staff entered after a visit or a phone call.
OFFLINE_RESIDENTS = {
    "刘建国": (
        Resident.Gender.MALE,
        "福阳社区",
        "明珠花园第二网格",
        Resident.Situation.SERIOUSLY_ILL,
        "肺癌晚期，居家吸氧，妻子无业，两人均无手机。",
        "明珠花园5号楼1单元202室",
    ),
    "杨秀兰": (
        Resident.Gender.FEMALE,
        "新兴社区",
        "新兴第二网格",
        Resident.Situation.ELDERLY_ALONE,
        "86岁，独居，听力不好。",
        "新兴小区3号楼2单元101室",
    ),
}


@dataclass
class World:
    """What later steps need to look things up by name."""

    password_hash: str
    streets: dict[str, Street] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    grids: dict[tuple[str, str], Grid] = field(default_factory=dict)  # (community, grid name)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    residents: dict[str, Resident] = field(default_factory=dict)


def build_world(password: str) -> World:
    world = World(password_hash=make_password(password))
    for street_name, (kind, communities) in PLACES.items():
        street, _ = Street.objects.get_or_create(
            name=street_name, defaults={"kind": kind, "city": CITY}
        )
        world.streets[street_name] = street
        for community_name, grid_names in communities.items():
            community, _ = Community.objects.get_or_create(
                street=street,
                name=community_name,
                defaults={"address": f"{CITY}{street_name}{community_name}党群服务中心"},
            )
            world.communities[community_name] = community
            for grid_name in grid_names:
                grid, _ = Grid.objects.get_or_create(community=community, name=grid_name)
                world.grids[community_name, grid_name] = grid

    for name, (kind, contact, communities) in ORGANISATIONS.items():
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "contact_name": contact}
        )
        organisation.communities.add(*(world.communities[c] for c in communities))
        world.organisations[name] = organisation

    _people(world)
    return world


def _user(world: World, username: str, real_name: str, phone: str | None, **extra) -> User:
    # Demo addresses, so the console shows the e-mail each person would get.
    extra.setdefault("email", f"{username}@example.org")
    user, _ = User.objects.get_or_create(
        username=username, defaults={"real_name": real_name, "phone": phone, **extra}
    )
    # Every run makes the documented password work, even if someone changed it.
    user.password = world.password_hash
    user.save(update_fields=["password"])
    world.users[username] = user
    return user


def _volunteer(
    world: World, username, phone, real_name, community, org, *, registration: dict
) -> None:
    user = _user(world, username, real_name, phone)
    confirmed = bool(org) and username in CONFIRMED_MEMBERS
    profile, _ = VolunteerProfile.objects.get_or_create(
        user=user,
        defaults={
            "organisation": world.organisations[org] if org else None,
            "organisation_confirmed": confirmed,
            "organisation_confirmed_by": registration.get("decided_by") if confirmed else None,
            "organisation_confirmed_at": timezone.now() if confirmed else None,
        },
    )
    VolunteerRegistration.objects.get_or_create(
        volunteer=profile, community=world.communities[community], defaults=registration
    )


def _people(world: World) -> None:
    _user(world, "admin", "系统管理员", None, is_staff=True, is_superuser=True)

    staff = _user(world, "staff_fuyang", "刘海燕", "13904370001")
    StaffRole.objects.get_or_create(
        user=staff, role=StaffRole.Role.COMMUNITY_STAFF, community=world.communities["福阳社区"]
    )
    grid_worker = _user(world, "grid_mingzhu", "高静", "13904370002")
    StaffRole.objects.get_or_create(
        user=grid_worker,
        role=StaffRole.Role.GRID_WORKER,
        community=world.communities["福阳社区"],
        defaults={"grid": world.grids["福阳社区", "明珠花园第二网格"]},
    )
    xinxing = _user(world, "staff_xinxing", "黄丽", "13904370003")
    StaffRole.objects.get_or_create(
        user=xinxing, role=StaffRole.Role.COMMUNITY_STAFF, community=world.communities["新兴社区"]
    )
    street_admin = _user(world, "street_xiangyang", "邓志军", "13904370004")
    StaffRole.objects.get_or_create(
        user=street_admin, role=StaffRole.Role.STREET_ADMIN, street=world.streets["向阳街道"]
    )

    approved = {"status": VolunteerRegistration.Status.APPROVED, "decided_by": staff}
    for number, (username, values) in enumerate(VOLUNTEERS.items(), 1):
        _volunteer(world, username, f"1380437{number:04d}", *values, registration=approved)
    # Applicants' registrations keep the model's default status: pending.
    for number, (username, values) in enumerate(APPLICANTS.items(), 1):
        _volunteer(world, username, f"1380438{number:04d}", *values, registration={})

    for organisation, username in LIAISONS.items():
        world.organisations[organisation].liaisons.add(world.users[username])

    for community in world.communities.values():
        for order, text in enumerate(DEFAULT_REJECTION_REASONS, 1):
            RejectionReason.objects.get_or_create(
                community=community, text=text, defaults={"order": order}
            )

    for number, (username, values) in enumerate(RESIDENTS.items(), 1):
        name, gender, community, grid, situation, detail, address = values
        user = _user(world, username, name, f"1370437{number:04d}")
        world.residents[name], _ = Resident.objects.get_or_create(
            user=user,
            defaults={
                "name": name,
                "gender": gender,
                "phone": user.phone,
                "community": world.communities[community],
                "grid": world.grids[community, grid],
                "situation": situation,
                "situation_detail": detail,
                "address": address,
                "address_as": ADDRESS_AS.get(name, ""),
                "created_by": staff,
            },
        )

    for name, (gender, community, grid, situation, detail, address) in OFFLINE_RESIDENTS.items():
        world.residents[name], _ = Resident.objects.get_or_create(
            name=name,
            community=world.communities[community],
            user=None,
            defaults={
                "gender": gender,
                "grid": world.grids[community, grid],
                "situation": situation,
                "situation_detail": detail,
                "address": address,
                "address_as": ADDRESS_AS.get(name, ""),
                "created_by": grid_worker,
            },
        )
