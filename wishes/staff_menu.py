"""The workbench's menu, in one place: grouped so a phone shows it as a short list of headed
sections (an offcanvas) and a laptop as a row of the daily pages plus three dropdowns."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from accounts.scoping import scope_of


@dataclass(frozen=True)
class Item:
    label: Promise
    url: str
    active: bool


@dataclass(frozen=True)
class Group:
    label: Promise
    items: list[Item]
    daily: bool  # shown as links in the row on a wide screen (else a dropdown)

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


# (label, URL name, the view names that count as being there, only for those who run a community)
GROUPS = [
    (
        pgettext_lazy("staff menu", "心愿"),
        True,
        [
            (pgettext_lazy("staff menu", "工作台"), "staff:index", ("staff:index",), False),
            (pgettext_lazy("staff menu", "审核"), "staff:review", ("staff:review",), False),
            (
                pgettext_lazy("staff menu", "全部心愿"),
                "staff:wishes",
                ("staff:wishes", "staff:wish"),
                False,
            ),
            (
                pgettext_lazy("staff menu", "派单"),
                "staff:dispatch_queue",
                ("staff:dispatch_queue", "staff:dispatch"),
                False,
            ),
            (pgettext_lazy("staff menu", "逾期"), "staff:overdue", ("staff:overdue",), False),
            (
                pgettext_lazy("staff menu", "代为填报"),
                "staff:find_resident",
                ("staff:find_resident", "staff:new_resident", "staff:enter_wish"),
                False,
            ),
        ],
    ),
    (
        pgettext_lazy("staff menu", "发布与活动"),
        False,
        [
            (
                pgettext_lazy("staff menu", "发布心愿清单"),
                "staff:publish_choose",
                ("staff:publish_choose", "staff:publish"),
                False,
            ),
            (
                pgettext_lazy("staff menu", "集中兑现"),
                "staff:events",
                ("staff:events", "staff:event"),
                True,
            ),
            (pgettext_lazy("staff menu", "导入导出"), "staff:import", ("staff:import",), False),
        ],
    ),
    (
        pgettext_lazy("staff menu", "志愿者"),
        False,
        [
            (
                pgettext_lazy("staff menu", "志愿者报到"),
                "staff:volunteers",
                ("staff:volunteers",),
                True,
            ),
            (
                pgettext_lazy("staff menu", "时长审核"),
                "outcomes:hours_queue",
                ("outcomes:hours_queue",),
                False,
            ),
            (
                pgettext_lazy("staff menu", "单位成员"),
                "communities:organisations",
                ("communities:",),
                True,
            ),
        ],
    ),
    (
        pgettext_lazy("staff menu", "统计与设置"),
        False,
        [
            (
                pgettext_lazy("staff menu", "统计"),
                "outcomes:staff_stats",
                ("outcomes:staff_stats",),
                False,
            ),
            (
                pgettext_lazy("staff menu", "社区电话和地址"),
                "staff:community",
                ("staff:community",),
                True,
            ),
            (
                pgettext_lazy("staff menu", "心愿类别"),
                "staff:categories",
                ("staff:categories",),
                True,
            ),
            (
                pgettext_lazy("staff menu", "访问记录"),
                "staff:access_log",
                ("staff:access_log",),
                False,
            ),
        ],
    ),
]


def _is_at(view_name: str, prefixes: tuple[str, ...]) -> bool:
    """The page is one of these views (a name ending in ":" stands for its whole app, and a
    name stands for the names that extend it: staff:event covers staff:event_attach)."""
    return any(
        view_name == prefix
        or (prefix.endswith(":") and view_name.startswith(prefix))
        or view_name.startswith(prefix + "_")
        for prefix in prefixes
    )


def staff_menu(request: HttpRequest) -> list[Group]:
    match = request.resolver_match
    view_name = match.view_name if match else ""
    runs = scope_of(request.user).runs_a_community
    groups = []
    for label, daily, entries in GROUPS:
        items = [
            Item(item_label, reverse(name), _is_at(view_name, names))
            for item_label, name, names, for_runners in entries
            if runs or not for_runners
        ]
        if items:
            groups.append(Group(label, items, daily))
    return groups
