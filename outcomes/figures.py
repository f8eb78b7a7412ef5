"""Every figure the programme reports, from one module: the public statistics, the workbench's
statistics, organisations' pages, the report sentence, the Excel export and (later) the API all
read them here. Counting happens in the database — aggregates with filters, date truncation in
the Asia/Shanghai zone — never by looping over wishes in Python.

What the words mean:
- A period's **wishes** are those submitted within it (a cohort): of them, how many were
  *collected* (not rejected, not withdrawn), *published*, *claimed*, *fulfilled* (fulfilled or
  confirmed), *confirmed*, and *closed* as 无法实现 (counted apart). The fulfilment rate is
  fulfilled ÷ collected. "征集136个，已全部实现" reads straight from these.
- **Taking part** in a period: volunteers and organisations whose claim (or accepted dispatch)
  on a wish in scope began within it.
- **Hours**: approved service hours given on a day within the period.

Periods of whole months — every period on offer but a custom one, which may be too — are
counted from the monthly rollup (outcomes/rollup.py: a few rows per month and community,
kept current by triggers) rather than from the wishes and claims themselves, so a city's
report over years of wishes costs the same as a month's. What the rollup does not keep (the
staff's breakdowns by target group and channel, organisations, volunteers, medians) and any
period that cuts a month is counted from the wishes, within the period.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import VolunteerProfile
from communities.models import Organisation as OrganisationModel
from wishes.lifecycle import Status
from wishes.models import Claim, Wish
from wishes.models.wish import in_page_language

from .models import ClaimMonth, ClaimTotal, FulfilledMonth, ServiceHours, WishMonth, WishTotal

ZONE = ZoneInfo(settings.TIME_ZONE)
# A person's reach: the wishes they may count, as a filter from a path to a wish ("", "wish__").
Reach = Callable[[str], Q]
FULFILLED = (Status.FULFILLED, Status.CONFIRMED)
CLAIMED_OR_LATER = (Status.CLAIMED, Status.FULFILLED, Status.CONFIRMED)


# ----- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in Beijing time."""

    key: str
    start: datetime.date
    end: datetime.date

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[from, until): the first moment of `start` and of the day after `end`."""
        first = datetime.datetime.combine(self.start, datetime.time.min, ZONE)
        next_day = self.end + datetime.timedelta(days=1)
        after = datetime.datetime.combine(next_day, datetime.time.min, ZONE)
        return first, after

    @property
    def label(self) -> str:
        """How a person names the period: 2026年11月, 2026年第四季度, 2026年, or the dates."""
        if self.key in ("month", "last_month"):
            return formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.key in ("quarter", "last_quarter"):
            return _("%(year)d年第%(quarter)s季度") % {
                "year": self.start.year,
                "quarter": QUARTER_NAMES[(self.start.month - 1) // 3],
            }
        if self.key in ("year", "last_year"):
            return _("%(year)d年") % {"year": self.start.year}
        if self.key == "all":
            return _("截至%(end)s") % {"end": formats.date_format(self.end, "DATE_FORMAT")}
        return _("%(start)s至%(end)s") % {
            "start": formats.date_format(self.start, "DATE_FORMAT"),
            "end": formats.date_format(self.end, "DATE_FORMAT"),
        }

    @property
    def opening(self) -> str:
        """The period as a sentence begins with it (English adds "In" or "Between")."""
        if self.key == "all":
            return pgettext("sentence start", "截至%(end)s") % {
                "end": formats.date_format(self.end, "DATE_FORMAT")
            }
        if self.key == "custom":
            return pgettext("sentence start", "%(start)s至%(end)s") % {
                "start": formats.date_format(self.start, "DATE_FORMAT"),
                "end": formats.date_format(self.end, "DATE_FORMAT"),
            }
        return pgettext("sentence start", "%(period)s") % {"period": self.label}

    @property
    def slug(self) -> str:
        """For file names: 2026-11, 2026-Q4, 2026, or 2026-11-01_2026-11-30."""
        if self.key in ("month", "last_month"):
            return f"{self.start:%Y-%m}"
        if self.key in ("quarter", "last_quarter"):
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.key in ("year", "last_year"):
            return f"{self.start.year}"
        if self.key == "all":
            return f"to-{self.end:%Y-%m-%d}"
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"


# Before anything the programme recorded: "all" counts from here.
PROGRAMME_START = datetime.date(2000, 1, 1)

QUARTER_NAMES = [gettext_lazy("一"), gettext_lazy("二"), gettext_lazy("三"), gettext_lazy("四")]

PERIOD_CHOICES = [
    ("month", gettext_lazy("本月")),
    ("last_month", gettext_lazy("上月")),
    ("quarter", gettext_lazy("本季度")),
    ("last_quarter", gettext_lazy("上季度")),
    ("year", gettext_lazy("今年")),
    ("last_year", gettext_lazy("去年")),
    ("all", gettext_lazy("累计")),
    ("custom", gettext_lazy("自选日期")),
]


def _month(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def rolled_up(period: Period) -> bool:
    """Whether the period is whole months (the month it ends in may run on to today, as
    nothing is submitted in the future): then its figures come from the monthly rollup."""
    if period.start.day != 1:
        return False
    month_end = _month(period.end.year, period.end.month)[1]
    return period.end == month_end or period.end >= timezone.localdate()


TO_DATE = {WishMonth: WishTotal, ClaimMonth: ClaimTotal}


def _months(
    model, scope: Scope, period: Period, reach: Reach | None, *, to_date: bool = False
) -> QuerySet:
    """The rollup's rows for the scope, the person's reach and the period's months — or, for a
    period to date (累计), the same without the month: a few rows per community, not a few per
    community and month. Several rows may share a key (each write adds its own,
    outcomes/rollup.py), so they are summed."""
    whole = period.start <= PROGRAMME_START and period.end >= timezone.localdate()
    if to_date and whole and model in TO_DATE:  # a reader that needs no month asked for it
        return TO_DATE[model].objects.filter(scope.wishes(), _within(reach))
    return model.objects.filter(
        scope.wishes(), _within(reach), month__gte=period.start, month__lte=period.end
    )


def period_for(
    key: str,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Period:
    """The period a person picked; an unknown key or a broken custom range is this month."""
    today = today or timezone.localdate()
    if key == "custom" and start and end and start <= end:
        return Period("custom", start, end)
    if key == "all":
        return Period("all", PROGRAMME_START, today)
    if key == "last_month":
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return Period(key, *_month(last.year, last.month))
    if key in ("quarter", "last_quarter"):
        first_month = (today.month - 1) // 3 * 3 + 1
        year = today.year
        if key == "last_quarter":
            first_month -= 3
            if first_month < 1:
                first_month, year = first_month + 12, year - 1
        start_day = datetime.date(year, first_month, 1)
        return Period(key, start_day, _month(year, first_month + 2)[1])
    if key in ("year", "last_year"):
        year = today.year - (key == "last_year")
        return Period(key, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    return Period("month", *_month(today.year, today.month))


# ----- scopes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where the figures are for: the whole city, a street, a community or a grid."""

    kind: str  # "city", "street", "community" or "grid"
    pk: int | None
    name: str

    @property
    def key(self) -> str:
        return self.kind if self.pk is None else f"{self.kind}:{self.pk}"

    def wishes(self, prefix: str = "") -> Q:
        """The wishes of this scope (prefix: the path to a wish, e.g. "wish__")."""
        lookup = {
            "city": None,
            "street": "community__street",
            "community": "community",
            "grid": "grid",
        }[self.kind]
        return Q() if lookup is None else Q(**{f"{prefix}{lookup}": self.pk})

    def hours(self) -> Q:
        """Hours given in this scope: on its wishes, or at its communities' events."""
        if self.kind == "city":
            return Q()
        on_wishes = self.wishes("wish__")
        if self.kind == "street":
            return on_wishes | Q(event__community__street=self.pk)
        if self.kind == "community":
            return on_wishes | Q(event__community=self.pk)
        return on_wishes  # an event is the community's, not a grid's


