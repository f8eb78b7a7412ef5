"""Every message the programme sends, keyed by kind: its words, its subject, where it takes the
reader, and how people hear of it unless they chose otherwise.

A notice stores only its kind and parameters; the words are rendered here in the reader's
language when the notice is shown or sent. Parameters hold plain values (a wish's title as
this reader may read it, a reason, a community's name); anything the reader's language should
change (a channel, a date) is stored as a code or an ISO time and turned into words here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wishes.quotes import quoted

if TYPE_CHECKING:
    from .models import Notice

RESIDENT, VOLUNTEER, STAFF = "resident", "volunteer", "staff"
NOW, DIGEST, IN_APP = "now", "digest", "in_app"


def _wish_page(notice: Notice) -> str:
    """The wish, on the page this reader may open: the workbench for staff acting for a
    resident without a login, the wish's page for everyone else."""
    if notice.wish_id is None:
        return reverse("notices:list")
    if notice.params.get("proxy"):
        return reverse("staff:wish", args=[notice.wish_id])
    return reverse("wishes:detail", args=[notice.wish_id])


def _staff_wish(notice: Notice) -> str:
    if notice.wish_id is None:
        return reverse("staff:index")
    return reverse("staff:wish", args=[notice.wish_id])


def _to(name: str, *args) -> Callable[[Notice], str]:
    return lambda notice: reverse(name, args=args)


def _when(value: str) -> str:
    moment = datetime.datetime.fromisoformat(value)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@dataclass(frozen=True)
class Message:
    kind: str
    label: Promise  # what the kind is called on the preferences page
    audience: str  # RESIDENT, VOLUNTEER or STAFF: whose preferences page lists it
    body: Promise | Callable[[dict[str, Any]], str]
    link: Callable[[Notice], str]
    default_mode: str = NOW
    # For a resident without a login, the staff member who entered the wish reads this.
    proxy_body: Promise | None = None

    @property
    def subject(self) -> str:
        return _("【微心愿】%(label)s") % {"label": self.label}

    def render(self, params: dict[str, Any]) -> str:
        if callable(self.body) and not isinstance(self.body, Promise):
            return self.body(params)
        body = self.proxy_body if params.get("proxy") and self.proxy_body else self.body
        return str(body) % _Params(params)


class _Params(dict):
    """Missing parameters read as empty rather than break a notice; a reason the system gave
    (`reason_code`) is said in the reader's language, not in the words stored with it."""

    def __init__(self, params):
        super().__init__(params)
        code = params.get("reason_code")
        if code in SYSTEM_REASONS:
            from django.conf import settings

            days = params.get("days", settings.WISH_AUTO_RELEASE_DAYS)
            self["reason"] = str(SYSTEM_REASONS[code]) % {"days": days}

    def __missing__(self, key):
        return ""


# Reasons the system itself gives (the hourly sweep), keyed by code.
SYSTEM_REASONS = {
    "auto_release": gettext_lazy("认领超过%(days)s天没有进展，系统自动释放。"),
    "auto_decline": gettext_lazy("派单超过%(days)s天无人接单，系统自动退回。"),
}


def _remind(params):
    if params.get("note"):
        return _("社区提醒您：%(note)s（心愿“%(title)s”）") % _Params(params)
    return _("请尽快处理心愿“%(title)s”，如有困难可以在“我的认领”里放弃或退回。") % _Params(params)


def _thanked(params):
    text = _("%(who)s确认收到了您送去的“%(title)s”") % _Params(params)
    if params.get("rating"):
        text += _("，评价%(rating)s星") % _Params(params)
    if thanks := (params.get("thanks") or "").rstrip("。！!.～~ "):
        text += _("，留言：“%(thanks)s”") % _Params({**params, "thanks": thanks})
    return text + _("。谢谢您！")


def _event(params):
    return _(
        "您认领的心愿“%(title)s”将在集中兑现活动%(event)s中交付：%(when)s，地点%(place)s。"
        "请按时到场并扫码签到。"
    ) % _Params(
        {
            **params,
            "event": quoted(params.get("event") or ""),
            "when": _when(params["starts_at"]) if params.get("starts_at") else "",
        }
    )


def _registration(params):
    if params.get("approved"):
        return _("您在%(community)s的报到已通过，现在可以认领这个社区的心愿了。") % _Params(params)
    return _("您在%(community)s的报到没有通过，如有疑问请联系社区。") % _Params(params)


def _membership(params):
    if params.get("approved"):
        return _(
            "%(org)s已确认您是本单位成员，现在可以以单位名义认领心愿、接收单位的派单。"
        ) % _Params(params)
    return _("%(org)s没有确认您的成员身份，如有疑问请联系单位或社区。") % _Params(params)


def _submitted(params):
    from wishes.models import Wish

    channel = params.get("channel")
    label = Wish.Channel(channel).label if channel in Wish.Channel.values else ""
    return _("%(community)s有新心愿待审核：“%(title)s”（%(channel)s）") % _Params(
        {**params, "channel": label}
    )


def _hours_decided(params):
    day = params.get("day")
    when = formats.date_format(datetime.date.fromisoformat(day), "DATE_FORMAT") if day else ""
    if params.get("approved"):
        return _(
            "您为心愿“%(title)s”登记的志愿服务时长（%(day)s，%(hours)s小时）已由社区认定。"
        ) % _Params({**params, "day": when})
    reason = (params.get("reason") or "").rstrip("。！!. ")
    return _(
        "您为心愿“%(title)s”登记的志愿服务时长（%(day)s，%(hours)s小时）没有被认定：%(reason)s。"
        "如有疑问请联系社区，也可以修改后重新提交。"
    ) % _Params({**params, "day": when, "reason": reason})


