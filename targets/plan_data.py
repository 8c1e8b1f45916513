"""Plan 51-KH/TU with its objective groups, task groups, indicators and targets, as plain data.

Source: docs/plan.md. Plan 51-KH/TU of the Standing Board of the Hanoi Party Committee
(10 Nov 2021) carries out Directive 05-CT/TW (23 Jun 2021) in Hanoi for 2021–2030, with the
end-2021 re-review under the 2022–2025 standard as its baseline (QĐ 678/QĐ-UBND). The deadline
target (basically no poor household by the end of 2025) comes from Programme 08-CTr/TU and the
city plan QĐ 1362/QĐ-UBND.

Used by the data migration targets/0002_plan_51 (update_or_create, so running it again changes
nothing); afterwards these are rows an administrator edits. Indicator codes are the names of the
IndicatorValue snapshot fields the indicators are read from. The objective and task groups are
faithful Vietnamese renderings of an English summary (docs/plan.md), not the plan's verbatim text.
"""

import datetime
from decimal import Decimal

PLAN = {
    "code": "51-KH/TU",
    "title": (
        "Kế hoạch thực hiện Chỉ thị số 05-CT/TW của Ban Bí thư về tăng cường sự lãnh đạo của Đảng "
        "đối với công tác giảm nghèo bền vững đến năm 2030"
    ),
    "issued_by": "Ban Thường vụ Thành ủy Hà Nội",
    "issued_on": datetime.date(2021, 11, 10),
    "implements": "Chỉ thị số 05-CT/TW",
    "first_year": 2021,
    "last_year": 2030,
    "baseline_year": 2021,
}

OBJECTIVE_GROUPS = [
    (
        "Thực hiện các chính sách hỗ trợ hộ nghèo có hoàn cảnh đặc biệt khó khăn, không có người có khả năng "
        "lao động; nâng cao chất lượng đào tạo nghề cho lao động nông thôn, hỗ trợ sinh kế, có chính sách "
        "khuyến khích các hộ nghèo có mong muốn thoát nghèo."
    ),
    "Xây dựng hệ thống giải pháp giảm nghèo đồng bộ, huy động mọi nguồn lực cho công tác giảm nghèo.",
    (
        "Hỗ trợ hộ nghèo vươn lên đạt mức sống khá; giảm nghèo nhanh ở khu vực nông thôn, các xã có đồng bào "
        "dân tộc thiểu số và miền núi; tập trung hỗ trợ hộ nghèo có đối tượng bảo trợ xã hội, hộ nghèo không "
        "có thành viên có khả năng lao động, hộ nghèo có thành viên đang điều trị bệnh hiểm nghèo dài ngày, "
        "trẻ em, người cao tuổi và người khuyết tật thuộc hộ nghèo."
    ),
]

TASK_GROUPS = [
    "Tăng cường công tác lãnh đạo, chỉ đạo, điều hành.",
    (
        "Đẩy mạnh công tác tuyên truyền, giáo dục, nâng cao nhận thức và trách nhiệm của cán bộ, đảng viên, "
        "nhất là người đứng đầu các cơ quan, đơn vị."
    ),
    "Hoàn thiện cơ chế, chính sách gắn với thực hiện các mục tiêu phát triển bền vững.",
    "Huy động và sử dụng hiệu quả các nguồn lực đầu tư cho công tác giảm nghèo.",
    "Nâng cao hiệu lực, hiệu quả quản lý nhà nước về công tác giảm nghèo.",
]

# (code = IndicatorValue field, Vietnamese name, English name)
INDICATORS = [
    ("poor", "Hộ nghèo", "Poor households"),
    ("near_poor", "Hộ cận nghèo", "Near-poor households"),
    (
        "meritorious_poor",
        "Hộ nghèo thuộc gia đình người có công với cách mạng",
        "Poor households of people with meritorious service to the revolution",
    ),
    ("re_poor", "Hộ tái nghèo", "Re-poor households"),
    ("newly_poor", "Hộ nghèo phát sinh", "Newly poor households"),
]

