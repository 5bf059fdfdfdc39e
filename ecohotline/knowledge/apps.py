from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The knowledge base (知识库): laws, standards, internal procedures, approved reply wording (答复口径), FAQ."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ecohotline.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")
