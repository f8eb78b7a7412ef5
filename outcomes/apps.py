from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("成效")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import VolunteerProfile
        from communities.models import Organisation
        from wishes.models import Claim
        from wishes.versions import bump_figures

        from .models import ServiceHours

        # Reports are cached under the version of what they count (outcomes/views/stats.py);
        # wishes, residents and place names bump it in wishes/apps.py.
        for model in (Claim, ServiceHours, VolunteerProfile, Organisation):
            uid = f"figures-{model.__name__}"
            post_save.connect(bump_figures, sender=model, dispatch_uid=uid)
            post_delete.connect(bump_figures, sender=model, dispatch_uid=uid)
