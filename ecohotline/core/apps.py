from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ecohotline.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from ecohotline.core.middleware import mark_seen_at_login

        user_logged_in.connect(mark_seen_at_login, dispatch_uid="ecohotline.core.mark_seen_at_login")
