"""Two-factor sign-in: a code from an authenticator app (TOTP), or a one-time backup code.

django-otp keeps the devices and checks the codes; this module decides who needs a second
factor and holds a signed-in session at the door until it has one. The password alone makes a
session "signed in but not verified": for someone with an authenticator, every page sends them
to enter a code; for someone who must have one (staff, anyone with the admin, when
settings.TWO_FACTOR_REQUIRED) but has none yet, every page sends them to set it up. Only those
pages, logging out and choosing a language stay open, so no other view has to think about it.
"""

from __future__ import annotations

import base64
import io

import qrcode
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"


def required_for(user) -> bool:
    """Staff roles and anyone who can open the admin, when production asks for it."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return user.is_staff or user.is_superuser or user.is_community_staff


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


SESSION_FLAG = "two_factor_on"


def remember(request, user=None) -> bool:
    """Whether the signed-in user has an authenticator, kept in the session from login on (so
    pages cost no query for it) and refreshed whenever this session changes the devices."""
    answer = has_authenticator(user or request.user)
    request.session[SESSION_FLAG] = answer
    return answer


def remember_second_factor(sender, request, user, **kwargs) -> None:
    """user_logged_in: note at login whether a code will be asked for."""
    if request is not None and hasattr(request, "session"):
        remember(request, user)


def session_has_authenticator(request) -> bool:
    answer = request.session.get(SESSION_FLAG)
    return remember(request) if answer is None else answer


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def new_authenticator(user) -> TOTPDevice:
    """The not-yet-confirmed device being set up; one at a time, a fresh secret each visit
    would break a scan in progress, so an unconfirmed one is reused."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps that take it typed rather than scanned."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as a PNG data: URI (the CSP allows data: images, not inline SVG
    styles)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=2)
    code.add_data(device.config_url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def issue_backup_codes(user) -> list[str]:
    """Ten fresh one-time codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_authenticator(device: TOTPDevice) -> list[str]:
    """The app gave a right code: it is the account's authenticator from now on."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return issue_backup_codes(device.user)


@transaction.atomic
def turn_off(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def waiting(user) -> bool:
    """django-otp pauses a device for a moment after each wrong code, doubling each time."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device is not None and not device.verify_is_allowed()[0]


def matching_device(user, code: str):
    """The device that accepts this code (consuming a backup code), or None.

    Spaces and dashes people type are dropped; six digits are tried against the app, anything
    else against the backup codes. django-otp slows repeated failures on each device as well.
    """
    code = "".join(code.split()).replace("-", "").lower()
    if not code:
        return None
    if len(code) == 6 and code.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class SecondFactorMiddleware:
    """Holds a password-only session at the verify (or set-up) page until it has a second
    factor. Runs after django-otp's OTPMiddleware, which tells whether the session is verified."""

    OPEN = ("accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            target = self.target_for(request)
            if target is not None and not self.is_open(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(target)}?{query}")
        request.user = unwrapped(user)
        return self.get_response(request)

    @staticmethod
    def target_for(request) -> str | None:
        user = request.user
        if session_has_authenticator(request):
            return "accounts:two_factor_verify"
        if required_for(user):
            return "accounts:two_factor_setup"
        return None

    def is_open(self, request) -> bool:
        path = request.path_info
        # The JSON API answers for itself: a session owing its second factor is not signed in
        # there (api/auth.py), and an app gets a 401, not a redirect to a page.
        if path.startswith((settings.STATIC_URL, "/i18n/", "/api/")):
            return True
        return path in {reverse(name) for name in self.OPEN}


def unwrapped(user):
    """The user itself, once read: django.contrib.auth and django-otp each wrap it in a lazy
    proxy, and every attribute a request reads afterwards (a page reads hundreds) would go
    through both."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user
