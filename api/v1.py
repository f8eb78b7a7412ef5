"""The JSON API, version 1 (`/api/v1/`), with django-ninja.

django-ninja rather than Django REST framework: its operations are plain functions with typed
schemas (pydantic), from which the OpenAPI document is generated exactly — what schemathesis
checks every answer against — and it ships Swagger UI as static files (no CDN). DRF would
bring serializers, viewsets and routers for a dozen operations that are calls into the same
code the site's views call.

Every answer is what the same person sees on the site: wishes through the access policy
(wishes/policy.py) and WishView's masking; moves through the life-cycle methods, whose
refusals come back as problem documents (api/problems.py) with the site's words and code.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja import Status as Answer
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.throttling import AnonRateThrottle, UserRateThrottle

from accounts.scoping import scope_of
from notices.models import Notice
from outcomes.views.stats import StatsForm, public_scopes, report_for
from wishes import policy, submission
from wishes.forms import ClaimForm, WishForm
from wishes.lifecycle import Status, WishError
from wishes.models import Claim, Wish
from wishes.views.base import STATUS_FOR_CODE
from wishes.views.public import CARD_RELATED, WishFilterForm, listed_wishes

from . import schemas
from .auth import AUTH, require_write
from .problems import CONTENT_TYPE, Problem, not_found, problem


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class StrictJSON(Parser):
    """JSON bodies without NUL characters, which PostgreSQL refuses in text (a 500 otherwise)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValueError("NUL character in the body")
        return data


api = NinjaAPI(
    title="微心愿 Micro-Wish API",
    version="1",
    description=(
        "Residents' wishes, volunteers' claims and the programme's figures, as each person sees "
        "them on the site. Authenticate with `Authorization: Bearer <token>` (make one on your "
        "profile page) or the site's session. Errors are RFC 9457 problem documents; times are "
        "ISO 8601 in Asia/Shanghai; `Accept-Language: en` answers in English."
    ),
    urls_namespace="api",
    auth=AUTH,
    parser=StrictJSON(),
    throttle=[
        AnonRateThrottle(settings.API_RATES["anonymous"]),
        UserRateThrottle(settings.API_RATES["user"]),
    ],
)

LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**63 - 1
PAGE = Query(LIMIT, ge=1, le=MAX_LIMIT, description="How many on a page")
WISH_ID = Path(..., ge=1, le=MAX_ID, description="The wish's number")
DETAIL_RELATED = [*CARD_RELATED, "grid"]


# ----- errors: problem documents -----------------------------------------------------------


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return problem(exc.status, exc.code, exc.detail, **exc.extra)


