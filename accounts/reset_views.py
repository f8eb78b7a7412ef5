"""忘记密码: a six-digit code by SMS (or e-mail) to the account's own phone, then a new password.

Whether the number has an account is never told: every request gets the same answer. The code
and the new password are checked against the same pause as the login (accounts/throttle.py),
and a successful reset lifts that pause, so a person locked out by someone guessing at their
account still gets in. Staff can also set a temporary password for a resident in their care
(wishes/views/staff/residents.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from audit.security import security_event

from .codes import CODE_MINUTES, OneTimeCode, in_language_of, send_text
from .forms import ResetCodeForm, ResetRequestForm
from .models import User
from .throttle import LoginAttempts, accounts_typed

SESSION_KEY = "password_reset_who"
WRONG_CODE = gettext_lazy("验证码不对或已过期，请看一下最新的短信，或重新获取验证码。")


def account_for(typed: str) -> User | None:
    return accounts_typed(typed).filter(is_active=True).first()


def reset_code(user: User) -> OneTimeCode:
    return OneTimeCode("password-reset", str(user.pk))


def _send_code(request: HttpRequest, typed: str) -> None:
    user = account_for(typed)
    if user is None or not (user.phone or user.email):
        security_event("password_reset_requested", request=request, found=False)
        return
    code = reset_code(user)
    if not code.may_send():
        return
    with in_language_of(user):
        text = _(
            "【微心愿】您的找回密码验证码是%(code)s，%(minutes)d分钟内有效。"
            "如果不是您本人操作，请忽略这条短信，您的密码不会改变。"
        ) % {"code": code.issue(), "minutes": CODE_MINUTES}
    send_text(user, text)
    security_event("password_reset_requested", request=request, user=user, found=True)


@never_cache
def request_code(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None, initial={"who": request.GET.get("who", "")})
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["who"]
        _send_code(request, typed)
        request.session[SESSION_KEY] = typed
        messages.info(
            request,
            _(
                "如果这个号码注册过微心愿，验证码短信已经发到这个号码上（1分钟内只发一次）。"
                "请在%(minutes)d分钟内输入。"
            )
            % {"minutes": CODE_MINUTES},
        )
        return redirect("accounts:password_reset_code")
    return render(request, "accounts/password_reset.html", {"form": form})


@never_cache
@sensitive_post_parameters("code", "password1", "password2")
def enter_code(request: HttpRequest) -> HttpResponse:
    typed = request.session.get(SESSION_KEY)
    if not typed:
        return redirect("accounts:password_reset")
    user = account_for(typed)
    form = ResetCodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        attempts = LoginAttempts(typed, door="reset")
        if attempts.blocked():
            form.add_error(
                "code",
                _("验证码输错次数太多，请%(minutes)d分钟后重新获取验证码再试。")
                % {"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES},
            )
        elif user is None or not reset_code(user).check(form.cleaned_data["code"]):
            attempts.failed()
            security_event("password_reset_failed", request=request, user=user)
            form.add_error("code", WRONG_CODE)
        else:
            form.set_password_and_save(user)
            attempts.succeeded()
            del request.session[SESSION_KEY]
            security_event("password_reset", request=request, user=user, by="code")
            messages.success(request, _("密码已经改好了，请用新密码登录。"))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_code.html", {"form": form, "who": typed})
