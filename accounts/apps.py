from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("人员与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import start_clocks
        from .two_factor import remember_second_factor

        user_logged_in.connect(start_clocks, dispatch_uid="accounts.sessions.start_clocks")
        user_logged_in.connect(remember_second_factor, dispatch_uid="accounts.two_factor.remember")
