from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    """Project wiring: navigation, health, management commands shared by all apps."""

    name = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self) -> None:
        import os

        from django.conf import settings

        # Imported when the apps are ready: the checks module registers its checks on import.
        from helpdesk import checks  # noqa: F401

        # Imported when the apps are ready: the Celery app reads the settings.
        from helpdesk.celery import ensure_broker_folders

        ensure_broker_folders()
        # WhiteNoise and the file storage expect their folders to exist.
        for folder in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
            os.makedirs(folder, exist_ok=True)
