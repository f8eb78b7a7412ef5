"""社区派单: published wishes nobody took on, and offering one to a volunteer or organisation."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...forms import DispatchForm
from ...lifecycle import Status, WishError
from ...models import Claim
from ..base import cannot
from .base import area_wishes, chosen_communities, managed_wish, staff_required


@staff_required
def queue(request):
    """Waiting wishes: public-facility ones, declined and escalated ones first, then oldest."""
    communities, picked = chosen_communities(request)
    declined = Claim.objects.filter(wish=OuterRef("pk"), state=Claim.State.DECLINED)
    wishes = (
        area_wishes(request, communities)
        .filter(status=Status.APPROVED)
        .annotate(was_declined=Exists(declined))
        .select_related("category", "community", "grid", "resident")
        .order_by("-was_declined", "escalated_at", "-kind", "published_at", "pk")
    )
    page = Paginator(wishes, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/dispatch_queue.html",
        {"page_obj": page, "wishes": page, "communities": communities, "picked": picked},
    )


@staff_required
def dispatch(request, pk: int):
    wish = managed_wish(request, pk)
    if refusal := cannot(request, wish, "dispatch", back_url=reverse("staff:wish", args=[wish.pk])):
        return refusal
    form = DispatchForm(request.POST or None, communities=[wish.community_id])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wish.dispatch(
                by=request.user,
                volunteer=data["volunteer"],
                organisation=data["organisation"],
                due_date=data["due_date"],
                note=data["note"],
            )
        except WishError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已派单给%(who)s，对方接单或退回后会显示在这里。")
                % {"who": data["volunteer"] or data["organisation"]},
            )
            return redirect("staff:wish", wish.pk)
    return render(request, "staff/dispatch_form.html", {"wish": wish, "form": form})
