"""Many more volunteers, residents and wishes on top of the stories and the year's programme
(year.py), with plain bulk inserts.

Rows are built in memory a chunk at a time and written with bulk_create, timelines and claims
included (rows.py), so 100,000 wishes take well under a minute. Every generated wish is
consistent with the life cycle: its events walk the allowed moves, its claims match its status,
and claimers are volunteers registered (双报到) with the wish's community or confirmed members
of an organisation registered there.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import reset_queries, transaction
from django.utils import timezone

from accounts.models import Resident, User, VolunteerProfile, VolunteerRegistration
from communities.models import Grid, Organisation
from wishes.models import Wish

from .rows import Context, Plan, fill_fields, random_name, write_wishes
from .stories import STORY_TITLES
from .world import RESIDENTS, VOLUNTEERS, World
from .year import YEAR_RESIDENTS, YEAR_TITLES, YEAR_VOLUNTEERS

S = Wish.Status
CHUNK = 5000

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


def _volunteers(world: World, count: int, rng: random.Random) -> int:
    """volunteer220, volunteer221, … (after the year's): approved 在职党员 of 福阳社区."""
    first = len(VOLUNTEERS) + YEAR_VOLUNTEERS + 1
    wanted = [f"volunteer{n}" for n in range(first, first + count)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    new_users = [
        User(
            username=username,
            real_name=random_name(rng),
            phone=f"136{int(username.removeprefix('volunteer')):08d}",
            email=f"{username}@example.org",
            password=world.password_hash,
        )
        for username in wanted
        if username not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    # In order of creation, so the same seed draws the same on any database.
    created = User.objects.filter(username__in=[u.username for u in new_users]).order_by("pk")
    organisations = list(
        Organisation.objects.filter(kind=Organisation.Kind.PARTY_BRANCH).order_by("pk")
    )
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
    """After the year's residents: spread over every community, a quarter in 福阳社区."""
    first = len(RESIDENTS) + YEAR_RESIDENTS + 1
    wanted = [f"resident{n}" for n in range(first, first + count)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    users = []
    for username in wanted:
        if username not in existing:
            number = int(username.removeprefix("resident"))
            users.append(
                User(
                    username=username,
                    real_name=random_name(rng),
                    phone=f"135{number:08d}",
                    email=f"{username}@example.org",
                    password=world.password_hash,
                )
            )
    User.objects.bulk_create(users, batch_size=1000)
    created = User.objects.filter(username__in=[u.username for u in users]).order_by("pk")
    grids_by_community = defaultdict(list)
    for grid in Grid.objects.order_by("pk"):
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
    # The stories and the year's wishes are the seed's own; these come on top of them.
    existing = Wish.objects.exclude(title__in=STORY_TITLES + YEAR_TITLES).count()
    missing = max(0, count - existing)
    if not missing:
        return 0
    context = Context.load(world)
    made = 0
    while made < missing:
        size = min(CHUNK, missing - made)
        _write_chunk(context, size, rng)
        made += size
        # With DEBUG on (make seed), Django keeps the last 9,000 queries' SQL: bulk inserts of a
        # thousand rows each would hold gigabytes by a million wishes.
        reset_queries()
    return made


def _write_chunk(ctx: Context, size: int, rng: random.Random) -> None:
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
            created_at=created_at,
        )
        holder = _holder(ctx, community_id, rng, collective or "dispatch" in path)
        if holder is None and ("claim" in path or "dispatch" in path):
            # Nobody registered there yet: the wish is still waiting for someone.
            path, steps = ["approve"], steps[:1]
        plan = Plan(path, steps, holder, resident_user_id)
        fill_fields(wish, plan, ctx, rng)
        wishes.append(wish)
        plans.append(plan)
    write_wishes(ctx, wishes, plans)


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
    if via_organisation or not volunteers:
        # Organisations take dispatches and public-facility wishes, and the wishes of a
        # community nobody registered with in person; one of their confirmed members acts.
        staffed = [org_id for org_id in organisations if ctx.members.get(org_id)]
        if not staffed:
            return None
        org_id = rng.choice(staffed)
        return (rng.choice(ctx.members[org_id]), org_id)
    user_id, org_id = rng.choice(volunteers)
    # In the organisation's name only where it registered (ctx.volunteers names only
    # confirmed memberships).
    acts_for_it = org_id in organisations and rng.random() < 0.5
    return (user_id, org_id if acts_for_it else None)
