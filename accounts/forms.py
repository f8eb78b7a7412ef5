"""Forms for signing up, logging in and keeping one's own account; they validate, views save."""

from __future__ import annotations

from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, SetPasswordMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.security import security_event
from communities.models import Community, Grid, Organisation

from .models import Resident, User
from .throttle import LoginAttempts
from .validators import validate_mobile

PHONE_TAKEN = _("这个手机号码已经注册过了，请直接登录。")  # only ever told to the number's holder
CHOICE_BUTTONS = "accounts/_choice_buttons.html"


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民：我想提交心愿")
    VOLUNTEER = "volunteer", _("志愿者：我想帮忙实现心愿")


class TelInput(forms.TextInput):
    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", "autocomplete": "tel", **(attrs or {})})


class PhoneField(forms.CharField):
    """An 11-digit mainland mobile number; spaces and dashes people type are dropped."""

    widget = TelInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号码"))
        kwargs.setdefault("max_length", 20)
        super().__init__(validators=[validate_mobile], **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(" ", "").replace("-", "")


class CommunityIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for street, communities in groupby(self.queryset, key=lambda c: c.street):
            yield (str(street), [self.choice(community) for community in communities])


class CommunityField(forms.ModelChoiceField):
    """Communities grouped under their street, so two 新城社区 in two streets stay apart."""

    iterator = CommunityIterator

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("社区"))
        kwargs.setdefault("empty_label", _("请选择社区"))
        queryset = Community.objects.select_related("street").order_by("street__name", "name")
        super().__init__(queryset, **kwargs)


class GridSelect(forms.Select):
    """Each grid knows its community, so the page script can offer only the chosen one's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if getattr(value, "instance", None) is not None:
            option["attrs"]["data-community"] = value.instance.community_id
        return option


def party_member_field(*, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("是否党员"),
        choices=[("1", _("是，中共党员")), ("0", _("不是"))],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择您是不是党员。")},
    )


def organisation_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Organisation.objects.order_by("name"),
        label=_("所在单位/党支部"),
        required=False,
        empty_label=_("暂不选择"),
        help_text=_("在职党员请选择本单位党支部，以后也可以请社区补填。"),
    )


def submit_free_helper(*layout) -> FormHelper:
    """Crispy renders the fields; each template writes its own <form> and full-width button."""
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper


TOO_MANY_ATTEMPTS = _(
    "这个账号密码输错次数太多，请%(minutes)d分钟后再试；忘记密码可以用“忘记密码”通过短信验证码重设。"
)


class ThrottledLogin:
    """One pause for every way in: after LOGIN_FAILURE_LIMIT wrong passwords for an account,
    neither the site's login nor the admin's accepts even the right one for a while."""

    def clean(self):
        attempts = LoginAttempts(self.data.get("username", ""))
        if attempts.blocked():
            security_event(
                "login_failed",
                request=self.request,
                outcome="blocked",
                account=attempts.user_id,
                throttled=True,
            )
            raise forms.ValidationError(
                self.error_messages["too_many_attempts"],
                code="too_many_attempts",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                attempts.failed()
            raise
        attempts.succeeded()
        return cleaned


class LoginForm(ThrottledLogin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("手机号（或用户名）与密码不匹配，请重新输入。密码区分大小写。"),
        "too_many_attempts": TOO_MANY_ATTEMPTS,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("手机号或用户名")
        self.fields["password"].label = _("密码")
        self.helper = submit_free_helper()


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    """The admin's door, with the same lock as the site's (config/urls.py sets it)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "too_many_attempts": TOO_MANY_ATTEMPTS,
    }


