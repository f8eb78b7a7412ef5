"""活动签到: a volunteer arrives at a hand-over event and signs in by QR code or short code."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import policy
from ..lifecycle import WishError
from ..models import EventPhoto, HandoverEvent
from ..models.handover import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, normalise_code
from ..quotes import quoted
from .base import STATUS_FOR_CODE, serve_photo


class EventCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("活动签到码"),
        max_length=20,
        help_text=gettext_lazy("工作人员公布的6位签到码，字母不分大小写。"),
        error_messages={"required": gettext_lazy("请输入签到码。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "A3K9PX",
                "class": "text-uppercase",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if (
            len(code) != SHORT_CODE_LENGTH
            or not HandoverEvent.objects.filter(short_code=code).exists()
        ):
            raise forms.ValidationError(
                _("没有找到签到码为“%(code)s”的活动，请核对后重新输入。") % {"code": code}
            )
        return code


@login_required
def enter_code(request):
    """Type the code instead of scanning; a GET form, so it changes nothing by itself."""
    form = EventCodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("wishes:event", code=form.cleaned_data["code"])
    return render(request, "events/enter_code.html", {"form": form})


@login_required
def sign_in(request, code: str):
    """The page the QR code opens: what the event is, and a button to sign in."""
    normal = normalise_code(code)
    if len(normal) != SHORT_CODE_LENGTH or set(normal) - set(SHORT_CODE_ALPHABET):
        raise Http404
    event = get_object_or_404(
        HandoverEvent.objects.select_related("community", "organiser"), short_code=normal
    )
    if request.method == "GET" and normal != code:
        return redirect("wishes:event", code=normal)
    status = 200
    may_attend = policy.events.may_attend(request.user, event)
    if request.method == "POST":
        try:
            event.sign_in(request.user)
        except WishError as error:
            messages.error(request, str(error))
            status = STATUS_FOR_CODE.get(error.code, 400)
        else:
            messages.success(
                request, _("签到成功！欢迎参加%(title)s。") % {"title": quoted(event.title)}
            )
            return redirect("wishes:event", code=event.short_code)
    return render(
        request,
        "events/sign_in.html",
        {
            "event": event,
            "attendance": event.attendances.filter(user=request.user).first(),
            "sign_in_state": event.sign_in_state(),
            "may_attend": may_attend,
            "record_visible": policy.events.can_see_record(request.user, event),
        },
        status=status,
    )


@login_required
def calendar(request, code: str):
    """The event for a phone's calendar: whoever holds the code may add it."""
    event = get_object_or_404(HandoverEvent, short_code=normalise_code(code))
    response = HttpResponse(event.calendar(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.short_code}.ics"'
    return response


@login_required
def photo(request, code: str, photo_pk: int):
    """An event's photo: for its staff and the people who were there."""
    event = get_object_or_404(HandoverEvent, short_code=normalise_code(code))
    if not policy.events.can_see_record(request.user, event):
        raise Http404
    item = get_object_or_404(EventPhoto, pk=photo_pk, event=event)
    return serve_photo(item.image)
