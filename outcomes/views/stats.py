"""统计: the public summary (aggregates only), the workbench's statistics scoped like the
workbench, an organisation's page, the honour rolls, and the Excel export of each report."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django import forms
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from accounts.scoping import scope_of
from communities.models import Community, Grid, Organisation, Street
from wishes import pages, policy, versions
from wishes.models import Claim
from wishes.spreadsheets import XLSX_CONTENT_TYPE, workbook_bytes
from wishes.views.staff.base import staff_required

from .. import figures
from ..export import report_workbook
from ..figures import PERIOD_CHOICES, Scope, period_for
from ..models import ServiceHours
from ..report import Report, build

REPORT_SECONDS = 3600


class StatsForm(forms.Form):
    """Where and when. Anything unrecognised falls back to the whole reach and this period."""

    scope = forms.ChoiceField(label=gettext_lazy("范围"), required=False)
    period = forms.ChoiceField(label=gettext_lazy("时间"), required=False, choices=PERIOD_CHOICES)
    start = forms.DateField(
        label=gettext_lazy("从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("到"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, scopes: list[Scope], default_period: str, **kwargs):
        data = data.copy()
        data.setdefault("period", default_period)  # so the select shows what is shown
        super().__init__(data, **kwargs)
        self.scopes = {scope.key: scope for scope in scopes}
        self.fields["scope"].choices = [(scope.key, scope_label(scope)) for scope in scopes]
        self.default_period = default_period
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def value(self, name):
        return None if name in self.errors else self.cleaned_data.get(name)

    def chosen_scope(self) -> Scope:
        self.is_valid()
        return self.scopes.get(self.value("scope") or "") or next(iter(self.scopes.values()))

    def chosen_period(self) -> figures.Period:
        self.is_valid()
        start, end = self.value("start"), self.value("end")
        if start and end and end - start > datetime.timedelta(days=3660):
            start = end - datetime.timedelta(days=3660)  # ten years is plenty for a report
        return period_for(self.value("period") or self.default_period, start=start, end=end)


def scope_label(scope: Scope) -> str:
    prefix = {"city": "", "street": "　", "community": "　　", "grid": "　　　"}[scope.kind]
    return prefix + scope.name


def public_scopes() -> list[Scope]:
    """The city, each street, each community: the public page's choices."""
    return versions.remembered(f"public-scopes:{get_language()}", versions.CHOICES, _public_scopes)


def _public_scopes() -> list[Scope]:
    scopes = [figures.city_scope()]
    for street in Street.objects.prefetch_related("communities").order_by("name"):
        scopes.append(Scope("street", street.pk, street.name))
        for community in sorted(street.communities.all(), key=lambda c: c.name):
            scopes.append(Scope("community", community.pk, community.name))
    return scopes


def staff_scopes(user) -> list[Scope]:
    """What a staff member may report on: a street admin their streets and what lies in them,
    community staff their communities and grids, a grid worker their grids."""
    scope = scope_of(user)
    if scope.everything:
        scopes = public_scopes()
        grids = Grid.objects.select_related("community").order_by("community__name", "name")
        by_community = {}
        for grid in grids:
            by_community.setdefault(grid.community_id, []).append(grid)
        expanded = []
        for item in scopes:
            expanded.append(item)
            if item.kind == "community":
                expanded += [Scope("grid", g.pk, g.name) for g in by_community.get(item.pk, [])]
        return expanded
    scopes = []
    streets = (
        Street.objects.filter(staff_roles__user=user, staff_roles__role="street_admin")
        .distinct()
        .order_by("name")
    )
    for street in streets:
        scopes.append(Scope("street", street.pk, street.name))
    communities = Community.objects.filter(pk__in=scope.communities).order_by(
        "street__name", "name"
    )
    grids = policy.communities.grids(user).select_related("community").order_by("name")
    for community in communities:
        scopes.append(Scope("community", community.pk, community.name))
        scopes += [
            Scope("grid", grid.pk, grid.name) for grid in grids if grid.community_id == community.pk
        ]
    scopes += [
        Scope("grid", grid.pk, f"{grid.community.name} · {grid.name}")
        for grid in grids
        if grid.community_id not in scope.communities
    ]
    return scopes


