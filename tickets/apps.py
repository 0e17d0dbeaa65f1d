from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # AppConfig.ready: connects the inbound webhook's signal receiver once the apps
        # are loaded (the module imports models, so it cannot be imported earlier).
        from tickets import inbound_webhook  # noqa: F401
