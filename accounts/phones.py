"""Proving a phone number: a code to a free number, word to the holder of a taken one.

Used by registering and by moving an account to a new number (accounts/phone_views.py); see there
for why neither tells anyone else whether a number is registered.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from audit.security import security_event
from wishes import versions

from .codes import CODE_MINUTES, OneTimeCode, in_language_of, send_text
from .models import Resident, User

NEW_PHONE = "phone_change_pending"


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def holder_of(phone: str, *, besides: User | None = None) -> User | None:
    """The account that already logs in with this number (as its phone or its username)."""
    others = User.objects.filter(Q(phone=phone) | Q(username=phone))
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    return others.first()


def offer_code(request: HttpRequest, code: OneTimeCode, phone: str, *, user=None) -> None:
    """The code to a free number; to a taken one, word to its holder instead. At most one SMS a
    minute for the same number and purpose, whichever it is."""
    if not code.may_send():
        return
    holder = holder_of(phone, besides=user)
    if holder is None:
        text = _(
            "【微心愿】您的验证码是%(code)s，%(minutes)d分钟内有效。"
            "如果不是您本人操作，请忽略这条短信。"
        ) % {"code": code.issue(), "minutes": CODE_MINUTES}
        send_text(None, text, phone=phone)
        security_event("phone_code_sent", request=request, user=user, purpose=code.purpose)
        return
    code.discard()
    with in_language_of(holder):
        if user is None:
            text = _(
                "【微心愿】有人正在用您的手机号注册微心愿。这个号码已经注册过了，您可以直接登录；"
                "忘记密码请在登录页点“忘记密码”。如果不是您本人操作，请忽略这条短信。"
            )
        else:
            text = _(
                "【微心愿】有人想把您的手机号绑定到另一个微心愿账号上，没有成功。"
                "如果不是您本人操作，请忽略这条短信，您的账号不受影响。"
            )
    send_text(holder, text, phone=phone)
    security_event(
        "phone_taken_notified",
        request=request,
        user=user,
        purpose=code.purpose,
        holder_id=holder.pk,
    )


def tell_sent(request: HttpRequest, phone: str) -> None:
    messages.info(
        request,
        _("验证码短信已经发到%(phone)s（1分钟内只发一次），请在%(minutes)d分钟内输入。")
        % {"phone": masked(phone), "minutes": CODE_MINUTES},
    )


def registration_code(phone: str) -> OneTimeCode:
    return OneTimeCode("register", phone)


def phone_change_code(user: User, phone: str) -> OneTimeCode:
    return OneTimeCode("phone-change", f"{user.pk}:{phone}")


def start_phone_change(request: HttpRequest, phone: str) -> HttpResponse:
    """Called by the profile page when the number typed differs from the account's."""
    request.session[NEW_PHONE] = phone
    offer_code(request, phone_change_code(request.user, phone), phone, user=request.user)
    tell_sent(request, phone)
    return redirect("accounts:phone_code")


@transaction.atomic
def move_to_phone(user: User, phone: str) -> None:
    """The account logs in with the new number if it logged in with the old one, and the
    resident record that carried the old number carries the new one."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old = user.phone or ""
    user.phone = phone
    if old and user.username == old:
        user.username = phone
    user.save(update_fields=["phone", "username"])
    Resident.objects.filter(user=user, phone=old).update(phone=phone)  # not on the list's cards
    versions.bump_wishes()  # but on a wish's page, for those who may call
