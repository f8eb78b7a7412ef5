"""Pages everyone reaches: the home page, the published wish list, a wish, and its photos."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from accounts.identity import identity_of
from accounts.scoping import scope_of
from audit.records import record_contact_view
from communities.models import Community, Grid

from .. import pages, policy, versions
from ..counters import staff_counters
from ..forms import ClaimForm, ConfirmForm, ReasonForm, WithdrawForm
from ..lifecycle import DONE_STATUSES, Status
from ..masking import DIGIT_RUN
from ..models import Category, Claim, HeldPhoto, Wish, WishPhoto
from .base import reachable_wish, serve_photo, visible_wish

CARD_RELATED = ["category", "community", "grid", "resident"]
RESULTS_SECONDS = 600  # the list's cards, cached under the data's versions (wishes/versions.py)


def programme_totals() -> dict[str, int]:
    return Wish.objects.exclude(status__in=[Status.REJECTED, Status.WITHDRAWN]).aggregate(
        collected=Count("pk"),
        fulfilled=Count("pk", filter=Q(status__in=DONE_STATUSES)),
    )


def due_claims(user, shown: int = 5) -> list[Claim]:
    """The open claims this volunteer holds, nearest due date first: their own and their
    branch's read apart (each along its index, however many the branch holds), then merged."""
    own, branch = policy.claims.held_parts(user)
    parts = [own] if branch is None else [own, branch & ~own]
    claims = []
    for part in parts:
        claims += (
            Claim.objects.filter(part, state__in=Claim.OPEN_STATES)
            .select_related("wish", "wish__community", "wish__resident", "organisation")
            .order_by(F("due_date").asc(nulls_last=True), "created_at", "pk")[:shown]
        )
    claims.sort(
        key=lambda c: (c.due_date is None, c.due_date or c.created_at.date(), c.created_at, c.pk)
    )
    return claims[:shown]


def home_page(request):
    """Home is kept whole per reader (wishes/pages.py) under everything it shows: the
    programme's totals, wishes and claims, and the names of places and categories."""
    return [versions.FIGURES, versions.WISHES, versions.LIST, versions.CHOICES], []


@pages.kept_whole(home_page)
def home(request):
    """One page, several roles: each person sees what they came for first."""
    user = request.user
    # The programme's headline (征集N个，已实现M个): every wish ever, so counted once per change.
    totals = versions.remembered("home-totals", versions.FIGURES, programme_totals)
    context = {"totals": totals}
    if not user.is_authenticated:
        context["recent"] = (
            policy.wishes.listed(user)
            .select_related(*CARD_RELATED)
            .order_by("published_at", "pk")[:6]
        )
        return render(request, "wishes/home.html", context)

    resident = getattr(user, "resident", None)
    if resident is not None:
        context["my_wishes"] = (
            Wish.objects.filter(resident__user=user)
            .select_related(*CARD_RELATED)
            .order_by("-created_at")[:3]
        )
    profile = getattr(user, "volunteer_profile", None)
    if profile is not None:
        registrations = list(profile.registrations.select_related("community"))
        approved = [r.community_id for r in registrations if r.status == "approved"]
        context["registrations"] = registrations
        context["is_approved_volunteer"] = bool(approved)
        context["nearby"] = (
            policy.wishes.listed(user)
            .filter(community__in=[r.community_id for r in registrations])
            .select_related(*CARD_RELATED)
            .order_by("published_at", "pk")[:5]
        )
        context["due_claims"] = due_claims(user)
    if user.is_community_staff:
        context["staff_counters"] = staff_counters(policy.wishes.reach(user)(""))
    return render(request, "wishes/home.html", context)


class WishFilterForm(forms.Form):
    """The list's filters. Anything unrecognised is ignored, never an error page."""

    SORTS = [("oldest", _("等待最久")), ("due", _("期望日期最近")), ("newest", _("最新发布"))]

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    scope = forms.ChoiceField(
        label=_("范围"),
        required=False,
        choices=[("mine", _("我报到的社区")), ("all", _("全部社区"))],
    )
    community = forms.ModelChoiceField(
        label=_("社区"), queryset=Community.objects.all(), required=False, empty_label=_("全部社区")
    )
    grid = forms.ModelChoiceField(
        label=_("网格"), queryset=Grid.objects.none(), required=False, empty_label=_("全部网格")
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("全部类别"),
    )
    target_group = forms.ChoiceField(
        label=_("服务对象"),
        required=False,
        choices=[("", _("全部对象")), *Wish.TargetGroup.choices],
    )
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        community_id = str(self.data.get("community") or "")
        if community_id.isdecimal() and len(community_id) < 19:
            self.fields["grid"].queryset = Grid.objects.filter(community_id=community_id)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def value(self, name: str):
        """The cleaned value of one filter, or its empty value if it was not valid."""
        if name in self.errors:  # validates the form the first time it is asked
            return None
        return self.cleaned_data.get(name)


