"""通知: a person's notices (unread first), marking them read, and how they want to hear."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.scoping import scope_of
from wishes.views.base import back

from .messages import RESIDENT, STAFF, VOLUNTEER, kinds_for
from .models import Channels, Notice, Preference

UNREAD_FIRST = Case(
    When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def inbox(request):
    return Notice.objects.filter(user=request.user)


@login_required
def notice_list(request):
    page = Paginator(
        inbox(request).select_related("wish").order_by(UNREAD_FIRST, "-created_at", "-pk"), 20
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {"page_obj": page, "notices": page, "unread": inbox(request).unread().count()},
    )


@login_required
def open_notice(request, pk: int):
    """Follow a notice's link (from the list, an e-mail or an SMS), marking it read."""
    notice = get_object_or_404(inbox(request), pk=pk)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    return redirect(notice.link() or "notices:list")


@require_POST
@login_required
def mark_read(request, pk: int):
    notice = get_object_or_404(inbox(request), pk=pk)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    return back(request, "notices:list")


@require_POST
@login_required
def mark_all_read(request):
    done = inbox(request).unread().update(read_at=timezone.now())
    if done:
        messages.success(request, _("已全部标为已读。"))
    return redirect("notices:list")


class PreferencesForm(forms.Form):
    """One choice per kind this person may hear of, plus the channels besides the app."""

    email = forms.BooleanField(label=gettext_lazy("电子邮件"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("短信"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kinds = kinds_for(audiences_of(user))
        chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
        for message in self.kinds:
            self.fields[f"kind_{message.kind}"] = forms.ChoiceField(
                label=message.label,
                choices=Notice.Mode.choices,
                initial=chosen.get(message.kind, message.default_mode),
                widget=forms.RadioSelect,
            )
        channels = Channels.objects.filter(user=user).first()
        self.fields["email"].initial = channels.email if channels else True
        self.fields["sms"].initial = channels.sms if channels else False
        self.fields["email"].disabled = not user.email
        self.fields["sms"].disabled = not user.phone
        self.fields["email"].help_text = user.email or _("账号没有填写电子邮箱。")
        self.fields["sms"].help_text = user.phone or _("账号没有填写手机号码。")

    def kind_fields(self):
        return [self[f"kind_{message.kind}"] for message in self.kinds]

    @transaction.atomic
    def save(self) -> None:
        for message in self.kinds:
            mode = self.cleaned_data[f"kind_{message.kind}"]
            Preference.objects.update_or_create(
                user=self.user, kind=message.kind, defaults={"mode": mode}
            )
        Channels.objects.update_or_create(
            user=self.user,
            defaults={
                "email": self.cleaned_data["email"] if self.user.email else False,
                "sms": self.cleaned_data["sms"] if self.user.phone else False,
            },
        )


def audiences_of(user) -> set[str]:
    audiences = set()
    if hasattr(user, "resident"):
        audiences.add(RESIDENT)
    if hasattr(user, "volunteer_profile"):
        audiences.add(VOLUNTEER)
    if scope_of(user).is_staff:
        audiences |= {STAFF, RESIDENT}  # staff read residents' notices for those without a login
    return audiences or {RESIDENT}


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("notices:settings")
    return render(request, "notices/settings.html", {"form": form})
