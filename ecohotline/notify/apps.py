from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "ecohotline.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from ecohotline.notify import transports  # noqa: F401  (registers the e-mail and robot transports)