@api.exception_handler(WishError)
def _wish_error(request, exc: WishError):
    return problem(STATUS_FOR_CODE.get(exc.code, 400), exc.code, str(exc))


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",))
        errors.setdefault(where or "request", []).append(str(error.get("msg", "")))
    return problem(422, "invalid", _("请求的内容不符合要求，请检查后再试。"), errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = problem(
        401, "unauthenticated", _("请先登录，或在请求头里带上有效的令牌（Bearer）。")
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    response = problem(429, "throttled", _("请求太频繁了，请稍后再试。"))
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return problem(exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return not_found()


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(403, "forbidden", str(exc) or _("您没有权限做这件事。"))


PROBLEMS = {400: schemas.Problem, 401: schemas.Problem, 403: schemas.Problem,
            404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}  # fmt: skip
MOVE_PROBLEMS = {**PROBLEMS, 409: schemas.Problem}


# ----- how a wish, a claim, a notice reads ---------------------------------------------------


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _choice(code: str, label) -> dict:
    return {"code": code, "label": str(label)}


def wish_out(request: HttpRequest, wish: Wish, *, detail: bool = False, **known) -> dict:
    seen = policy.what_user_sees(wish, request.user, **known)
    out = {
        "id": wish.pk,
        "url": request.build_absolute_uri(reverse("wishes:detail", args=[wish.pk])),
        "title": seen.title,
        "description": seen.description,
        "kind": _choice(wish.kind, wish.get_kind_display()),
        "category": {"id": wish.category_id, "name": str(wish.category)},
        "community": {"id": wish.community_id, "name": wish.community.name},
        "grid": {"id": wish.grid_id, "name": wish.grid.name} if wish.grid_id else None,
        "target_group": _choice(wish.target_group, wish.get_target_group_display()),
        "status": _choice(wish.status, wish.get_status_display()),
        "urgent": wish.is_urgent,
        "resident": str(seen.name),
        "created_at": _local(wish.created_at),
        "published_at": _local(wish.published_at),
        "due_date": wish.due_date,
    }
    if detail:
        out |= {
            "phone": seen.phone,
            "address": seen.address,
            "greeting": seen.greeting,
            "situation": seen.situation,
            "delivery_note": seen.delivery_note,
            "moves": [move.name for move in wish.available_moves(request.user)],
        }
    return out


def claim_out(request: HttpRequest, claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "state": _choice(claim.state, claim.get_state_display()),
        "due_date": claim.due_date,
        "created_at": _local(claim.created_at),
        "organisation": (
            {"id": claim.organisation_id, "name": claim.organisation.name}
            if claim.organisation_id
            else None
        ),
        "mine": claim.volunteer_id == request.user.pk,
        "wish": wish_out(request, claim.wish, detail=True, open_claim=claim),
    }


# ----- cursors: keyset pages, however deep -----------------------------------------------


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise Problem(400, "invalid_cursor", _("翻页参数不对，请从第一页重新开始。")) from error
    if not isinstance(values, list) or len(values) != size:
        raise Problem(400, "invalid_cursor", _("翻页参数不对，请从第一页重新开始。"))
    return values


def _moment(text) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise Problem(400, "invalid_cursor", _("翻页参数不对，请从第一页重新开始。")) from error
    if timezone.is_naive(moment):
        raise Problem(400, "invalid_cursor", _("翻页参数不对，请从第一页重新开始。"))
    return moment


def _day(text) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise Problem(400, "invalid_cursor", _("翻页参数不对，请从第一页重新开始。")) from error


def _pk(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise Problem(400, "invalid_cursor", _("翻页参数不对，请从第一页重新开始。"))
    return value


def after_cursor(wishes: QuerySet, sort: str, cursor: str) -> QuerySet:
    """The listed wishes after the cursor's row, in the list's order (LIST_ORDERS)."""
    if sort == "due":
        due, published, pk = _decode(cursor, 3)
        due, published, pk = _day(due), _moment(published), _pk(pk)
        later = Q(published_at__gt=published) | Q(published_at=published, pk__gt=pk)
        if due is None:
            return wishes.filter(Q(due_date__isnull=True) & later)
        return wishes.filter(
            Q(due_date__gt=due) | Q(due_date=due) & later | Q(due_date__isnull=True)
        )
    published, pk = _decode(cursor, 2)
    published, pk = _moment(published), _pk(pk)
    if sort == "newest":
        return wishes.filter(Q(published_at__lt=published) | Q(published_at=published, pk__lt=pk))
    return wishes.filter(Q(published_at__gt=published) | Q(published_at=published, pk__gt=pk))


def cursor_of(wish: Wish, sort: str) -> str:
    published = wish.published_at.isoformat()
    if sort == "due":
        due = wish.due_date.isoformat() if wish.due_date else None
        return _encode([due, published, wish.pk])
    return _encode([published, wish.pk])


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


# ----- operations ------------------------------------------------------------------------------


class ListFilters(Schema):
    q: str | None = None
    scope: str | None = None
    community: int | None = None
    grid: int | None = None
    category: int | None = None
    target_group: str | None = None
    sort: str | None = None
    cursor: str | None = None
    limit: int = Field(LIMIT, ge=1, le=MAX_LIMIT)


@api.get("/me", response={200: schemas.Me, **PROBLEMS}, tags=["me"])
def me(request):
    """Who the token (or session) speaks for, and in which roles."""
    user = request.user
    scope = scope_of(user)
    roles = []
    if getattr(user, "resident", None) is not None:
        roles.append("resident")
    if scope.registered_communities:
        roles.append("volunteer")
    if scope.is_staff:
        roles.append("staff")
    token = getattr(request, "api_token", None)
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.get_username(),
        "roles": roles,
        "token_scope": token.scope if token is not None else None,
    }


@api.get("/wishes", response={200: schemas.WishPage, **PROBLEMS}, tags=["wishes"], auth=None)
def list_wishes(request, filters: Query[ListFilters]):
    """心愿清单: the published list with the site's filters (q, scope, community, grid,
    category, target_group, sort = oldest | due | newest), a page at a time by cursor. Without a
    token: the wishes everyone may see."""
    _maybe_authenticate(request)
    form = WishFilterForm(_query(filters))
    listed = listed_wishes(request.user, form)
    if listed.digits_refused:
        raise Problem(400, "digits_in_search", _("搜索时请只输入文字，不要输入电话号码等数字。"))
    wishes = listed.wishes
    if filters.cursor:
        wishes = after_cursor(wishes, listed.sort, filters.cursor)
    limit = _limit(filters.limit)
    rows = list(wishes[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [wish_out(request, wish) for wish in rows],
        "next_cursor": cursor_of(rows[-1], listed.sort) if more else None,
    }


def _maybe_authenticate(request) -> None:
    """The public list reads a token or session when there is one (staff and the community's
    own volunteers see more wishes); a token that is not valid is refused, not ignored."""
    token, session = AUTH
    if request.headers.get("Authorization"):
        if not token(request):
            raise AuthenticationError
        return
    if not session(request):
        # Not signed in — or a staff session still owing its second factor: anonymous here.
        request.user = AnonymousUser()


def _query(filters: ListFilters) -> QueryDict:
    query = QueryDict(mutable=True)
    for name in ("q", "scope", "community", "grid", "category", "target_group", "sort"):
        value = getattr(filters, name)
        if value is not None:
            query[name] = str(value)
    return query


@api.get(
    "/wishes/{int:pk}", response={200: schemas.WishDetail, **PROBLEMS}, tags=["wishes"], auth=None
)
def get_wish(request, pk: int = WISH_ID):
    """One wish, with what the caller may do now (`moves`). Without a token: a wish everyone
    may open on the site."""
    _maybe_authenticate(request)
    wish = _visible(request, pk)
    return wish_out(request, wish, detail=True)


def _visible(request, pk: int) -> Wish:
    if not 0 < pk < 2**63:
        raise Http404
    queryset = policy.wishes.visible(request.user).select_related(*DETAIL_RELATED)
    wish = queryset.filter(pk=pk).first()
    if wish is None:
        raise Http404
    return wish


def _reachable(request, pk: int) -> Wish:
    if not 0 < pk < 2**63:
        raise Http404
    queryset = policy.wishes.reachable(request.user).select_related(*DETAIL_RELATED)
    wish = queryset.filter(pk=pk).first()
    if wish is None:
        raise Http404
    return wish


@api.post("/wishes", response={201: schemas.WishDetail, **PROBLEMS}, tags=["wishes"], auth=AUTH)
def submit_wish(request, payload: schemas.NewWish):
    """Submit a wish as a resident (photos are added on the site). It waits for review."""
    require_write(request)
    draft = submission.own_draft(request.user)
    if draft is None:
        raise Problem(403, "not_a_resident", str(submission.NOT_A_RESIDENT))
    data = payload.dict()
    data["public_consent"] = "on" if data["public_consent"] else ""
    form = WishForm(data, instance=draft, held=0)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        raise Problem(422, "invalid", _("请检查填写的内容。"), errors=errors)
    wish = form.save(commit=False)
    wish.save_submitted(by=request.user)
    wish = Wish.objects.select_related(*DETAIL_RELATED).get(pk=wish.pk)
    return Answer(201, wish_out(request, wish, detail=True))


@api.get("/me/wishes", response={200: schemas.MyWishPage, **PROBLEMS}, tags=["me"])
def my_wishes(request, cursor: str | None = None, limit: int = PAGE):
    """我的心愿: every wish made for me, newest first."""
    wishes = (
        Wish.objects.filter(resident__user=request.user)
        .select_related(*DETAIL_RELATED)
        .order_by("-created_at", "-pk")
    )
    if cursor:
        created, pk = _decode(cursor, 2)
        created, pk = _moment(created), _pk(pk)
        wishes = wishes.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    limit = _limit(limit)
    rows = list(wishes[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [wish_out(request, wish, detail=True) for wish in rows],
        "next_cursor": _encode([rows[-1].created_at.isoformat(), rows[-1].pk]) if more else None,
    }


@api.get("/me/claims", response={200: schemas.ClaimList, **PROBLEMS}, tags=["me"])
def my_claims(request, limit: int = PAGE):
    """我的认领: dispatches waiting for my answer and claims in progress, nearest due first —
    mine, and my confirmed organisation's."""
    limit = _limit(limit)
    claims = (
        policy.claims.held_by(request.user)
        .select_related(
            "organisation",
            "wish",
            *(f"wish__{name}" for name in DETAIL_RELATED),
        )
        .order_by("due_date", "created_at", "pk")
    )
    return {
        "offered": [
            claim_out(request, c) for c in claims.filter(state=Claim.State.OFFERED)[:limit]
        ],
        "active": [claim_out(request, c) for c in claims.filter(state=Claim.State.ACTIVE)[:limit]],
    }


def _moved(request, pk: int) -> dict:
    wish = Wish.objects.select_related(*DETAIL_RELATED).get(pk=pk)
    return wish_out(request, wish, detail=True)


@api.post(
    "/wishes/{int:pk}/claim",
    response={200: schemas.WishDetail, **MOVE_PROBLEMS},
    tags=["moves"],
)
def claim(request, payload: schemas.ClaimIn, pk: int = WISH_ID):
    """认领: alone, or for the caller's confirmed organisation. Someone quicker: 409."""
    require_write(request)
    wish = _reachable(request, pk)
    held = policy.claims.held_by(request.user).filter(wish=wish, state__in=Claim.OPEN_STATES)
    if held.exists():
        raise Problem(409, "already_yours", _("这个心愿已经是您认领的了，不用重复认领。"))
    if wish.status != Status.APPROVED:
        raise WishError(
            _("手慢了一步：这个心愿刚刚已被他人认领或已结束。看看其他等待认领的心愿吧。"),
            "conflict",
        )
    data = {"organisation": payload.organisation} if payload.organisation else {}
    form = ClaimForm(data, user=request.user, wish=wish)
    if not form.is_valid():
        raise WishError(_("您不是所选单位经核实的成员，不能以该单位名义认领。"), "forbidden")
    wish.claim(by=request.user, organisation=form.cleaned_data["organisation"])
    return _moved(request, pk)


@api.post(
    "/wishes/{int:pk}/release",
    response={200: schemas.WishDetail, **MOVE_PROBLEMS},
    tags=["moves"],
)
def release(request, payload: schemas.ReasonIn, pk: int = WISH_ID):
    """放弃认领, with the reason (the resident's community is told)."""
    require_write(request)
    _visible(request, pk).release(by=request.user, reason=payload.reason)
    return _moved(request, pk)


@api.post(
    "/wishes/{int:pk}/fulfil",
    response={200: schemas.WishDetail, **MOVE_PROBLEMS},
    tags=["moves"],
)
def fulfil(request, payload: schemas.FulfilIn, pk: int = WISH_ID):
    """兑现: the claimer reports the wish delivered (photos are added on the site)."""
    require_write(request)
    _visible(request, pk).fulfil(by=request.user, note=payload.note)
    return _moved(request, pk)


@api.post(
    "/wishes/{int:pk}/confirm",
    response={200: schemas.WishDetail, **MOVE_PROBLEMS},
    tags=["moves"],
)
def confirm(request, payload: schemas.ConfirmIn, pk: int = WISH_ID):
    """确认: the resident (or staff for them) confirms receipt, with thanks and 1-5 stars."""
    require_write(request)
    _visible(request, pk).confirm(by=request.user, thanks=payload.thanks, rating=payload.rating)
    return _moved(request, pk)


@api.get("/notices", response={200: schemas.NoticePage, **PROBLEMS}, tags=["me"])
def notices(request, cursor: str | None = None, limit: int = PAGE):
    """What the caller was told, newest first, in the language asked for."""
    mine = Notice.objects.filter(user=request.user)
    rows = mine.order_by("-created_at", "-pk")
    if cursor:
        created, pk = _decode(cursor, 2)
        created, pk = _moment(created), _pk(pk)
        rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk))
    limit = _limit(limit)
    rows = list(rows[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "id": notice.pk,
                "kind": notice.kind,
                "text": notice.render(),
                "link": request.build_absolute_uri(notice.link()) if notice.link() else "",
                "wish": notice.wish_id,
                "created_at": _local(notice.created_at),
                "read_at": _local(notice.read_at),
            }
            for notice in rows
        ],
        "unread": mine.unread().count(),
        "next_cursor": _encode([rows[-1].created_at.isoformat(), rows[-1].pk]) if more else None,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@api.get("/stats", response={200: schemas.Stats, **PROBLEMS}, tags=["figures"], auth=None)
def stats(request, scope: str | None = None, period: str | None = None):
    """The public statistics of /stats/: the city, a street or a community (`scope` as on the
    page, e.g. community:3), over a period (all, year, quarter, month). Aggregates only."""
    query = QueryDict(mutable=True)
    if scope:
        query["scope"] = scope
    if period:
        query["period"] = period
    form = StatsForm(query, scopes=public_scopes(), default_period="all")
    chosen, span = form.chosen_scope(), form.chosen_period()
    report = report_for(request, chosen, span, staff=False, reach=None)
    summary = asdict(report.summary) | {"rate": report.summary.rate, "open": report.summary.open}
    return {
        "scope": {"id": chosen.pk, "name": chosen.name} if chosen.pk else None,
        "scope_key": chosen.key,
        "scope_name": chosen.name,
        "period": span.key,
        "sentence": str(report.sentence),
        "summary": _plain(summary),
        "by_category": _plain(report.by_category),
        "by_place": _plain(report.by_place),
        "monthly": _plain(report.monthly),
    }


# ----- the OpenAPI document: errors are problem documents ------------------------------------

_schema = api.get_openapi_schema


def _openapi_schema(*args, **kwargs):
    document = _schema(*args, **kwargs)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status).startswith(("4", "5")) and "application/json" in content:
                    response["content"] = {CONTENT_TYPE: content["application/json"]}
    return document


api.get_openapi_schema = _openapi_schema