CITY = Scope("city", None, "")


def city_scope() -> Scope:
    from communities.models import Street

    city = Street.objects.values_list("city", flat=True).first() or ""
    return Scope("city", None, city or _("全市"))


# ----- the figures -------------------------------------------------------------------------------


@dataclass
class Summary:
    submitted: int = 0
    rejected: int = 0
    withdrawn: int = 0
    collected: int = 0
    published: int = 0
    claimed: int = 0
    fulfilled: int = 0
    confirmed: int = 0
    closed: int = 0
    volunteers: int = 0
    party_members: int = 0
    organisations: int = 0
    branches: int = 0  # of the organisations, Party branches
    hours: Decimal = Decimal("0")

    @property
    def open(self) -> int:
        return max(self.collected - self.fulfilled - self.closed, 0)

    @property
    def rate(self) -> float | None:
        """Fulfilled ÷ collected, in per cent; None when nothing was collected."""
        return round(100 * self.fulfilled / self.collected, 1) if self.collected else None

    @property
    def funnel(self) -> list[tuple[str, int]]:
        return [
            (str(_("征集")), self.collected),
            (str(_("发布")), self.published),
            (str(_("认领")), self.claimed),
            (str(_("实现")), self.fulfilled),
            (str(_("确认")), self.confirmed),
        ]


