"""通知: what the workbench and the system told this person, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from ..models import Notice


@login_required
def notices(request):
    page = Paginator(Notice.objects.filter(user=request.user).select_related("wish"), 20).get_page(
        request.GET.get("page")
    )
    items = list(page)
    # Seen once they are on screen; the page still marks which ones were new.
    unread = [notice.pk for notice in items if notice.read_at is None]
    if unread:
        Notice.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request,
        "wishes/notices.html",
        {"page_obj": page, "notices": items, "new": set(unread)},
    )
