"""The profile's 接口令牌 page: make a token for an app, see when each was last used, revoke it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.security import security_event

from .models import ApiToken

MAX_TOKENS = 10  # usable at once, per person


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=50,
        help_text=gettext_lazy("写明给哪个应用用，如“社区小程序”，撤销时好认。"),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("权限"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("只读：查看心愿和通知。读写：还能提交心愿、认领和兑现。"),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("有效期"),
        choices=[
            (30, gettext_lazy("30天")),
            (90, gettext_lazy("90天")),
            (365, gettext_lazy("一年")),
        ],
        coerce=int,
        initial=90,
    )


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        if request.user.api_tokens.usable().count() >= MAX_TOKENS:
            form.add_error(
                None,
                _("最多同时有%(n)d个有效令牌，请先撤销不用的。") % {"n": MAX_TOKENS},
            )
        else:
            row, new_token = ApiToken.issue(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
            security_event("api_token_created", request=request, token=row.prefix, scope=row.scope)
            form = TokenForm()
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": request.user.api_tokens.all(),
            "now": timezone.now(),
        },
    )
    response["Cache-Control"] = "no-store"  # the new token is on this page, once
    return response


@require_POST
@login_required
def revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens, pk=pk, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    security_event("api_token_revoked", request=request, token=token.prefix)
    messages.success(
        request, _("令牌“%(name)s”已撤销，用它的应用将无法再访问。") % {"name": token.name}
    )
    return redirect("api_tokens")
