"""党员接单: a volunteer claims a wish, answers a dispatch, gives a claim up or fulfils it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Prefetch,
    Q,
    Value,
    prefetch_related_objects,
)
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts.models import Resident
from audit.records import record_contact_views
from config.prepared import SENTINEL, Prepared

from .. import held_photos, policy
from ..forms import ClaimForm, FulfilForm, ReasonForm
from ..lifecycle import Status, WishError
from ..models import Claim, HandoverEvent, Wish
from ..pagination import Chain, CheapCountPaginator, by_ids
from .base import back, cannot, perform, refused, visible_wish


@require_POST
@login_required
def claim(request, pk: int):
    # A wish this user could never have seen is a 404; one that was listed to them and has
    # moved on since means they lost a race (409), or already hold it themself.
    wish = glance(request, pk)

    def already_mine() -> HttpResponse:
        messages.info(request, _("这个心愿已经是您认领的了，不用重复认领。"))
        return redirect("wishes:detail", pk=wish.pk)

    if wish.mine:
        return already_mine()
    if wish.status != Status.APPROVED:
        return refused(
            request,
            WishError(
                _("手慢了一步：这个心愿刚刚已被他人认领或已结束。看看其他等待认领的心愿吧。"),
                "conflict",
            ),
            wish,
        )
    # The glance is enough to claim with: Wish.claim reads the row again, locked, and its
    # notices are made from that copy.
    form = ClaimForm(request.POST, user=request.user, wish=wish)
    if not form.is_valid():
        return refused(
            request,
            WishError(_("您不是所选单位经核实的成员，不能以该单位名义认领。"), "forbidden"),
            wish,
        )
    try:
        wish.claim(by=request.user, organisation=form.cleaned_data["organisation"])
    except WishError as error:
        # The same person in a second tab, a moment after the first: theirs, not lost.
        if holds(request.user, wish):
            return already_mine()
        return refused(request, error, wish)
    messages.success(
        request,
        _("认领成功！请尽快联系心愿人，联系方式见下方。完成后在“我的认领”里报告兑现。"),
    )
    return redirect("wishes:detail", pk=wish.pk)


def holds(user, wish) -> bool:
    return policy.claims.held_by(user).filter(wish=wish, state__in=Claim.OPEN_STATES).exists()


def glance(request, pk: int) -> Wish:
    """What deciding a claim needs, in one short statement prepared once per database session
    (config/prepared.py): enough of the wish for the access rule (404 if it was never this
    user's to see), its status, and its open claim, if any, with whether this user holds it
    (`.mine`, asked of the policy in Python). When everyone claims at once, most are told 409
    from this alone."""
    found = GLANCE.rows(pk) if pk <= GLANCE_MAX_ID else []
    if not found:
        raise Http404
    wish = found[0]
    # The resident only as far as the access rule asks (whose own the wish is); the rest of
    # the record stays deferred, read from the database if anything asks for it.
    if wish.resident_id is not None:
        wish._state.fields_cache["resident"] = Resident.from_db(
            wish._state.db, ["id", "user_id"], [wish.resident_id, wish.glance_resident_user]
        )
    wish.mine = wish.glance_claim is not None and policy.claims.holds(
        request.user,
        Claim.from_db(
            wish._state.db,
            ["id", "wish_id", "volunteer_id", "organisation_id", "state"],
            [
                wish.glance_claim,
                wish.pk,
                wish.glance_claim_volunteer,
                wish.glance_claim_organisation,
                wish.glance_claim_state,
            ],
        ),
    )
    if not policy.wishes.can_reach(request.user, wish):
        raise Http404
    return wish


def _glance_queryset():
    # A wish has one open claim at most (the one_open_claim_per_wish constraint).
    fields = ["status", "kind", "community", "grid", "resident", "public_consent", "published_at"]
    return (
        Wish.objects.annotate(
            open_claim=FilteredRelation("claims", condition=Q(claims__state__in=Claim.OPEN_STATES)),
            glance_resident_user=F("resident__user_id"),
            glance_claim=F("open_claim__id"),
            glance_claim_volunteer=F("open_claim__volunteer_id"),
            glance_claim_organisation=F("open_claim__organisation_id"),
            glance_claim_state=F("open_claim__state"),
        )
        .only(*fields)
        .order_by()
        .filter(pk=SENTINEL)
    )


GLANCE = Prepared("glance", _glance_queryset)
GLANCE_MAX_ID = 2**63 - 1  # a bigint: a larger id in the URL finds no wish, and no error


class MyClaimsView(LoginRequiredMixin, TemplateView):
    """我的认领: dispatches waiting for an answer, claims in progress, and what I fulfilled."""

    template_name = "wishes/my_claims.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        upcoming = HandoverEvent.objects.filter(fulfilled_at__isnull=True).order_by("starts_at")
        related = [
            "wish",
            "wish__category",
            "wish__community",
            "wish__grid",
            "wish__resident",
            "organisation",
            "volunteer",
        ]
        mine = policy.claims.held_by(user).select_related(*related)
        # A branch may hold thousands of claims: my own come first, then the branch's, each
        # by the nearest due date — two lists read in the order of their indexes, and
        # counted for both states in one query.
        order = [F("due_date").asc(nulls_last=True), "created_at", "pk"]
        _own, branch = policy.claims.held_parts(user)
        states = [Claim.State.OFFERED, Claim.State.ACTIVE]
        if branch is not None:
            claims = Claim.objects.select_related(*related)
            # Each state's parts say their state once (see held_parts_q).
            parts = {s: policy.claims.held_parts(user, state=s) for s in states}
            counts = count_parts(parts)
            offered, active = (
                Chain(
                    claims.order_by(*order), first=parts[s][0], second=parts[s][1], counts=counts[s]
                )
                for s in states
            )
            paginator = Paginator(active, 20)
        else:  # all of them mine
            offered, active = (mine.filter(state=s).order_by(*order) for s in states)
            paginator = CheapCountPaginator(active, 20)
        active = paginator.get_page(self.request.GET.get("page"))
        offers = list(offered[:OFFERS_SHOWN])
        # The upcoming hand-over events of every card on the page, in one query.
        prefetch_related_objects(
            [*offers, *active],
            Prefetch("wish__handover_events", queryset=upcoming, to_attr="upcoming_events"),
        )
        context.update(
            offered=offers,
            offered_count=len(offers) if len(offers) < OFFERS_SHOWN else offered.count(),
            page_obj=active,
            # The last ten of a history that may run to hundreds: picked by id, then joined.
            fulfilled=by_ids(
                Claim.objects.select_related(*related).order_by("-ended_at"),
                Claim.objects.filter(policy.claims.held_parts(user, state=Claim.State.FULFILLED)[0])
                .order_by("-ended_at")
                .values("pk")[:10],
            ),
            reason_form=ReasonForm(),
            today=timezone.localdate(),
        )
        # Each card says what delivering needs (wishes/_delivery.html); showing a resident's
        # contact details is recorded, as on the wish's page.
        claims = [*context["offered"], *context["page_obj"]]
        for item in claims:
            item.seen = policy.what_user_sees(item.wish, user, open_claim=item)
        record_contact_views(
            user,
            [item.wish for item in claims if item.seen.sees_contact],
            how="claims_page",
        )
        context["active"] = context["page_obj"]
        return context


OFFERS_SHOWN = 20


def count_parts(parts: dict[str, tuple[Q, Q]]) -> dict[str, tuple[int, int]]:
    """For each state, (my own claims, mine and my branch's together), in one query: each part
    of each state counted on its own (UNION ALL), so that the branch's — thousands, in a busy
    one — are counted along claim_organisation_state_idx, not row by row from the table."""
    counts = {state: [0, 0] for state in parts}
    tallies = [
        Claim.objects.filter(part)
        .order_by()
        .annotate(part_state=Value(state), first=Value(first))
        .values("part_state", "first")
        .annotate(n=Count("*"))  # not "pk": the index holds no ids, and needs none to count
        .values_list("part_state", "first", "n")
        for state, (own, branch) in parts.items()
        for first, part in ((True, own), (False, branch & ~own))
    ]
    for state, first, n in tallies[0].union(*tallies[1:], all=True).order_by():
        counts[state][1] += n
        if first:
            counts[state][0] += n
    return {state: (mine, all_) for state, (mine, all_) in counts.items()}


@require_POST
@login_required
def accept(request, pk: int):
    wish = visible_wish(request, pk)
    return perform(
        request,
        wish,
        lambda w: w.accept(by=request.user),
        done=_("已接单，请尽快联系心愿人。"),
        then="wishes:detail",
    )


def _with_reason(request, pk: int, move: str, done: str):
    wish = visible_wish(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return refused(request, WishError(_("请填写原因，方便社区重新安排。"), "invalid"), wish)
    reason = form.cleaned_data["reason"]
    return perform(
        request,
        wish,
        lambda w: getattr(w, move)(by=request.user, reason=reason),
        done=done,
        then=back(request, "wishes:claims"),
    )


@require_POST
@login_required
def decline(request, pk: int):
    return _with_reason(request, pk, "decline", _("已退回派单，社区会重新安排。"))


@require_POST
@login_required
def release(request, pk: int):
    return _with_reason(request, pk, "release", _("已放弃认领，心愿回到心愿清单等待他人认领。"))


@login_required
def fulfil(request, pk: int):
    wish = visible_wish(request, pk)
    if refusal := cannot(request, wish, "fulfil"):
        return refusal
    held = held_photos.held_in(request)
    form = FulfilForm(request.POST or None, request.FILES or None, held=len(held))
    if request.method == "POST" and form.is_valid():
        photos = [photo.as_upload() for photo in held] + form.cleaned_data["photos"]
        try:
            wish.fulfil(by=request.user, note=form.cleaned_data["note"], photos=photos)
        except WishError as error:
            form.add_error(None, str(error))
        else:
            held_photos.discard(held)
            messages.success(request, _("已报告兑现，等待心愿人确认。谢谢您！"))
            return redirect("wishes:claims")
    if request.method == "POST":
        held = held + held_photos.hold(request, form, "photos")
    return render(request, "wishes/fulfil_form.html", {"wish": wish, "form": form, "held": held})
