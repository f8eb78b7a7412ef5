"""Forms of the staff workbench: review, entering a wish for a resident, follow-ups."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PhoneField
from accounts.models import Resident
from communities.models import Grid

from . import submission
from .models import Category, FollowUp, RejectionReason, Wish


class ApproveForm(forms.Form):
    """Approve, fixing what the resident could not know: category, priority, target group.

    A review page shows one of these per wish; they share one list of categories, read once,
    instead of each select asking the database again.
    """

    category = forms.TypedChoiceField(label=_("类别"), coerce=int)
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Wish.Priority.choices)
    target_group = forms.ChoiceField(
        label=_("服务对象"), required=False, choices=[("", "—"), *Wish.TargetGroup.choices]
    )
    delivery_note = forms.CharField(
        label=_("给认领人的提示（可不填）"),
        required=False,
        max_length=300,
        widget=forms.TextInput,
        help_text=_("只有认领人和社区能看到，如：老人耳背，请多敲几下门。"),
    )

    def __init__(self, *args, categories: list[Category] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is None:
            categories = list(Category.objects.filter(is_active=True))
        self.categories = {category.pk: category for category in categories}
        self.fields["category"].choices = [(c.pk, c.label) for c in categories]
        for name, field in self.fields.items():
            is_text = name == "delivery_note"
            field.widget.attrs["class"] = "form-control" if is_text else "form-select"

    def clean_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]

    @classmethod
    def for_wish(cls, wish: Wish, data=None, *, categories=None) -> ApproveForm:
        return cls(
            data,
            prefix=f"approve-{wish.pk}",
            categories=categories,
            initial={
                "category": wish.category_id,
                "priority": wish.priority,
                "target_group": wish.target_group,
                "delivery_note": wish.delivery_note,
            },
        )


class RejectForm(forms.Form):
    """Reject with a reason the resident reads: pick a saved one, or write one."""

    saved = forms.ModelChoiceField(
        label=_("常用原因"),
        queryset=RejectionReason.objects.none(),
        required=False,
        empty_label=_("自己填写"),
    )
    reason = forms.CharField(
        label=_("原因（居民会看到）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    remember = forms.BooleanField(label=_("存为本社区的常用原因"), required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["saved"].queryset = RejectionReason.objects.filter(community=community)

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get("reason") or "").strip()
        saved = cleaned.get("saved")
        if not reason and saved is not None:
            reason = saved.text
        if not reason:
            raise forms.ValidationError(_("请选择或填写不予通过的原因，居民会看到这条说明。"))
        cleaned["reason"] = reason
        return cleaned

    def save_reason_if_asked(self) -> None:
        if self.cleaned_data.get("remember") and self.cleaned_data.get("saved") is None:
            RejectionReason.objects.get_or_create(
                community=self.community, text=self.cleaned_data["reason"][:200]
            )


class RemindForm(forms.Form):
    note = forms.CharField(label=_("催办内容（可不填）"), required=False, max_length=500)


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名、电话或住址"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ResidentForm(forms.ModelForm):
    """A resident record made by staff after a visit or a call; no login needed."""

    # A number read out over the phone comes with spaces (137 0437 0009): kept, then tidied.
    phone = PhoneField(label=_("联系电话"), required=False)

    class Meta:
        model = Resident
        fields = [
            "name",
            "gender",
            "phone",
            "community",
            "grid",
            "address",
            "address_as",
            "situation",
            "situation_detail",
        ]
        widgets = {
            "situation_detail": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, communities, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if grids is None:
            grids = Grid.objects.filter(community__in=communities)
        self.fields["grid"].queryset = grids
        # A grid worker's residents are on their grid, or they could not find them again.
        self.fields["grid"].required = any(
            grids_only(grids, community.pk) for community in communities
        )
        self.fields["phone"].help_text = _("没有手机可以不填。")
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()

    def clean(self):
        cleaned = super().clean()
        grid, community = cleaned.get("grid"), cleaned.get("community")
        if grid and community and grid.community_id != community.pk:
            self.add_error("grid", _("所选网格不属于这个社区。"))
        return cleaned


def grids_only(grids, community_id) -> bool:
    """Whether these grids are only part of the community's (a grid worker's choice)."""
    offered = {grid.pk for grid in grids if grid.community_id == community_id}
    every = set(Grid.objects.filter(community=community_id).values_list("pk", flat=True))
    return offered != every


class StaffWishForm(submission.SimilarWarning, forms.ModelForm):
    """A wish entered by staff for a resident (入户走访 / 电话征集)."""

    class Meta:
        model = Wish
        fields = [
            "channel",
            "category",
            "title",
            "description",
            "kind",
            "priority",
            "target_group",
            "grid",
            "estimated_value",
            "due_date",
            "delivery_note",
            "public_consent",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "delivery_note": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.offered_in(self.instance.community_id)
        self.fields["channel"].choices = [
            (Wish.Channel.VISIT, Wish.Channel.VISIT.label),
            (Wish.Channel.PHONE, Wish.Channel.PHONE.label),
            (Wish.Channel.OTHER, Wish.Channel.OTHER.label),
        ]
        if grids is None:
            grids = Grid.objects.filter(community=self.instance.community_id)
        self.fields["grid"].queryset = grids.filter(community=self.instance.community_id)
        # A grid worker's entries stay on their grid (or they could not see them afterwards).
        self.fields["grid"].required = grids_only(grids, self.instance.community_id)
        self.fields["public_consent"].help_text = _(
            "请当面或电话里问过居民本人。同意：所有人都能在公开清单和微信群里看到这个心愿"
            "（只显示“张**”式称呼）。不同意：只有本社区工作人员和审核通过的志愿者能看到。"
        )
        submission.add_fields(self)

    def clean(self):
        cleaned = super().clean()
        submission.check_similar(self, cleaned)
        return cleaned


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["visited_on", "method", "satisfaction", "note"]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
