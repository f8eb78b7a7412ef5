"""Wishes written as plain rows, consistent with the life cycle: what bulk.py and year.py share.

A wish is planned as the moves it went through after "submit" and the moment of each; from
that plan come its fields (`fill_fields`), its claim and its timeline (`write_wishes`), the same
rows the life-cycle methods would have written, without their one-by-one cost.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from accounts.models import Resident, StaffRole, VolunteerProfile, VolunteerRegistration
from communities.models import Community, Grid, Organisation
from wishes.lifecycle import NOTE_AUDIENCE
from wishes.models import Category, Claim, Wish, WishEvent

from .copy import insert, insert_rows
from .world import World

S = Wish.Status
TARGET = {
    "reject": S.REJECTED,
    "withdraw": S.WITHDRAWN,
    "approve": S.APPROVED,
    "dispatch": S.DISPATCHED,
    "claim": S.CLAIMED,
    "accept": S.CLAIMED,
    "fulfil": S.FULFILLED,
    "confirm": S.CONFIRMED,
    "close": S.CLOSED,
}
CHANNELS = dict(Wish.Channel.choices)  # the submit event's note: how the wish came in
CATEGORIES = ["生活物资", "学习用品", "医疗康复", "法律服务", "公共设施", "其他"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "秀英桂兰玉珍凤华建国志强丽娟淑芬海燕明伟红梅德福春生金玲文静永刚晓东翠萍立新"


def random_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


@dataclass
class Context:
    """What writing rows needs to know about the world, read once."""

    categories: dict[str, Category]
    residents: list[tuple[int, int, int | None, int | None]]  # id, community, grid, user
    members: dict[int, list[int]]  # organisation → confirmed member user ids
    grids: dict[int, list[int]]
    # community → (user id, organisation id if the membership is confirmed)
    volunteers: dict[int, list[tuple[int, int | None]]]
    organisations: dict[int, list[int]]  # community → organisation ids
    organisation_names: dict[int, str]
    reviewers: dict[int, int]  # community → staff user id
    admin_id: int
    now: datetime.datetime

    @classmethod
    def load(cls, world: World) -> Context:
        # Everything in order of creation, so the same seed draws the same on any database
        # (names sort differently under PostgreSQL's collation and SQLite's).
        volunteers = defaultdict(list)
        for user_id, org_id, confirmed, community_id in (
            VolunteerRegistration.objects.filter(status=VolunteerRegistration.Status.APPROVED)
            .order_by("pk")
            .values_list(
                "volunteer__user_id",
                "volunteer__organisation_id",
                "volunteer__organisation_confirmed",
                "community_id",
            )
        ):
            volunteers[community_id].append((user_id, org_id if confirmed else None))
        organisations = defaultdict(list)
        names = {}
        in_order = Prefetch("communities", queryset=Community.objects.order_by("pk"))
        for org in Organisation.objects.order_by("pk").prefetch_related(in_order):
            names[org.pk] = org.name
            for community in org.communities.all():
                organisations[community.pk].append(org.pk)
        # Only members the organisation has confirmed may act for it.
        members = defaultdict(list)
        for user_id, org_id in (
            VolunteerProfile.objects.filter(organisation__isnull=False, organisation_confirmed=True)
            .order_by("pk")
            .values_list("user_id", "organisation_id")
        ):
            members[org_id].append(user_id)
        grids = defaultdict(list)
        for grid_id, community_id in Grid.objects.order_by("pk").values_list("pk", "community_id"):
            grids[community_id].append(grid_id)
        admin_id = world.users["admin"].pk
        reviewers = {}
        for community in world.communities.values():
            # The community's own staff, else its street's admin, else the superuser.
            role = (
                StaffRole.objects.filter(
                    Q(community=community)
                    | Q(role=StaffRole.Role.STREET_ADMIN, street=community.street_id)
                )
                .order_by(F("street").asc(nulls_first=True), "pk")
                .first()
            )
            reviewers[community.pk] = role.user_id if role else admin_id
        return cls(
            categories={name: Category.objects.get_or_create(name=name)[0] for name in CATEGORIES},
            residents=list(
                Resident.objects.order_by("pk").values_list(
                    "pk", "community_id", "grid_id", "user_id"
                )
            ),
            members=members,
            grids=grids,
            volunteers=volunteers,
            organisations=organisations,
            organisation_names=names,
            reviewers=reviewers,
            admin_id=admin_id,
            now=timezone.now(),
        )


@dataclass
class Plan:
    """How one wish went: its moves after "submit", when, and who held it.

    `holder` is (volunteer user id, organisation id); `fulfilled_by` reports fulfilment when it
    was not the claimer (staff at a hand-over event).
    """

    path: list[str]
    steps: list[datetime.datetime]
    holder: tuple[int | None, int | None] | None
    resident_user_id: int | None
    fulfilled_by: int | None = None


def fill_fields(wish: Wish, plan: Plan, ctx: Context, rng) -> None:
    """The fields each move sets, at its moment (what the life-cycle methods would write)."""
    reviewer = ctx.reviewers[wish.community_id]
    for move, moment in zip(plan.path, plan.steps, strict=True):
        if move in {"approve", "reject"}:
            wish.reviewed_by_id, wish.reviewed_at = reviewer, moment
        if move == "approve":
            wish.published_at = moment
        elif move == "reject":
            wish.reject_reason = "不属于微心愿服务范围，已转交社区相关部门办理。"
        elif move in {"claim", "accept"}:
            wish.claimed_at = moment
        elif move == "fulfil":
            wish.fulfilled_at = moment
            wish.fulfil_note = wish.fulfil_note or "已送到心愿人手中。"
        elif move == "confirm":
            wish.confirmed_at, wish.rating = moment, rng.choice([4, 5, 5, 5])
            wish.thanks_note = wish.thanks_note or "谢谢党员志愿者！"
        elif move == "close":
            wish.closed_at, wish.close_reason = moment, "心愿人已搬离本社区。"
    wish.status = TARGET[plan.path[-1]] if plan.path else S.SUBMITTED
    wish.updated_at = plan.steps[-1] if plan.steps else wish.created_at


def write_wishes(ctx: Context, wishes: list[Wish], plans: list[Plan]) -> None:
    """Insert the wishes, then their claims and timelines (as plain rows: four million model
    instances were a quarter of a million wishes' seeding time)."""
    insert(Wish, wishes)
    events, claims = [], []
    for wish, plan in zip(wishes, plans, strict=True):
        _timeline(wish, plan, ctx, events, claims)
    insert_rows(Claim, CLAIM_COLUMNS, [_claim_row(claim) for claim in claims])
    insert_rows(WishEvent, EVENT_COLUMNS, events)


EVENT_COLUMNS = [
    "wish_id", "actor_id", "action", "from_status", "to_status", "note", "audience", "created_at"
]  # fmt: skip
CLAIM_COLUMNS = [
    "wish_id", "volunteer_id", "organisation_id", "dispatched_by_id", "state", "due_date",
    "note", "created_at", "accepted_at", "reminded_at", "ended_at", "end_reason",
]  # fmt: skip


def _claim_row(claim: dict) -> tuple:
    return (
        claim["wish_id"],
        claim["volunteer_id"],
        claim["organisation_id"],
        claim.get("dispatched_by_id"),
        claim["state"],
        None,
        "",
        claim["created_at"],
        claim.get("accepted_at"),
        None,
        claim.get("ended_at"),
        "",
    )


def _event(wish: Wish, action: str, actor, from_status, to_status, note, moment) -> tuple:
    return (
        wish.pk, actor, action, from_status, to_status, note, NOTE_AUDIENCE[action], moment
    )  # fmt: skip


def _timeline(wish: Wish, plan: Plan, ctx: Context, events: list, claims: list) -> None:
    reviewer = ctx.reviewers[wish.community_id]
    volunteer_id, org_id = plan.holder or (None, None)
    org_name = ctx.organisation_names.get(org_id, "")
    events.append(
        _event(
            wish,
            "submit",
            wish.entered_by_id,
            "",
            S.SUBMITTED,
            CHANNELS[wish.channel],
            wish.created_at,
        )
    )
    status = S.SUBMITTED
    claim = None
    for move, moment in zip(plan.path, plan.steps, strict=True):
        target = TARGET[move]
        actor = reviewer
        note = ""
        if move == "dispatch":
            claim = {
                "wish_id": wish.pk,
                "volunteer_id": None if org_id else volunteer_id,
                "organisation_id": org_id,
                "dispatched_by_id": reviewer,
                "state": Claim.State.OFFERED,
                "created_at": moment,
            }
            note = f"派给：{org_name}" if org_id else "派给志愿者"
        elif move == "claim":
            claim = {
                "wish_id": wish.pk,
                "volunteer_id": volunteer_id,
                "organisation_id": org_id,
                "state": Claim.State.ACTIVE,
                "created_at": moment,
                "accepted_at": moment,
            }
            actor = volunteer_id
            note = f"以{org_name}名义认领" if org_id else ""
        elif move == "accept":
            # Whoever accepts an organisation's dispatch is named on the claim from then on.
            claim.update(state=Claim.State.ACTIVE, accepted_at=moment, volunteer_id=volunteer_id)
            actor = volunteer_id
        elif move == "fulfil":
            claim.update(state=Claim.State.FULFILLED, ended_at=moment)
            actor, note = plan.fulfilled_by or claim["volunteer_id"], wish.fulfil_note
        elif move == "confirm":
            actor, note = plan.resident_user_id or reviewer, wish.thanks_note
        elif move in {"reject", "close"}:
            note = wish.reject_reason or wish.close_reason
        elif move == "withdraw":
            actor, note = plan.resident_user_id or reviewer, "心愿已自行解决。"
        events.append(_event(wish, move, actor, status, target, note, moment))
        status = target
    if claim is not None:
        claims.append(claim)
