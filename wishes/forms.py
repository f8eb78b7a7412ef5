from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Organisation


class ReasonForm(forms.Form):
    """A reason the people concerned will read: for rejecting, closing or releasing."""

    reason = forms.CharField(
        label=_("原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": _("请填写原因。")},
    )


class DispatchForm(forms.Form):
    """社区派单: one volunteer or one organisation registered with the wish's community."""

    volunteer = forms.ModelChoiceField(
        label=_("派给志愿者"), queryset=User.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("或派给单位/党支部"), queryset=Organisation.objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("完成期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("派单说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = (
            User.objects.filter(
                volunteer_profile__registrations__community__in=communities,
                volunteer_profile__registrations__status="approved",
            )
            .distinct()
            .order_by("real_name")
        )
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(communities__in=communities).distinct().order_by("name")
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("volunteer")) == bool(cleaned.get("organisation")):
            raise forms.ValidationError(_("请选择一位志愿者或一个单位（二选一）。"))
        return cleaned
