"""What the API answers, as typed schemas (the OpenAPI document is generated from these).

Times are ISO 8601 in Asia/Shanghai with their offset (2026-12-02T18:30:00+08:00); words are
in the language asked for with Accept-Language (Chinese unless English is asked for).
"""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema


class Ref(Schema):
    id: int
    name: str


class Choice(Schema):
    code: str
    label: str


class Wish(Schema):
    """A wish as the caller may see it: the same masking as the site (wishes/policy.WishView)."""

    id: int
    url: str = Field(description="The wish's page on the site")
    title: str
    description: str
    kind: Choice
    category: Ref
    community: Ref
    grid: Ref | None
    target_group: Choice
    status: Choice
    urgent: bool
    resident: str = Field(description="The resident as the caller may name them (masked)")
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    due_date: datetime.date | None


class WishDetail(Wish):
    phone: str | None = Field(description="Only for the resident, staff and the claimer")
    address: str | None
    greeting: str | None = Field(description="Whom to ask for at the door")
    situation: str | None = Field(description="Only for the resident and staff")
    delivery_note: str
    moves: list[str] = Field(description="What the caller may do now, e.g. claim, fulfil")


class WishPage(Schema):
    items: list[Wish]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class MyWishPage(Schema):
    items: list[WishDetail]
    next_cursor: str | None


class Claim(Schema):
    id: int
    state: Choice
    due_date: datetime.date | None
    created_at: datetime.datetime
    organisation: Ref | None
    mine: bool = Field(description="Held by the caller, not only by their organisation")
    wish: WishDetail


class ClaimList(Schema):
    offered: list[Claim]
    active: list[Claim]


class Notice(Schema):
    id: int
    kind: str
    text: str
    link: str
    wish: int | None
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NoticePage(Schema):
    items: list[Notice]
    unread: int
    next_cursor: str | None


class Me(Schema):
    id: int
    name: str
    roles: list[str]
    token_scope: str | None = Field(description="read or write; null with the site's session")


class Stats(Schema):
    scope: Ref | None
    scope_key: str
    scope_name: str
    period: str
    sentence: str
    summary: dict[str, Any]
    by_category: list[dict[str, Any]]
    by_place: list[dict[str, Any]]
    monthly: list[dict[str, Any]]


class NewWish(Schema):
    title: str
    description: str
    category: int
    kind: str = "individual"
    target_group: str
    public_consent: bool = False


class ClaimIn(Schema):
    organisation: int | None = Field(None, description="Claim for this organisation (党支部)")


class ReasonIn(Schema):
    reason: str


class FulfilIn(Schema):
    note: str


class ConfirmIn(Schema):
    thanks: str = ""
    rating: int | None = Field(None, ge=1, le=5)


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="Machine-readable: conflict, state, forbidden, invalid, …")
    errors: dict[str, list[str]] | None = None
