"""Admin for Plan 51-KH/TU, its indicators and targets: administrators edit targets as data."""

from django.contrib import admin

from targets.models import Indicator, ObjectiveGroup, Plan, Target, TaskGroup


class ObjectiveGroupInline(admin.StackedInline):
    model = ObjectiveGroup
    extra = 0


class TaskGroupInline(admin.StackedInline):
    model = TaskGroup
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "issued_by",
        "issued_on",
        "first_year",
        "last_year",
        "baseline_year",
        "closing_year",
        "needs_verification",
    ]
    list_filter = ["needs_verification"]
    search_fields = ["code", "title"]
    inlines = [ObjectiveGroupInline, TaskGroupInline]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = [
        "kind",
        "unit",
        "first_year",
        "last_year",
        "lower_bound",
        "upper_bound",
        "absolute_count",
        "deadline_year",
        "source",
        "needs_verification",
    ]
    raw_id_fields = ["unit"]
    show_change_link = True


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "plan", "objective_group"]
    list_filter = ["plan"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["plan", "objective_group"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "kind",
        "scope",
        "first_year",
        "last_year",
        "lower_bound",
        "upper_bound",
        "absolute_count",
        "deadline_year",
        "source",
        "needs_verification",
    ]
    list_filter = [
        "indicator__plan",
        "needs_verification",
        "indicator",
        "kind",
        ("unit", admin.RelatedOnlyFieldListFilter),
        "first_year",
    ]
    search_fields = ["indicator__name", "indicator__code", "unit__name", "unit__code", "source"]
    list_select_related = ["indicator", "unit"]
    raw_id_fields = ["unit"]

    @admin.display(description="phạm vi", ordering="unit__name")
    def scope(self, target: Target) -> str:
        return str(target.unit) if target.unit else "Toàn thành phố"
