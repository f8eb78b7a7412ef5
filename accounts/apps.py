from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("人员与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db import connections
        from django.db.backends.signals import connection_created

        from communities.models import Organisation
        from notices.models import Notice

        from . import identity_kept
        from .identity import keep_at_login
        from .models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration
        from .sessions import start_clocks
        from .two_factor import remember_second_factor

        user_logged_in.connect(start_clocks, dispatch_uid="accounts.sessions.start_clocks")
        user_logged_in.connect(remember_second_factor, dispatch_uid="accounts.two_factor.remember")
        user_logged_in.connect(keep_at_login, dispatch_uid="accounts.identity.keep_at_login")

        # Who is asking, kept in the cache: every write to what it is read from moves it on.
        identity_kept.TABLES = frozenset(
            model._meta.db_table
            for model in (
                User,
                StaffRole,
                VolunteerRegistration,
                Resident,
                VolunteerProfile,
                Organisation.communities.through,
            )
        )
        identity_kept.DELETED = frozenset({Notice._meta.db_table})
        connection_created.connect(
            identity_kept.watch_connection, dispatch_uid="accounts.identity_kept.watch"
        )
        for connection in connections.all(initialized_only=True):
            identity_kept.watch_connection(None, connection)
