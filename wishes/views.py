from django.db.models import Count, Q
from django.shortcuts import render

from .lifecycle import DONE_STATUSES, Status
from .models import Wish


def home(request):
    """What the programme is, how far it has come, and wishes waiting right now."""
    totals = Wish.objects.exclude(status__in=[Status.REJECTED, Status.WITHDRAWN]).aggregate(
        collected=Count("pk"),
        fulfilled=Count("pk", filter=Q(status__in=DONE_STATUSES)),
    )
    recent = (
        Wish.objects.visible_to(request.user)
        .published()
        .select_related("category", "community", "grid", "resident")
        .order_by("published_at", "pk")[:6]
    )
    return render(request, "wishes/home.html", {"totals": totals, "recent": recent})
