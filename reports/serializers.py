"""Serializers of the snapshot endpoints: indicators/ and progress/ (docs/api.md).

indicators/ carries exactly reports.queries.INDICATOR_FIELDS, read through indicator_record, so
the API, export_indicators and the dashboards can never disagree on a figure or its rounding.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from households.models import UNIT_CODE_PATTERN, Structure, UnitLevel
from povertyplan.numbers import half_up
from reports.queries import INDICATOR_FIELDS, indicator_record, plain, unit_columns
from reports.templatetags.progress_text import in_english

YEAR_MIN, YEAR_MAX = 2000, 2100

# Counts an open-data answer suppresses when small, and the rates derived from each.
SUPPRESSIBLE_COUNTS = ["poor", "near_poor", "escaped", "newly_poor", "re_poor", "meritorious_poor", "reclassified"]
DERIVED_RATES = {
    "poor": ["poverty_rate", "poor_reduction_rate"],
    "near_poor": ["near_poverty_rate", "near_poor_reduction_rate"],
}
# Start-of-year counts behind the reduction rates: a small one is revealed by rate and count.
START_COUNTS = {"poor_start": "poor_reduction_rate", "near_poor_start": "near_poor_reduction_rate"}


UNIT_CODE = UNIT_CODE_PATTERN
MAX_LIST = 1000  # values of one comma-separated parameter: every unit of Hanoi's both structures


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class CommaSeparatedField(serializers.Field):
    """`unit=01,271,00004`: one parameter holding a comma-separated list (OpenAPI style form,
    explode false), each value read by `child`; a bad value is refused and named. Sending the
    parameter twice is refused before the view (povertyplan.middleware.RejectUnknownApiParameters)."""

    def __init__(self, child: serializers.Field, **kwargs):
        self.child = child
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list:
        values = [item.strip() for item in str(data).split(",")]
        if len(values) > MAX_LIST:
            raise serializers.ValidationError(_("Tối đa %(count)s giá trị.") % {"count": MAX_LIST})
        result, bad = [], []
        for item in values:
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as error:
                bad.append(f"«{item}»: {' '.join(str(message) for message in _messages(error.detail))}")
        if bad:
            raise serializers.ValidationError(bad)
        return list(dict.fromkeys(result))

    def to_representation(self, value):
        return ",".join(str(item) for item in value)


def _messages(detail) -> list:
    if isinstance(detail, dict):
        return [message for item in detail.values() for message in _messages(item)]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [detail]


def unit_codes(**kwargs) -> CommaSeparatedField:
    return CommaSeparatedField(
        serializers.RegexField(UNIT_CODE, error_messages={"invalid": gettext_lazy("Không phải mã GSO.")}), **kwargs
    )


def review_year(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


class SnapshotQuerySerializer(serializers.Serializer):
    """Query parameters of indicators/ and progress/. `unit` and `year` take comma-separated lists;
    every filter given must hold (a row of one of the units, in one of the years, in the range)."""

    unit = unit_codes(
        required=False,
        help_text=(
            "Mã GSO của đơn vị (01 = thành phố), hiểu là đơn vị có hiệu lực trong năm của dòng; nhiều mã cách nhau "
            "bằng dấu phẩy (01,271,00004). / GSO code of the unit (01 = the city), meaning the unit in force in each "
            "row's year; several separated by commas (01,271,00004)."
        ),
    )
    year = CommaSeparatedField(
        review_year(),
        required=False,
        help_text="Năm rà soát; nhiều năm cách nhau bằng dấu phẩy (2022,2023) / review year; several: 2022,2023",
    )
    year_from = review_year(required=False, help_text="Từ năm (kể cả) / from this year on (inclusive)")
    year_to = review_year(required=False, help_text="Đến năm (kể cả) / up to this year (inclusive)")
    level = serializers.ChoiceField(
        choices=UnitLevel.choices, required=False, help_text="Cấp đơn vị / unit level: city, district, commune"
    )
    parent = serializers.RegexField(
        UNIT_CODE, required=False, help_text="Mã GSO của đơn vị cấp trên / GSO code of the parent unit"
    )
    structure = serializers.ChoiceField(
        choices=Structure.choices,
        required=False,
        help_text=(
            "2025: số liệu các năm trước tổng hợp lại theo đơn vị hành chính từ 1/7/2025. Mặc định: theo đơn vị có "
            "hiệu lực từng năm. / 2025: history re-aggregated onto the units in force since 1 July 2025. "
            "Default: the units in force in each year."
        ),
    )
    shape = serializers.ChoiceField(
        choices=["wide", "long"],
        required=False,
        default="wide",
        help_text=(
            "long: một dòng cho mỗi đơn vị, năm và chỉ tiêu (unit, unit_name, unit_level, unit_structure, year, "
            "indicator, value, status), cho các công cụ kiểu Open SDG. Mặc định wide. / long: one row per unit, "
            "year and indicator (unit, unit_name, unit_level, unit_structure, year, indicator, value, status) for "
            "Open SDG-style tools. Default wide."
        ),
    )

    def validate(self, attrs):
        first, last = attrs.get("year_from"), attrs.get("year_to")
        if first is not None and last is not None and first > last:
            raise serializers.ValidationError(
                {
                    "year_from": [
                        _("Năm bắt đầu year_from (%(first)s) sau năm kết thúc year_to (%(last)s).")
                        % {"first": first, "last": last}
                    ]
                }
            )
        return attrs


class ProgressQuerySerializer(SnapshotQuerySerializer):
    """Query parameters of progress/: those of indicators/ and the plan judged against."""

    plan = serializers.CharField(
        required=False,
        max_length=30,
        help_text=(
            "Số hiệu kế hoạch để đánh giá (plan/), ví dụ 51-KH/TU. Mặc định: kế hoạch có năm của dòng (mới hơn nếu có "
            "hai), nếu không thì kế hoạch mới nhất. / Code of the plan to judge against (plan/), e.g. 51-KH/TU. "
            "Default: the plan covering the row's year (the newer of two), else the latest plan."
        ),
    )


def _round(value: Decimal | None, places: int = 2) -> float | None:
    rounded = half_up(value, places)
    return None if rounded is None else float(rounded)


def unit_name_field() -> serializers.CharField:
    return serializers.CharField(help_text="Tên đơn vị / unit name")


def unit_level_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=UnitLevel.choices, help_text="Cấp đơn vị / unit level: city, district, commune"
    )


def unit_structure_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Structure.choices,
        help_text=(
            "Cơ cấu hành chính của đơn vị: 2008 (đến 30/6/2025) hoặc 2025 (từ 1/7/2025); thành phố (01) là 2008 ở "
            "mọi năm / the unit's administrative structure: 2008 (until 30 June 2025) or 2025 (from 1 July 2025); "
            "the city (01) is 2008 in every year"
        ),
    )


class IndicatorSerializer(serializers.Serializer):
    """One row of the snapshot: one unit in one year. Read-only."""

    unit = serializers.CharField(help_text="Mã GSO của đơn vị / GSO code of the unit")
    unit_name = unit_name_field()
    unit_level = unit_level_field()
    unit_structure = unit_structure_field()
    year = serializers.IntegerField(help_text="Năm rà soát / review year")
    total_households = serializers.IntegerField(
        allow_null=True, help_text="Tổng số hộ dân cư (mẫu số) / total resident households (the denominator)"
    )
    poor = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Số hộ nghèo; null khi chưa có kết quả rà soát nào được phê duyệt (không phải 0) / poor households; "
            "null where no review is approved (no data is not zero)"
        ),
    )
    near_poor = serializers.IntegerField(allow_null=True, help_text="Số hộ cận nghèo / near-poor households")
    poverty_rate = serializers.FloatField(
        allow_null=True, help_text="Tỷ lệ hộ nghèo (%), 2 chữ số thập phân / poverty rate (%), 2 decimals"
    )
    near_poverty_rate = serializers.FloatField(
        allow_null=True, help_text="Tỷ lệ hộ cận nghèo (%) / near-poverty rate (%), 2 decimals"
    )
    escaped = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Số hộ thoát nghèo; null ở năm đầu của chuẩn nghèo / households that escaped poverty; null in the "
            "first year of a standard"
        ),
    )
    newly_poor = serializers.IntegerField(
        allow_null=True,
        help_text="Số hộ nghèo phát sinh; null ở năm đầu của chuẩn / newly poor households; null in a standard's first year",
    )
    re_poor = serializers.IntegerField(
        allow_null=True,
        help_text="Số hộ tái nghèo; null ở năm đầu của chuẩn / re-poor households; null in a standard's first year",
    )
    meritorious_poor = serializers.IntegerField(
        allow_null=True,
        help_text="Hộ nghèo có người có công / poor households with a person of meritorious service",
    )
    poor_reduction_rate = serializers.FloatField(
        allow_null=True,
        help_text=(
            "Tỷ lệ giảm hộ nghèo so với đầu năm (%); null khi năm trước bằng 0 hoặc không có, hoặc năm đầu của "
            "chuẩn nghèo. / Annual reduction of poor households (%); null where the previous count is 0 or unknown, "
            "or in the first year of a standard."
        ),
    )
    near_poor_reduction_rate = serializers.FloatField(
        allow_null=True, help_text="Tỷ lệ giảm hộ cận nghèo (%) / annual reduction of near-poor households (%)"
    )
    reclassified = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Số hộ đổi phân loại chỉ vì chuẩn nghèo thay đổi / households whose class changed only because the "
            "standard changed"
        ),
    )
    reviewed_households = serializers.IntegerField(
        help_text=(
            "Số hộ có kết quả rà soát được phê duyệt (0: chưa có số liệu, các số đếm là null) / households with an "
            "approved review (0: no data, the counts are null)"
        )
    )
    communes_reviewed = serializers.IntegerField(
        help_text="Số xã, phường có kết quả được phê duyệt / communes with an approved review"
    )
    communes_total = serializers.IntegerField(
        help_text="Số xã, phường của đơn vị có hiệu lực trong năm / communes of the unit in force that year"
    )
    computed_at = serializers.DateTimeField(help_text="Thời điểm tính / when the snapshot was computed")
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=(
            "Chỉ có ở chế độ dữ liệu mở (không token): các trường bị ẩn (null) vì số đếm từ 1 đến dưới ngưỡng. / "
            "Open-data answers only (no token): the fields withheld (null) because a count is between 1 and "
            "the threshold."
        ),
    )

    def to_representation(self, instance) -> dict:
        record = plain(indicator_record(instance))
        threshold = self.context.get("suppression_threshold")
        if threshold is not None:
            record["suppressed"] = suppress(record, instance, threshold)
        return record


def suppress(record: dict, value, threshold: int) -> list[str]:
    """Withhold counts 1 … threshold−1 and every rate derived from one (in place).

    Zero is published: "no poor household" singles nobody out and is the figure the plan
    tracks. Total households are never small enough to identify anybody and stay.
    """
    hidden: list[str] = []

    def small(count) -> bool:
        return count is not None and 0 < count < threshold

    for name in SUPPRESSIBLE_COUNTS:
        if small(record[name]):
            hidden.append(name)
            hidden += DERIVED_RATES.get(name, [])
    for start, derived in START_COUNTS.items():
        if small(getattr(value, start, None)):
            hidden.append(derived)
    hidden = [name for name in INDICATOR_FIELDS if name in set(hidden)]
    for name in hidden:
        record[name] = None
    return hidden


class ProjectionSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="Năm dự báo (cuối năm) / projection year (year end)")
    value = serializers.FloatField(
        allow_null=True,
        help_text=(
            "Số dự kiến nếu giữ tốc độ giảm bình quân từ năm gốc / value expected if the average annual "
            "rate since the baseline continues"
        ),
    )


class TargetProgressSerializer(serializers.Serializer):
    target_id = serializers.IntegerField(help_text="Mã chỉ tiêu (targets/) / target id (targets/)")
    indicator = serializers.CharField(help_text="Mã chỉ tiêu theo dõi (trường của indicators/) / indicator code")
    indicator_name = serializers.CharField(help_text="Tên chỉ tiêu / indicator name (Vietnamese)")
    indicator_name_en = serializers.CharField(help_text="Indicator name (English)")
    kind = serializers.CharField(
        help_text="Cách đánh giá / how judged: reduction_band, count_by_deadline, must_be_zero, fewer_than_last_year"
    )
    target = serializers.CharField(help_text="Mục tiêu bằng lời / the target in words (Vietnamese)")
    status = serializers.CharField(
        help_text=(
            "Trạng thái / status: exceeded, achieved, on_track, needs_acceleration, limited_progress, worsening, "
            "maintained_at_zero, off_track, missed, no_data"
        )
    )
    status_label = serializers.CharField(help_text="Nhãn trạng thái / status label (Vietnamese)")
    status_label_en = serializers.CharField(help_text="Status label (English)")
    method = serializers.CharField(
        help_text="Phương pháp / method: open_sdg_ratio, absolute_change, must_be_zero, year_on_year"
    )
    method_name = serializers.CharField(help_text="Tên phương pháp / method name (Vietnamese)")
    method_name_en = serializers.CharField(help_text="Method name (English)")
    formula = serializers.CharField(help_text="Công thức / the formula applied (Vietnamese)")
    actual = serializers.FloatField(
        allow_null=True, help_text="Giá trị thực tế (tỷ lệ % hoặc số hộ) / actual value (rate % or count)"
    )
    ratio = serializers.FloatField(
        allow_null=True, help_text="Tỷ số thực tế ÷ cần đạt (phương pháp tỷ số) / actual ÷ needed (ratio method)"
    )
    inputs = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Mọi số liệu đầu vào của đánh giá / every input of the judgement",
    )
    small_numbers = serializers.BooleanField(
        help_text="Đánh giá theo số tuyệt đối vì số nhỏ / judged by absolute change (small numbers)"
    )
    note = serializers.CharField(allow_blank=True, help_text="Ghi chú / note (Vietnamese)")
    projection = ProjectionSerializer(
        many=True,
        help_text="Dự báo đến các thời hạn và năm cuối kế hoạch / projections to the deadlines and the plan's last year",
    )
    source = serializers.CharField(allow_blank=True, help_text="Căn cứ / legal source of the target")
    needs_verification = serializers.BooleanField(
        help_text="Chỉ tiêu dự kiến, cần kiểm chứng / a draft target, to be verified"
    )


class ProgressSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="Mã GSO của đơn vị / GSO code of the unit")
    unit_name = unit_name_field()
    unit_level = unit_level_field()
    unit_structure = unit_structure_field()
    year = serializers.IntegerField(help_text="Năm rà soát / review year")
    computed_at = serializers.DateTimeField(help_text="Thời điểm tính / when the snapshot was computed")
    plan = serializers.CharField(
        allow_null=True, help_text="Số hiệu kế hoạch đã dùng để đánh giá / code of the plan judged against"
    )
    plan_needs_verification = serializers.BooleanField(
        help_text="Kế hoạch dự kiến, cần kiểm chứng / the plan is a draft, to be verified"
    )
    targets = TargetProgressSerializer(many=True, help_text="Tiến độ từng chỉ tiêu / progress on each target")


def _number(value):
    if isinstance(value, Decimal):
        return _round(value, 4)
    return value


def assessment_record(assessment) -> dict:
    """A judgement as the API shows it: status, method, formula, inputs, in Vietnamese and English."""
    return {
        "target": assessment.target,
        "status": assessment.status.value,
        "status_label": assessment.status.label,
        "status_label_en": in_english(assessment.status.label),
        "method": assessment.method.value,
        "method_name": assessment.method.label,
        "method_name_en": in_english(assessment.method.label),
        "formula": assessment.formula,
        "actual": _round(assessment.actual),
        "ratio": _round(assessment.ratio, 4),
        "inputs": {name: _number(number) for name, number in assessment.inputs.items()},
        "small_numbers": assessment.small_numbers,
        "note": assessment.note,
    }


def progress_record(value, evaluations: list[tuple], plan=None) -> dict:
    """One unit-year with each target's status, inputs, formula, method and projection."""
    targets = []
    for target, assessment, projection in evaluations:
        targets.append(
            {
                "target_id": target.pk,
                "indicator": target.indicator.code,
                "indicator_name": target.indicator.name,
                "indicator_name_en": target.indicator.name_en,
                "kind": target.kind,
                **assessment_record(assessment),
                "projection": [
                    {"year": year, "value": _round(projected)} for year, projected in sorted(projection.items())
                ],
                "source": target.source,
                "needs_verification": target.needs_verification,
            }
        )
    return {
        **unit_columns(value.unit),
        "year": value.year,
        "computed_at": value.computed_at.isoformat(),
        "plan": plan.code if plan else None,
        "plan_needs_verification": bool(plan and plan.needs_verification),
        "targets": targets,
    }


