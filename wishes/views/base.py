"""What every wish view shares: finding a wish the user may see, and answering a refusal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ..lifecycle import WishError
from ..models import Wish

# A refused move becomes the HTTP answer a browser (and a test) can tell apart.
STATUS_FOR_CODE = {"conflict": 409, "state": 409, "forbidden": 403, "invalid": 400}


def visible_wish(request: HttpRequest, pk: int) -> Wish:
    """The wish, if this user may see it at all; otherwise 404, as if it did not exist."""
    queryset = Wish.objects.visible_to(request.user).select_related(
        "category", "community", "grid", "resident"
    )
    return get_object_or_404(queryset, pk=pk)


def refused(request: HttpRequest, error: WishError, wish: Wish | None = None) -> HttpResponse:
    """A page that says, in plain Chinese, why the move did not happen and where to go next."""
    return render(
        request,
        "wishes/refused.html",
        {
            "error": error,
            "wish": wish,
            "back_url": reverse("wishes:detail", args=[wish.pk]) if wish else None,
            "list_url": reverse("wishes:list"),
        },
        status=STATUS_FOR_CODE.get(error.code, 400),
    )


def back(request: HttpRequest, default: str, *args) -> HttpResponseRedirect:
    """Redirect to the page the form came from (?next= on this site), else to `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(default, *args)