def _within(reach: Reach | None, path: str = "") -> Q:
    return Q() if reach is None else reach(path)


def cohort(scope: Scope, period: Period, reach: Reach | None = None) -> QuerySet:
    """The wishes submitted in the period, in the scope (and within a person's reach)."""
    first, after = period.bounds
    return Wish.objects.filter(
        scope.wishes(), _within(reach), created_at__gte=first, created_at__lt=after
    )


COUNTS = {
    "submitted": Count("pk"),
    "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
    "withdrawn": Count("pk", filter=Q(status=Status.WITHDRAWN)),
    "published": Count("pk", filter=Q(published_at__isnull=False)),
    "claimed": Count("pk", filter=Q(status__in=CLAIMED_OR_LATER)),
    "fulfilled": Count("pk", filter=Q(status__in=FULFILLED)),
    "confirmed": Count("pk", filter=Q(status=Status.CONFIRMED)),
    "closed": Count("pk", filter=Q(status=Status.CLOSED)),
}


def _summed(**where) -> Coalesce:
    return Coalesce(Sum("wishes", filter=Q(**where) if where else None), 0)


ROLLED_COUNTS = {
    "submitted": _summed(),
    "rejected": _summed(status=Status.REJECTED),
    "withdrawn": _summed(status=Status.WITHDRAWN),
    "published": _summed(published=True),
    "claimed": _summed(status__in=CLAIMED_OR_LATER),
    "fulfilled": _summed(status__in=FULFILLED),
    "confirmed": _summed(status=Status.CONFIRMED),
    "closed": _summed(status=Status.CLOSED),
}


def taking_part(scope: Scope, period: Period, reach: Reach | None = None) -> QuerySet:
    """Claims (and accepted dispatches) on the scope's wishes that began in the period."""
    first, after = period.bounds
    return Claim.objects.filter(
        scope.wishes("wish__"),
        _within(reach, "wish__"),
        accepted_at__gte=first,
        accepted_at__lt=after,
    )


PEOPLE = """
SELECT COUNT(DISTINCT pair.volunteer),
       COUNT(DISTINCT pair.volunteer) FILTER (WHERE profile.is_party_member),
       COUNT(DISTINCT pair.organisation),
       COUNT(DISTINCT pair.organisation) FILTER (WHERE organisation.kind = %s)
FROM ({pairs}) pair
LEFT JOIN {profiles} profile ON profile.user_id = pair.volunteer
LEFT JOIN {organisations} organisation ON organisation.id = pair.organisation
"""