MESSAGES = [
    # ----- the resident (or the staff member who entered the wish for them) --------------------
    Message(
        "wish_approved",
        gettext_lazy("心愿审核通过"),
        RESIDENT,
        gettext_lazy("您的心愿“%(title)s”已审核通过，发布到心愿清单，等待志愿者认领。"),
        _wish_page,
        proxy_body=gettext_lazy(
            "您为%(resident)s登记的心愿“%(title)s”已审核通过，发布到心愿清单。"
        ),
    ),
    Message(
        "wish_rejected",
        gettext_lazy("心愿没有通过审核"),
        RESIDENT,
        gettext_lazy("很抱歉，您的心愿“%(title)s”没有通过审核：%(reason)s"),
        _wish_page,
        proxy_body=gettext_lazy("您为%(resident)s登记的心愿“%(title)s”没有通过审核：%(reason)s"),
    ),
    Message(
        "wish_claimed",
        gettext_lazy("心愿有人认领"),
        RESIDENT,
        gettext_lazy("好消息！您的心愿“%(title)s”已由%(who)s认领，TA会尽快联系您。"),
        _wish_page,
        proxy_body=gettext_lazy("%(resident)s的心愿“%(title)s”已由%(who)s认领，请转告居民。"),
    ),
    Message(
        "wish_fulfilled",
        gettext_lazy("心愿已兑现，请确认"),
        RESIDENT,
        gettext_lazy("%(who)s说您的心愿“%(title)s”已经实现了。收到了吗？点一下就能确认。"),
        lambda notice: _wish_page(notice) + ("" if notice.params.get("proxy") else "#confirm"),
        proxy_body=gettext_lazy(
            "%(who)s报告%(resident)s的心愿“%(title)s”已经实现，请向居民核实后代为确认。"
        ),
    ),
    Message(
        "wish_closed",
        gettext_lazy("心愿无法实现"),
        RESIDENT,
        gettext_lazy("您的心愿“%(title)s”暂时无法实现：%(reason)s。如有需要请联系社区。"),
        _wish_page,
        proxy_body=gettext_lazy("%(resident)s的心愿“%(title)s”已关闭（无法实现）：%(reason)s"),
    ),
    # ----- volunteers and the confirmed members of organisations ------------------------------
    Message(
        "dispatched",
        gettext_lazy("新派单"),
        VOLUNTEER,
        gettext_lazy("社区派给您一个心愿：“%(title)s”，请在“我的认领”里接单或退回。"),
        _to("wishes:claims"),
    ),
    Message("remind", gettext_lazy("催办提醒"), VOLUNTEER, _remind, _wish_page),
    Message(
        "released",
        gettext_lazy("认领已结束"),
        VOLUNTEER,
        gettext_lazy("您认领的心愿“%(title)s”已被释放：%(reason)s"),
        _to("wishes:claims"),
    ),
    Message("thanked", gettext_lazy("心愿人的感谢和评价"), VOLUNTEER, _thanked, _wish_page),
    Message(
        "event_attached",
        gettext_lazy("集中兑现活动安排"),
        VOLUNTEER,
        _event,
        lambda notice: reverse("wishes:event", args=[notice.params.get("code", "")]),
    ),
    Message(
        "registration_decided",
        gettext_lazy("双报到审核结果"),
        VOLUNTEER,
        _registration,
        lambda notice: reverse(
            "wishes:list" if notice.params.get("approved") else "accounts:profile"
        ),
    ),
    Message(
        "membership_decided",
        gettext_lazy("单位成员核实结果"),
        VOLUNTEER,
        _membership,
        _to("accounts:profile"),
    ),
    # ----- staff -----------------------------------------------------------------------------
    Message(
        "wish_submitted",
        gettext_lazy("新心愿待审核"),
        STAFF,
        _submitted,
        _staff_wish,
        default_mode=DIGEST,
    ),
    Message(
        "declined",
        gettext_lazy("派单被退回"),
        STAFF,
        gettext_lazy("派单“%(title)s”被%(who)s退回：%(reason)s"),
        _staff_wish,
        default_mode=DIGEST,
    ),
    Message(
        "escalated",
        gettext_lazy("长期无人认领"),
        STAFF,
        gettext_lazy("%(community)s的心愿“%(title)s”已等待%(days)s天无人认领，请协调。"),
        _staff_wish,
    ),
    Message(
        "awaiting_confirmation",
        gettext_lazy("兑现后长期未确认"),
        STAFF,
        gettext_lazy(
            "心愿“%(title)s”已兑现%(days)s天，心愿人还没有确认。可以代为确认，或记录一次回访。"
        ),
        _staff_wish,
    ),
    # ----- service hours (志愿服务时长) ----------------------------------------------------------
    Message(
        "hours_decided",
        gettext_lazy("服务时长审核结果"),
        VOLUNTEER,
        _hours_decided,
        _to("outcomes:volunteering"),
    ),
]

KINDS: dict[str, Message] = {message.kind: message for message in MESSAGES}

# Notices from before kinds had parameters: their words are stored; only a label and a link.
LEGACY = {
    "other": gettext_lazy("通知"),
}
for _kind, _label in LEGACY.items():
    KINDS.setdefault(
        _kind, Message(_kind, _label, VOLUNTEER, gettext_lazy("%(text)s"), _wish_page, IN_APP)
    )


def kinds_for(audiences: set[str]) -> list[Message]:
    """The kinds a person with these roles may hear of, for their preferences page."""
    return [message for message in MESSAGES if message.audience in audiences]
