from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("成效")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

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
        post_migrate.connect(keep_rollup, sender=self, dispatch_uid="statistics-rollup")


def keep_rollup(sender, using, **kwargs):
    """After every migrate, the rollup's triggers are in place (see outcomes.rollup): SQLite
    drops a table's triggers when a migration rebuilds it."""
    from django.db import connections

    from wishes.models import Claim, Wish

    from .models import ClaimMonth, ClaimTotal, FulfilledMonth, WishMonth, WishTotal
    from .rollup import install

    tables = set(connections[using].introspection.table_names())
    rollup = (WishMonth, FulfilledMonth, ClaimMonth, WishTotal, ClaimTotal)
    needed = {model._meta.db_table for model in (Wish, Claim, *rollup)}
    if needed <= tables:
        install(using)
