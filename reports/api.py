"""indicators/ and progress/: thin read-only adapters over the snapshot (reports.queries).

Both read only the current snapshot with a fixed number of queries whatever the data size:
indicators/ one for the current run (ETag / Last-Modified) and two for the page; progress/ adds
one for the previous and baseline rows of the page's units and, per year on the page, the
targets (targets.queries.targets_for_units). `?format=csv` answers the same rows as CSV, unpaged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from households.models import AdministrativeUnit, Structure, UnitLevel
from povertyplan.api_errors import error_responses
from povertyplan.cells import safe_cell
from reports import cache
from reports.closing import closing_report
from reports.dashboard import assess_target, projection_years, target_projections
from reports.datapackage import PROGRESS_HEAD, UNIT_COLUMNS, indicator_columns, progress_columns
from reports.models import IndicatorValue
from reports.queries import INDICATOR_FIELDS, current_run, snapshot
from reports.serializers import (
    YEAR_MAX,
    YEAR_MIN,
    ClosingReportSerializer,
    IndicatorSerializer,
    ProgressQuerySerializer,
    ProgressSerializer,
    SnapshotQuerySerializer,
    closing_record,
    progress_record,
)
from targets.models import Plan
from targets.queries import all_plans, all_projection_years, default_plan, plan_by_code, targets_for_units


class CSVRenderer(BaseRenderer):
    """Rows as CSV with a header, for spreadsheet users. Nested objects become dotted columns.

    A view's `csv_columns` fixes the header (the columns of its data package, reports.datapackage),
    so every query answers the same columns, an empty one included; a key outside them (a new
    input of a judgement nobody listed yet) is appended rather than lost."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        rows = [flatten(item) for item in (data if isinstance(data, list) else [data])]
        view = (renderer_context or {}).get("view")
        response = (renderer_context or {}).get("response")
        fixed = getattr(view, "csv_columns", None)
        if fixed is None or (response is not None and response.status_code >= 400):
            fixed = []
        columns: list[str] = list(fixed)
        for row in rows:
            columns += [name for name in row if name not in columns]
        stream = io.StringIO()
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: _cell(value) for name, value in row.items()})
        # A BOM so that Excel opens the Vietnamese text as UTF-8.
        return ("\ufeff" + stream.getvalue()).encode("utf-8")


def flatten(item, prefix: str = "") -> dict:
    if not isinstance(item, dict):
        return {prefix or "value": item}
    out = {}
    for key, value in item.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return safe_cell(str(value))


RENDERERS = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="csv: cùng dữ liệu dạng CSV, không phân trang / the same rows as CSV, unpaged",
)


# ?shape=long: one row per unit, year and indicator (Open SDG's tidy CSV). progress/ adds the
# target judged, since an indicator may carry two targets (poor: a band and a deadline).
LONG_COLUMNS = [*UNIT_COLUMNS, "year", "indicator", "value", "status"]
LONG_INDICATORS = [name for name in INDICATOR_FIELDS if name not in (*UNIT_COLUMNS, "year", "computed_at")]


class SnapshotViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    filter_backends: list = []
    renderer_classes = RENDERERS
    package_route = ""  # the data package that describes this list's (wide) CSV
    csv_columns: list[str] | None = None

    def long_shape(self) -> bool:
        return self.query().get("shape") == "long"

    def finalize_response(self, request, response, *args, **kwargs):
        """The CSV names its data package (RFC 8288 `describedby`), as the API root does."""
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code == 200 and renderer is not None and renderer.format == "csv":
            url = request.build_absolute_uri(reverse(self.package_route))
            response["Link"] = f'<{url}>; rel="describedby"; type="application/json"'
        return response

    def query(self) -> dict:
        if not hasattr(self, "_query"):
            params = SnapshotQuerySerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            self._query = params.validated_data
        return self._query

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IndicatorValue.objects.none()
        query = self.query()
        structure = query.get("structure")
        return snapshot(
            unit=query.get("unit"),
            year=query.get("year"),
            year_from=query.get("year_from"),
            year_to=query.get("year_to"),
            level=query.get("level"),
            parent=query.get("parent"),
            structure=Structure.REFORM_2025 if structure == Structure.REFORM_2025 else None,
        )

    def paginate_queryset(self, queryset):
        if self.request.accepted_renderer.format == "csv" or self.long_shape():
            return None
        return super().paginate_queryset(queryset)