def home_communities(user) -> list[int]:
    """The communities a user belongs to: volunteer registrations, home, workplace."""
    if not user.is_authenticated:
        return []
    scope = scope_of(user)
    ids = set(scope.registered_communities)
    identity = identity_of(user)
    if identity is not None:
        if identity.resident_community_id is not None:
            ids.add(identity.resident_community_id)
    elif (resident := getattr(user, "resident", None)) is not None:
        ids.add(resident.community_id)
    if scope.is_staff and not scope.everything:
        ids.update(scope.staff_communities)
    return sorted(ids)


# The list's orders, by the `sort` filter: each read along its index (wish_published_idx,
# wish_due_idx), and the API's cursors follow the same keys.
LIST_ORDERS = {
    "oldest": ["published_at", "pk"],
    "due": [F("due_date").asc(nulls_last=True), "published_at", "pk"],
    "newest": ["-published_at", "-pk"],
}


@dataclass
class Listed:
    wishes: QuerySet[Wish]
    sort: str
    mine: list[int]
    digits_refused: bool = False


def listed_wishes(user, filters: WishFilterForm) -> Listed:
    """The 心愿清单 as this user asked for it: the page and the API (api/) both call this."""
    get = filters.value
    queryset = policy.wishes.listed(user)
    mine = home_communities(user)
    community = get("community")
    if community is not None:
        queryset = queryset.filter(community=community)
        if grid := get("grid"):
            queryset = queryset.filter(grid=grid)
    elif mine and get("scope") != "all":
        queryset = queryset.filter(community__in=mine)
    if category := get("category"):
        queryset = queryset.filter(category=category)
    if target_group := get("target_group"):
        queryset = queryset.filter(target_group=target_group)
    sort = get("sort") or "oldest"
    sort = sort if sort in LIST_ORDERS else "oldest"
    if q := (get("q") or "").strip():
        # Words only: digits typed into a search would find the wish whose text hides a
        # phone or ID number, and so confirm the digits the list masks.
        if DIGIT_RUN.search(q):
            return Listed(queryset.none(), sort, mine, digits_refused=True)
        queryset = queryset.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return Listed(queryset.select_related(*CARD_RELATED).order_by(*LIST_ORDERS[sort]), sort, mine)


def list_readers(user) -> list:
    """Who reads the same cards: the communities whose unconsented wishes this person may see
    and whose wishes they call theirs; and, for staff and residents, who may read a card's text
    unmasked, the person themself."""
    scope = scope_of(user)
    audience = "all" if scope.everything else sorted(scope.serves | scope.staff_communities)
    identity = identity_of(user)
    if identity is not None:
        resident = identity.resident_id is not None
    else:
        resident = user.is_authenticated and getattr(user, "resident", None) is not None
    personal = user.is_authenticated and (scope.is_staff or resident)
    return [audience, home_communities(user), user.pk if personal else "-"]


def list_page(request):
    """The list's whole page is kept (wishes/pages.py) under the cards' versions."""
    return [versions.LIST, versions.CHOICES], list_readers(request.user)