PLAN_SOURCE = "Kế hoạch 51-KH/TU"
DEADLINE_SOURCE = "Chương trình 08-CTr/TU; QĐ 1362/QĐ-UBND"

# City-wide targets (no unit). The kinds are TargetKind values; a plain module cannot import models.
TARGETS = [
    {
        "indicator": "poor",
        "kind": "reduction_band",
        "first_year": 2022,
        "last_year": 2030,
        "lower_bound": Decimal(25),
        "upper_bound": Decimal(30),
        "source": PLAN_SOURCE,
    },
    {
        "indicator": "near_poor",
        "kind": "reduction_band",
        "first_year": 2022,
        "last_year": 2030,
        "lower_bound": Decimal(10),
        "upper_bound": Decimal(10),
        "source": PLAN_SOURCE,
    },
    {
        "indicator": "meritorious_poor",
        "kind": "must_be_zero",
        "first_year": 2022,
        "last_year": 2030,
        "absolute_count": 0,
        "source": PLAN_SOURCE,
    },
    {
        "indicator": "re_poor",
        "kind": "fewer_than_last_year",
        "first_year": 2022,
        "last_year": 2030,
        "source": PLAN_SOURCE,
    },
    {
        "indicator": "newly_poor",
        "kind": "fewer_than_last_year",
        "first_year": 2022,
        "last_year": 2030,
        "source": PLAN_SOURCE,
    },
    {
        "indicator": "poor",
        "kind": "count_by_deadline",
        "first_year": 2022,
        "last_year": 2025,
        "absolute_count": 0,
        "deadline_year": 2025,
        "source": DEADLINE_SOURCE,
    },
]


def install_plan(Plan, ObjectiveGroup, TaskGroup, Indicator, Target) -> None:
    """Create or update the plan from the data above; takes the model classes so that the
    migration can pass its historical models and tests the real ones."""
    plan_fields = {key: value for key, value in PLAN.items() if key != "code"}
    plan, _ = Plan.objects.update_or_create(code=PLAN["code"], defaults=plan_fields)
    for number, text in enumerate(OBJECTIVE_GROUPS, start=1):
        ObjectiveGroup.objects.update_or_create(plan=plan, number=number, defaults={"text": text})
    for number, text in enumerate(TASK_GROUPS, start=1):
        TaskGroup.objects.update_or_create(plan=plan, number=number, defaults={"text": text})
    indicators = {}
    for code, name, name_en in INDICATORS:
        indicators[code], _ = Indicator.objects.update_or_create(
            plan=plan, code=code, defaults={"name": name, "name_en": name_en}
        )
    _install_targets(indicators, Target, TARGETS)


# --- added by targets/0004: Plan 51 closes with the end-2025 figures; the city plan's two targets ---

#: The 2022–2025 standard (Decree 07/2021/NĐ-CP) and the city plan QĐ 1362/QĐ-UBND end with the
#: end-2025 review; the end-2026 review is the baseline of the 2027–2030 standard (Decree
#: 351/2025/NĐ-CP), judged by the plan for 2026–2030 below. Plan 51-KH/TU itself runs to 2030.
PLAN_51_CLOSING_YEAR = 2025

CITY_PLAN_SOURCE = "QĐ 1362/QĐ-UBND (kế hoạch giảm nghèo của UBND thành phố giai đoạn 2022–2025)"

CITY_PLAN_INDICATORS = [
    (
        "meritorious_near_poor",
        "Hộ cận nghèo thuộc gia đình người có công với cách mạng",
        "Near-poor households of people with meritorious service to the revolution",
    ),
]

