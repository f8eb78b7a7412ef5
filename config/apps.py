from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project itself: listed first, so what it sets up comes before any app's forms."""

    name = "config"
    verbose_name = "微心愿"

    def ready(self) -> None:
        from . import admin_input, checks, lookups, plain_messages  # noqa: F401 (checks)

        plain_messages.apply()
        lookups.apply()
        admin_input.apply()
