"""Plain words for Django's own form errors, in one place.

Django's defaults read like a manual ("确保该变量包含不超过 100 字符", "Ensure this value has at
most 100 characters"). A resident on a phone needs to know what to do: these say it, in Chinese
(the msgids) and in English (locale/en). `apply()` runs once from WishesConfig.ready(), before
any form or validator is built, so every field everywhere — forms, model validation, the admin —
speaks the same way. Field-specific messages in our own forms still win over these.
"""

from __future__ import annotations

from django import forms
from django.core import validators
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

REQUIRED = _("请填写这一项。")
CHOOSE = _("请从列表里选一项。")
NUMBER = _("请填写数字，例如 50 或 12.5。")


def apply() -> None:
    forms.Field.default_error_messages["required"] = REQUIRED
    forms.ChoiceField.default_error_messages["invalid_choice"] = CHOOSE
    forms.ModelChoiceField.default_error_messages["invalid_choice"] = CHOOSE
    forms.MultipleChoiceField.default_error_messages["invalid_choice"] = CHOOSE
    forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"] = CHOOSE
    forms.ModelMultipleChoiceField.default_error_messages["invalid_pk_value"] = CHOOSE
    forms.DateField.default_error_messages["invalid"] = _(
        "请按“年-月-日”填写日期，例如 2026-12-01。"
    )
    forms.DateTimeField.default_error_messages["invalid"] = _(
        "请按“年-月-日 时:分”填写，例如 2026-12-01 09:30。"
    )
    forms.TimeField.default_error_messages["invalid"] = _("请按“时:分”填写时间，例如 09:30。")
    forms.IntegerField.default_error_messages["invalid"] = _("请填写整数，例如 3。")
    forms.DecimalField.default_error_messages["invalid"] = NUMBER
    forms.FloatField.default_error_messages["invalid"] = NUMBER
    forms.FileField.default_error_messages.update(
        invalid=_("没有收到文件，请重新选择。"),
        missing=_("没有收到文件，请重新选择。"),
        empty=_("这个文件是空的，请换一个。"),
    )
    forms.ImageField.default_error_messages["invalid_image"] = _(
        "这个文件不是照片或已损坏，请换一张（JPG、PNG、GIF 或 WebP）。"
    )

    validators.MaxLengthValidator.message = ngettext_lazy(
        "最多可以写%(limit_value)d个字，现在是%(show_value)d个字，请删减一些。",
        "最多可以写%(limit_value)d个字，现在是%(show_value)d个字，请删减一些。",
        "limit_value",
    )
    validators.MinLengthValidator.message = ngettext_lazy(
        "至少要写%(limit_value)d个字，现在是%(show_value)d个字。",
        "至少要写%(limit_value)d个字，现在是%(show_value)d个字。",
        "limit_value",
    )
    validators.MaxValueValidator.message = _("不能超过%(limit_value)s。")
    validators.MinValueValidator.message = _("不能小于%(limit_value)s。")
    validators.EmailValidator.message = _("请填写正确的电子邮箱，例如 name@example.com。")
    validators.DecimalValidator.messages.update(
        invalid=NUMBER,
        max_digits=ngettext_lazy(
            "数字太长了，最多%(max)s位。", "数字太长了，最多%(max)s位。", "max"
        ),
        max_decimal_places=ngettext_lazy(
            "小数点后最多%(max)s位。", "小数点后最多%(max)s位。", "max"
        ),
        max_whole_digits=ngettext_lazy("整数部分最多%(max)s位。", "整数部分最多%(max)s位。", "max"),
    )

    from django.contrib.auth import forms as auth_forms

    mismatch = _("两次输入的密码不一样，请再输一次。")
    auth_forms.SetPasswordMixin.error_messages["password_mismatch"] = mismatch
    auth_forms.SetPasswordForm.error_messages["password_mismatch"] = mismatch
    auth_forms.PasswordChangeForm.error_messages.update(
        password_mismatch=mismatch, password_incorrect=_("原来的密码不对，请再试一次。")
    )

    models.Field.default_error_messages.update(
        blank=REQUIRED,
        null=REQUIRED,
        invalid_choice=CHOOSE,
        unique=_("已经有相同%(field_label)s的%(model_name)s了。"),
    )
