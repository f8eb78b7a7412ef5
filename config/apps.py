from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project itself: listed first, so what it sets up comes before any app's forms."""

    name = "config"
    verbose_name = "微心愿"

    def ready(self) -> None:
        from .plain_messages import apply

        apply()