def _people(claims: QuerySet) -> dict:
    """Who took part: the distinct volunteers and organisations of claims (or the rollup's
    rows), and how many of them are Party members and branches, counted in one query over
    their distinct pairs (at a million wishes some 3,000 pairs: read back as lists of ids and
    asked about again, they cost the report a third of its time)."""
    if claims.model in (ClaimMonth, ClaimTotal):  # a pair whose rows cancel out took no part
        pairs = claims.values("volunteer", "organisation").annotate(n=Sum("claims"))
        pairs = pairs.filter(n__gt=0).values("volunteer", "organisation")
    else:
        pairs = claims.values("volunteer", "organisation").distinct()
    sql, params = pairs.order_by().query.sql_with_params()
    query = PEOPLE.format(
        pairs=sql,
        profiles=VolunteerProfile._meta.db_table,
        organisations=OrganisationModel._meta.db_table,
    )
    with connections[claims.db].cursor() as cursor:
        cursor.execute(query, [OrganisationModel.Kind.PARTY_BRANCH, *params])  # nosec B608
        volunteers, members, organisations, branches = cursor.fetchone()
    return {
        "volunteers": volunteers,
        "party_members": members,
        "organisations": organisations,
        "branches": branches,
    }


def summary(scope: Scope, period: Period, *, reach: Reach | None = None) -> Summary:
    """The headline figures. `reach` narrows the wishes first (a staff member's)."""
    if rolled_up(period):
        counts = _months(WishMonth, scope, period, reach, to_date=True).aggregate(**ROLLED_COUNTS)
        claims = _months(ClaimMonth, scope, period, reach, to_date=True)
    else:
        counts = cohort(scope, period, reach).aggregate(**COUNTS)
        claims = taking_part(scope, period, reach)
    people = _people(claims)
    first, last = period.start, period.end
    hours = ServiceHours.objects.filter(
        scope.hours(), status=ServiceHours.Status.APPROVED, day__gte=first, day__lte=last
    )
    if reach is not None:
        hours = hours.filter(reach("wish__") | Q(wish__isnull=True))
    total = hours.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    figures = Summary(**counts, **people, hours=total)
    figures.collected = figures.submitted - figures.rejected - figures.withdrawn
    return figures


def breakdown(scope: Scope, period: Period, by: str, *, reach: Reach | None = None) -> list[dict]:
    """The period's wishes counted per category, target group, channel, street, community or
    grid: {"key", "label", "collected", "fulfilled", "closed"}, largest first."""
    field_for = {
        "category": ("category__name", None),
        "target_group": ("target_group", Wish.TargetGroup),
        "channel": ("channel", Wish.Channel),
        "street": ("community__street__name", None),
        "community": ("community__name", None),
        "grid": ("grid__name", None),
    }
    name, choices = field_for[by]
    # A category's English name belongs to its (unique) Chinese one: reading it along does not
    # split the groups, and gives the label for a page read in English.
    english = "category__name_en" if by == "category" else None
    fields = [name, english] if english else [name]
    valid = ~Q(status__in=[Status.REJECTED, Status.WITHDRAWN])
    if rolled_up(period) and by not in ("target_group", "channel"):
        rows = _months(WishMonth, scope, period, reach, to_date=True).filter(valid).values(*fields)
        rows = rows.annotate(
            collected=Sum("wishes"),
            fulfilled=_summed(status__in=FULFILLED),
            closed=_summed(status=Status.CLOSED),
        )
        rows = rows.exclude(collected=0)  # a key whose rows cancel out, as if never counted
    else:
        rows = (
            cohort(scope, period, reach)
            .filter(valid)
            .values(*fields)
            .annotate(
                collected=Count("pk"),
                fulfilled=Count("pk", filter=Q(status__in=FULFILLED)),
                closed=Count("pk", filter=Q(status=Status.CLOSED)),
            )
        )
    rows = rows.order_by("-collected", name)
    labels = dict(choices.choices) if choices else {}

    def label(row: dict) -> str:
        if not row[name]:
            return _("未填写")
        if english:
            return in_page_language(row[name], row[english] or "")
        return str(labels.get(row[name], row[name]))

    return [
        {
            "key": row[name] or "",
            "label": label(row),
            "collected": row["collected"],
            "fulfilled": row["fulfilled"],
            "closed": row["closed"],
        }
        for row in rows
    ]