# --- plan/{id}/closing/ ----------------------------------------------------------------------------


class ClosingYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="Năm (số liệu cuối năm) / year (year-end figures)")
    value = serializers.IntegerField(allow_null=True, help_text="Số hộ / households")
    provisional = serializers.BooleanField(help_text="Còn phiếu chưa phê duyệt / some reviews not approved")
    applies = serializers.BooleanField(help_text="Chỉ tiêu áp dụng năm này / the target applied this year")
    status = serializers.CharField(allow_null=True, help_text="Trạng thái như progress/ / status as in progress/")
    status_label = serializers.CharField(allow_null=True, help_text="Nhãn trạng thái / status label (Vietnamese)")
    status_label_en = serializers.CharField(allow_null=True, help_text="Status label (English)")
    method = serializers.CharField(allow_null=True, help_text="Phương pháp / method")
    method_name = serializers.CharField(allow_null=True, help_text="Tên phương pháp / method name (Vietnamese)")
    method_name_en = serializers.CharField(allow_null=True, help_text="Method name (English)")
    formula = serializers.CharField(allow_null=True, help_text="Công thức / formula (Vietnamese)")
    formula_en = serializers.CharField(allow_null=True, help_text="Formula (English)")
    actual = serializers.FloatField(allow_null=True, help_text="Giá trị thực tế / actual value")
    ratio = serializers.FloatField(allow_null=True, help_text="Tỷ số / ratio")
    inputs = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text="Đầu vào / inputs")
    note = serializers.CharField(allow_blank=True, allow_null=True, help_text="Ghi chú / note (Vietnamese)")
    note_en = serializers.CharField(allow_blank=True, allow_null=True, help_text="Note (English)")


class VerdictSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="met, not_met, incomplete")
    status_label = serializers.CharField(help_text="Kết luận / verdict (Vietnamese)")
    status_label_en = serializers.CharField(help_text="Verdict (English)")
    method = serializers.CharField(help_text="every_year, at_deadline")
    method_name = serializers.CharField(help_text="Cách kết luận / how concluded (Vietnamese)")
    method_name_en = serializers.CharField(help_text="How concluded (English)")
    rule = serializers.CharField(help_text="Quy tắc kết luận / the rule (Vietnamese)")
    rule_en = serializers.CharField(help_text="The rule (English)")
    years_met = serializers.ListField(child=serializers.IntegerField(), help_text="Năm đạt / years met")
    years_not_met = serializers.ListField(child=serializers.IntegerField(), help_text="Năm không đạt / years not met")
    years_missing = serializers.ListField(
        child=serializers.IntegerField(), help_text="Năm thiếu số liệu / years without data"
    )
    reached_in = serializers.IntegerField(allow_null=True, help_text="Năm đầu tiên đạt mục tiêu / first year reached")
    note = serializers.CharField(allow_blank=True, help_text="Ghi chú / note (Vietnamese)")
    note_en = serializers.CharField(allow_blank=True, help_text="Note (English)")


class ClosingTargetSerializer(serializers.Serializer):
    target_id = serializers.IntegerField(help_text="Chỉ tiêu năm cuối áp dụng (targets/) / the target of its last year")
    indicator = serializers.CharField(help_text="Mã chỉ tiêu theo dõi / indicator code")
    indicator_name = serializers.CharField(help_text="Tên chỉ tiêu / indicator name (Vietnamese)")
    indicator_name_en = serializers.CharField(help_text="Indicator name (English)")
    kind = serializers.CharField(help_text="Cách đánh giá / how judged")
    target = serializers.CharField(help_text="Mục tiêu bằng lời / the target in words (Vietnamese)")
    target_en = serializers.CharField(help_text="The target in words (English)")
    source = serializers.CharField(allow_blank=True, help_text="Căn cứ / legal source")
    needs_verification = serializers.BooleanField(help_text="Cần kiểm chứng / to be verified")
    baseline_year = serializers.IntegerField(help_text="Năm gốc / baseline year")
    baseline = serializers.IntegerField(allow_null=True, help_text="Số năm gốc / baseline value")
    years = ClosingYearSerializer(many=True, help_text="Từng năm / each year")
    verdict = VerdictSerializer(help_text="Kết luận / verdict")


