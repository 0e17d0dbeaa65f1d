from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Here, not at import: the outbox (helpdesk) may not import the apps above it.
        from helpdesk import outbox
        from notifications import services  # models must be ready before services import

        outbox.register_sender(services.NOTIFICATION_EMAIL, services.notification_email_send)
