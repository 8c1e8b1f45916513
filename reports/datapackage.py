"""Frictionless Data Packages for the CSV of indicators/ and progress/ (datapackage.json).

Read as text, the unit codes "01", "001" and "00001" are three units; read by a tool that guesses
types they all become the integer 1. A package states each column's type, unit of measure and
meaning (Vietnamese / English) and the table's primary key, so pandas, R or frictionless read the
CSV as published. The columns here are the CSV's columns, in their order: the CSV renderer writes
exactly these (reports.api), whatever the query.

Column meanings come from reports.catalogue (indicators/) and from the progress serializers'
help texts, so they are written once.
"""

from __future__ import annotations

from django.conf import settings

from households.models import Structure, UnitLevel
from reports.catalogue import BY_NAME, PORTAL
from reports.queries import INDICATOR_FIELDS
from reports.serializers import ProgressSerializer, TargetProgressSerializer

UNIT_PATTERN = r"\d{2,5}"
# Every table names its unit by code, name, level and structure, in this order (reports.queries).
UNIT_COLUMNS = ["unit", "unit_name", "unit_level", "unit_structure"]

# progress/?format=csv: the row's unit-year, then one target's judgement with its inputs spread
# over inputs.<name> columns, then its projections (projection_<year>).
PROGRESS_HEAD = [*UNIT_COLUMNS, "year", "computed_at", "plan"]
PROGRESS_BODY = [
    "target_id",
    "indicator",
    "indicator_name",
    "indicator_name_en",
    "kind",
    "target",
    "status",
    "status_label",
    "status_label_en",
    "method",
    "method_name",
    "method_name_en",
    "formula",
    "actual",
    "ratio",
    "inputs",
    "small_numbers",
    "note",
    "source",
    "needs_verification",
]
# Every input a judgement can carry (targets.progress: assess_reduction, assess_count_by_deadline,
# assess_must_be_zero, assess_fewer_than_last_year); tests/api/test_datapackage.py checks the list.
PROGRESS_INPUTS = {
    "previous": ("Số năm trước", "the previous year's count"),
    "current": ("Số năm nay", "this year's count"),
    "lower_bound": ("Cận dưới của khoảng chỉ tiêu (%/năm)", "lower bound of the target band (% a year)"),
    "upper_bound": ("Cận trên của khoảng chỉ tiêu (%/năm)", "upper bound of the target band (% a year)"),
    "reduction_rate": ("Tỷ lệ giảm so với năm trước (%)", "reduction on the previous year (%)"),
    "ratio": ("Tỷ số thực tế ÷ cần đạt", "actual ÷ needed"),
    "baseline": ("Số năm gốc", "the baseline count"),
    "baseline_year": ("Năm gốc", "baseline year"),
    "year": ("Năm đánh giá", "year judged"),
    "deadline_year": ("Thời hạn (cuối năm)", "deadline (year end)"),
    "target_count": ("Số cần đạt đến hạn", "count to reach by the deadline"),
    "years_elapsed": ("Số năm đã qua từ năm gốc", "years since the baseline"),
    "years_left": ("Số năm còn lại đến hạn", "years left to the deadline"),
    "achieved_pace": ("Tốc độ đạt được (hộ/năm)", "pace achieved (households a year)"),
    "needed_pace": ("Tốc độ cần đạt (hộ/năm)", "pace needed (households a year)"),
}
# Units of measure of the inputs (every indicator a plan tracks is a count of households).
INPUT_UNITS = {
    "previous": "households",
    "current": "households",
    "baseline": "households",
    "target_count": "households",
    "lower_bound": "%",
    "upper_bound": "%",
    "reduction_rate": "%",
    "achieved_pace": "households/year",
    "needed_pace": "households/year",
    "years_elapsed": "years",
    "years_left": "years",
}
FIELD_TYPES = {
    "unit_structure": "integer",
    "year": "integer",
    "computed_at": "datetime",
    "target_id": "integer",
    "actual": "number",
    "ratio": "number",
    "small_numbers": "boolean",
    "needs_verification": "boolean",
}


def progress_columns(projection_years: list[int]) -> list[str]:
    """The CSV header of progress/, the same for every query: `projection_years` are those of
    every plan (targets.queries.all_projection_years), not only the plans of the rows answered."""
    body = []
    for name in PROGRESS_BODY:
        body += [f"inputs.{key}" for key in PROGRESS_INPUTS] if name == "inputs" else [name]
    return PROGRESS_HEAD + body + [f"projection_{year}" for year in projection_years]


def indicator_columns(*, open_data: bool) -> list[str]:
    """The CSV header of indicators/: the contract's fields, and `suppressed` in open-data answers."""
    return INDICATOR_FIELDS + (["suppressed"] if open_data else [])


