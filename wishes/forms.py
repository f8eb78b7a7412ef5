from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import scope_of
from communities.models import Organisation

from . import submission
from .images import sanitise_photo
from .models import Category, Wish, WishPhoto
from .models.wish import in_page_language


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


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos from one file input, each re-encoded (wishes/images.py): checked by
    content, at most 5 MB and 40 megapixels, stored without EXIF (GPS, device) and under a
    random name."""

    widget = MultipleImageInput

    def __init__(self, *args, max_files: int = 6, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/*")

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [upload for upload in files if upload]
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _("最多上传%(n)d张照片，您选了%(count)d张。"),
                code="too_many_photos",
                params={"n": self.max_files, "count": len(files)},
            )
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        cleaned = []
        errors = []
        for upload in files:
            try:
                cleaned.append(sanitise_photo(upload))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class WishForm(submission.SimilarWarning, forms.ModelForm):
    """群众点单: what a resident fills in on their phone."""

    photo = MultipleImageField(
        label=_("照片（可选）"),
        max_files=1,
        help_text=_("可以拍一张需要的东西或需要修的地方，只有社区工作人员和认领人能看到。"),
    )

    class Meta:
        model = Wish
        fields = ["category", "title", "description", "kind", "target_group", "public_consent"]
        labels = {
            "title": _("想要什么（一句话）"),
            "description": _("具体说说"),
            "kind": _("这是谁的心愿"),
            "target_group": _("心愿人属于"),
            "public_consent": _("同意在心愿清单中公开展示"),
        }
        help_texts = {
            "title": _("例如：一袋大米和一桶油、一个新书包、修好楼道灯。"),
            "description": _("写清数量、尺寸或位置。不用写身份证号、病历等隐私信息。"),
            "public_consent": _(
                "勾选：所有人（包括没有登录的人）都能在心愿清单和社区微信群里看到这个心愿，"
                "只显示“张**”这样的称呼，不显示全名、电话和住址。"
                "不勾选：只有本社区工作人员和经社区审核通过的志愿者能看到，社区照样会安排人帮您。"
            ),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "kind": forms.RadioSelect,
        }

    def __init__(self, *args, held: int = 0, **kwargs):
        self.held = held  # photos kept from a try that came back with a mistake
        super().__init__(*args, **kwargs)
        categories = Category.objects.offered_in(self.instance.community_id)
        self.fields["category"].queryset = categories
        self.fields["category"].empty_label = _("请选择类别")
        colon = in_page_language("：", ": ")
        self.fields["category"].help_text = format_html(
            '<ul class="category-help list-unstyled mb-0">{}</ul>',
            format_html_join(
                "",
                '<li data-category="{}"><strong>{}</strong>{}{}</li>',
                ((c.pk, c.label, colon, c.display_help) for c in categories if c.display_help),
            ),
        )
        self.fields["kind"].choices = [
            (Wish.Kind.INDIVIDUAL, _("我或我家人的心愿")),
            (Wish.Kind.COLLECTIVE, _("公共设施（如路灯、公厕、座椅）")),
        ]
        self.fields["target_group"].choices = [
            ("", _("请选择（可不选）")),
            *Wish.TargetGroup.choices,
        ]
        self.fields["title"].widget.attrs.update({"maxlength": 100, "autocomplete": "off"})
        # A new wish has no photo yet; an edit keeps the photos it has.
        if self.instance.pk:
            del self.fields["photo"]
        else:
            submission.add_fields(self)

    def clean(self):
        cleaned = super().clean()
        # A public-facility wish entered by staff has nobody it is "for"; it cannot become one.
        if cleaned.get("kind") == Wish.Kind.INDIVIDUAL and self.instance.resident_id is None:
            self.add_error("kind", _("这个心愿没有登记心愿人，只能作为公共设施类心愿。"))
        submission.check_similar(self, cleaned)
        return cleaned

    def clean_photo(self):
        photos = self.cleaned_data["photo"]
        if photos and self.held + len(photos) > self.fields["photo"].max_files:
            raise forms.ValidationError(
                _("已经保留了您刚才选的照片。想换一张的话，请先取消勾选保留的那张。"),
                code="too_many_photos",
            )
        return photos


class ConfirmForm(forms.Form):
    """The resident says the wish came true, with thanks and stars if they like."""

    thanks = forms.CharField(
        label=_("想对帮助您的人说"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rating = forms.TypedChoiceField(
        label=_("满意程度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            (5, _("非常满意")),
            (4, _("满意")),
            (3, _("一般")),
            (2, _("不太满意")),
            (1, _("不满意")),
        ],
        widget=forms.RadioSelect,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因（可不填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimForm(forms.Form):
    """Claim alone or on behalf of one's organisation (党支部)."""

    organisation = forms.ModelChoiceField(
        label=_("认领方式"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("以个人名义认领"),
        widget=forms.RadioSelect,
        blank=True,  # radios keep the "alone" choice, so a ticked organisation can be unticked
    )

    def __init__(self, *args, user, wish, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what Wish.claim accepts: a confirmed membership, registered with the community.
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=scope_of(user).organisations, communities=wish.community_id
        )
        self.fields["organisation"].label_from_instance = lambda org: (
            _("以“%(org)s”名义认领") % {"org": org}
        )


class FulfilForm(forms.Form):
    note = forms.CharField(
        label=_("兑现情况"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：11月20日上午把大米和油送到家，老人很高兴。"),
        error_messages={"required": _("请简单说明兑现情况。")},
    )
    photos = MultipleImageField(
        label=_("照片（最多6张）"),
        max_files=WishPhoto.MAX_PER_REPORT,
        help_text=_("每张不超过5MB，支持JPG、PNG、GIF、WebP。"),
    )

    def __init__(self, *args, held: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.held = held  # photos kept from a try that came back with a mistake

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        most = self.fields["photos"].max_files
        if photos and self.held + len(photos) > most:
            raise forms.ValidationError(
                _("最多%(most)d张照片：已经保留了%(held)d张，这次又选了%(new)d张。"),
                code="too_many_photos",
                params={"most": most, "held": self.held, "new": len(photos)},
            )
        return photos
