"""Pages for two-factor sign-in: enter a code, set up an authenticator, backup codes, turn off.

Who needs a second factor and how codes are checked is accounts/two_factor.py.
"""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from audit.security import security_event

from . import two_factor
from .forms import TOO_MANY_ATTEMPTS, PasswordConfirmForm, SecondFactorForm
from .throttle import LoginAttempts

WAIT = _lazy("输错后要稍等几秒才能再试，请过一会儿再输入。")


def _landing(request: HttpRequest) -> str:
    if request.user.is_community_staff:
        return reverse("staff:index")
    return settings.LOGIN_REDIRECT_URL


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the password was right, now the code."""
    user = request.user
    next_url = two_factor.safe_next(request, _landing(request))
    if user.is_verified() or not two_factor.remember(request):
        return redirect(next_url)  # (a superuser may have reset it since this session began)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempts = LoginAttempts(user.username)
        device = None
        if attempts.blocked():
            form.add_error(
                "code", TOO_MANY_ATTEMPTS % {"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES}
            )
        elif two_factor.waiting(user):
            form.add_error("code", WAIT)
        else:
            device = two_factor.matching_device(user, form.cleaned_data["code"])
            if device is None:
                attempts.failed()
                security_event("2fa_failed", request=request, user=user)
                form.add_error("code", _("验证码不对或已过期，请看一下手机上最新的6位数字再输入。"))
        if device is not None:
            attempts.succeeded()
            django_otp.login(request, device)
            backup = isinstance(device, StaticDevice)
            security_event("2fa_verified", request=request, user=user, backup_code=backup)
            if backup:
                messages.warning(
                    request,
                    _("您用了一个备用码，还剩%(n)d个。用完前请在“我的账号”里重新生成。")
                    % {"n": two_factor.backup_codes_left(user)},
                )
            return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Scan the code with an authenticator app, type the six digits it shows, keep the backup
    codes. Also how someone with a new phone moves their authenticator (once verified)."""
    user = request.user
    if two_factor.has_authenticator(user) and not user.is_verified():
        return redirect("accounts:two_factor_verify")
    device = two_factor.new_authenticator(user)
    form = SecondFactorForm(request.POST or None)
    form.fields["code"].help_text = _("扫码添加后，输入验证器应用里显示的6位数字。")
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        if not device.verify_is_allowed()[0]:
            form.add_error("code", WAIT)
        elif device.verify_token(code):
            codes = two_factor.confirm_authenticator(device)
            django_otp.login(request, device)
            two_factor.remember(request)
            security_event("2fa_enabled", request=request, user=user)
            messages.success(request, _("两步验证已开启。以后登录时，输完密码还要输入验证码。"))
            return _show_codes(request, codes)
        else:
            form.add_error(
                "code",
                _("验证码不对。请确认手机时间准确，再输入验证器里当前显示的6位数字。"),
            )
    context = {
        "form": form,
        "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_for_typing(device),
        "required": two_factor.required_for(user),
        "replacing": two_factor.has_authenticator(user),
        "next": two_factor.safe_next(request, ""),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": two_factor.safe_next(request, reverse("accounts:profile"))},
    )


@never_cache
@require_POST
@login_required
def new_backup_codes(request: HttpRequest) -> HttpResponse:
    if not two_factor.has_authenticator(request.user):
        return redirect("accounts:two_factor_setup")
    codes = two_factor.issue_backup_codes(request.user)
    security_event("2fa_backup_codes_issued", request=request, user=request.user)
    messages.success(request, _("已生成新的备用码，原来的备用码都作废了。"))
    return _show_codes(request, codes)


@never_cache
@sensitive_post_parameters("password")
@require_POST
@login_required
def turn_off(request: HttpRequest) -> HttpResponse:
    from .views import render_profile

    user = request.user
    if not two_factor.has_authenticator(user):
        return redirect("accounts:profile")
    if two_factor.required_for(user):
        messages.error(request, _("工作人员的账号必须开启两步验证，不能关闭。换了手机请重新设置。"))
        return redirect("accounts:profile")
    form = PasswordConfirmForm(request.POST, user=user)
    if not form.is_valid():
        return render_profile(request, turn_off_form=form)
    two_factor.turn_off(user)
    two_factor.remember(request)
    security_event("2fa_disabled", request=request, user=user)
    messages.success(request, _("两步验证已关闭，登录时只需要密码。"))
    return redirect("accounts:profile")
