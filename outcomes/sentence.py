"""The report sentence: the figures of a scope and period said the way a community worker would
write them in a monthly report or a WeChat article, in Chinese or in English."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .figures import Period, Scope, Summary


def _hours(value: Decimal) -> str:
    value = value.normalize()
    return f"{value:f}" if value == value.to_integral() else f"{value:.1f}"


def _count(hours: Decimal) -> int:
    """For choosing "hour" or "hours": exactly one is singular, anything else plural."""
    return 1 if hours == 1 else 2


def report_sentence(scope: Scope, period: Period, figures: Summary) -> str:
    """One paragraph: what was collected and fulfilled, who took part, the hours given."""
    where = scope.name
    when = period.opening
    if figures.collected == 0:
        return _("%(when)s，%(where)s还没有征集到微心愿。") % {"when": when, "where": where}

    parts = [
        ngettext(
            "%(when)s，%(where)s征集微心愿%(n)d个",
            "%(when)s，%(where)s征集微心愿%(n)d个",
            figures.collected,
        )
        % {"when": when, "where": where, "n": figures.collected}
    ]
    if figures.fulfilled == figures.collected:
        parts.append(_("已全部实现"))
    elif figures.fulfilled == 0:
        parts.append(_("正在陆续认领和实现中"))
    else:
        parts.append(
            _("已实现%(n)d个（实现率%(rate)s%%）")
            % {"n": figures.fulfilled, "rate": f"{figures.rate:g}"}
        )
    if figures.closed:
        parts.append(
            ngettext(
                "另有%(n)d个因故无法实现",
                "另有%(n)d个因故无法实现",
                figures.closed,
            )
            % {"n": figures.closed}
        )
    sentence = _("，").join(parts) + _("。")

    people = []
    if figures.party_members and figures.party_members == figures.volunteers:
        people.append(
            ngettext("%(n)d名在职党员", "%(n)d名在职党员", figures.party_members)
            % {"n": figures.party_members}
        )
    elif figures.volunteers:
        who = ngettext("%(n)d名志愿者", "%(n)d名志愿者", figures.volunteers) % {
            "n": figures.volunteers
        }
        if figures.party_members:
            who += _("（其中在职党员%(n)d名）") % {"n": figures.party_members}
        people.append(who)
    if figures.organisations and figures.branches == figures.organisations:
        people.append(
            ngettext("%(n)d个党支部", "%(n)d个党支部", figures.branches) % {"n": figures.branches}
        )
    elif figures.organisations:
        people.append(
            ngettext("%(n)d个单位", "%(n)d个单位", figures.organisations)
            % {"n": figures.organisations}
        )
    if people:
        clause = _("和").join(people) + _("参与认领")
        if figures.hours:
            clause += ngettext(
                "，累计志愿服务%(hours)s小时", "，累计志愿服务%(hours)s小时", _count(figures.hours)
            ) % {"hours": _hours(figures.hours)}
        sentence += clause + _("。")
    elif figures.hours:
        sentence += ngettext(
            "累计志愿服务%(hours)s小时。", "累计志愿服务%(hours)s小时。", _count(figures.hours)
        ) % {"hours": _hours(figures.hours)}
    return sentence
