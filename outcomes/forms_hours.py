"""Forms for service hours: what a volunteer enters for a wish, what staff give as a reason, the
period a certificate covers. They validate only; the rules live in outcomes/hours.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .hours import HoursError, claim_began, parse_hours
from .models import MAX_HOURS_A_DAY, ServiceHours


class DateInput(forms.DateInput):
    """The phone's own date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class HoursEntryForm(forms.Form):
    day = forms.DateField(
        label=_("服务日期"),
        widget=DateInput(),
        error_messages={"required": _("请选择服务日期。"), "invalid": _("请选择服务日期。")},
    )
    hours = forms.DecimalField(
        label=_("时长（小时）"),
        min_value=Decimal("0.5"),
        max_value=MAX_HOURS_A_DAY,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        help_text=_("以半小时为单位，包括路上和采买的时间，例如 1.5。"),
        error_messages={
            "required": _("请填写小时数，例如 2 或 1.5。"),
            "invalid": _("请填写小时数，例如 2 或 1.5。"),
            "min_value": _("时长应在0.5到24小时之间。"),
            "max_value": _("时长应在0.5到24小时之间。"),
            "max_decimal_places": _("时长以半小时为单位，例如 1、1.5、2。"),
        },
    )
    note = forms.CharField(
        label=_("说明（可不填）"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：采买、送货上门并帮忙安装。"),
    )

    @classmethod
    def for_wish(cls, wish, claim, entry: ServiceHours | None, data=None) -> HoursEntryForm:
        """The form, filled with the entry so far, or with the day the wish was fulfilled."""
        if entry is not None:
            initial = {"day": entry.day, "hours": entry.hours, "note": entry.note}
        else:
            today = timezone.localdate()
            fulfilled = timezone.localdate(wish.fulfilled_at) if wish.fulfilled_at else today
            day: datetime.date = min(max(fulfilled, claim_began(claim)), today)
            initial = {"day": day}
        return cls(data, initial=initial)

    def clean_hours(self):
        try:
            return parse_hours(self.cleaned_data["hours"])
        except HoursError as error:
            raise forms.ValidationError(str(error)) from None


class RejectHoursForm(forms.Form):
    reason = forms.CharField(
        label=_("不认定的原因（志愿者会看到）"),
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写不认定的原因，志愿者会看到。")},
    )


class CertificatePeriodForm(forms.Form):
    """Which days the certificate covers; empty means the whole record."""

    start = forms.DateField(label=_("从"), required=False, widget=DateInput())
    end = forms.DateField(label=_("到"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期要早于结束日期。"))
        return cleaned