SNAPSHOT_DESCRIPTION = (
    "Chỉ đọc bảng số liệu đã tính (snapshot) của lượt tính hiện hành. Lọc theo đơn vị, năm, cấp, đơn vị cấp trên; "
    "structure=2025 để xem số liệu các năm trước theo đơn vị hành chính hiện nay.\n\n"
    "Reads only the current snapshot. Filter by unit, year, level and parent; structure=2025 for history "
    "re-aggregated onto today's units.\n\n"
    "`unit` và `year` nhận nhiều giá trị cách nhau bằng dấu phẩy (`unit=01,271,00004`, `year=2022,2023`), "
    "`year_from`/`year_to` một khoảng năm; gửi một tham số hai lần bị từ chối. `shape=long`: một dòng cho mỗi đơn "
    "vị, năm và chỉ tiêu, không phân trang. CSV (`format=csv`) có cùng các cột cho mọi truy vấn, mô tả trong "
    "datapackage.json (tiêu đề `Link: rel=describedby`).\n\n"
    "`unit` and `year` take comma-separated lists (`unit=01,271,00004`, `year=2022,2023`), `year_from`/`year_to` "
    "a range; a parameter sent twice is refused. `shape=long`: one row per unit, year and indicator, unpaged. "
    "The CSV (`format=csv`) has the same columns for every query, described by its datapackage.json (the "
    "`Link: rel=describedby` header)."
)

LIST_PARAMETERS = [
    OpenApiParameter(
        "unit",
        {"type": "array", "items": {"type": "string", "pattern": r"^\d{2,5}$"}},
        style="form",
        explode=False,
        description=str(SnapshotQuerySerializer().fields["unit"].help_text),
    ),
    OpenApiParameter(
        "year",
        {"type": "array", "items": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}},
        style="form",
        explode=False,
        description=str(SnapshotQuerySerializer().fields["year"].help_text),
    ),
]


@extend_schema(tags=["indicators"])
class IndicatorViewSet(SnapshotViewSet):
    """Chỉ tiêu giảm nghèo theo đơn vị và năm / poverty indicators per unit and year."""

    serializer_class = IndicatorSerializer
    package_route = "api-indicators-datapackage"

    def get_permissions(self):
        if settings.OPEN_DATA_INDICATORS:
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.open_data_answer():
            context["suppression_threshold"] = settings.OPEN_DATA_SUPPRESSION_THRESHOLD
        return context

    def open_data_answer(self) -> bool:
        return settings.OPEN_DATA_INDICATORS and not self.request.user.is_authenticated

    @extend_schema(
        summary="Chỉ tiêu / indicators",
        description=SNAPSHOT_DESCRIPTION
        + "\n\nTrả lời yêu cầu có điều kiện (ETag, Last-Modified theo thời điểm tính) bằng 304. Ở chế độ dữ liệu mở "
        "(OPEN_DATA_INDICATORS), gọi không cần token; số đếm từ 1 đến dưới ngưỡng (mặc định 5) và các tỷ lệ suy ra "
        "từ chúng bị ẩn (null) và liệt kê trong `suppressed`; số 0 được công bố.\n\n"
        "Answers conditional requests (ETag, Last-Modified from the snapshot time) with 304. In open-data mode "
        "(OPEN_DATA_INDICATORS) it answers without a token; counts from 1 to below the threshold (default 5) and "
        "the rates derived from them are withheld (null) and listed in `suppressed`; zero is published.",
        parameters=[SnapshotQuerySerializer, *LIST_PARAMETERS, FORMAT_PARAMETER],
        responses={
            200: IndicatorSerializer(many=True),
            304: OpenApiResponse(description="Không đổi từ lần trước / not modified"),
            **error_responses(400, 404),
        },
    )
    def list(self, request, *args, **kwargs):
        self.query()  # a bad parameter is a 400 before anything else
        long = self.long_shape()
        self.csv_columns = LONG_COLUMNS if long else indicator_columns(open_data=self.open_data_answer())
        run = current_run()
        finished = run.finished_at if run else None
        tag = "|".join(
            [
                str(run.pk if run else "none"),
                finished.isoformat() if finished else "",
                request.get_full_path(),
                request.accepted_renderer.format or "",
                "open" if self.open_data_answer() else "token",
                str(settings.OPEN_DATA_SUPPRESSION_THRESHOLD),
            ]
        )
        etag = '"' + hashlib.sha256(tag.encode()).hexdigest()[:32] + '"'
        last_modified = int(finished.timestamp()) if finished else None
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        # The answer depends only on the snapshot and the request (its links on the host), so it is
        # built once per run (reports.cache).
        key = cache.snapshot_key("indicators", run, tag, request.build_absolute_uri("/"))
        if long:
            response = Response(cache.cached(key, self.long_rows))
        else:
            response = Response(
                cache.cached(key, lambda: super(IndicatorViewSet, self).list(request, *args, **kwargs).data)
            )
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "private, no-cache" if request.user.is_authenticated else "public, no-cache"
        response["Vary"] = "Accept, Authorization, Cookie"
        return response

    def long_rows(self) -> list[dict]:
        """The wide rows (suppression and rounding applied) turned into one row per indicator."""
        records = self.get_serializer(self.get_queryset(), many=True).data
        return [
            {
                **{name: record[name] for name in UNIT_COLUMNS},
                "year": record["year"],
                "indicator": name,
                "value": record[name],
                "status": None,
            }
            for record in records
            for name in LONG_INDICATORS
        ]


