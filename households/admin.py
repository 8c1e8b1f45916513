"""Admin pages: administrative units and their old → new succession, users, poverty standards
(editable: the rules read them), resident totals, and read-only views of the registry, the
import jobs and the workflow's transitions.

Reviews are read-only here on purpose: a review is written through households.services (the form,
the importer, the API), which classifies it and derives movements; an edit here would bypass both.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from households.forms import AdminLoginForm
from households.models import (
    AdministrativeUnit,
    Household,
    ImportJob,
    Member,
    PovertyStandard,
    Review,
    ReviewTransition,
    StandardIndicator,
    Succession,
    UnitYear,
    User,
)
from households.resources import UnitYearResource
from povertyplan.admin import ReadOnlyAdmin


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


# --- Poverty standards: data the rules read (households.poverty), editable by administrators.


class StandardIndicatorInline(admin.TabularInline):
    model = StandardIndicator
    extra = 0
    fields = ["number", "dimension", "name", "name_en", "deprived_when", "needs_verification", "verification_note"]


@admin.register(PovertyStandard)
class PovertyStandardAdmin(admin.ModelAdmin):
    """Which review a standard governs is data: its periodic years, regular-review dates, scope and
    priority; the model's clean() refuses a second standard that would apply to the same review."""

    list_display = [
        "code",
        "name",
        "scope",
        "priority",
        "first_year",
        "last_year",
        "regular_from",
        "regular_to",
        "poverty_line_rural",
        "poverty_line_urban",
        "deprivation_threshold",
        "needs_verification",
    ]
    list_filter = ["scope", "needs_verification"]
    fieldsets = [
        (None, {"fields": ["code", "name", "legal_basis", "scope", "priority"]}),
        ("Áp dụng cho", {"fields": [("first_year", "last_year"), ("regular_from", "regular_to")]}),
        (
            "Chuẩn thu nhập (đồng/người/tháng)",
            {
                "fields": [
                    ("poverty_line_rural", "poverty_line_urban"),
                    ("extreme_line_rural", "extreme_line_urban"),
                    ("average_ceiling_rural", "average_ceiling_urban"),
                    ("b1_cutoff_rural", "b1_cutoff_urban"),
                    "deprivation_threshold",
                ]
            },
        ),
        ("Kiểm chứng", {"fields": ["needs_verification", "notes"]}),
    ]
    inlines = [StandardIndicatorInline]


@admin.register(UnitYear)
class UnitYearAdmin(ImportExportModelAdmin):
    """Imported and exported as a spreadsheet (households.resources), with a preview."""

    resource_classes = [UnitYearResource]
    list_display = ["unit", "year", "total_households", "source"]
    list_filter = ["year", "source", "unit__level"]
    search_fields = ["unit__code", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


# --- The registry: households with their members and history; reviews read-only.


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["full_name", "relation", "sex", "birth_year", "id_number", "health_insurance", "disability"]


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["code", "head_name", "commune", "village", "members_count", "meritorious"]
    list_filter = ["meritorious", "social_protection", "no_labour_capacity", "ethnic_minority", "head_sex"]
    search_fields = ["code", "head_name"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]
    inlines = [MemberInline]
    show_full_result_count = False


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["household", "year", "commune", "poverty_class", "movement", "state", "updated_at"]
    list_filter = ["year", "state", "poverty_class", "movement", "review_type"]
    search_fields = ["household__code", "household__head_name", "commune__code"]
    list_select_related = ["household", "commune"]
    show_full_result_count = False


# --- What happened: uploads and the review workflow.


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["filename", "user", "unit", "stage", "status", "rows_total", "created_at", "finished_at"]
    list_filter = ["stage", "status", "background"]
    search_fields = ["filename", "user__username"]
    list_select_related = ["user", "unit"]
    date_hierarchy = "created_at"


@admin.register(ReviewTransition)
class ReviewTransitionAdmin(ReadOnlyAdmin):
    list_display = ["commune", "year", "from_state", "to_state", "reviews", "user", "at"]
    list_filter = ["year", "to_state"]
    search_fields = ["commune__code", "commune__name", "comment"]
    list_select_related = ["commune", "user"]
    date_hierarchy = "at"