def by_organisation(scope: Scope, period: Period, *, reach: Reach | None = None) -> list[dict]:
    """Organisations whose claims on the scope's wishes began in the period."""
    rows = (
        taking_part(scope, period, reach)
        .exclude(organisation=None)
        .values("organisation", "organisation__name")
        .annotate(
            members=Count("volunteer", distinct=True),
            wishes=Count("wish", distinct=True),
            fulfilled=Count("wish", distinct=True, filter=Q(state=Claim.State.FULFILLED)),
            communities=Count("wish__community", distinct=True),
        )
        .order_by("-fulfilled", "-wishes", "organisation__name")
    )
    return [
        {
            "pk": row["organisation"],
            "label": row["organisation__name"],
            "members": row["members"],
            "wishes": row["wishes"],
            "fulfilled": row["fulfilled"],
            "communities": row["communities"],
        }
        for row in rows
    ]


def by_volunteer(scope: Scope, period: Period, *, reach: Reach | None = None) -> list[dict]:
    """Volunteers whose claims began in the period, with what they fulfilled and their hours."""
    rows = (
        taking_part(scope, period, reach)
        .exclude(volunteer=None)
        .values("volunteer", "volunteer__real_name", "volunteer__username")
        .annotate(
            wishes=Count("wish", distinct=True),
            fulfilled=Count("wish", distinct=True, filter=Q(state=Claim.State.FULFILLED)),
        )
        .order_by("-fulfilled", "-wishes", "volunteer")
    )
    rows = list(rows[:200])
    hours = dict(
        ServiceHours.objects.filter(
            scope.hours(),
            status=ServiceHours.Status.APPROVED,
            day__gte=period.start,
            day__lte=period.end,
            volunteer__in=[row["volunteer"] for row in rows],
        )
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .values_list("volunteer", "total")
    )
    return [
        {
            "pk": row["volunteer"],
            "label": row["volunteer__real_name"] or row["volunteer__username"],
            "wishes": row["wishes"],
            "fulfilled": row["fulfilled"],
            "hours": hours.get(row["volunteer"], Decimal("0")),
        }
        for row in rows
    ]


