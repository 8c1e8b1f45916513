"""Serializers of targets/ and plan/: Plan 51-KH/TU, its groups, indicators and targets (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from targets.models import Indicator, Plan, Target


class TargetSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="indicator.plan.code", help_text="Số hiệu kế hoạch / plan code")
    indicator = serializers.CharField(source="indicator.code", help_text="Mã chỉ tiêu theo dõi / indicator code")
    indicator_name = serializers.CharField(source="indicator.name", help_text="Tên chỉ tiêu / indicator name")
    indicator_name_en = serializers.CharField(source="indicator.name_en", help_text="Indicator name (English)")
    unit = serializers.CharField(
        source="unit.code",
        allow_null=True,
        default=None,
        help_text="Mã GSO đơn vị; null: toàn thành phố / unit GSO code; null: city-wide default",
    )
    lower_bound = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True)
    upper_bound = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "indicator",
            "indicator_name",
            "indicator_name_en",
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
        read_only_fields = fields


class GroupSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Số thứ tự / number")
    text = serializers.CharField(help_text="Nội dung / text (Vietnamese)")


class PlanIndicatorSerializer(serializers.ModelSerializer):
    objective_group = serializers.IntegerField(
        source="objective_group.number", allow_null=True, default=None, help_text="Nhóm mục tiêu / objective group"
    )

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "objective_group"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    objective_groups = GroupSerializer(many=True, help_text="Nhóm mục tiêu / objective groups")
    task_groups = GroupSerializer(many=True, help_text="Nhóm nhiệm vụ / task groups")
    indicators = PlanIndicatorSerializer(many=True, help_text="Chỉ tiêu theo dõi / indicators tracked")

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "title",
            "issued_by",
            "issued_on",
            "implements",
            "first_year",
            "last_year",
            "baseline_year",
            "closing_year",
            "needs_verification",
            "note",
            "objective_groups",
            "task_groups",
            "indicators",
        ]
        read_only_fields = fields
