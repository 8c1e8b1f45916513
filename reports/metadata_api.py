"""What describes the data rather than being it, public like the schema: the data packages of the
indicators/ and progress/ CSV (datapackage.json), the indicator catalogue and the API root.

No token is needed to read a description: the CSV it points to keeps its own permissions.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from povertyplan.api_errors import error_responses
from reports.catalogue import catalogue_records
from reports.datapackage import indicators_schema, long_schema, package, progress_schema
from targets.models import Indicator
from targets.queries import all_plans, all_projection_years


class PackageView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]  # application/json, as the Data Package specification asks


@extend_schema(
    tags=["indicators"],
    summary="Gói dữ liệu CSV chỉ tiêu / data package of the indicators CSV",
    description=(
        "Frictionless Data Package (Table Schema) của `indicators/?format=csv`: kiểu, đơn vị đo, mô tả từng cột, "
        'khóa chính (unit, year); `unit` là chuỗi. pandas: `pd.read_csv(url, dtype={"unit": str})`.\n\n'
        "Frictionless Data Package (Table Schema) of `indicators/?format=csv`: each column's type, unit of measure "
        "and description, the primary key (unit, year); `unit` is a string."
    ),
    responses={200: OpenApiTypes.OBJECT, **error_responses()},
)
class IndicatorsPackageView(PackageView):
    @extend_schema(operation_id="indicators_datapackage_retrieve")  # not the path's "datapackage.json_…"
    def get(self, request):
        # An open-data answer (no token) adds the `suppressed` column, as the CSV does.
        open_data = settings.OPEN_DATA_INDICATORS and not request.user.is_authenticated
        url = request.build_absolute_uri(reverse("api-indicator-list"))
        resources = [
            {
                "name": "indicators",
                "path": url + "?format=csv",
                "title": "Chỉ tiêu giảm nghèo theo đơn vị và năm / poverty indicators per unit and year",
                "schema": indicators_schema(open_data=open_data),
            },
            {
                "name": "indicators-long",
                "path": url + "?format=csv&shape=long",
                "title": "Cùng số liệu, một dòng mỗi chỉ tiêu / the same figures, one row per indicator",
                "schema": long_schema(with_target=False),
            },
        ]
        return Response(
            package(
                "hanoi-poverty-indicators",
                "Chỉ tiêu giảm nghèo Hà Nội / Hanoi poverty-reduction indicators",
                "Bảng số liệu hiện hành (snapshot) theo đơn vị hành chính và năm. / The current snapshot per "
                "administrative unit and year.",
                resources,
            )
        )


@extend_schema(
    tags=["progress"],
    summary="Gói dữ liệu CSV tiến độ / data package of the progress CSV",
    description=(
        "Frictionless Data Package (Table Schema) của `progress/?format=csv`: các cột cố định, kiểu, mô tả, khóa "
        "chính (unit, year, target_id).\n\n"
        "Frictionless Data Package (Table Schema) of `progress/?format=csv`: its fixed columns, types, "
        "descriptions and primary key (unit, year, target_id)."
    ),
    responses={200: OpenApiTypes.OBJECT, **error_responses()},
)
class ProgressPackageView(PackageView):
    @extend_schema(operation_id="progress_datapackage_retrieve")
    def get(self, request):
        url = request.build_absolute_uri(reverse("api-progress-list"))
        resources = [
            {
                "name": "progress",
                "path": url + "?format=csv",
                "title": "Tiến độ từng chỉ tiêu / progress on each target",
                "schema": progress_schema(all_projection_years(all_plans())),
            },
            {
                "name": "progress-long",
                "path": url + "?format=csv&shape=long",
                "title": "Giá trị và trạng thái, một dòng mỗi chỉ tiêu / value and status, one row per target",
                "schema": long_schema(with_target=True),
            },
        ]
        return Response(
            package(
                "hanoi-poverty-progress",
                "Tiến độ kế hoạch giảm nghèo Hà Nội / progress of Hanoi's poverty-reduction plans",
                "Mỗi dòng: một chỉ tiêu của một đơn vị trong một năm, trạng thái và đầu vào. / One line per "
                "target, unit and year: status and inputs.",
                resources,
            )
        )


class PlanTrackingSerializer(serializers.Serializer):
    plan = serializers.CharField(help_text="Số hiệu kế hoạch (plan/) / plan code (plan/)")
    name = serializers.CharField(help_text="Tên chỉ tiêu trong kế hoạch / the plan's name for it")
    name_en = serializers.CharField(help_text="English name in the plan")


class CatalogueEntrySerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Tên cột (indicators/) hoặc mã chỉ tiêu / column or indicator code")
    type = serializers.CharField(help_text="Kiểu Table Schema / Table Schema type")
    title = serializers.CharField(help_text="Tên tiếng Việt / Vietnamese title")
    title_en = serializers.CharField(help_text="English title")
    definition = serializers.CharField(help_text="Định nghĩa / definition (Vietnamese)")
    definition_en = serializers.CharField(help_text="Definition (English)")
    unit_of_measure = serializers.CharField(allow_null=True, help_text="households, %, communes; null: none")
    numerator = serializers.CharField(allow_null=True, help_text="Tử số (tỷ lệ) / numerator of a rate")
    denominator = serializers.CharField(allow_null=True, help_text="Mẫu số (tỷ lệ) / denominator of a rate")
    source = serializers.CharField(help_text="Căn cứ pháp lý / legal source")
    first_year = serializers.IntegerField(allow_null=True, help_text="Năm đầu có số liệu / first year published")
    in_indicators = serializers.BooleanField(help_text="Là cột của indicators/ / a column of indicators/")
    plans = PlanTrackingSerializer(many=True, help_text="Các kế hoạch theo dõi chỉ tiêu / plans tracking it")


@extend_schema(
    tags=["indicators"],
    summary="Danh mục chỉ tiêu / indicator catalogue",
    description=(
        "Mỗi cột của indicators/ (và mỗi chỉ tiêu kế hoạch theo dõi): định nghĩa tiếng Việt và tiếng Anh, đơn vị "
        "đo, tử số và mẫu số, căn cứ pháp lý, năm đầu; các kế hoạch (plan/) theo dõi nó với tên của kế hoạch.\n\n"
        "Every column of indicators/ (and every indicator a plan tracks): definition in Vietnamese and English, "
        "unit of measure, numerator and denominator, legal source, first year; the plans (plan/) tracking it "
        "with their names for it."
    ),
    responses={200: CatalogueEntrySerializer(many=True), **error_responses()},
)
class CatalogueView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        tracked: dict[str, list[dict]] = {}
        for indicator in Indicator.objects.select_related("plan").order_by("plan__baseline_year", "plan__pk", "pk"):
            tracked.setdefault(indicator.code, []).append(
                {"plan": indicator.plan.code, "name": indicator.name, "name_en": indicator.name_en}
            )
        return Response(catalogue_records(tracked))


ROOT_LINKS = [
    ("units", "api-unit-list"),
    ("indicators", "api-indicator-list"),
    ("indicators_datapackage", "api-indicators-datapackage"),
    ("indicators_catalogue", "api-indicators-catalogue"),
    ("progress", "api-progress-list"),
    ("progress_datapackage", "api-progress-datapackage"),
    ("targets", "api-target-list"),
    ("plan", "api-plan-list"),
    ("households", "api-household-list"),
    ("reviews", "api-review-list"),
    ("imports", "api-import-list"),
    ("standards_impact", "api-impact-list"),
    ("schema", "api-schema"),
    ("docs", "api-docs"),
]


@extend_schema(
    summary="Gốc API / API root",
    description="Các đường dẫn của API, lược đồ và gói dữ liệu. / The API's endpoints, schema and data packages.",
    responses={200: OpenApiTypes.OBJECT, **error_responses()},
)
class ApiRootView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({name: request.build_absolute_uri(reverse(route)) for name, route in ROOT_LINKS})