def monthly(scope: Scope, period: Period, *, reach: Reach | None = None) -> list[dict]:
    """Month by month across the period (at least the last 12 months up to its end): wishes
    collected, and wishes fulfilled, in each month."""
    start = period.start.replace(day=1)
    earliest = (period.end.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    start = min(start, earliest)
    if period.key == "all":  # "to date": the last two years tell the trend
        start = (period.end.replace(day=1) - datetime.timedelta(days=700)).replace(day=1)
    span = Period("custom", start, period.end)
    if rolled_up(span):
        rows = _months(WishMonth, scope, span, reach)
        months = FulfilledMonth.objects.filter(scope.wishes(), _within(reach))
        collected = dict(
            rows.exclude(status__in=[Status.REJECTED, Status.WITHDRAWN])
            .values("month")
            .annotate(n=Sum("wishes"))
            .values_list("month", "n")
        )
        fulfilled = dict(
            months.filter(fulfilled_month__gte=span.start, fulfilled_month__lte=span.end)
            .values("fulfilled_month")
            .annotate(n=Sum("wishes"))
            .values_list("fulfilled_month", "n")
        )
    else:
        first, after = span.bounds
        wishes = Wish.objects.filter(scope.wishes(), _within(reach))
        collected = dict(
            wishes.filter(created_at__gte=first, created_at__lt=after)
            .exclude(status__in=[Status.REJECTED, Status.WITHDRAWN])
            .annotate(month=TruncMonth("created_at", tzinfo=ZONE))
            .values("month")
            .annotate(n=Count("pk"))
            .values_list("month", "n")
        )
        fulfilled = dict(
            wishes.filter(status__in=FULFILLED, fulfilled_at__gte=first, fulfilled_at__lt=after)
            .annotate(month=TruncMonth("fulfilled_at", tzinfo=ZONE))
            .values("month")
            .annotate(n=Count("pk"))
            .values_list("month", "n")
        )

    def by_month(counts: dict) -> dict[tuple[int, int], int]:
        return {(moment.year, moment.month): n for moment, n in counts.items() if moment}

    collected, fulfilled = by_month(collected), by_month(fulfilled)
    months = []
    year, month = start.year, start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(
            {
                "month": datetime.date(year, month, 1),
                "label": formats.date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT"),
                "collected": collected.get((year, month), 0),
                "fulfilled": fulfilled.get((year, month), 0),
            }
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    # Months before anything happened say nothing: the trend starts where the work did.
    while len(months) > 1 and not (months[0]["collected"] or months[0]["fulfilled"]):
        months.pop(0)
    return months


class Median(Aggregate):
    """The middle value, read by PostgreSQL's percentile_cont in one pass."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median_days(durations: QuerySet) -> float | None:
    """The median of a queryset's "duration" column, in days, read in the database: one
    aggregate on PostgreSQL; elsewhere (SQLite in development) the middle rows by offset."""
    durations = durations.filter(duration__isnull=False)
    if connections[durations.db].vendor != "postgresql":
        return _median_days_by_offset(durations)
    middle = durations.aggregate(median=Median("duration"))["median"]
    return None if middle is None else round(middle.total_seconds() / 86400, 1)


def _median_days_by_offset(durations: QuerySet) -> float | None:
    """The same median for databases without percentile_cont: count, then read the middle."""
    durations = durations.order_by("duration")
    count = durations.count()
    if not count:
        return None
    middle = list(durations.values_list("duration", flat=True)[(count - 1) // 2 : count // 2 + 1])
    seconds = sum(value.total_seconds() for value in middle) / len(middle)
    return round(seconds / 86400, 1)


def medians(scope: Scope, period: Period, *, reach: Reach | None = None) -> dict:
    """Median days from submission to the first claim, and from claim to fulfilment."""
    to_claim = (
        cohort(scope, period, reach)
        .annotate(first_claim=Min("claims__accepted_at"))
        .annotate(
            duration=ExpressionWrapper(
                F("first_claim") - F("created_at"), output_field=DurationField()
            )
        )
    )
    first, after = period.bounds
    to_fulfil = Claim.objects.filter(
        scope.wishes("wish__"),
        _within(reach, "wish__"),
        wish__created_at__gte=first,
        wish__created_at__lt=after,
        state=Claim.State.FULFILLED,
        accepted_at__isnull=False,
    ).annotate(
        duration=ExpressionWrapper(F("ended_at") - F("accepted_at"), output_field=DurationField())
    )
    return {"to_claim": _median_days(to_claim), "to_fulfil": _median_days(to_fulfil)}


@dataclass
class Organisation:
    """One organisation's record: the "32名党员深入4个社区点亮微心愿49个" line."""

    members: int = 0
    wishes: int = 0
    fulfilled: int = 0
    communities: int = 0
    hours: Decimal = Decimal("0")
    community_names: list[str] = field(default_factory=list)

    @property
    def all_fulfilled(self) -> bool:
        return self.wishes > 0 and self.fulfilled == self.wishes


def organisation(org, period: Period | None = None) -> Organisation:
    """What an organisation did: the wishes it took on (claimed in its name or dispatched to it
    and accepted), the members who took part, the communities reached, its hours."""
    claims = Claim.objects.filter(organisation=org, accepted_at__isnull=False)
    hours = ServiceHours.objects.filter(
        Q(wish__claims__organisation=org) | Q(event__organiser=org),
        status=ServiceHours.Status.APPROVED,
    )
    if period is not None:
        first, after = period.bounds
        claims = claims.filter(accepted_at__gte=first, accepted_at__lt=after)
        hours = hours.filter(day__gte=period.start, day__lte=period.end)
    record = claims.aggregate(
        members=Count("volunteer", distinct=True),
        wishes=Count("wish", distinct=True),
        fulfilled=Count("wish", distinct=True, filter=Q(state=Claim.State.FULFILLED)),
        communities=Count("wish__community", distinct=True),
    )
    total = hours.distinct().aggregate(total=Sum("hours"))["total"] or Decimal("0")
    names = list(
        claims.values_list("wish__community__name", flat=True)
        .distinct()
        .order_by("wish__community__name")
    )
    return Organisation(**record, hours=total, community_names=names)
