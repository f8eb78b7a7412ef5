"""What every wish view shares: finding a wish through the access policy, and making a move.

`perform()` is the one way a view makes a life-cycle move: a refusal becomes the right status
code and a page that says why in plain Chinese; success a message and a redirect.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from audit.security import security_event

from .. import policy
from ..images import HEAD_BYTES, photo_type
from ..lifecycle import WishError
from ..models import Wish
from ..pages import kept_for_menu

# A refused move becomes the HTTP answer a browser (and a test) can tell apart.
STATUS_FOR_CODE = {"conflict": 409, "state": 409, "forbidden": 403, "invalid": 400}

WISH_RELATED = ["category", "community", "grid", "resident"]

logger = logging.getLogger(__name__)

# What a served photo may be called: the random hex stem photos are stored under.
_SAFE_STEM = re.compile(r"[0-9A-Za-z_-]{1,64}")


def visible_wish(request: HttpRequest, pk: int) -> Wish:
    """The wish, if this user may open its page; otherwise 404, as if it did not exist."""
    queryset = policy.wishes.visible(request.user).select_related(*WISH_RELATED)
    return get_object_or_404(queryset, pk=pk)


def reachable_wish(request: HttpRequest, pk: int) -> Wish:
    """Like visible_wish, but also a wish that was listed to this user and has moved on since
    (a shared link: the page then says it was taken, and shows nothing private)."""
    # Read by its key and judged by the policy's rule for one wish (the same rule as
    # `policy.wishes.reachable`): a plain lookup plans and runs in a fraction of the time the
    # rule as a WHERE clause takes, which tells when everyone claims at once.
    wish = get_object_or_404(Wish.objects.select_related(*WISH_RELATED), pk=pk)
    if not policy.wishes.can_reach(request.user, wish):
        raise Http404
    return wish


def refused(
    request: HttpRequest, error: WishError, wish: Wish | None = None, *, back_url: str = ""
) -> HttpResponse:
    """A page that says, in plain Chinese, why the move did not happen and where to go next."""
    if not back_url and wish is not None:
        back_url = reverse("wishes:detail", args=[wish.pk])
    if error.code == "forbidden":
        security_event(
            "permission_denied",
            request=request,
            outcome="denied",
            status=STATUS_FOR_CODE[error.code],
            view=request.resolver_match.view_name if request.resolver_match else "",
            wish=wish.pk if wish is not None else None,
        )
    message = str(error)
    if error.code == "conflict":
        # The heading already says 手慢了一步 (Someone got there first); say it once, in
        # whichever language the page is in.
        for prefix in (_("手慢了一步："), "手慢了一步："):
            message = message.removeprefix(prefix).lstrip()
        message = message[:1].upper() + message[1:]

    def page(values: dict[str, str]) -> HttpResponse:
        return render(
            request,
            "wishes/refused.html",
            {
                # Not the wish: a conflict's page is kept for others with the same menu.
                "error": error,
                "message": message,
                "back_url": values["back_url"],
                "list_url": reverse("wishes:list"),
            },
            status=STATUS_FOR_CODE.get(error.code, 400),
        )

    if error.code == "conflict":
        # Told to everyone who lost a race, the same words on every wish but for its address:
        # kept per menu (wishes/pages.py), so a storm of claims costs no renders.
        parts = ("refused", error.code, message)
        return kept_for_menu(request, parts, page, {"back_url": back_url})
    return page({"back_url": back_url})


def cannot(
    request: HttpRequest, wish: Wish, move: str, *, back_url: str = ""
) -> HttpResponse | None:
    """The refusal page if this user may not make `move` now (before showing its form)."""
    try:
        wish.check_move(move, request.user)
    except WishError as error:
        return refused(request, error, wish, back_url=back_url)
    return None


def perform(
    request: HttpRequest,
    wish: Wish,
    move: Callable[[Wish], object],
    *,
    done: str | Callable[[object], str],
    then: str | HttpResponseRedirect,
    back_url: str = "",
) -> HttpResponse:
    """Make one move on `wish`; a refusal answers with its status code and the reason."""
    try:
        result = move(wish)
    except WishError as error:
        return refused(request, error, wish, back_url=back_url)
    messages.success(request, done(result) if callable(done) else done)
    return then if isinstance(then, HttpResponse) else redirect(then, wish.pk)


def serve_photo(image) -> FileResponse:
    """A stored photo, after the caller's permission check: typed by its content, never by its
    name (files stored before photos were re-encoded kept the uploaded suffix, `.pdf` even), not
    to be sniffed by the browser, and never kept by any cache. A file that is no photo is a 404."""
    try:
        handle = image.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    found = photo_type(handle.read(HEAD_BYTES))
    if found is None:
        handle.close()
        logger.warning("Refused to serve %s: its content is not a JPEG, PNG, GIF or WebP", image)
        raise Http404
    handle.seek(0)
    stem = os.path.splitext(os.path.basename(image.name))[0]
    if not _SAFE_STEM.fullmatch(stem):
        stem = "photo"
    response = FileResponse(
        handle, content_type=found.content_type, filename=f"{stem}.{found.suffix}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def back(request: HttpRequest, default: str, *args) -> HttpResponseRedirect:
    """Redirect to the page the form came from (?next= on this site), else to `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(default, *args)
