from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "ecohotline.hooks"
    label = "hooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ecohotline.cases.signals import case_events_appended
        from ecohotline.hooks import feedback, transports, webhooks  # noqa: F401 (transports registers them)
        from ecohotline.hooks.models import WebhookSubscription
        from ecohotline.intake.models import HotlineSource

        case_events_appended.connect(webhooks.queue_webhooks, dispatch_uid="hooks_queue_webhooks")
        case_events_appended.connect(feedback.queue_feedback, dispatch_uid="hooks_queue_feedback")
        for signal in (post_save, post_delete):
            signal.connect(webhooks.forget_subscriptions, sender=WebhookSubscription,
                           dispatch_uid=f"hooks_forget_subscriptions_{signal is post_save}")
            signal.connect(feedback.forget_sources, sender=HotlineSource,
                           dispatch_uid=f"hooks_forget_sources_{signal is post_save}")
