"""Admin: configuration is edited here; cases are read-only (every change goes through the services)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext

from ecohotline.cases import replies
from ecohotline.cases.models import Case, CaseEvent, Category, DeadlinePolicy, ReplyTemplate
from ecohotline.core.admin import ReadOnlyAdmin


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "request_type", "urgency", "accept_limit", "accept_unit", "contact_limit",
                    "contact_unit", "reply_limit", "reply_unit", "completion_limit", "completion_unit",
                    "max_extension_days", "pause_allowed", "is_active"]
    list_filter = ["channel", "is_active"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "sort_order", "is_active"]
    list_filter = ["parent", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "from_status", "to_status", "payload")
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "payload")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: the complainant's identity is left out, and changes go through the desk or the API."""

    list_display = ["reference", "channel", "status", "category", "sub_category", "street", "handling_unit",
                    "received_at", "due_at"]
    list_filter = ["status", "channel", "kind", "category"]
    search_fields = ["external_id", "address", "description"]
    exclude = ["complainant_name", "complainant_phone"]
    inlines = [CaseEventInline]
    show_full_result_count = False


class ReplyTemplateForm(forms.ModelForm):
    """Refuses unknown category codes and placeholders nobody fills (a typo would reach the complainant)."""

    class Meta:
        model = ReplyTemplate
        fields = ["name", "category", "text", "is_active", "sort_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = gettext("Placeholders in braces are filled from the case: %(names)s.") % {
            "names": "、".join("{" + name + "}" for name in replies.PLACEHOLDERS)}

    def clean_category(self) -> str:
        code: str = self.cleaned_data["category"].strip()
        if code and not Category.objects.filter(code=code).exists():
            raise forms.ValidationError(gettext("Unknown category code."))
        return code

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        unknown = replies.unknown_placeholders(text)
        if unknown:
            raise forms.ValidationError(gettext("Unknown placeholders: %(names)s.") % {
                "names": "、".join("{" + name + "}" for name in unknown)})
        return text


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """答复口径: edited by administrators; handlers choose among them on the case page."""

    form = ReplyTemplateForm
    list_display = ["name", "category", "sort_order", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["name", "category", "text"]