@method_decorator(pages.kept_whole(list_page), name="dispatch")
class WishListView(ListView):
    """心愿清单: published wishes nobody has taken on yet, oldest first so none waits forever."""

    template_name = "wishes/wish_list.html"
    context_object_name = "wishes"
    paginate_by = 20

    def get_queryset(self):
        self.filters = WishFilterForm(self.request.GET)
        listed = listed_wishes(self.request.user, self.filters)
        self.mine = listed.mine
        self.digits_refused = listed.digits_refused
        return listed.wishes

    digits_refused = False

    def get_context_data(self, **kwargs):
        # The cards, their count and the pages come from the cache when the same people asked
        # for the same list since the wishes last changed: no COUNT, no rows, no rendering.
        query = self.request.GET.copy()
        query.pop("page", None)
        self.data_versions = versions.versions(versions.LIST, versions.CHOICES)
        key = self.results_cache_key()
        results = cache.get(key)
        if results is None:
            context = super().get_context_data(**kwargs)
            context.update(digits_refused=self.digits_refused, querystring=query.urlencode())
            results = render_to_string("wishes/_wish_results.html", context, self.request)
            cache.set(key, results, RESULTS_SECONDS)
        else:
            context = {"view": self, **kwargs}
        showing_all = self.filters.value("scope") == "all" or not self.mine
        context.update(
            results=results,
            filters=self.filters,
            has_home_communities=bool(self.mine),
            showing_all=showing_all,
            filters_cache_key=self.filters_cache_key(showing_all),
        )
        return context

    def asked(self) -> list[tuple[str, list[str]]]:
        """The filters and page asked for (other parameters change nothing, so key nothing)."""
        known = {*self.filters.fields, "kind", "page"}
        return sorted((name, values) for name, values in self.request.GET.lists() if name in known)

    def results_cache_key(self) -> str:
        """Everything the cards depend on: the wishes' and names' versions, the language, the
        day (days waiting), the filters and page, and who reads them (`list_readers`)."""
        parts = [
            self.data_versions[versions.LIST],
            self.data_versions[versions.CHOICES],
            get_language(),
            timezone.localdate().isoformat(),
            list_readers(self.request.user),
            self.asked(),
        ]
        return "wish-list:" + hashlib.sha256(repr(parts).encode()).hexdigest()

    def filters_cache_key(self, showing_all: bool) -> str:
        """The filter form is the same HTML for everyone who asks with the same filters, in
        the same language, while the communities, grids and categories stay as they are."""
        asked = [(name, values) for name, values in self.asked() if name != "page"]
        return f"{self.data_versions[versions.CHOICES]}:{get_language()}:{showing_all}:{asked!r}"


def detail_page(request, pk: int):
    """A wish's whole page is kept (wishes/pages.py) until anything on any wish's page changes;
    unless it shows contact details, whose every view is recorded."""
    return [versions.WISHES, versions.CHOICES], [pk]


@pages.kept_whole(detail_page)
def wish_detail(request, pk: int):
    wish = reachable_wish(request, pk)
    user = request.user
    if not policy.wishes.can_view(user, wish):
        # A shared link to a wish that has since been taken: thank, point to the list.
        return render(request, "wishes/wish_taken.html", {"wish": wish})
    seen = policy.what_user_sees(wish, user)
    moves = {move.name: move for move in wish.available_moves(user)}
    if seen.sees_contact and not seen.is_resident:
        record_contact_view(user, wish.resident, wish=wish, how="wish_page")
        pages.not_kept(request)
    context = {
        "wish": wish,
        "seen": seen,
        "moves": moves,
        "open_claim": seen.open_claim,
        "is_volunteer": user.is_authenticated and hasattr(user, "volunteer_profile"),
    }
    if "claim" in moves:
        context["claim_form"] = ClaimForm(user=user, wish=wish)
    if "release" in moves:
        context["release_form"] = ReasonForm()
    if "decline" in moves:
        context["decline_form"] = ReasonForm()
    if "withdraw" in moves:
        context["withdraw_form"] = WithdrawForm()
    if "confirm" in moves:
        context["confirm_form"] = ConfirmForm()
    if seen.is_claimer or "accept" in moves:
        # The one delivering (or asked to): everything the trip needs, in one card.
        context["delivering"] = True
        context["events"] = wish.handover_events.filter(fulfilled_at__isnull=True).order_by(
            "starts_at"
        )
        context["today"] = timezone.localdate()
    return render(request, "wishes/wish_detail.html", context)


def held_photo(request, key):
    """A photo held for a form that came back with a mistake: only for the person who chose it."""
    if not request.user.is_authenticated:
        raise Http404
    held = get_object_or_404(HeldPhoto.objects.fresh(), key=key, owner=request.user)
    return serve_photo(held.image)


def photo(request, pk: int, photo_pk: int):
    """Photos are private: served only to the resident and the staff who work on the wish."""
    wish = visible_wish(request, pk)
    item = get_object_or_404(
        WishPhoto.objects.select_related("wish__resident"), pk=photo_pk, wish=wish
    )
    if not policy.photos.can_view(request.user, item):
        raise Http404
    return serve_photo(item.image)
