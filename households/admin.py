"""Admin pages of the administrative units and their old → new succession, and of the users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from households.forms import AdminLoginForm
from households.models import AdministrativeUnit, Succession, User


class SuccessionInline(admin.TabularInline):
    model = Succession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = "đơn vị kế thừa"
    verbose_name_plural = "đơn vị kế thừa"


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "area", "structure", "parent", "valid_from", "valid_to"]
    list_filter = ["structure", "level", "kind", "area"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["predecessor__code", "predecessor__name", "successor__code", "successor__name"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]


# --- Users (accounts): role and unit on the user pages; the admin login is throttled too.

admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Phạm vi", {"fields": ["role", "unit"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Phạm vi", {"fields": ["role", "unit"]}),
    ]
