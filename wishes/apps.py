from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = _("微心愿")

    def ready(self):
        from accounts.models import Resident
        from communities.models import Community, Grid, Organisation, Street

        from .models import (
            Category,
            Claim,
            EventPhoto,
            FollowUp,
            HandoverEvent,
            Wish,
            WishEvent,
            WishPhoto,
        )

        post_migrate.connect(keep_tally, sender=self, dispatch_uid="wish-tally")
        from .versions import bump_choices, bump_list, bump_wishes

        # The list's filter form is cached under the version of the choices it offers.
        for model in (Street, Community, Grid, Category):
            uid = f"choices-{model.__name__}"
            post_save.connect(bump_choices, sender=model, dispatch_uid=uid)
            post_delete.connect(bump_choices, sender=model, dispatch_uid=uid)
        # The list's cards are cached under the version of the wishes and residents they show
        # (a queryset.update() on either must call versions.bump_list() itself).
        for model in (Wish, Resident):
            uid = f"list-{model.__name__}"
            post_save.connect(bump_list, sender=model, dispatch_uid=uid)
            post_delete.connect(bump_list, sender=model, dispatch_uid=uid)
        # A wish's page, kept whole per reader (wishes/pages.py), also shows these; and the
        # names of organisations (a queryset.update() on any must call versions.bump_wishes()).
        records = (Claim, WishEvent, WishPhoto, FollowUp, HandoverEvent, EventPhoto, Organisation)
        for model in records:
            uid = f"wish-pages-{model.__name__}"
            post_save.connect(bump_wishes, sender=model, dispatch_uid=uid)
            post_delete.connect(bump_wishes, sender=model, dispatch_uid=uid)
        m2m_changed.connect(bump_wishes, sender=HandoverEvent.wishes.through, dispatch_uid="hw")


def keep_tally(sender, using, **kwargs):
    """After every migrate, the wish tally's triggers are in place (see wishes.tallies)."""
    from .models import Wish, WishTally
    from .tallies import install

    tables = connections[using].introspection.table_names()
    if Wish._meta.db_table in tables and WishTally._meta.db_table in tables:
        install(using)
