from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log (审计日志): sign-ins, permission changes, identity views, exports, configuration changes."""

    name = "ecohotline.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from ecohotline.audit import receivers  # noqa: F401 - connects the signal receivers
