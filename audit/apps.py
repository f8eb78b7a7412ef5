from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("访问与操作记录")
    default_auto_field = "django.db.models.BigAutoField"
