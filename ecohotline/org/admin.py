from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from ecohotline.org.models import LeaderArea, OrgUnit, ResponsibilityEntry, RoleAssignment, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "unit", "roles", "is_active"]
    list_filter = ["role_assignments__role", "unit", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name"]
    autocomplete_fields = ["unit"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("EcoHotline"), {"fields": ("display_name", "unit", "phone", "language")}),
    )

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(obj.role_codes))


@admin.register(LeaderArea)
class LeaderAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "leader"]
    filter_horizontal = ["streets"]


@admin.register(ResponsibilityEntry)
class ResponsibilityEntryAdmin(admin.ModelAdmin):
    list_display = ["subject", "position", "words_shown", "decision", "department", "is_active"]
    list_display_links = ["subject", "words_shown"]
    list_editable = ["position", "is_active"]
    list_filter = ["decision", "is_active", "subject"]
    search_fields = ["subject", "words", "department", "reason"]

    @admin.display(description=_("when the text contains any of"))
    def words_shown(self, obj: ResponsibilityEntry) -> str:
        return "、".join(obj.word_list) or "—"