def report_for(request, scope: Scope, period: figures.Period, *, staff: bool, reach) -> Report:
    """The report, from the cache while nothing it counts has changed (wishes/versions.py): a
    city's figures take a few hundred aggregates' time over hundreds of thousands of wishes,
    and a shared link brings many readers at once. Staff reports are their own (their reach)."""
    who = request.user.pk if staff else "public"
    key = f"report:{who}:{get_language()}:{scope.key}:{period.key}:{period.start}:{period.end}"
    return versions.remembered(
        key,
        versions.FIGURES,
        lambda: build(scope, period, staff=staff, reach=reach),
        timeout=REPORT_SECONDS,
    )


def _render(request, template: str, *, scopes, staff: bool, default_period: str, reach=None):
    form = StatsForm(request.GET, scopes=scopes, default_period=default_period)
    scope, period = form.chosen_scope(), form.chosen_period()
    report = report_for(request, scope, period, staff=staff, reach=reach)
    query = request.GET.copy()
    return render(
        request,
        template,
        {"form": form, "report": report, "charts": report.charts(), "query": query.urlencode()},
    )


def _export(request, *, scopes, staff: bool, default_period: str, reach=None):
    form = StatsForm(request.GET, scopes=scopes, default_period=default_period)
    scope, period = form.chosen_scope(), form.chosen_period()
    report = report_for(request, scope, period, staff=staff, reach=reach)
    name = _("微心愿统计-%(scope)s-%(period)s.xlsx") % {"scope": scope.name, "period": period.slug}
    ascii_name = f"microwish-stats-{scope.key.replace(':', '-')}-{period.slug}.xlsx"
    response = HttpResponse(workbook_bytes(report_workbook(report)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


def stats_page(request):
    """The statistics pages are kept whole per reader (wishes/pages.py): under what they count
    and the names of the places they count it for; the reader's roles, and so what they may
    choose and see, are in every kept page's key."""
    return [versions.FIGURES, versions.CHOICES], []


@pages.kept_whole(stats_page)
def stats(request):
    """The public summary: aggregates only, no names."""
    return _render(
        request, "outcomes/stats.html", scopes=public_scopes(), staff=False, default_period="all"
    )


def stats_export(request):
    return _export(request, scopes=public_scopes(), staff=False, default_period="all")


@staff_required
@pages.kept_whole(stats_page)
def staff_stats(request):
    """The workbench's statistics: the same figures per place, organisation and volunteer, for
    what this person works on."""
    return _render(
        request,
        "outcomes/staff_stats.html",
        scopes=staff_scopes(request.user),
        staff=True,
        default_period="month",
        reach=policy.wishes.reach(request.user),
    )


@staff_required
def staff_stats_export(request):
    return _export(
        request,
        scopes=staff_scopes(request.user),
        staff=True,
        default_period="month",
        reach=policy.wishes.reach(request.user),
    )


def organisation_page(request, pk: int):
    """What an organisation did: its members taking part, wishes, communities, hours."""
    org = get_object_or_404(Organisation, pk=pk)
    form = StatsForm(request.GET, scopes=[figures.city_scope()], default_period="all")
    period = form.chosen_period()
    record = figures.organisation(org, period)
    return render(
        request,
        "outcomes/organisation.html",
        {
            "organisation": org,
            "record": record,
            "period": period,
            "form": form,
            "line": organisation_line(org, record),
            "roll": honour_roll(Q(organisation=org), organisation_hours(org), period),
        },
    )


def organisation_line(org, record: figures.Organisation) -> str:
    """The newspaper's line: 32名党员深入4个社区，点亮微心愿49个."""
    if not record.wishes:
        return _("%(org)s还没有认领过微心愿。") % {"org": org.name}
    text = _("%(org)s%(members)d名党员深入%(communities)d个社区，点亮微心愿%(fulfilled)d个") % {
        "org": org.name,
        "members": record.members,
        "communities": record.communities,
        "fulfilled": record.fulfilled,
    }
    if record.all_fulfilled:
        text = _("%(org)s深入%(communities)d个社区，认领微心愿%(wishes)d个，已全部实现") % {
            "org": org.name,
            "communities": record.communities,
            "wishes": record.wishes,
        }
    if record.hours:
        text += ngettext(
            "，累计志愿服务%(hours)s小时",
            "，累计志愿服务%(hours)s小时",
            1 if record.hours == 1 else 2,
        ) % {"hours": f"{record.hours.normalize():f}"}
    return text + _("。")


ROLL_SIZE = 10


def organisation_hours(org) -> Q:
    """Hours given for an organisation: on the wishes it took on, or at the events it ran."""
    taken_on = Claim.objects.filter(organisation=org, accepted_at__isnull=False).values("wish")
    return Q(wish__in=taken_on) | Q(event__organiser=org)


def honour_roll(claims_q: Q, hours_q: Q, period: figures.Period) -> dict:
    """Top volunteers by wishes fulfilled and by hours, among those who agreed to be shown."""
    first, after = period.bounds
    shown = Q(volunteer__volunteer_profile__on_honour_roll=True)
    by_wishes = (
        Claim.objects.filter(
            claims_q,
            shown,
            state=Claim.State.FULFILLED,
            ended_at__gte=first,
            ended_at__lt=after,
        )
        .values("volunteer", "volunteer__real_name", "volunteer__username")
        .annotate(n=Count("wish", distinct=True))
        .order_by("-n", "volunteer__real_name", "volunteer")[:ROLL_SIZE]
    )
    by_hours = (
        ServiceHours.objects.filter(
            hours_q,
            shown,
            status=ServiceHours.Status.APPROVED,
            day__gte=period.start,
            day__lte=period.end,
        )
        .values("volunteer", "volunteer__real_name", "volunteer__username")
        .annotate(n=Sum("hours"))
        .order_by("-n", "volunteer__real_name", "volunteer")[:ROLL_SIZE]
    )

    def rows(queryset):
        return [
            {"name": row["volunteer__real_name"] or row["volunteer__username"], "n": row["n"]}
            for row in queryset
        ]

    return {"wishes": rows(by_wishes), "hours": rows(by_hours)}


def honour(request):
    """光荣榜 of a community or an organisation for a period."""
    kind, _colon, pk = request.GET.get("pick", "").partition(":")
    if not pk:  # a link from an organisation's page
        kind, pk = request.GET.get("kind", "community"), request.GET.get("pk", "")
    form = StatsForm(request.GET, scopes=[figures.city_scope()], default_period="year")
    period = form.chosen_period()
    communities = Community.objects.select_related("street").order_by("street__name", "name")
    organisations = Organisation.objects.order_by("name")
    subject = None
    if pk.isdecimal() and len(pk) < 19:
        subject = (organisations if kind == "organisation" else communities).filter(pk=pk).first()
    if subject is None:
        kind, subject = "community", communities.first()
    if subject is None:
        raise Http404
    if kind == "organisation":
        roll = honour_roll(Q(organisation=subject), organisation_hours(subject), period)
    else:
        roll = honour_roll(
            Q(wish__community=subject),
            Q(wish__community=subject) | Q(event__community=subject),
            period,
        )
    return render(
        request,
        "outcomes/honour.html",
        {
            "form": form,
            "period": period,
            "kind": kind,
            "subject": subject,
            "roll": roll,
            "communities": communities,
            "organisations": organisations,
        },
    )
