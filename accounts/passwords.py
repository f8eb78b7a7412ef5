"""Django's password rules, saying what to do in plain words (settings.AUTH_PASSWORD_VALIDATORS).

The rules are Django's own; only the words change: "此密码太短，至少要包含 8 个字符" becomes
"密码至少要8位，请再加几位". English is in locale/en.
"""

from __future__ import annotations

from django.contrib.auth import password_validation as django_rules
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(django_rules.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "密码至少要%(n)d位，请再加几位。", "密码至少要%(n)d位，请再加几位。", self.min_length
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext("至少%(n)d位。", "至少%(n)d位。", self.min_length) % {"n": self.min_length}


class UserAttributeSimilarityValidator(django_rules.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("密码和您的%(verbose_name)s太像了，别人容易猜到，请换一个。")

    def get_help_text(self) -> str:
        return _("不要和姓名、手机号太像。")


class CommonPasswordValidator(django_rules.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("这个密码太常见了，别人容易猜到，请换一个。")

    def get_help_text(self) -> str:
        return _("不要用常见的密码，比如 12345678。")


class NumericPasswordValidator(django_rules.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码不能全是数字，请加上几个字母。")

    def get_help_text(self) -> str:
        return _("不能全是数字。")