# The wording of both targets is from a summary (docs/plan.md), not the decision's text: to be
# checked against QĐ 1362/QĐ-UBND, and "cơ bản không còn" read as zero by the end of the plan.
CITY_PLAN_TARGETS = [
    {
        "indicator": "re_poor",
        "kind": "must_be_zero",
        "first_year": 2022,
        "last_year": 2025,
        "absolute_count": 0,
        "source": CITY_PLAN_SOURCE + ": không để hộ tái nghèo",
        "needs_verification": True,
    },
    {
        "indicator": "meritorious_near_poor",
        "kind": "count_by_deadline",
        "first_year": 2022,
        "last_year": 2025,
        "absolute_count": 0,
        "deadline_year": 2025,
        "source": CITY_PLAN_SOURCE + ": cơ bản không còn hộ cận nghèo thuộc gia đình người có công",
        "needs_verification": True,
    },
]


def _install_targets(indicators: dict, Target, targets: list[dict]) -> None:
    for data in targets:
        fields = {key: value for key, value in data.items() if key not in ("indicator", "kind", "first_year")}
        Target.objects.update_or_create(
            indicator=indicators[data["indicator"]],
            kind=data["kind"],
            unit=None,
            first_year=data["first_year"],
            defaults=fields,
        )


def install_city_plan_targets(Plan, Indicator, Target) -> None:
    """Close Plan 51 with the end-2025 figures and add the city plan's two targets (idempotent)."""
    plan = Plan.objects.get(code=PLAN["code"])
    Plan.objects.filter(pk=plan.pk).update(closing_year=PLAN_51_CLOSING_YEAR)
    indicators = {indicator.code: indicator for indicator in Indicator.objects.filter(plan=plan)}
    for code, name, name_en in CITY_PLAN_INDICATORS:
        indicators[code], _ = Indicator.objects.update_or_create(
            plan=plan, code=code, defaults={"name": name, "name_en": name_en}
        )
    _install_targets(indicators, Target, CITY_PLAN_TARGETS)


# --- added by targets/0005: a DRAFT plan for 2026–2030, to be verified -------------------------

#: Not a published document: the city had not published its 2026–2030 plan when this was
#: written. Its targets are Plan 51-KH/TU's own (which run to 2030) carried over, every one marked
#: to be verified; an administrator replaces them when the city publishes its plan.
DRAFT_PLAN = {
    "code": "KH-2026-2030-DU-KIEN",
    "title": "Kế hoạch giảm nghèo bền vững 2026–2030 (dự kiến, cần kiểm chứng)",
    "issued_by": "Chưa ban hành (dự kiến)",
    "issued_on": None,
    "implements": "Chỉ thị số 05-CT/TW",
    "first_year": 2026,
    "last_year": 2030,
    "baseline_year": 2026,
    "closing_year": None,
    "needs_verification": True,
    "note": (
        "Bản dự kiến để theo dõi giai đoạn 2026–2030, chưa phải văn bản được ban hành. Năm gốc là kết quả rà soát "
        "cuối năm 2026 theo chuẩn nghèo giai đoạn 2027–2030 (Nghị định 351/2025/NĐ-CP). Các chỉ tiêu lấy theo "
        "Kế hoạch 51-KH/TU (đến năm 2030) và phải được thay bằng chỉ tiêu thành phố công bố."
    ),
}

DRAFT_SOURCE = "Dự kiến theo Kế hoạch 51-KH/TU (chỉ tiêu đến 2030); cần kiểm chứng khi thành phố ban hành kế hoạch"

DRAFT_TARGETS = [
    {**data, "first_year": 2027, "last_year": 2030, "source": DRAFT_SOURCE, "needs_verification": True}
    for data in TARGETS
    if data["kind"] != "count_by_deadline"  # zero poor households by end 2025 has no 2030 counterpart
]


def install_draft_plan(Plan, Indicator, Target) -> None:
    """Create or update the draft 2026–2030 plan (idempotent)."""
    fields = {key: value for key, value in DRAFT_PLAN.items() if key != "code"}
    plan, _ = Plan.objects.update_or_create(code=DRAFT_PLAN["code"], defaults=fields)
    indicators = {}
    for code, name, name_en in INDICATORS:
        indicators[code], _ = Indicator.objects.update_or_create(
            plan=plan, code=code, defaults={"name": name, "name_en": name_en}
        )
    _install_targets(indicators, Target, DRAFT_TARGETS)