class ClosingReportSerializer(serializers.Serializer):
    plan = serializers.CharField(help_text="Số hiệu kế hoạch / plan code")
    plan_title = serializers.CharField(help_text="Tên kế hoạch / plan title")
    plan_needs_verification = serializers.BooleanField(help_text="Kế hoạch dự kiến / the plan is a draft")
    unit = serializers.CharField(help_text="Mã GSO đơn vị / unit GSO code")
    unit_name = serializers.CharField(help_text="Tên đơn vị / unit name")
    first_year = serializers.IntegerField(help_text="Năm gốc / baseline year")
    last_year = serializers.IntegerField(help_text="Năm tổng kết / closing year")
    provisional = serializers.BooleanField(help_text="Có số liệu tạm thời / some figures provisional")
    missing_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="Năm chưa có số liệu / years without data"
    )
    targets = ClosingTargetSerializer(many=True, help_text="Từng chỉ tiêu / each target")


def closing_record(report) -> dict:
    """reports.closing.ClosingReport as JSON, Vietnamese with English beside it."""
    targets = []
    for item in report.targets:
        years = []
        for year in item.years:
            a = year.assessment
            record = {
                "year": year.year,
                "value": year.value,
                "provisional": year.provisional,
                "applies": a is not None,
                **dict.fromkeys(
                    [
                        "status",
                        "status_label",
                        "status_label_en",
                        "method",
                        "method_name",
                        "method_name_en",
                        "formula",
                        "formula_en",
                        "actual",
                        "ratio",
                        "note",
                        "note_en",
                    ]
                ),
                "inputs": {},
            }
            if a is not None:
                judged = assessment_record(a)
                judged.pop("target")
                judged.pop("small_numbers")
                record.update(judged, formula_en=in_english(a.formula), note_en=in_english(a.note))
            years.append(record)
        verdict = item.verdict
        targets.append(
            {
                "target_id": item.target.pk,
                "indicator": item.target.indicator.code,
                "indicator_name": item.target.indicator.name,
                "indicator_name_en": item.target.indicator.name_en,
                "kind": item.target.kind,
                "target": item.description,
                "target_en": in_english(item.description),
                "source": item.target.source,
                "needs_verification": item.target.needs_verification,
                "baseline_year": item.baseline_year,
                "baseline": item.baseline,
                "years": years,
                "verdict": {
                    "status": verdict.status.value,
                    "status_label": verdict.status.label,
                    "status_label_en": in_english(verdict.status.label),
                    "method": verdict.method.value,
                    "method_name": verdict.method.label,
                    "method_name_en": in_english(verdict.method.label),
                    "rule": verdict.method.rule,
                    "rule_en": in_english(verdict.method.rule),
                    "years_met": list(verdict.years_met),
                    "years_not_met": list(verdict.years_not_met),
                    "years_missing": list(verdict.years_missing),
                    "reached_in": verdict.reached_in,
                    "note": verdict.note,
                    "note_en": in_english(verdict.note),
                },
            }
        )
    return {
        "plan": report.plan.code,
        "plan_title": report.plan.title,
        "plan_needs_verification": report.plan.needs_verification,
        "unit": report.unit.code,
        "unit_name": report.unit.name,
        "first_year": report.first_year,
        "last_year": report.last_year,
        "provisional": report.provisional,
        "missing_years": report.missing_years,
        "targets": targets,
    }
