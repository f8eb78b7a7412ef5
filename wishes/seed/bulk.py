"""Many more volunteers, residents and wishes on top of the stories, with plain bulk inserts.

Rows are built in memory a chunk at a time and written with bulk_create, timelines and claims
included, so 100,000 wishes take well under a minute. Every generated wish is consistent with
the life cycle: its events walk the allowed moves, its claims match its status, and claimers
are volunteers registered (双报到) with the wish's community.
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
from communities.models import Grid, Organisation
from wishes.models import Category, Claim, Wish, WishEvent

from .stories import STORY_TITLES
from .world import RESIDENTS, VOLUNTEERS, World

S = Wish.Status
CHUNK = 5000

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "秀英桂兰玉珍凤华建国志强丽娟淑芬海燕明伟红梅德福春生金玲文静永刚晓东翠萍立新"

# A programme that has run for years: most wishes are long finished.
STATUS_WEIGHTS = {
    S.CONFIRMED: 62,
    S.FULFILLED: 10,
    S.CLOSED: 6,
    S.REJECTED: 4,
    S.WITHDRAWN: 2,
    S.CLAIMED: 5,
    S.DISPATCHED: 2,
    S.APPROVED: 5,
    S.SUBMITTED: 4,
}
# The moves each generated status went through, after "submit".
PATHS = {
    S.SUBMITTED: [],
    S.REJECTED: ["reject"],
    S.WITHDRAWN: ["withdraw"],
    S.APPROVED: ["approve"],
    S.DISPATCHED: ["approve", "dispatch"],
    S.CLAIMED: ["approve", "claim"],
    S.FULFILLED: ["approve", "claim", "fulfil"],
    S.CONFIRMED: ["approve", "claim", "fulfil", "confirm"],
    S.CLOSED: ["approve", "close"],
}
TARGET = {
    "reject": S.REJECTED,
    "withdraw": S.WITHDRAWN,
    "approve": S.APPROVED,
    "dispatch": S.DISPATCHED,
    "claim": S.CLAIMED,
    "fulfil": S.FULFILLED,
    "confirm": S.CONFIRMED,
    "close": S.CLOSED,
}
OPEN = {S.SUBMITTED, S.APPROVED, S.DISPATCHED, S.CLAIMED}

WISHES_BY_CATEGORY = {
    "生活物资": [
        ("大米和食用油", "家里米面油不多了，希望能送一袋大米和一桶食用油。", "low_income"),
        ("过冬的棉衣", "天冷了，想要一件厚实的棉衣。", "elderly"),
        ("一台电饭锅", "家里的电饭锅坏了，想要一台新的。", "low_income"),
    ],
    "学习用品": [
        ("书包和文具", "孩子开学了，想要一个新书包和一套文具。", "children"),
        ("一盏护眼台灯", "孩子晚上写作业光线太暗，想要一盏护眼台灯。", "children"),
    ],
    "医疗康复": [
        ("一副助行器", "腿脚不便，想要一副助行器方便在屋里走动。", "elderly"),
        ("陪同去医院复查", "独居，想请人陪同去医院复查。", "ill"),
        ("一台血压计", "有高血压，想要一台电子血压计。", "ill"),
    ],
    "法律服务": [
        ("赡养问题法律咨询", "子女不履行赡养义务，想咨询法律问题。", "elderly"),
        ("工伤赔偿咨询", "干活时受了伤，想咨询工伤赔偿怎么办。", "disabled"),
    ],
    "公共设施": [
        ("楼道灯坏了", "单元楼道灯坏了很久，老人上下楼不安全。", "public"),
        ("小区长椅修缮", "小区里的长椅坏了，希望修一修。", "public"),
    ],
    "其他": [
        ("帮忙修理门锁", "家里门锁坏了，想请人帮忙修一修。", "elderly"),
        ("教老人用智能手机", "想学会用手机和外地的孩子视频。", "elderly"),
    ],
}


@dataclass
class Counts:
    volunteers: int = 0
    residents: int = 0
    wishes: int = 0


def generate(world: World, *, volunteers: int, residents: int, wishes: int, seed: int = 2024):
    rng = random.Random(seed)
    counts = Counts()
    with transaction.atomic():
        counts.volunteers = _volunteers(world, volunteers, rng)
        counts.residents = _residents(world, residents, rng)
        counts.wishes = _wishes(world, wishes, rng)
    return counts


def _random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _volunteers(world: World, count: int, rng: random.Random) -> int:
    """volunteer10, volunteer11, …: approved 在职党员 registered with 福阳社区."""
    first = len(VOLUNTEERS) + 1
    wanted = [f"volunteer{n}" for n in range(first, first + count)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    new_users = [
        User(
            username=username,
            real_name=_random_name(rng),
            phone=f"136{int(username.removeprefix('volunteer')):08d}",
            password=world.password_hash,
        )
        for username in wanted
        if username not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    created = User.objects.filter(username__in=[u.username for u in new_users])
    organisations = list(Organisation.objects.filter(kind=Organisation.Kind.PARTY_BRANCH))
    profiles = VolunteerProfile.objects.bulk_create(
        [
            VolunteerProfile(
                user=user,
                is_party_member=True,
                organisation=organisation,
                organisation_confirmed=organisation is not None,
            )
            for user, organisation in (
                (user, rng.choice(organisations) if rng.random() < 0.3 else None)
                for user in created
            )
        ],
        batch_size=1000,
    )
    fuyang = world.communities["福阳社区"]
    staff = world.users["staff_fuyang"]
    now = timezone.now()
    VolunteerRegistration.objects.bulk_create(
        [
            VolunteerRegistration(
                volunteer=profile,
                community=fuyang,
                status=VolunteerRegistration.Status.APPROVED,
                decided_by=staff,
                decided_at=now,
            )
            for profile in profiles
        ],
        batch_size=1000,
    )
    return len(new_users)


def _residents(world: World, count: int, rng: random.Random) -> int:
    """resident7, resident8, …: spread over every community, a quarter in 福阳社区."""
    first = len(RESIDENTS) + 1
    wanted = [f"resident{n}" for n in range(first, first + count)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    users = []
    for username in wanted:
        if username not in existing:
            number = int(username.removeprefix("resident"))
            users.append(
                User(
                    username=username,
                    real_name=_random_name(rng),
                    phone=f"135{number:08d}",
                    password=world.password_hash,
                )
            )
    User.objects.bulk_create(users, batch_size=1000)
    created = User.objects.filter(username__in=[u.username for u in users])
    grids_by_community = defaultdict(list)
    for grid in Grid.objects.all():
        grids_by_community[grid.community_id].append(grid)
    communities = list(world.communities.values())
    fuyang = world.communities["福阳社区"]
    situations = [s for s in Resident.Situation.values if s]
    rows = []
    for user in created:
        community = fuyang if rng.random() < 0.25 else rng.choice(communities)
        grids = grids_by_community[community.pk]
        rows.append(
            Resident(
                user=user,
                name=user.real_name,
                gender=rng.choice([Resident.Gender.FEMALE, Resident.Gender.MALE]),
                phone=user.phone,
                community=community,
                grid=rng.choice(grids) if grids else None,
                address=f"{community.name}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
                f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
                situation=rng.choice(situations),
            )
        )
    Resident.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _wishes(world: World, count: int, rng: random.Random) -> int:
    existing = Wish.objects.exclude(title__in=STORY_TITLES).count()
    missing = max(0, count - existing)
    if not missing:
        return 0
    context = _Context.load(world)
    made = 0
    while made < missing:
        size = min(CHUNK, missing - made)
        _write_chunk(context, size, rng)
        made += size
    return made


@dataclass
class _Context:
    categories: dict[str, Category]
    residents: list[tuple[int, int, int | None, int | None]]  # id, community, grid, user
    members: dict[int, list[int]]  # organisation → member user ids
    grids: dict[int, list[int]]
    volunteers: dict[int, list[tuple[int, int | None]]]  # community → (user id, org id)
    organisations: dict[int, list[int]]  # community → organisation ids
    reviewers: dict[int, int]  # community → staff user id
    admin_id: int
    now: datetime.datetime

    @classmethod
    def load(cls, world: World) -> _Context:
        volunteers = defaultdict(list)
        for user_id, org_id, community_id in VolunteerRegistration.objects.filter(
            status=VolunteerRegistration.Status.APPROVED
        ).values_list("volunteer__user_id", "volunteer__organisation_id", "community_id"):
            volunteers[community_id].append((user_id, org_id))
        organisations = defaultdict(list)
        for org in Organisation.objects.prefetch_related("communities"):
            for community in org.communities.all():
                organisations[community.pk].append(org.pk)
        members = defaultdict(list)
        for user_id, org_id in VolunteerProfile.objects.filter(
            organisation__isnull=False
        ).values_list("user_id", "organisation_id"):
            members[org_id].append(user_id)
        grids = defaultdict(list)
        for grid_id, community_id in Grid.objects.values_list("pk", "community_id"):
            grids[community_id].append(grid_id)
        reviewers = {}
        for community in world.communities.values():
            role = community.staff_roles.order_by("pk").first()
            reviewers[community.pk] = role.user_id if role else world.users["admin"].pk
        return cls(
            categories={
                name: Category.objects.get_or_create(name=name)[0] for name in WISHES_BY_CATEGORY
            },
            residents=list(
                Resident.objects.values_list("pk", "community_id", "grid_id", "user_id")
            ),
            members=members,
            grids=grids,
            volunteers=volunteers,
            organisations=organisations,
            reviewers=reviewers,
            admin_id=world.users["admin"].pk,
            now=timezone.now(),
        )


def _write_chunk(ctx: _Context, size: int, rng: random.Random) -> None:
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=size)
    wishes, plans = [], []
    for status in statuses:
        category_name = rng.choice(list(WISHES_BY_CATEGORY))
        title, description, group = rng.choice(WISHES_BY_CATEGORY[category_name])
        collective = group == "public"
        resident_id, community_id, grid_id, resident_user_id = rng.choice(ctx.residents)
        if collective:
            resident_id = resident_user_id = None
        if status in OPEN:
            age = datetime.timedelta(days=rng.uniform(0.5, 45))
        else:
            age = datetime.timedelta(days=rng.uniform(20, 3 * 365))
        created_at = ctx.now - age
        path = PATHS[status]
        # Public-facility wishes are dispatched to departments, never claimed directly.
        if collective and "claim" in path:
            path = [move if move != "claim" else "dispatch" for move in path]
            path.insert(path.index("dispatch") + 1, "accept")
        steps = _schedule(created_at, ctx.now, len(path), rng)
        if resident_user_id is None and not collective:
            channel = Wish.Channel.VISIT
        else:
            channel = rng.choices(
                [Wish.Channel.ONLINE, Wish.Channel.VISIT, Wish.Channel.PHONE, Wish.Channel.IMPORT],
                weights=[5, 3, 2, 1],
            )[0]
        wish = Wish(
            title=title,
            description=description,
            category=ctx.categories[category_name],
            kind=Wish.Kind.COLLECTIVE if collective else Wish.Kind.INDIVIDUAL,
            priority=Wish.Priority.URGENT if rng.random() < 0.08 else Wish.Priority.NORMAL,
            target_group=group,
            community_id=community_id,
            grid_id=grid_id,
            resident_id=resident_id,
            entered_by_id=(
                resident_user_id if channel == Wish.Channel.ONLINE else ctx.reviewers[community_id]
            ),
            channel=channel,
            estimated_value=Decimal(rng.randrange(50, 2000, 10)),
            public_consent=rng.random() < 0.7,
            status=status,
            created_at=created_at,
        )
        holder = _holder(ctx, community_id, rng, collective or "dispatch" in path)
        if holder is None and ("claim" in path or "dispatch" in path):
            # Nobody registered there yet: the wish is still waiting for someone.
            path, steps = ["approve"], steps[:1]
            wish.status = S.APPROVED
        _fill_fields(wish, path, steps, ctx, rng)
        wishes.append(wish)
        plans.append((path, steps, holder, resident_user_id))

    Wish.objects.bulk_create(wishes, batch_size=1000)
    events, claims = [], []
    for wish, (path, steps, holder, resident_user_id) in zip(wishes, plans, strict=True):
        _timeline(wish, path, steps, holder, resident_user_id, ctx, events, claims)
    Claim.objects.bulk_create(claims, batch_size=2000)
    WishEvent.objects.bulk_create(events, batch_size=2000)


def _schedule(start, now, moves: int, rng: random.Random) -> list[datetime.datetime]:
    """Increasing moments after `start`, none in the future."""
    moments, moment = [], start
    span = (now - start) / (moves + 1) if moves else datetime.timedelta(0)
    for _ in range(moves):
        moment = moment + span * rng.uniform(0.2, 1.0)
        moments.append(min(moment, now))
    return moments


def _holder(ctx, community_id, rng, via_organisation) -> tuple[int | None, int | None] | None:
    """(volunteer user id, organisation id) for a claim in this community."""
    volunteers = ctx.volunteers.get(community_id, [])
    organisations = ctx.organisations.get(community_id, [])
    if via_organisation and organisations:
        org_id = rng.choice(organisations)
        members = ctx.members.get(org_id, [])
        return (rng.choice(members) if members else None, org_id)
    if not volunteers:
        return None
    user_id, org_id = rng.choice(volunteers)
    return (user_id, org_id if org_id and rng.random() < 0.5 else None)


def _fill_fields(wish: Wish, path, steps, ctx, rng) -> None:
    reviewer = ctx.reviewers[wish.community_id]
    for move, moment in zip(path, steps, strict=True):
        if move in {"approve", "reject"}:
            wish.reviewed_by_id, wish.reviewed_at = reviewer, moment
        if move == "approve":
            wish.published_at = moment
        elif move == "reject":
            wish.reject_reason = "不属于微心愿服务范围，已转交社区相关部门办理。"
        elif move in {"claim", "accept"}:
            wish.claimed_at = moment
        elif move == "fulfil":
            wish.fulfilled_at, wish.fulfil_note = moment, "已送到心愿人手中。"
        elif move == "confirm":
            wish.confirmed_at, wish.rating = moment, rng.choice([4, 5, 5, 5])
            wish.thanks_note = "谢谢党员志愿者！"
        elif move == "close":
            wish.closed_at, wish.close_reason = moment, "心愿人已搬离本社区。"
    wish.updated_at = steps[-1] if steps else wish.created_at


def _timeline(wish, path, steps, holder, resident_user_id, ctx, events, claims) -> None:
    reviewer = ctx.reviewers[wish.community_id]
    volunteer_id, org_id = holder or (None, None)
    events.append(
        WishEvent(
            wish_id=wish.pk,
            actor_id=wish.entered_by_id,
            action="submit",
            from_status="",
            to_status=S.SUBMITTED,
            note=wish.get_channel_display(),
            created_at=wish.created_at,
        )
    )
    status = S.SUBMITTED
    claim = None
    for move, moment in zip(path, steps, strict=True):
        target = S.CLAIMED if move == "accept" else TARGET[move]
        actor = reviewer
        note = ""
        if move == "dispatch":
            claim = Claim(
                wish_id=wish.pk,
                volunteer_id=volunteer_id,
                organisation_id=org_id,
                dispatched_by_id=reviewer,
                state=Claim.State.OFFERED,
                created_at=moment,
            )
            note = "派单"
        elif move == "claim":
            claim = Claim(
                wish_id=wish.pk,
                volunteer_id=volunteer_id,
                organisation_id=org_id,
                state=Claim.State.ACTIVE,
                created_at=moment,
                accepted_at=moment,
            )
            actor = volunteer_id
        elif move == "accept":
            claim.state, claim.accepted_at = Claim.State.ACTIVE, moment
            actor = volunteer_id
        elif move == "fulfil":
            claim.state, claim.ended_at = Claim.State.FULFILLED, moment
            actor, note = claim.volunteer_id, wish.fulfil_note
        elif move == "confirm":
            actor, note = resident_user_id or reviewer, wish.thanks_note
        elif move in {"reject", "close"}:
            note = wish.reject_reason or wish.close_reason
        elif move == "withdraw":
            actor, note = resident_user_id or reviewer, "心愿已自行解决。"
        events.append(
            WishEvent(
                wish_id=wish.pk,
                actor_id=actor,
                action=move,
                from_status=status,
                to_status=target,
                note=note,
                created_at=moment,
            )
        )
        status = target
    if claim is not None:
        claims.append(claim)