def indicators_schema(*, open_data: bool) -> dict:
    fields = []
    for name in indicator_columns(open_data=open_data):
        if name == "suppressed":
            fields.append(
                _field(
                    name,
                    "array",
                    "Trường bị ẩn (số nhỏ, dữ liệu mở) / fields withheld (small counts, open data)",
                    "Danh sách JSON các trường bị ẩn (null) vì số đếm từ 1 đến dưới ngưỡng. / JSON list of the "
                    "fields withheld (null) because a count is between 1 and the threshold.",
                )
            )
            continue
        fields.append(_catalogued(name))
    return _schema(fields, primary_key=["unit", "year"])


PROJECTION_TEXT = (
    "Giá trị dự kiến nếu giữ tốc độ từ năm gốc (chỉ tiêu có thời hạn: số hộ/năm; các chỉ tiêu khác: tỷ lệ giảm "
    "bình quân); trống khi không có dự báo cho chỉ tiêu hoặc năm đã qua. / The value expected if the pace "
    "since the baseline continues (a deadline target: households a year; others: the average annual rate); "
    "empty where the target has no projection to that year or the year is past."
)


def progress_schema(projection_years: list[int]) -> dict:
    described = {**ProgressSerializer().fields, **TargetProgressSerializer().fields}
    fields = []
    for name in progress_columns(projection_years):
        if name.startswith("inputs."):
            key = name.removeprefix("inputs.")
            vi, en = PROGRESS_INPUTS[key]
            unit = INPUT_UNITS.get(key)
            fields.append(_field(name, "number", f"Đầu vào: {vi} / input: {en}", f"{vi} / {en}", unit=unit))
        elif name.startswith("projection_"):
            year = name.removeprefix("projection_")
            fields.append(
                _field(
                    name,
                    "number",
                    f"Dự báo cuối năm {year} / projection to the end of {year}",
                    PROJECTION_TEXT,
                )
            )
        elif name in UNIT_COLUMNS:
            fields.append(_catalogued(name))
        else:
            text = str(described[name].help_text)
            fields.append(_field(name, FIELD_TYPES.get(name, "string"), text, text))
    return _schema(fields, primary_key=["unit", "year", "target_id"])


UNIT_ENUMS = {
    "unit_level": [level.value for level in UnitLevel],
    "unit_structure": [structure.value for structure in Structure],
}


def _field(name: str, type_: str, title: str, description: str, *, unit: str | None = None) -> dict:
    field = {"name": name, "type": type_, "title": title, "description": description}
    if name == "unit":
        field["constraints"] = {"required": True, "pattern": UNIT_PATTERN}
    if name in ("year", "target_id", "unit_name"):
        field["constraints"] = {"required": True}
    if name in UNIT_ENUMS:
        field["constraints"] = {"required": True, "enum": UNIT_ENUMS[name]}
    if unit:
        field["unit"] = unit  # unit of measure: households, %, communes
    return field


def _catalogued(name: str) -> dict:
    """A column of indicators/ as the catalogue defines it."""
    entry = BY_NAME[name]
    return _field(name, entry.type, f"{entry.title} / {entry.title_en}", _described(name), unit=entry.unit_of_measure)


def _described(name: str) -> str:
    entry = BY_NAME[name]
    return f"{entry.definition} / {entry.definition_en}"


def _schema(fields: list[dict], *, primary_key: list[str]) -> dict:
    return {"fields": fields, "primaryKey": primary_key, "missingValues": [""]}


def long_schema(*, with_target: bool) -> dict:
    """?shape=long: one row per unit, year and indicator (progress/: and target)."""
    indicator_text = "Tên cột của indicators/ (xem indicators/catalogue/) / the indicators/ column (see the catalogue)"
    fields = [
        _field("unit", "string", "Mã đơn vị / unit code", _described("unit")),
        *[_catalogued(name) for name in UNIT_COLUMNS[1:]],
        _field("year", "integer", "Năm / year", _described("year")),
        _field("indicator", "string", "Chỉ tiêu / indicator", indicator_text),
        _field(
            "value",
            "number",
            "Giá trị / value",
            "Giá trị của chỉ tiêu trong năm, đơn vị đo như trong danh mục / the indicator's value that year, in "
            "its catalogue unit of measure",
        ),
        _field(
            "status",
            "string",
            "Trạng thái / status",
            "Trạng thái so với chỉ tiêu (progress/); trống ở indicators/ / status against the target (progress/); "
            "empty in indicators/",
        ),
    ]
    key = ["unit", "year", "indicator"]
    if with_target:
        fields.append(_field("target_id", "integer", "Mã chỉ tiêu (targets/) / target id", "targets/ id"))
        key = ["unit", "year", "target_id"]
    return _schema(fields, primary_key=key)


def package(name: str, title: str, description: str, resources: list[dict]) -> dict:
    """A data package of CSV resources (each holds name, path, title, schema)."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "sources": [{"title": PORTAL}],
        # The licence the OpenAPI schema states too (settings.API_LICENSE_*).
        "licenses": [
            {"name": settings.API_LICENSE_NAME, "path": settings.API_LICENSE_URL, "title": settings.API_LICENSE_TITLE}
        ],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",  # with a BOM for Excel; frictionless and pandas skip it
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                **resource,
            }
            for resource in resources
        ],
    }
