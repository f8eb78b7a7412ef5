"""A phone number becomes an account's only after an SMS code proves the person holds it: when
registering, and when moving an account to a new number on the profile page.

Neither page tells whether a number is registered already. Both answer "we sent a code to this
number" every time; a free number gets the code, a taken one gets a message telling its holder
that someone tried to use it (and how to log in or reset the password), and no code that anyone
types can succeed for it. So only the number's holder ever learns that it is taken.

What the person filled in waits in their session until the code comes back — the password only
as its hash — and nothing is saved before that.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from audit.security import security_event
from communities.models import Community, Grid, Organisation

from .forms import PHONE_TAKEN, CodeForm, RegistrationForm, Role
from .models import Resident, User
from .phones import (
    NEW_PHONE,
    masked,
    move_to_phone,
    offer_code,
    phone_change_code,
    registration_code,
    start_phone_change,
    tell_sent,
)
from .views import BACKEND, _awaiting_approval, _make_volunteer

REGISTRATION = "registration_pending"
WRONG_CODE = gettext_lazy("验证码不对或已过期，请看一下最新的短信，或重新获取验证码。")


def pending_registration(data: dict) -> dict:
    """What the form said, in a form a session can hold; the password only as its hash."""
    return {
        "role": data["role"],
        "phone": data["phone"],
        "password": make_password(data["password1"]),
        "real_name": data["real_name"],
        "community": data["community"].pk,
        "grid": data["grid"].pk if data["grid"] else None,
        "address": data["address"],
        "is_party_member": data["is_party_member"],
        "organisation": data["organisation"].pk if data["organisation"] else None,
    }


@transaction.atomic
def create_account(pending: dict) -> User:
    """The account the registration form described. Raises IntegrityError if the number was
    taken meanwhile, and Community.DoesNotExist if the community is gone."""
    community = Community.objects.get(pk=pending["community"])
    user = User(
        username=pending["phone"],
        phone=pending["phone"],
        real_name=pending["real_name"],
        password=pending["password"],
    )
    user.save()
    if pending["role"] == Role.RESIDENT:
        Resident.objects.create(
            user=user,
            name=pending["real_name"],
            phone=pending["phone"],
            community=community,
            grid=Grid.objects.filter(pk=pending["grid"], community=community).first(),
            address=pending["address"],
        )
    else:
        _make_volunteer(
            user,
            {
                "community": community,
                "is_party_member": pending["is_party_member"],
                "organisation": Organisation.objects.filter(pk=pending["organisation"]).first(),
            },
        )
    return user


@method_decorator([sensitive_post_parameters("password1", "password2"), never_cache], "dispatch")
class RegisterView(FormView):
    """Step one: the form. Valid or not as a form, a number is never judged taken here."""

    template_name = "accounts/register.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("wishes:home")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict:
        """Back from the code page to correct the number: what was typed, but the password."""
        pending = self.request.session.get(REGISTRATION) or {}
        return {key: value for key, value in pending.items() if key != "password"}

    def form_valid(self, form: RegistrationForm) -> HttpResponse:
        pending = pending_registration(form.cleaned_data)
        self.request.session[REGISTRATION] = pending
        offer_code(self.request, registration_code(pending["phone"]), pending["phone"])
        tell_sent(self.request, pending["phone"])
        return redirect("accounts:register_code")


@never_cache
@sensitive_post_parameters("code")
def register_code(request: HttpRequest) -> HttpResponse:
    """Step two: the code from the SMS; right, and the account exists and is logged in."""
    if request.user.is_authenticated:
        return redirect("wishes:home")
    pending = request.session.get(REGISTRATION)
    if not pending:
        return redirect("accounts:register")
    phone = pending["phone"]
    form = CodeForm()
    if request.method == "POST" and "resend" in request.POST:
        offer_code(request, registration_code(phone), phone)
        tell_sent(request, phone)
        return redirect("accounts:register_code")
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            if not registration_code(phone).check(form.cleaned_data["code"]):
                security_event("phone_code_failed", request=request, purpose="register")
                form.add_error("code", WRONG_CODE)
            else:
                return _finish_registration(request, pending)
    return render(
        request,
        "accounts/phone_code.html",
        {
            "form": form,
            "phone": masked(phone),
            "title": _("验证手机号，完成注册"),
            "button": _("完成注册"),
            "back": reverse("accounts:register"),
            "back_label": _("号码填错了？返回修改"),
        },
    )


def _finish_registration(request: HttpRequest, pending: dict) -> HttpResponse:
    try:
        user = create_account(pending)
    except IntegrityError:
        # Registered a moment ago in another tab; the code proved this is the number's holder.
        del request.session[REGISTRATION]
        messages.info(request, PHONE_TAKEN)
        return redirect("accounts:login")
    except Community.DoesNotExist:
        del request.session[REGISTRATION]
        messages.error(request, _("您选的社区已经不在名单上了，请重新填写注册信息。"))
        return redirect("accounts:register")
    login(request, user, backend=BACKEND)  # a new session: the pending data goes with the old
    security_event("registered", request=request, user=user, role=pending["role"])
    if pending["role"] == Role.VOLUNTEER:
        community = Community.objects.get(pk=pending["community"])
        messages.success(request, _("注册成功，欢迎您！") + _awaiting_approval(community))
        return redirect("wishes:home")
    messages.success(request, _("注册成功，欢迎您！现在就可以说出您的微心愿。"))
    return redirect("wishes:new")


@login_required
@never_cache
@sensitive_post_parameters("code")
def phone_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(NEW_PHONE)
    if not phone:
        return redirect("accounts:profile")
    form = CodeForm()
    if request.method == "POST" and "resend" in request.POST:
        return start_phone_change(request, phone)
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            if not phone_change_code(request.user, phone).check(form.cleaned_data["code"]):
                security_event("phone_code_failed", request=request, purpose="phone-change")
                form.add_error("code", WRONG_CODE)
            else:
                del request.session[NEW_PHONE]
                try:
                    move_to_phone(request.user, phone)
                except IntegrityError:
                    messages.error(request, PHONE_TAKEN)
                    return redirect("accounts:profile")
                security_event("phone_changed", request=request, user=request.user)
                messages.success(request, _("手机号已改为%(phone)s。") % {"phone": phone})
                return redirect("accounts:profile")
    return render(
        request,
        "accounts/phone_code.html",
        {
            "form": form,
            "phone": masked(phone),
            "title": _("验证新手机号"),
            "button": _("确认更换"),
            "back": reverse("accounts:profile"),
            "back_label": _("不换了，返回我的资料"),
        },
    )
