"""targets/ and plan/: Plan 51-KH/TU and its targets, read-only for any valid token."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from povertyplan.api_errors import error_responses
from povertyplan.filters import YEAR_BOUNDS, IntegerFilter, TrueFalseFilter
from targets.models import Indicator, ObjectiveGroup, Plan, Target, TargetKind, TaskGroup
from targets.serializers import PlanSerializer, TargetSerializer


class TargetFilterSet(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="indicator__plan__code", help_text="Số hiệu kế hoạch / plan code")
    indicator = django_filters.CharFilter(field_name="indicator__code", help_text="Mã chỉ tiêu / indicator code")
    kind = django_filters.ChoiceFilter(choices=TargetKind.choices, help_text="Cách đánh giá / how judged")
    unit = django_filters.CharFilter(field_name="unit__code", help_text="Mã GSO đơn vị / unit GSO code")
    city_wide = TrueFalseFilter(
        field_name="unit", lookup_expr="isnull", help_text="Chỉ tiêu chung toàn thành phố / city-wide defaults"
    )
    year = IntegerFilter(method="filter_year", help_text="Có hiệu lực trong năm / in force in the year", **YEAR_BOUNDS)

    class Meta:
        model = Target
        fields = ["plan", "indicator", "kind", "unit", "city_wide", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(first_year__lte=value, last_year__gte=value)


@extend_schema(tags=["targets"])
@extend_schema_view(
    list=extend_schema(
        summary="Chỉ tiêu / targets",
        description=(
            "Chỉ tiêu của các kế hoạch (chung toàn thành phố và theo đơn vị, năm); `needs_verification`: chỉ tiêu dự "
            "kiến, cần kiểm chứng. / The targets of the plans (city-wide and per unit and year); "
            "`needs_verification`: a draft target, to be verified."
        ),
        responses={200: TargetSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Một chỉ tiêu / one target", responses={200: TargetSerializer, **error_responses(404)}
    ),
)
class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Target.objects.select_related("indicator__plan", "unit").order_by(
        "indicator__plan__baseline_year", "indicator__code", "kind", "first_year", "pk"
    )
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet


@extend_schema(tags=["plan"])
@extend_schema_view(
    list=extend_schema(
        summary="Kế hoạch / the plan",
        description=(
            "Các kế hoạch: Kế hoạch 51-KH/TU (tổng kết bằng số liệu cuối năm 2025) và kế hoạch 2026–2030 (dự kiến, "
            "cần kiểm chứng) với nhóm mục tiêu, nhóm nhiệm vụ và chỉ tiêu theo dõi; báo cáo tổng kết tại "
            "plan/{id}/closing/. / The plans: Plan 51-KH/TU (closed with the end-2025 figures) and the 2026–2030 "
            "plan (a draft, to be verified) with their objective groups, task groups and indicators; the closing "
            "report at plan/{id}/closing/."
        ),
        responses={200: PlanSerializer(many=True)},
    ),
    retrieve=extend_schema(summary="Một kế hoạch / one plan", responses={200: PlanSerializer, **error_responses(404)}),
)
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filter_backends: list = []
    queryset = Plan.objects.prefetch_related(
        Prefetch("objective_groups", queryset=ObjectiveGroup.objects.order_by("number")),
        Prefetch("task_groups", queryset=TaskGroup.objects.order_by("number")),
        Prefetch("indicators", queryset=Indicator.objects.select_related("objective_group").order_by("pk")),
    ).order_by("baseline_year", "pk")
