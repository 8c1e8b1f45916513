"""What each column of indicators/ means: the indicator catalogue (indicators/catalogue/) and the
Table Schema of the data packages (reports.datapackage) are both read from here, so a data team's
definitions, units of measure and types can never disagree with the columns they describe.

Names of the indicators a plan tracks are those of targets.plan_data (the rows plan/ serves), so
the catalogue and plan/ agree; tests/api/test_catalogue.py holds them to it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from reports.queries import INDICATOR_FIELDS
from targets import plan_data

DECREE_07 = "Nghị định 07/2021/NĐ-CP (chuẩn nghèo đa chiều 2022–2025)"
DECREE_351 = "Nghị định 351/2025/NĐ-CP (chuẩn nghèo từ kỳ rà soát cuối năm 2026)"
CIRCULAR_07 = "Thông tư 07/2021/TT-BLĐTBXH (phương pháp rà soát, phân loại hộ nghèo, hộ cận nghèo)"
PLAN_51 = "Kế hoạch 51-KH/TU của Ban Thường vụ Thành ủy Hà Nội (10/11/2021)"
CITY_PLAN = "QĐ 1362/QĐ-UBND"
PORTAL = "Cổng theo dõi (tính từ kết quả rà soát được phê duyệt) / the portal, from approved reviews"
STANDARDS = f"{DECREE_07}; {DECREE_351}"
UNITS_SOURCE = "Quyết định 124/2004/QĐ-TTg (danh mục đơn vị hành chính) / GSO administrative unit codes"

HOUSEHOLDS, PERCENT, COMMUNES = "households", "%", "communes"
BASELINE_YEAR = 2021  # the end-2021 re-review under Decree 07/2021, Plan 51's baseline
FIRST_MOVEMENT_YEAR = 2022  # movements and reduction rates need a previous year of the same standard


@dataclass(frozen=True)
class Entry:
    """One column: `type` is its Table Schema type; numerator and denominator name columns (or
    describe counts) for a rate, else are empty."""

    name: str
    type: str
    title: str
    title_en: str
    definition: str
    definition_en: str
    unit_of_measure: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    source: str = PORTAL
    first_year: int | None = BASELINE_YEAR
    in_indicators: bool = True  # a column of indicators/ (else tracked by a plan, read in progress/)


def _plan_names() -> dict[str, tuple[str, str]]:
    rows = [*plan_data.INDICATORS, *plan_data.CITY_PLAN_INDICATORS]
    return {code: (name, name_en) for code, name, name_en in rows}


PLAN_NAMES = _plan_names()


def _count(name: str, definition: str, definition_en: str, **fields) -> Entry:
    title, title_en = PLAN_NAMES[name]
    return Entry(name, "integer", title, title_en, definition, definition_en, HOUSEHOLDS, **fields)


ENTRIES: list[Entry] = [
    Entry(
        "unit",
        "string",
        "Mã đơn vị",
        "Unit code",
        "Mã GSO của đơn vị hành chính (01 = thành phố; 3 chữ số: quận, huyện, thị xã; 5 chữ số: xã, phường, thị "
        "trấn), là đơn vị có hiệu lực trong năm của dòng. Là chuỗi: giữ các số 0 ở đầu (01, 001, 00001 là ba đơn "
        "vị khác nhau).",
        "GSO code of the administrative unit (01 = the city; 3 digits: district level; 5 digits: commune level), "
        "the unit in force in the row's year. A string: the leading zeros matter (01, 001 and 00001 are three "
        "different units).",
        source=UNITS_SOURCE,
        first_year=None,
    ),
    Entry(
        "unit_name",
        "string",
        "Tên đơn vị",
        "Unit name",
        "Tên của đơn vị hành chính có mã ở cột unit (Thành phố Hà Nội, Huyện Ba Vì, Xã Cổ Đô…).",
        "Name of the administrative unit whose code is in the unit column (Thành phố Hà Nội, Huyện Ba Vì, Xã Cổ Đô…).",
        source=UNITS_SOURCE,
        first_year=None,
    ),
    Entry(
        "unit_level",
        "string",
        "Cấp đơn vị",
        "Unit level",
        "Cấp của đơn vị: city (thành phố), district (quận, huyện, thị xã, đến 30/6/2025), commune (xã, phường, "
        "thị trấn).",
        "Level of the unit: city, district (district level, until 30 June 2025) or commune (commune level).",
        source=UNITS_SOURCE,
        first_year=None,
    ),
    Entry(
        "unit_structure",
        "integer",
        "Cơ cấu hành chính",
        "Administrative structure",
        "Cơ cấu hành chính của đơn vị: 2008 (30 quận, huyện, thị xã và 526 xã, phường, thị trấn, đến 30/6/2025) "
        "hoặc 2025 (126 xã, phường, từ 1/7/2025). Mã GSO được dùng lại sau sắp xếp: cùng một mã ở hai cơ cấu là "
        "hai đơn vị khác nhau. Thành phố (01) là 2008 ở mọi năm.",
        "Administrative structure of the unit: 2008 (30 districts and 526 communes, until 30 June 2025) or 2025 "
        "(126 communes, from 1 July 2025). GSO codes were reused by the reform: one code in the two structures "
        "names two different units. The city (01) is 2008 in every year.",
        source=f"{UNITS_SOURCE}; Nghị quyết 1656/NQ-UBTVQH15; QĐ 19/2025/QĐ-TTg (mã đơn vị từ 1/7/2025)",
        first_year=None,
    ),
    Entry(
        "year",
        "integer",
        "Năm",
        "Year",
        "Năm rà soát; số liệu là số cuối năm.",
        "Review year; the figures are year-end figures.",
        first_year=None,
    ),
    Entry(
        "total_households",
        "integer",
        "Tổng số hộ dân cư",
        "Total resident households",
        "Tổng số hộ dân cư của đơn vị trong năm, mẫu số của các tỷ lệ.",
        "Resident households of the unit in the year, the denominator of the rates.",
        HOUSEHOLDS,
        source="Số hộ dân cư do đơn vị báo cáo (import_unit_totals) / resident households reported per unit",
    ),
    _count(
        "poor",
        "Số hộ nghèo cuối năm theo chuẩn nghèo đa chiều đang áp dụng, từ các kết quả rà soát được phê duyệt; "
        "null khi chưa có kết quả nào được phê duyệt (không phải 0).",
        "Poor households at the end of the year under the multidimensional standard in force, from approved "
        "reviews; null where no review is approved (no data is not zero).",
        source=f"{STANDARDS}; {CIRCULAR_07}",
    ),
    _count(
        "near_poor",
        "Số hộ cận nghèo cuối năm theo chuẩn nghèo đa chiều đang áp dụng.",
        "Near-poor households at the end of the year under the multidimensional standard in force.",
        source=f"{STANDARDS}; {CIRCULAR_07}",
    ),
    Entry(
        "poverty_rate",
        "number",
        "Tỷ lệ hộ nghèo",
        "Poverty rate",
        "Số hộ nghèo ÷ tổng số hộ dân cư × 100, làm tròn 2 chữ số thập phân.",
        "Poor households ÷ total resident households × 100, rounded to 2 decimals.",
        PERCENT,
        numerator="poor",
        denominator="total_households",
        source=f"{CIRCULAR_07}; {PLAN_51}",
    ),
    Entry(
        "near_poverty_rate",
        "number",
        "Tỷ lệ hộ cận nghèo",
        "Near-poverty rate",
        "Số hộ cận nghèo ÷ tổng số hộ dân cư × 100, làm tròn 2 chữ số thập phân.",
        "Near-poor households ÷ total resident households × 100, rounded to 2 decimals.",
        PERCENT,
        numerator="near_poor",
        denominator="total_households",
        source=f"{CIRCULAR_07}; {PLAN_51}",
    ),
    Entry(
        "escaped",
        "integer",
        "Hộ thoát nghèo",
        "Households that escaped poverty",
        "Hộ nghèo đầu năm không còn nghèo ở kết quả rà soát cuối năm; null ở năm đầu của một chuẩn nghèo.",
        "Households poor at the start of the year and no longer poor at its review; null in a standard's first year.",
        HOUSEHOLDS,
        source=CIRCULAR_07,
        first_year=FIRST_MOVEMENT_YEAR,
    ),
    _count(
        "newly_poor",
        "Hộ không nghèo (và chưa từng nghèo) đầu năm trở thành hộ nghèo trong năm; null ở năm đầu của một chuẩn.",
        "Households not poor (and never poor before) at the start of the year that became poor; null in a "
        "standard's first year.",
        source=f"{CIRCULAR_07}; {PLAN_51}",
        first_year=FIRST_MOVEMENT_YEAR,
    ),
    _count(
        "re_poor",
        "Hộ đã thoát nghèo trước đây trở lại nghèo trong năm; null ở năm đầu của một chuẩn.",
        "Households that had escaped poverty before and became poor again in the year; null in a standard's "
        "first year.",
        source=f"{CIRCULAR_07}; {PLAN_51}; {CITY_PLAN}",
        first_year=FIRST_MOVEMENT_YEAR,
    ),
    _count(
        "meritorious_poor",
        "Hộ nghèo có thành viên là người có công với cách mạng (Kế hoạch 51: không còn hộ nghèo thuộc diện này).",
        "Poor households with a member who is a person of meritorious service to the revolution (Plan 51: none "
        "may remain).",
        source=PLAN_51,
    ),
    Entry(
        "poor_reduction_rate",
        "number",
        "Tỷ lệ giảm hộ nghèo",
        "Poor household reduction rate",
        "(Hộ nghèo đầu năm − hộ nghèo cuối năm) ÷ hộ nghèo đầu năm × 100; null khi số đầu năm bằng 0 hoặc không "
        "có, hoặc ở năm đầu của một chuẩn nghèo. Kế hoạch 51: giảm 25–30 %/năm.",
        "(Poor households at the start of the year − at its end) ÷ at its start × 100; null where the start "
        "count is 0 or unknown, or in a standard's first year. Plan 51: 25–30 % a year.",
        PERCENT,
        numerator="hộ nghèo đầu năm − poor / poor households at the start of the year − poor",
        denominator="hộ nghèo đầu năm / poor households at the start of the year",
        source=PLAN_51,
        first_year=FIRST_MOVEMENT_YEAR,
    ),
    Entry(
        "near_poor_reduction_rate",
        "number",
        "Tỷ lệ giảm hộ cận nghèo",
        "Near-poor household reduction rate",
        "(Hộ cận nghèo đầu năm − cuối năm) ÷ hộ cận nghèo đầu năm × 100; null như tỷ lệ giảm hộ nghèo. "
        "Kế hoạch 51: giảm 10 %/năm.",
        "(Near-poor households at the start of the year − at its end) ÷ at its start × 100; null as the poor "
        "reduction rate. Plan 51: 10 % a year.",
        PERCENT,
        numerator="hộ cận nghèo đầu năm − near_poor / near-poor households at the start of the year − near_poor",
        denominator="hộ cận nghèo đầu năm / near-poor households at the start of the year",
        source=PLAN_51,
        first_year=FIRST_MOVEMENT_YEAR,
    ),
    Entry(
        "reclassified",
        "integer",
        "Hộ phân loại lại do đổi chuẩn nghèo",
        "Households reclassified by a change of standard",
        "Hộ đổi phân loại giữa hai lần rà soát theo hai chuẩn nghèo khác nhau (không tính là thoát nghèo hay "
        "phát sinh).",
        "Households whose class changed between two reviews under two different standards (counted neither as "
        "escaped nor as new cases).",
        HOUSEHOLDS,
        source=STANDARDS,
    ),
    Entry(
        "reviewed_households",
        "integer",
        "Hộ có kết quả rà soát được phê duyệt",
        "Households with an approved review",
        "Số hộ có kết quả rà soát của năm được phê duyệt; 0 nghĩa là chưa có số liệu (các số đếm là null).",
        "Households whose review of the year is approved; 0 means no data (the counts are null).",
        HOUSEHOLDS,
    ),
    Entry(
        "communes_reviewed",
        "integer",
        "Xã, phường có kết quả được phê duyệt",
        "Communes with an approved review",
        "Số xã, phường của đơn vị có kết quả rà soát của năm được phê duyệt.",
        "Communes of the unit whose review of the year is approved.",
        COMMUNES,
    ),
    Entry(
        "communes_total",
        "integer",
        "Số xã, phường có hiệu lực",
        "Communes in force",
        "Số xã, phường của đơn vị có hiệu lực trong năm.",
        "Communes of the unit in force in the year.",
        COMMUNES,
    ),
    Entry(
        "computed_at",
        "datetime",
        "Thời điểm tính",
        "Computed at",
        "Thời điểm lượt tính (snapshot) tạo ra dòng này, ISO 8601 có múi giờ.",
        "When the snapshot run computed the row, ISO 8601 with a time zone.",
        first_year=None,
    ),
    _count(
        "meritorious_near_poor",
        "Hộ cận nghèo có thành viên là người có công với cách mạng. Không là cột của indicators/; đánh giá trong "
        "progress/ (QĐ 1362/QĐ-UBND: cơ bản không còn vào cuối năm 2025).",
        "Near-poor households with a member who is a person of meritorious service. Not a column of indicators/; "
        "judged in progress/ (QĐ 1362/QĐ-UBND: basically none by the end of 2025).",
        source=CITY_PLAN,
        in_indicators=False,
    ),
]

BY_NAME = {entry.name: entry for entry in ENTRIES}
assert [entry.name for entry in ENTRIES if entry.in_indicators] == INDICATOR_FIELDS


def catalogue_records(tracked_by: dict[str, list[dict]]) -> list[dict]:
    """Every entry as the API shows it, with the plans tracking it (`tracked_by`: indicator code →
    [{"plan", "name", "name_en"}], read from plan/'s rows)."""
    return [{**asdict(entry), "plans": tracked_by.get(entry.name, [])} for entry in ENTRIES]
