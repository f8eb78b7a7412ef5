"""A report: the figures of one scope and period, put together once for the statistics page, its
Excel export and its charts, so the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import figures
from .figures import Period, Scope, Summary
from .sentence import report_sentence

# What the page lists per place, by the kind of scope it shows.
CHILDREN = {"city": "street", "street": "community", "community": "grid", "grid": None}


@dataclass
class Report:
    scope: Scope
    period: Period
    staff: bool  # the workbench's report: names of volunteers, medians, every breakdown
    summary: Summary
    sentence: str
    monthly: list[dict]
    by_category: list[dict]
    by_place: list[dict]
    place_kind: str | None
    by_target_group: list[dict] = field(default_factory=list)
    by_channel: list[dict] = field(default_factory=list)
    by_organisation: list[dict] = field(default_factory=list)
    by_volunteer: list[dict] = field(default_factory=list)
    medians: dict = field(default_factory=dict)

    @property
    def place_label(self) -> str:
        return {
            "street": _("街道"),
            "community": _("社区"),
            "grid": _("网格"),
        }.get(self.place_kind or "", "")

    def charts(self) -> dict:
        """What the charts draw (the tables beside them show the same numbers)."""
        return {
            "funnel": {
                "labels": [label for label, _n in self.summary.funnel],
                "values": [n for _label, n in self.summary.funnel],
            },
            "monthly": {
                "labels": [row["label"] for row in self.monthly],
                "series": [
                    {"name": _("征集"), "values": [row["collected"] for row in self.monthly]},
                    {"name": _("实现"), "values": [row["fulfilled"] for row in self.monthly]},
                ],
            },
            "category": _bars(self.by_category),
            "place": _bars(self.by_place),
        }


def _bars(rows: list[dict]) -> dict:
    return {
        "labels": [row["label"] for row in rows],
        "series": [
            {"name": _("征集"), "values": [row["collected"] for row in rows]},
            {"name": _("实现"), "values": [row["fulfilled"] for row in rows]},
        ],
    }


def build(
    scope: Scope, period: Period, *, staff: bool, reach: figures.Reach | None = None
) -> Report:
    summary = figures.summary(scope, period, reach=reach)
    place_kind = CHILDREN[scope.kind]
    report = Report(
        scope=scope,
        period=period,
        staff=staff,
        summary=summary,
        sentence=report_sentence(scope, period, summary),
        monthly=figures.monthly(scope, period, reach=reach),
        by_category=figures.breakdown(scope, period, "category", reach=reach),
        by_place=figures.breakdown(scope, period, place_kind, reach=reach) if place_kind else [],
        place_kind=place_kind,
    )
    if staff:
        report.by_target_group = figures.breakdown(scope, period, "target_group", reach=reach)
        report.by_channel = figures.breakdown(scope, period, "channel", reach=reach)
        report.by_organisation = figures.by_organisation(scope, period, reach=reach)
        report.by_volunteer = figures.by_volunteer(scope, period, reach=reach)
        report.medians = figures.medians(scope, period, reach=reach)
    return report