@extend_schema(tags=["progress"])
class ProgressViewSet(SnapshotViewSet):
    """Tiến độ so với chỉ tiêu Kế hoạch 51 / progress against the targets of Plan 51."""

    serializer_class = ProgressSerializer
    package_route = "api-progress-datapackage"

    def query(self) -> dict:
        if not hasattr(self, "_query"):
            params = ProgressQuerySerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            self._query = params.validated_data
        return self._query

    @extend_schema(
        summary="Tiến độ / progress",
        description=SNAPSHOT_DESCRIPTION
        + "\n\nMỗi đơn vị và năm: trạng thái từng chỉ tiêu với số liệu đầu vào, công thức, phương pháp (tỷ số Open "
        "SDG, số tuyệt đối khi số nhỏ, tốc độ hộ/năm cho chỉ tiêu có thời hạn…) và dự báo đến các thời hạn và năm cuối "
        "của kế hoạch. `plan=<số hiệu>` chọn kế hoạch để đánh giá; mặc định là kế hoạch có năm đó (kế hoạch mới hơn "
        "nếu có hai), nếu không có thì kế hoạch mới nhất; trường `plan` của mỗi dòng cho biết kế hoạch đã dùng. "
        "CSV: một dòng cho mỗi chỉ tiêu.\n\n"
        "Per unit and year: each target's status with its inputs, formula, method (Open SDG ratio, absolute change "
        "for small numbers, pace in households a year for a deadline…) and projections to the deadlines and the "
        "plan's last year. `plan=<code>` picks the plan judged against; by default the plan covering the row's year "
        "(the newer of two), else the latest; each row's `plan` says which was used. CSV: one line per target.",
        parameters=[ProgressQuerySerializer, *LIST_PARAMETERS, FORMAT_PARAMETER],
        responses={200: ProgressSerializer(many=True), **error_responses(400, 404)},
    )
    def list(self, request, *args, **kwargs):
        query = self.query()
        plans = all_plans()
        chosen = None
        if query.get("plan"):
            chosen = plan_by_code(plans, query["plan"])
            if chosen is None:
                raise serializers.ValidationError({"plan": [_("Không có kế hoạch với số hiệu này.")]})
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        values = list(page if page is not None else queryset)
        records = progress_records(values, plans=plans, plan=chosen)
        if self.long_shape():
            self.csv_columns = [*LONG_COLUMNS, "target_id"]
            return Response(progress_long_rows(records))
        if request.accepted_renderer.format == "csv":
            self.csv_columns = progress_columns(all_projection_years(plans))
            return Response(progress_lines(records))
        if page is not None:
            return self.get_paginated_response(records)
        return Response(records)


