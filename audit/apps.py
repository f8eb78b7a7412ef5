from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("访问与操作记录")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from django.contrib.auth import signals as auth_signals
        from django.core import signals as core_signals
        from django.db.models.signals import post_save

        from . import receivers, security

        core_signals.request_started.connect(security.remember_request, dispatch_uid="sec-start")
        core_signals.request_finished.connect(security.forget_request, dispatch_uid="sec-end")
        auth_signals.user_logged_in.connect(receivers.logged_in, dispatch_uid="sec-login")
        auth_signals.user_login_failed.connect(receivers.login_failed, dispatch_uid="sec-failed")
        auth_signals.user_logged_out.connect(receivers.logged_out, dispatch_uid="sec-logout")
        post_save.connect(
            receivers.password_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="sec-password"
        )
