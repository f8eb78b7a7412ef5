"""The wish life cycle as a table: which move goes from which states to which, and who may make it.

`Wish` (in models.py) has one method per move; each asks this table before it changes anything,
and templates ask `Wish.available_moves(user)` which buttons to show. Nothing else writes status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Wish


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("待认领")
    DISPATCHED = "dispatched", _("已派单")
    CLAIMED = "claimed", _("认领中")
    FULFILLED = "fulfilled", _("已兑现")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("无法实现")


class WishError(Exception):
    """A refused move. `code` says why: "state", "forbidden", "conflict" or "invalid"."""

    def __init__(self, message: str | Promise, code: str = "state"):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code

    def __str__(self) -> str:
        return self.message


# Who may make a move, given the locked, fresh copy of the wish. Each rule asks the access
# policy (wishes/policy.py), so a button, a method and a page can never disagree.
Rule = Callable[["User", "Wish"], bool]


def is_staff_for(user: User, wish: Wish) -> bool:
    """Works on the wish's community (or, for a grid worker, its grid)."""
    from .policy import wishes

    return wishes.can_manage(user, wish)


def is_resident_of(user: User, wish: Wish) -> bool:
    from .policy import wishes

    return wishes.is_residents_own(user, wish)


def is_registered_volunteer(user: User, wish: Wish) -> bool:
    """Approved 双报到 volunteer of the wish's community."""
    from accounts.scoping import scope_of

    return wish.community_id in scope_of(user).volunteer_communities


def is_individual(user: User, wish: Wish) -> bool:
    """A resident's own wish: public-facility wishes go to departments by dispatch only."""
    return wish.kind == "individual"


def holds_open_claim(user: User, wish: Wish) -> bool:
    """The volunteer, or a confirmed member of the organisation, that the open claim names."""
    from .policy import claims

    claim = wish.open_claim()
    return claim is not None and claims.holds(user, claim)


def holds_active_claim(user: User, wish: Wish) -> bool:
    """The one person delivering: named on an accepted claim (not a dispatch still unanswered)."""
    from .policy import what_user_sees

    return what_user_sees(wish, user).is_claimer


def any_of(*rules: Rule) -> Rule:
    return lambda user, wish: any(rule(user, wish) for rule in rules)


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the wish stays where it is (edit, remind, escalate)
    label: Promise
    allowed: Rule
    # Shown when the actor rule fails, so every refusal says why in plain Chinese.
    refusal: Promise
    # Further conditions on the wish, each with its own refusal: checked for buttons too.
    conditions: tuple[tuple[Rule, Promise], ...] = ()

    def target_from(self, status: str) -> str:
        return self.target or status

    def refusal_for(self, user: User, wish: Wish) -> Promise | None:
        """Why this user may not make this move on this wish now, or None if they may."""
        if not self.allowed(user, wish):
            return self.refusal
        for rule, refusal in self.conditions:
            if not rule(user, wish):
                return refusal
        return None


S = Status

