"""Placeholders for what must be new in every response, so that HTML can be kept in the cache.

A page or fragment kept in the cache (the menu, `templates/_nav.html`; whole pages,
`wishes/pages.py`) must not carry one response's CSRF token or CSP nonce into the next. It is
rendered with placeholders instead, and `FillHolesMiddleware` (last in MIDDLEWARE, so before the
CSP middleware writes its header) puts this request's token and nonce in their place in every
HTML response.
"""

from __future__ import annotations

import os

from django.middleware.csp import get_nonce
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.crypto import salted_hmac


def hole(name: str) -> str:
    # Letters and digits only (nothing for HTML escaping to change), and not guessable from
    # outside, so text someone typed cannot contain one.
    return "hole" + salted_hmac("config.holes", name, algorithm="sha256").hexdigest()[:24]


CSRF_HOLE = hole("csrf")
NONCE_HOLE = hole("nonce")
_CSRF = CSRF_HOLE.encode()
_NONCE = NONCE_HOLE.encode()


def holes(request) -> dict[str, str]:
    """Context processor, last in the list: `csrf_hole` for a fragment kept in the cache
    (`{% with csrf_token=csrf_hole %}{% csrf_token %}{% endwith %}`); and while a whole page
    renders to be kept (request.page_holes), its CSRF token and nonce are placeholders."""
    if getattr(request, "page_holes", False):
        return {"csrf_hole": CSRF_HOLE, "csrf_token": CSRF_HOLE, "csp_nonce": NONCE_HOLE}
    return {"csrf_hole": CSRF_HOLE}


def fill(request, content: bytes) -> bytes:
    if _CSRF in content:
        content = content.replace(_CSRF, csrf_token(request).encode())
    if _NONCE in content:
        content = content.replace(_NONCE, str(get_nonce(request)).encode())
    return content


# ----- the CSRF token, masked as Django masks it --------------------------------------------------

_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: i for i, char in enumerate(_CHARS)}
# Bytes at or above this are drawn again, so that every character of the mask is equally likely.
_FAIR = 256 - 256 % len(_CHARS)


def csrf_token(request) -> str:
    """Django's get_token for a request that brought its CSRF cookie: the same secret, masked
    the same way (so Django's check reads it back) and the cookie renewed, but the mask drawn
    from one read of the system's randomness instead of one per character. Django draws each
    of its 32 characters with `secrets.choice`, a system call apiece: a tenth of the time a
    page kept in the cache takes to serve, and of a 409 when everyone claims at once."""
    secret = request.META.get("CSRF_COOKIE")
    if not isinstance(secret, str) or len(secret) != CSRF_SECRET_LENGTH:
        return get_token(request)  # a first visit: Django makes and sets the secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token does
    return masked(secret)


def masked(secret: str) -> str:
    """`secret` masked with a fresh random mask: mask + (secret + mask, character by character,
    modulo the alphabet), the format of django.middleware.csrf._mask_cipher_secret."""
    mask: list[int] = []
    while len(mask) < len(secret):
        mask += [byte % len(_CHARS) for byte in os.urandom(len(secret) + 8) if byte < _FAIR]
    mask = mask[: len(secret)]
    cipher = (
        _CHARS[(_INDEX[char] + m) % len(_CHARS)] for char, m in zip(secret, mask, strict=True)
    )
    return "".join(_CHARS[m] for m in mask) + "".join(cipher)


class FillHolesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, "streaming", False) and response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            response.content = fill(request, response.content)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
