"""Open311 GeoReport v2, read-only and public (https://wiki.open311.org/GeoReport_v2).

City platforms (12345 hotlines, open-data portals) read services and requests the way they read
any Open311 endpoint. The categories are the services; the requests are the wishes anyone may
see on the site — consented, published, or finished after publishing (the access policy's
`reachable` for someone not signed in) — masked as on the public list: no names, phones or
addresses; the community stands as the address. `.json` or `.xml`, as the format asks.
"""

from __future__ import annotations

import datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from wishes import policy
from wishes.lifecycle import Status
from wishes.models import Category, Wish

BAD_DATE = gettext_lazy("start_date 和 end_date 请用 W3C 时间格式，如 2026-12-01T00:00:00+08:00。")
OPEN = (Status.APPROVED, Status.DISPATCHED, Status.CLAIMED)
LIMIT = 1000  # the spec lets a server return at most this many
DEFAULT_DAYS = 90  # and by default the last 90 days


def _xml(root: str, item: str, rows: list[dict]) -> HttpResponse:
    top = Element(root)
    for row in rows:
        node = SubElement(top, item)
        for key, value in row.items():
            child = SubElement(node, key)
            if value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + tostring(top, encoding="unicode").encode()
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def _answer(fmt: str, root: str, item: str, rows: list[dict], status: int = 200):
    if fmt == "xml":
        response = _xml(root, item, rows)
        response.status_code = status
    else:
        response = JsonResponse(
            rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


def _error(fmt: str, status: int, description: str):
    return _answer(fmt, "errors", "error", [{"code": status, "description": description}], status)


def _time(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


@require_GET
def services(request, fmt: str):
    rows = [
        {
            "service_code": str(category.pk),
            "service_name": str(category),
            "description": category.help_text,
            "metadata": False,
            "type": "batch",
            "keywords": "",
            "group": _("微心愿"),
        }
        for category in Category.objects.filter(is_active=True).order_by("order", "pk")
    ]
    return _answer(fmt, "services", "service", rows)


def _public() -> QuerySet[Wish]:
    return policy.wishes.reachable(AnonymousUser()).select_related(
        "category", "community", "resident"
    )


def _request_row(request, wish: Wish) -> dict:
    seen = policy.what_user_sees(wish, None)
    is_open = wish.status in OPEN
    return {
        "service_request_id": str(wish.pk),
        "status": "open" if is_open else "closed",
        "status_notes": str(wish.get_status_display()),
        "service_name": str(wish.category),
        "service_code": str(wish.category_id),
        "description": f"{seen.title}：{seen.description}",
        "agency_responsible": wish.community.name,
        "service_notice": "",
        "requested_datetime": _time(wish.created_at),
        "updated_datetime": _time(wish.updated_at),
        "expected_datetime": (
            _time(
                datetime.datetime.combine(
                    wish.due_date, datetime.time(18), timezone.get_current_timezone()
                )
            )
            if wish.due_date
            else None
        ),
        "address": wish.community.name,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "url": request.build_absolute_uri(reverse("wishes:detail", args=[wish.pk])),
    }


def _when(request, name: str) -> datetime.datetime | bool | None:
    """A w3c datetime parameter: the moment, None when absent, False when it does not parse."""
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text.replace(" ", "+"))
    except ValueError:
        return False
    if moment is None:
        return False
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@require_GET
def requests(request, fmt: str):
    wishes = _public()
    ids = [part.strip() for part in request.GET.get("service_request_id", "").split(",")]
    ids = [part for part in ids if part]
    if ids:
        if not all(part.isdecimal() and len(part) < 19 for part in ids):
            return _error(fmt, 400, _("service_request_id 应为逗号分隔的编号。"))
        wishes = wishes.filter(pk__in=[int(part) for part in ids][:LIMIT])
    else:
        codes = [part.strip() for part in request.GET.get("service_code", "").split(",")]
        codes = [part for part in codes if part]
        if codes:
            if not all(part.isdecimal() and len(part) < 19 for part in codes):
                return _error(fmt, 400, _("service_code 应为逗号分隔的服务编号。"))
            wishes = wishes.filter(category__in=[int(part) for part in codes])
        status = request.GET.get("status", "").strip()
        if status:
            chosen = {part.strip() for part in status.split(",")}
            if not chosen <= {"open", "closed"}:
                return _error(fmt, 400, _("status 只能是 open 或 closed。"))
            if chosen == {"open"}:
                wishes = wishes.filter(status__in=OPEN)
            elif chosen == {"closed"}:
                wishes = wishes.exclude(status__in=OPEN)
        start, end = _when(request, "start_date"), _when(request, "end_date")
        if start is False or end is False:
            return _error(
                fmt,
                400,
                _("start_date 和 end_date 请用 W3C 时间格式，如 2026-12-01T00:00:00+08:00。"),
            )
        if start is None and end is None:
            start = timezone.now() - datetime.timedelta(days=DEFAULT_DAYS)
        if start:
            wishes = wishes.filter(created_at__gte=start)
        if end:
            wishes = wishes.filter(created_at__lte=end)
    rows = [_request_row(request, wish) for wish in wishes.order_by("-created_at", "-pk")[:LIMIT]]
    return _answer(fmt, "service_requests", "request", rows)


@require_GET
def request_detail(request, pk: str, fmt: str):
    wish = _public().filter(Q(pk=int(pk))).first() if len(pk) < 19 else None
    if wish is None:
        return _error(fmt, 404, _("没有这个公开的心愿。"))
    return _answer(fmt, "service_requests", "request", [_request_row(request, wish)])
