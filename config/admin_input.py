"""The admin answers a crafted form with a message, never a 500 — on every model's pages:
ours, Django's (groups) and other packages' (task results).

Three places in Django's admin trusted what was sent (all found by tests/test_fuzz.py):
- an action runs on `queryset.filter(pk__in=<the ticked keys>)`, and a key that cannot be one
  ("abc" where ids are numbers) raised ValueError there;
- an autocomplete field of a form sent back with a mistake looks the submitted key up again to
  show it, and the same key raised there;
- the list's date hierarchy turns ?created_at__year= into dates and caught only ValueError:
  the year 2147483648 raised OverflowError, and 9999 a ValueError outside its guard.

`apply()` (from SiteConfig.ready()) checks the ticked keys before the action — one that cannot
be a key is a message, and nothing is done —, shows a key that cannot be looked up as nothing
chosen (the form already says the choice is not valid), and makes an impossible date what any
other impossible filter is: the list again with "?e=1" and Django's message. Wrapping the
methods once here covers every ModelAdmin; a base class would miss those of other packages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import ModelAdmin, helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NOT_A_KEY = _("勾选的记录无法识别，没有做任何修改。请刷新页面后重新勾选。")


def apply() -> None:
    if getattr(ModelAdmin.response_action, "checks_keys", False):
        return
    response_action = ModelAdmin.response_action
    optgroups = AutocompleteMixin.optgroups
    get_filters = ChangeList.get_filters

    def checked_response_action(self, request, queryset, *args, **kwargs):
        key = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                key.to_python(value)  # what filter(pk__in=…) does first, as a ValidationError
        except ValidationError:
            self.message_user(request, NOT_A_KEY, messages.WARNING)
            return None  # the admin goes back to the list, as after "no action selected"
        return response_action(self, request, queryset, *args, **kwargs)

    def optgroups_or_nothing_chosen(self, name, value, attr=None):
        try:
            return optgroups(self, name, value, attr)
        except (ValueError, TypeError, ValidationError):
            return optgroups(self, name, [], attr)

    def filters_or_incorrect_lookup(self, request):
        try:
            return get_filters(self, request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error

    checked_response_action.checks_keys = True
    ModelAdmin.response_action = checked_response_action
    AutocompleteMixin.optgroups = optgroups_or_nothing_chosen
    ChangeList.get_filters = filters_or_incorrect_lookup