MOVES: dict[str, Move] = {
    move.name: move
    for move in [
        Move(
            "approve",
            frozenset({S.SUBMITTED}),
            S.APPROVED,
            _("审核通过"),
            is_staff_for,
            _("只有本社区工作人员可以审核心愿。"),
        ),
        Move(
            "reject",
            frozenset({S.SUBMITTED}),
            S.REJECTED,
            _("不予通过"),
            is_staff_for,
            _("只有本社区工作人员可以审核心愿。"),
        ),
        Move(
            "withdraw",
            frozenset({S.SUBMITTED}),
            S.WITHDRAWN,
            _("撤回心愿"),
            any_of(is_resident_of, is_staff_for),
            _("只有心愿人本人或本社区工作人员可以撤回。"),
        ),
        Move(
            "edit",
            frozenset({S.SUBMITTED}),
            S.SUBMITTED,
            _("修改心愿"),
            any_of(is_resident_of, is_staff_for),
            _("只有心愿人本人或本社区工作人员可以修改。"),
        ),
        Move(
            "claim",
            frozenset({S.APPROVED}),
            S.CLAIMED,
            _("认领"),
            is_registered_volunteer,
            _("只有已在本社区报到并通过审核的志愿者可以认领。"),
            conditions=(
                (
                    is_individual,
                    _("公共设施类心愿由社区派给责任部门，志愿者不能直接认领。"),
                ),
            ),
        ),
        Move(
            "dispatch",
            frozenset({S.APPROVED}),
            S.DISPATCHED,
            _("派单"),
            is_staff_for,
            _("只有本社区工作人员可以派单。"),
        ),
        Move(
            "accept",
            frozenset({S.DISPATCHED}),
            S.CLAIMED,
            _("接单"),
            holds_open_claim,
            _("这张派单不是派给您或您所在单位的。"),
        ),
        Move(
            "decline",
            frozenset({S.DISPATCHED}),
            S.APPROVED,
            _("退回派单"),
            any_of(holds_open_claim, is_staff_for),
            _("这张派单不是派给您或您所在单位的。"),
        ),
        Move(
            "release",
            frozenset({S.CLAIMED}),
            S.APPROVED,
            _("放弃认领"),
            any_of(holds_open_claim, is_staff_for),
            _("只有认领人或本社区工作人员可以放弃这项认领。"),
        ),
        Move(
            "fulfil",
            frozenset({S.CLAIMED}),
            S.FULFILLED,
            _("报告兑现"),
            any_of(holds_open_claim, is_staff_for),
            _("只有认领人或本社区工作人员可以报告兑现。"),
        ),
        Move(
            "confirm",
            frozenset({S.FULFILLED}),
            S.CONFIRMED,
            _("确认收到"),
            any_of(is_resident_of, is_staff_for),
            _("只有心愿人本人或本社区工作人员可以确认。"),
        ),
        Move(
            "remind",
            frozenset({S.DISPATCHED, S.CLAIMED}),
            None,
            _("催办"),
            is_staff_for,
            _("只有本社区工作人员可以催办。"),
        ),
        Move(
            "escalate",
            frozenset({S.APPROVED}),
            None,
            _("上报街道"),
            is_staff_for,
            _("只有本社区工作人员可以上报街道。"),
        ),
        Move(
            "close",
            frozenset({S.APPROVED, S.DISPATCHED, S.CLAIMED}),
            S.CLOSED,
            _("关闭（无法实现）"),
            is_staff_for,
            _("只有本社区工作人员可以关闭心愿。"),
        ),
    ]
}


class Audience(models.TextChoices):
    """Who may read the note of a timeline event. Everyone who sees a wish's timeline sees
    that the event happened, in plain words; the note (a reason, a remark) only its audience."""

    STAFF = "staff", _("仅工作人员")
    CLAIMER = "claimer", _("工作人员和认领人")
    RESIDENT = "resident", _("工作人员和心愿人")
    INVOLVED = "involved", _("工作人员、心愿人和认领人")


A = Audience

# Whom each move's note is written for. Staff's remarks on dispatching, releasing, declining or
# escalating never reach the resident; reasons the resident must hear (rejected, closed) do.
NOTE_AUDIENCE: dict[str, str] = {
    "submit": A.INVOLVED,
    "approve": A.STAFF,
    "reject": A.RESIDENT,
    "withdraw": A.RESIDENT,
    "edit": A.RESIDENT,
    "claim": A.INVOLVED,
    "dispatch": A.CLAIMER,
    "accept": A.INVOLVED,
    "decline": A.STAFF,
    "release": A.STAFF,
    "fulfil": A.INVOLVED,
    "confirm": A.INVOLVED,
    "remind": A.CLAIMER,
    "escalate": A.STAFF,
    "close": A.RESIDENT,
}

OPEN_STATUSES = frozenset({S.SUBMITTED, S.APPROVED, S.DISPATCHED, S.CLAIMED})
DONE_STATUSES = frozenset({S.FULFILLED, S.CONFIRMED})


def moves_from(status: str) -> list[Move]:
    return [move for move in MOVES.values() if status in move.sources]
