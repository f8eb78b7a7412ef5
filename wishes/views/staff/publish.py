"""发布心愿清单: a community's published list as WeChat text, a QR code and a printable A4 page.

Everything here may leave the workbench (pasted into a group chat, pinned on a notice board),
so it shows only wishes whose residents agreed to public display, and of each only what the
public list shows: category, title, a short description, grid and the masked name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.scoping import scope_of
from communities.models import Community

from ... import policy
from ...masking import mask_numbers
from ...models import Wish
from .base import managed_community, staff_required

DESCRIPTION_CHARS = 30
PHRASE_ENDS = "，。；！？,.;!?"


@dataclass
class PublishedList:
    """One community's 心愿清单 as the public may see it."""

    community: Community
    wishes: list[Wish]
    hidden: int  # published, but the resident did not agree to public display
    list_url: str  # absolute: the QR code and the WeChat text point here

    @property
    def date(self) -> str:
        return formats.date_format(timezone.localdate(), "DATE_FORMAT")


def published_list(request: HttpRequest, community: Community) -> PublishedList:
    """What anyone may see of the community's list: the policy's rule for a visitor."""
    published = Wish.objects.published().filter(community=community, kind=Wish.Kind.INDIVIDUAL)
    wishes = (
        policy.wishes.listed(AnonymousUser(), published)
        .select_related("category", "grid", "resident")
        .order_by("published_at", "pk")
    )
    return PublishedList(
        community=community,
        wishes=list(wishes),
        hidden=published.filter(public_consent=False).count(),
        list_url=community_list_url(request, community),
    )


def community_list_url(request: HttpRequest, community: Community) -> str:
    """The public list narrowed to one community, whoever opens it (hence scope=all)."""
    query = urlencode({"community": community.pk, "scope": "all"})
    return request.build_absolute_uri(f"{reverse('wishes:list')}?{query}")


def short_description(wish: Wish) -> str:
    """About DESCRIPTION_CHARS characters on one line, cut after a phrase where one ends."""
    text = " ".join(mask_numbers(wish.description).split())
    if len(text) <= DESCRIPTION_CHARS:
        return text
    head = text[: DESCRIPTION_CHARS - 1]
    phrase_end = max(head.rfind(mark) for mark in PHRASE_ENDS)
    if phrase_end >= DESCRIPTION_CHARS // 2:
        head = head[:phrase_end]
    return head.rstrip() + "…"


def wish_line(number: int, wish: Wish) -> str:
    where = [wish.grid.name] if wish.grid_id else []
    where.append(wish.masked_name)
    return _("%(n)d. [%(category)s] %(title)s——%(description)s（%(where)s）") % {
        "n": number,
        "category": wish.category,
        "title": mask_numbers(wish.title),
        "description": short_description(wish),
        "where": " · ".join(where),
    }


def wechat_text(request: HttpRequest, listing: PublishedList) -> str:
    """The message staff paste into the community's WeChat groups."""
    community = listing.community
    lines = [
        _("【%(community)s微心愿清单】%(date)s") % {"community": community, "date": listing.date},
    ]
    if listing.wishes:
        lines.append(_("以下心愿正在等待认领，欢迎党员和爱心人士点开链接认领："))
    else:
        lines.append(_("目前没有等待认领的心愿，感谢大家的关心！"))
    for number, wish in enumerate(listing.wishes, start=1):
        lines += ["", wish_line(number, wish)]
        lines.append(request.build_absolute_uri(reverse("wishes:detail", args=[wish.pk])))
    lines.append("")
    if listing.hidden:
        lines.append(
            _("另有 %(n)d 个心愿未同意公开，经社区审核的志愿者登录后可在心愿清单查看。")
            % {"n": listing.hidden}
        )
    lines.append(_("全部心愿：%(url)s") % {"url": listing.list_url})
    lines.append(_("认领方法：打开链接，登录后点“我来认领”（需先向本社区报到）。"))
    if community.phone:
        lines.append(_("咨询电话：%(phone)s") % {"phone": community.phone})
    if community.address:
        lines.append(_("社区地址：%(address)s") % {"address": community.address})
    return "\n".join(lines)


@staff_required
def choose(request):
    """发布心愿清单 from the menu: straight to the only community, or a choice of several."""
    # A subquery, not Count(), so the count stays one per community whatever the joins.
    waiting = (
        Wish.objects.published()
        .filter(community=OuterRef("pk"))
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    communities: QuerySet[Community] = (
        policy.communities.worked_in(request.user)
        .select_related("street")
        .annotate(waiting=Coalesce(Subquery(waiting), 0))
    )
    if len(communities) == 1:
        return redirect("staff:publish", pk=communities[0].pk)
    return render(request, "staff/publish_choose.html", {"communities": communities})


@staff_required
def publish(request, pk: int):
    community = managed_community(request, pk)
    listing = published_list(request, community)
    several = policy.communities.worked_in(request.user).exclude(pk=community.pk).exists()
    return render(
        request,
        "staff/publish.html",
        {
            "community": community,
            "listing": listing,
            "text": wechat_text(request, listing),
            "several_communities": several,
            "sets_contact": scope_of(request.user).runs(community.pk),
        },
    )


@staff_required
def print_list(request, pk: int):
    community = managed_community(request, pk)
    return render(
        request,
        "staff/publish_print.html",
        {
            "community": community,
            "listing": published_list(request, community),
            # A grid worker prints the list too, but the community's phone is not theirs to set.
            "sets_contact": scope_of(request.user).runs(community.pk),
        },
    )


def qr_code(request: HttpRequest, community: Community, factory=None) -> qrcode.QRCode:
    # M tolerates a crease or a smudge on a printed sheet and keeps the code small.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
        image_factory=factory,
    )
    code.add_data(community_list_url(request, community))
    code.make(fit=True)
    return code


def qr_response(content: bytes, content_type: str, community: Community, ext: str):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="community-{community.pk}-qr.{ext}"'
    # The code embeds this request's host: a proxy must not hand it to another host.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required
def qr_png(request, pk: int):
    community = managed_community(request, pk)
    buffer = io.BytesIO()
    qr_code(request, community).make_image().save(buffer)
    return qr_response(buffer.getvalue(), "image/png", community, "png")


@staff_required
def qr_svg(request, pk: int):
    community = managed_community(request, pk)
    image = qr_code(request, community, qrcode.image.svg.SvgPathFillImage).make_image()
    return qr_response(image.to_string(), "image/svg+xml", community, "svg")