def progress_lines(records: list[dict]) -> list[dict]:
    """progress/'s CSV: one line per target, its inputs and projections spread over columns."""
    lines = []
    for record in records:
        head = {key: record[key] for key in PROGRESS_HEAD}
        for target in record["targets"]:
            projection = {f"projection_{item['year']}": item["value"] for item in target["projection"]}
            body = {key: item for key, item in target.items() if key != "projection"}
            lines.append({**head, **body, **projection})
    return lines


def progress_long_rows(records: list[dict]) -> list[dict]:
    """One row per unit, year and target: the indicator's value this year (the judgement's
    `current` input, the same figure as indicators/) and the target's status."""
    return [
        {
            **{name: record[name] for name in UNIT_COLUMNS},
            "year": record["year"],
            "indicator": target["indicator"],
            "value": target["inputs"].get("current"),
            "status": target["status"],
            "target_id": target["target_id"],
        }
        for record in records
        for target in record["targets"]
    ]


def progress_records(
    values: list[IndicatorValue], *, plans: list[Plan] | None = None, plan: Plan | None = None
) -> list[dict]:
    """Judge every target of each row with the dashboards' own rule (reports.dashboard.assess_target)
    against `plan`, else the plan covering the row's year (targets.queries.default_plan); the
    previous-year and baseline rows of the whole page in one query, the targets once per year."""
    if not values:
        return []
    plans = all_plans() if plans is None else plans
    years = sorted({value.year for value in values})
    plan_of = {year: plan or default_plan(plans, year) for year in years}
    unit_ids = {value.unit_id for value in values}
    wanted = {value.year - 1 for value in values} | {p.baseline_year for p in plan_of.values() if p}
    others: dict[tuple[int, int], IndicatorValue] = {}
    for other in IndicatorValue.objects.filter(run_id=values[0].run_id, unit_id__in=unit_ids, year__in=wanted).order_by(
        "-reaggregated"
    ):
        others[(other.unit_id, other.year)] = other  # the row in force wins over a re-aggregated one
    units = {value.unit_id: value.unit for value in values}
    targets = {
        year: targets_for_units(units.values(), year, plan=plan_of[year]) if plan_of[year] else {} for year in years
    }
    records = []
    for value in values:
        year_plan = plan_of[value.year]
        series = {year: others[(value.unit_id, year)] for year in wanted if (value.unit_id, year) in others}
        series[value.year] = value
        evaluations = []
        unit_targets = targets[value.year].get(value.unit_id, [])
        if year_plan is not None:
            baseline_year = year_plan.baseline_year
            baseline = series.get(baseline_year)
            to_years = projection_years(year_plan, unit_targets)
            for target in unit_targets:
                code = target.indicator.code
                projection = target_projections(
                    target,
                    getattr(baseline, code, None) if baseline else None,
                    baseline_year,
                    getattr(value, code),
                    value.year,
                    to_years,
                )
                assessment = assess_target(target, series, value.year, baseline_year=baseline_year)
                evaluations.append((target, assessment, projection))
        records.append(progress_record(value, evaluations, year_plan))
    return records


@extend_schema(tags=["plan"])
class PlanClosingView(APIView):
    """Báo cáo tổng kết kế hoạch / a plan's closing report."""

    @extend_schema(
        summary="Báo cáo tổng kết / closing report",
        description=(
            "Toàn thành phố, từ năm gốc đến năm tổng kết của kế hoạch (Kế hoạch 51-KH/TU: 2021–2025): với mỗi chỉ "
            "tiêu, số năm gốc, số liệu và đánh giá từng năm (phương pháp, đầu vào như trên bảng điều khiển) và kết "
            "luận đạt hay không, theo cách nào. Nhãn tiếng Việt kèm bản tiếng Anh (`*_en`).\n\n"
            "For the city, from the plan's baseline to its closing year (Plan 51-KH/TU: 2021–2025): for each target, "
            "the baseline, each year's value and judgement (method and inputs as the dashboards show them) and "
            "whether it was met and by which method. Vietnamese labels with English ones (`*_en`)."
        ),
        responses={200: ClosingReportSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        plan = get_object_or_404(Plan, pk=pk)
        city = AdministrativeUnit.objects.filter(level=UnitLevel.CITY).first()
        if city is None:
            raise Http404("no city unit loaded")
        return Response(closing_record(closing_report(plan, city)))