class RegistrationForm(SetPasswordMixin, forms.Form):
    role = forms.ChoiceField(label=_("我要注册为"), choices=Role.choices, widget=forms.RadioSelect)
    phone = PhoneField(help_text=_("用来登录，社区有事也会打这个电话联系您。"))
    password1 = forms.CharField(
        label=_("设置密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全是数字，也不要和手机号太像。"),
    )
    password2 = forms.CharField(
        label=_("再输一次密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    real_name = forms.CharField(
        label=_("真实姓名"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("社区工作人员核对身份时使用，不会公开显示。"),
    )
    community = CommunityField(
        help_text=_("居民选居住的社区；志愿者选要报到的社区（一般是居住地社区）。")
    )
    grid = forms.ModelChoiceField(
        Grid.objects.select_related("community").order_by("community__name", "name"),
        label=_("网格"),
        required=False,
        empty_label=_("不清楚，先不选"),
        widget=GridSelect,
        help_text=_("不清楚可以不选，网格员会帮您补上。"),
    )
    address = forms.CharField(
        label=_("住址"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=_(
            "例如：幸福小区3号楼1单元202室。只有社区和认领您心愿的志愿者能看到，方便送到家。"
        ),
    )
    is_party_member = party_member_field(required=False)
    organisation = organisation_field()

    error_messages = {
        **SetPasswordMixin.error_messages,
        "password_mismatch": _("两次输入的密码不一样，请重新输入。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_free_helper(
            Field("role", template=CHOICE_BUTTONS),
            "phone",
            "password1",
            "password2",
            "real_name",
            "community",
            Div("grid", "address", css_id="resident-fields"),
            Div(
                Field("is_party_member", template=CHOICE_BUTTONS, wrapper_class="col-6"),
                "organisation",
                css_id="volunteer-fields",
            ),
        )

    @property
    def is_volunteer(self) -> bool:
        return self.cleaned_data.get("role") == Role.VOLUNTEER

    # Whether the number is taken is not judged here: the form answers the same either way, and
    # the SMS that follows tells only the number's holder (accounts/register_views.py).

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        # The account does not exist yet; judge the password against what it will hold.
        self.validate_password_for_user(
            User(
                username=cleaned.get("phone", ""),
                phone=cleaned.get("phone"),
                real_name=cleaned.get("real_name", ""),
            ),
            "password1",
        )
        if self.is_volunteer:
            cleaned["grid"] = None
            cleaned["address"] = ""
            if cleaned.get("is_party_member") is None:
                self.add_error(
                    "is_party_member", self.fields["is_party_member"].error_messages["required"]
                )
        else:
            cleaned["is_party_member"] = None
            cleaned["organisation"] = None
            grid, community = cleaned.get("grid"), cleaned.get("community")
            if grid is not None and community is not None and grid.community_id != community.pk:
                self.add_error(
                    "grid",
                    forms.ValidationError(
                        _("%(grid)s不属于%(community)s，请重新选择网格。"),
                        code="grid_elsewhere",
                        params={"grid": grid.name, "community": community.name},
                    ),
                )
        return cleaned


class ProfileForm(forms.ModelForm):
    """Name and phone; someone who signed up with their number keeps logging in with it."""

    phone = PhoneField(required=False)

    class Meta:
        model = User
        fields = ["real_name", "phone"]
        widgets = {"real_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args, resident: Resident | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["real_name"].required = True
        self.old_phone = self.instance.phone
        self.resident = resident
        if resident is not None:
            self.fields["address"] = forms.CharField(
                label=_("住址"),
                max_length=200,
                required=False,
                initial=resident.address,
                widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
                help_text=_("只有社区和认领您心愿的志愿者能看到，方便送到家。"),
            )
            self.fields["address_as"] = forms.CharField(
                label=_("希望志愿者怎么称呼您"),
                max_length=20,
                required=False,
                initial=resident.address_as,
                help_text=_("如：王叔叔、李阿姨。不填就称“王先生/王女士”。"),
            )
        self.helper = submit_free_helper()

    def validate_unique(self):
        # A number someone else holds is not refused here, where anyone signed in could probe
        # numbers with it: the code sent to it decides (accounts/phones.py).
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions() | {"phone"})
        except forms.ValidationError as error:
            self._update_errors(error)

    @property
    def phone_changed(self) -> bool:
        return bool(self.cleaned_data.get("phone")) and self.cleaned_data["phone"] != (
            self.old_phone or ""
        )

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        # The username of a self-registered user is their number: it follows the new one, so
        # the old number is free for whoever gets it next.
        if self.old_phone and user.phone and user.username == self.old_phone:
            user.username = user.phone
        if commit:
            user.save()
            self._save_resident(user)
        return user

    def _save_resident(self, user: User) -> None:
        """The resident record keeps the address and follows a changed phone number."""
        if self.resident is None:
            return
        self.resident.address = self.cleaned_data.get("address", self.resident.address)
        self.resident.address_as = self.cleaned_data.get("address_as", self.resident.address_as)
        if self.resident.phone == (self.old_phone or ""):
            self.resident.phone = user.phone or ""
        self.resident.save(update_fields=["address", "address_as", "phone"])


class JoinCommunityForm(forms.Form):
    """双报到 with one more community; staff there approve it."""

    community = CommunityField(label=_("再报到一个社区"))

    def __init__(self, *args, volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteer = volunteer
        self.helper = submit_free_helper()

    def clean_community(self) -> Community:
        community = self.cleaned_data["community"]
        existing = self.volunteer.registrations.filter(community=community).first()
        if existing is not None:
            raise forms.ValidationError(
                _("您已经向%(community)s报到过了（%(status)s），不用重复申请。"),
                code="already_registered",
                params={"community": community.name, "status": existing.get_status_display()},
            )
        return community


class OrganisationForm(forms.Form):
    """所在单位: naming another one (or none) starts its confirmation afresh."""

    organisation = organisation_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].label = _("更换所在单位/党支部")
        self.fields["organisation"].empty_label = _("不属于任何单位")
        self.fields["organisation"].help_text = _(
            "更换后需要由新单位的联络员或其报到社区的工作人员重新核实。"
        )
        self.helper = submit_free_helper()


class BecomeVolunteerForm(forms.Form):
    """我也想当志愿者: a resident (or anyone) adds the volunteer role to their account."""

    community = CommunityField(
        label=_("报到社区"), help_text=_("一般选居住地社区，审核通过后就能认领这里的心愿。")
    )
    is_party_member = party_member_field(required=True)
    organisation = organisation_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_free_helper(
            "community",
            Field("is_party_member", template=CHOICE_BUTTONS, wrapper_class="col-6"),
            "organisation",
        )


class SecondFactorForm(forms.Form):
    """Six digits from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_(
            "打开手机上的验证器应用，输入显示的6位数字；手机不在身边时，可以输入一个备用码。"
        ),
        error_messages={"required": _("请输入验证码。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_free_helper()


class PasswordConfirmForm(forms.Form):
    """Turning two-factor sign-in off asks for the password again."""

    password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请输入当前密码。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = submit_free_helper()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("密码不对，请重新输入。"), code="wrong_password")
        return password


class ResetRequestForm(forms.Form):
    """忘记密码, step one: which account."""

    who = forms.CharField(
        label=_("手机号或用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel"}),
        error_messages={"required": _("请输入注册时用的手机号（或用户名）。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_free_helper()


class CodeForm(forms.Form):
    """The six digits from an SMS: to finish registering, or to move an account to a new number."""

    code = forms.CharField(
        label=_("短信验证码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("请输入短信里的6位验证码。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_free_helper()


class ResetCodeForm(SetPasswordMixin, CodeForm):
    """忘记密码, step two: the code from the SMS (CodeForm's field) and a new password."""

    password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全是数字，也不要和手机号太像。"),
    )
    password2 = forms.CharField(
        label=_("再输一次新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    error_messages = {
        **SetPasswordMixin.error_messages,
        "password_mismatch": _("两次输入的密码不一样，请重新输入。"),
    }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        self.validate_password_for_user(self.user or User(), "password1")
        return cleaned
