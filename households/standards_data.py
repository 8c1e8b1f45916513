"""The poverty standards the portal ships (docs/poverty-rules.md), as plain data.

Used by the data migrations that install and correct them (0002, 0007, 0008; `install` below);
afterwards they are rows an administrator edits. Items from secondary sources are shipped
with needs_verification and a note saying what: on the standard (its lines, ceilings, B1
cut-offs) and on each indicator (its cut-off). An indicator is (dimension, name, English name,
deprived when[, what is still to verify]); a fifth item marks it needs_verification.

Decree 351/2025/NĐ-CP (30 Dec 2025), the 2027–2030 national standard, as checked on 1 Dec 2026
with the stored-pages search (no copy of the decree's text was found; press summaries only):
- VietNamNet English (vietnamnet.vn/en/vn-s-poverty-reduction-strategy-embraces-sustainability-
  and-digital-inclusion-2484119.html), quoting the deputy head of the National Office for Poverty
  Reduction: "Decree No351/2025/ND-CP dated December 30, 2025"; in 2026 households are still
  identified under the 2022–2025 standard, the new one applies from 2027; poor = income at or
  below 2.2M VND (rural) / 2.8M (urban) per person per month AND lacking at least 3 indicators;
  the information-means indicator removed, digital services / internet use and household waste
  handling added.
- The draft as reported in Sep 2025 (vietnam.vn/en/som-ban-hanh-quy-dinh-moi-ve-chuan-ngheo-da-
  chieu-quoc-gia-giai-doan-2026-2030; news.laodong.vn): 6 dimensions; information = one indicator
  (telecommunication service use); "domestic water, sanitation and environment" = water source,
  hygienic latrine, waste treatment. The draft also had a lower tier (rural ≤ 1.9M, urban ≤ 2.5M
  poor whatever the deprivations) that the summary of the final decree does not mention.
"""

import datetime

EMPLOYMENT, HEALTH, EDUCATION = "employment", "health", "education"
HOUSING, WATER, INFORMATION = "housing", "water_sanitation", "information"
# Decree 351/2025: the water dimension takes in household waste (still 6 dimensions).
WATER_ENVIRONMENT = "water_sanitation_env"

# Decree 07/2021's cut-offs as summarised in docs/poverty-rules.md (its Art. 3 and Circular 07/2021 hold the text).
DECREE_07_CUTOFF = (
    "Diễn đạt theo bản tóm tắt (docs/poverty-rules.md); đối chiếu ngưỡng chính xác với Điều 3 Nghị định 07/2021/NĐ-CP."
)
# Decree 351/2025 keeps these indicators by name (draft and press); their cut-offs are assumed unchanged.
INHERITED_CUTOFF = (
    "Giả định giữ nguyên ngưỡng của Nghị định 07/2021/NĐ-CP (dự thảo và báo chí giữ tên chỉ số); "
    "chưa đối chiếu được văn bản Nghị định 351/2025/NĐ-CP."
)

_DECREE_07 = [
    (
        EMPLOYMENT,
        "Việc làm",
        "Employment",
        "Có người trong độ tuổi lao động, có nhu cầu làm việc nhưng không có việc làm hoặc làm công hưởng lương không có hợp đồng lao động.",
    ),
    (
        EMPLOYMENT,
        "Người phụ thuộc trong hộ gia đình",
        "Dependants",
        "Số người phụ thuộc chiếm trên 50% số thành viên của hộ.",
    ),
    (HEALTH, "Dinh dưỡng", "Nutrition", "Có trẻ em dưới 16 tuổi bị suy dinh dưỡng thấp còi hoặc nhẹ cân."),
    (HEALTH, "Bảo hiểm y tế", "Health insurance", "Có thành viên từ đủ 6 tuổi trở lên không có bảo hiểm y tế."),
    (
        EDUCATION,
        "Trình độ giáo dục của người lớn",
        "Adult education",
        "Có thành viên từ 16 đến 30 tuổi không đạt trình độ học vấn theo độ tuổi và không đang đi học.",
    ),
    (
        EDUCATION,
        "Tình trạng đi học của trẻ em",
        "Child school attendance",
        "Có trẻ em từ 3 đến dưới 16 tuổi không được học đúng bậc, cấp học phù hợp với độ tuổi.",
    ),
    (
        HOUSING,
        "Chất lượng nhà ở",
        "Housing quality",
        "Nhà ở không bền chắc (2 trong 3 bộ phận tường, cột, mái làm bằng vật liệu không bền chắc).",
    ),
    (
        HOUSING,
        "Diện tích nhà ở bình quân đầu người",
        "Floor area per person",
        "Diện tích nhà ở bình quân dưới 8 m²/người.",
    ),
    (WATER, "Nguồn nước sinh hoạt", "Domestic water", "Không tiếp cận được nguồn nước sinh hoạt an toàn."),
    (WATER, "Nhà tiêu hợp vệ sinh", "Hygienic latrine", "Không sử dụng nhà tiêu hợp vệ sinh."),
    (INFORMATION, "Sử dụng dịch vụ viễn thông", "Telecommunication use", "Không có thành viên nào sử dụng internet."),
    (
        INFORMATION,
        "Phương tiện phục vụ tiếp cận thông tin",
        "Information devices",
        "Không có phương tiện nào trong số các phương tiện phục vụ tiếp cận thông tin.",
    ),
]

NATIONAL_2022_INDICATORS = [(*indicator, DECREE_07_CUTOFF) for indicator in _DECREE_07]

HANOI_2016_INDICATORS = [
    (
        HEALTH,
        "Tiếp cận các dịch vụ y tế",
        "Access to health services",
        "Có người ốm đau nhưng không đi khám chữa bệnh.",
    ),
    (HEALTH, "Bảo hiểm y tế", "Health insurance", "Có thành viên từ 6 tuổi trở lên không có bảo hiểm y tế."),
    (
        EDUCATION,
        "Trình độ giáo dục của người lớn",
        "Adult education",
        "Có thành viên từ 15 đến dưới 30 tuổi không tốt nghiệp trung học cơ sở và không đi học.",
    ),
    (
        EDUCATION,
        "Tình trạng đi học của trẻ em",
        "Child school attendance",
        "Có trẻ em từ 5 đến dưới 15 tuổi không đi học.",
    ),
    (HOUSING, "Chất lượng nhà ở", "Housing quality", "Ở nhà thiếu kiên cố hoặc nhà đơn sơ."),
    (
        HOUSING,
        "Diện tích nhà ở bình quân đầu người",
        "Floor area per person",
        "Diện tích nhà ở bình quân dưới 8 m²/người.",
    ),
    (WATER, "Nguồn nước sinh hoạt", "Domestic water", "Không tiếp cận nguồn nước hợp vệ sinh."),
    (WATER, "Hố xí/nhà tiêu hợp vệ sinh", "Hygienic latrine", "Không sử dụng hố xí/nhà tiêu hợp vệ sinh."),
    (
        INFORMATION,
        "Sử dụng dịch vụ viễn thông",
        "Telecommunication use",
        "Không có thành viên sử dụng điện thoại hoặc internet.",
    ),
    (
        INFORMATION,
        "Tài sản phục vụ tiếp cận thông tin",
        "Information assets",
        "Không có tài sản nào trong số tivi, radio, máy tính, loa đài.",
    ),
]

# Decree 351/2025/NĐ-CP: Decree 07's first ten (water and latrine now in the widened dimension),
# digital-service use in place of telecom use and information devices, and household waste.
# d01…d10 keep their meaning across the two standards; d11 and d12 change.
NATIONAL_2026_INDICATORS = [
    (WATER_ENVIRONMENT if dimension == WATER else dimension, name, name_en, deprived_when, INHERITED_CUTOFF)
    for dimension, name, name_en, deprived_when in _DECREE_07[:10]
] + [
    (
        INFORMATION,
        "Sử dụng dịch vụ số",
        "Digital service use",
        "Không có thành viên nào sử dụng internet và dịch vụ số cơ bản.",
        "Báo chí (VietNamNet, 2026) nêu bổ sung chỉ số sử dụng dịch vụ số, truy cập internet thay cho phương tiện "
        "tiếp cận thông tin; dự thảo 9/2025 ghi một chỉ số «sử dụng dịch vụ viễn thông». Chưa rõ ngưỡng (dịch vụ "
        "số nào, thành viên nào) và chưa rõ chỉ số viễn thông có còn riêng không: chưa đối chiếu được văn bản Nghị "
        "định 351/2025/NĐ-CP.",
    ),
    (
        WATER_ENVIRONMENT,
        "Thu gom, xử lý rác thải sinh hoạt",
        "Household waste handling",
        "Rác thải sinh hoạt của hộ không được thu gom hoặc xử lý hợp vệ sinh.",
        "Dự thảo 9/2025 (chiều nước sinh hoạt, vệ sinh và môi trường: chỉ số xử lý rác thải) và báo chí (VietNamNet, "
        "2026) xác nhận có chỉ số; ngưỡng chính xác chưa đối chiếu được văn bản Nghị định 351/2025/NĐ-CP.",
    ),
]

STANDARDS = [
    {
        "code": "hanoi-2016-2020",
        "name": "Chuẩn nghèo Hà Nội giai đoạn 2016–2020",
        "legal_basis": "QĐ 12/2016/QĐ-UBND",
        # The city's own, higher standard: over a national one of the same years, were it added.
        "scope": "city",
        "priority": 1,
        "first_year": 2016,
        "last_year": 2020,
        "regular_from": datetime.date(2016, 1, 1),
        "regular_to": datetime.date(2021, 12, 31),
        "poverty_line_rural": 1_500_000,
        "poverty_line_urban": 1_950_000,
        "extreme_line_rural": 1_100_000,
        "extreme_line_urban": 1_400_000,
        "average_ceiling_rural": 2_300_000,
        "average_ceiling_urban": 3_000_000,
        "notes": "Hộ có thu nhập dưới ngưỡng cùng cực là hộ nghèo không phụ thuộc số chỉ số thiếu hụt.",
        "indicators": HANOI_2016_INDICATORS,
    },
    {
        "code": "national-2022-2025",
        "name": "Chuẩn nghèo đa chiều quốc gia giai đoạn 2022–2025",
        "legal_basis": "Nghị định 07/2021/NĐ-CP",
        "scope": "national",
        "priority": 0,
        "first_year": 2021,
        "last_year": 2025,
        # In force until Decree 351/2025 takes over: the regular reviews of 2026 stay under it.
        "regular_from": datetime.date(2022, 1, 1),
        "regular_to": datetime.date(2026, 12, 31),
        "poverty_line_rural": 1_500_000,
        "poverty_line_urban": 2_000_000,
        "average_ceiling_rural": 2_250_000,
        "average_ceiling_urban": 3_000_000,
        "b1_cutoff_rural": 140,
        "b1_cutoff_urban": 175,
        "notes": "Áp dụng cho rà soát cuối năm 2021 (xác định hộ nghèo đầu kỳ 2022–2025) đến rà soát cuối năm 2025. "
        "Ngưỡng điểm B1 (140/175) lấy từ nguồn thứ cấp, cần kiểm chứng.",
        "indicators": NATIONAL_2022_INDICATORS,
    },
    {
        # The code keeps the decree's own period (2026–2030); the name says the years it governs.
        "code": "national-2026-2030",
        "name": "Chuẩn nghèo đa chiều quốc gia giai đoạn 2027–2030",
        "legal_basis": "Nghị định 351/2025/NĐ-CP ngày 30/12/2025",
        "scope": "national",
        "priority": 0,
        # The end-2026 periodic review is its baseline, as the end-2021 review was Decree 07's.
        "first_year": 2026,
        "last_year": 2030,
        "regular_from": datetime.date(2027, 1, 1),
        "regular_to": datetime.date(2030, 12, 31),
        "needs_verification": True,
        "poverty_line_rural": 2_200_000,
        "poverty_line_urban": 2_800_000,
        "average_ceiling_rural": 3_300_000,
        "average_ceiling_urban": 4_200_000,
        "notes": "Đã đối chiếu (báo chí, chưa có văn bản gốc): Nghị định 351/2025/NĐ-CP ngày 30/12/2025; hộ nghèo: thu "
        "nhập bình quân từ 2.200.000 đồng/người/tháng trở xuống (nông thôn), 2.800.000 (thành thị) VÀ thiếu hụt từ 3 "
        "chỉ số trở lên; hộ cận nghèo: cùng mức thu nhập, thiếu hụt dưới 3 chỉ số; năm 2026 vẫn xác định hộ nghèo theo "
        "chuẩn 2022–2025, chuẩn mới áp dụng từ 2027 (VietNamNet, dẫn Văn phòng Quốc gia về giảm nghèo). Rà soát định "
        "kỳ cuối năm 2026 là kỳ xác định đầu kỳ của chuẩn này; rà soát thường xuyên trong năm 2026 theo Nghị định "
        "07/2021. "
        "CẦN KIỂM CHỨNG: (1) mức sống trung bình 3.300.000/4.200.000 tạm tính bằng 1,5 lần chuẩn nghèo như giai đoạn "
        "2022–2025, bản tóm tắt nghị định không nêu; (2) không có ngưỡng điểm B1: cần thu nhập bình quân; (3) dự thảo "
        "9/2025 có bậc thu nhập thấp hơn (1.900.000/2.500.000: nghèo không xét chỉ số thiếu hụt), bản tóm tắt nghị "
        "định không nêu nên chưa nhập; (4) ngưỡng từng chỉ số (xem từng chỉ số).",
        "indicators": NATIONAL_2026_INDICATORS,
    },
]

STANDARD_FIELDS = [key for key in STANDARDS[0] if key not in ("code", "indicators")] + [
    "b1_cutoff_rural",
    "b1_cutoff_urban",
    "needs_verification",
]
INDICATOR_FIELDS = ["dimension", "name", "name_en", "deprived_when", "needs_verification", "verification_note"]


def standard_fields(data: dict) -> dict:
    """Every field of a shipped standard, those it leaves out at their model defaults."""
    fields = dict.fromkeys(STANDARD_FIELDS)
    fields["needs_verification"] = False
    fields.update({key: value for key, value in data.items() if key not in ("code", "indicators")})
    return fields


def indicator_fields(indicator: tuple) -> dict:
    dimension, name, name_en, deprived_when, *note = indicator
    return {
        "dimension": dimension,
        "name": name,
        "name_en": name_en,
        "deprived_when": deprived_when,
        "needs_verification": bool(note),
        "verification_note": note[0] if note else "",
    }


def install(apps, codes=None) -> None:
    """Write the shipped standards (all, or those of `codes`) and their indicators.

    Only the fields the (historical) models have are written, so the migrations of each step
    can call it: 0002 installs what 0001's models know, 0007 and 0008 the rest.
    """
    PovertyStandard = apps.get_model("households", "PovertyStandard")
    StandardIndicator = apps.get_model("households", "StandardIndicator")
    known = {f.name for f in PovertyStandard._meta.concrete_fields}
    known_indicator = {f.name for f in StandardIndicator._meta.concrete_fields}
    for data in STANDARDS:
        if codes is not None and data["code"] not in codes:
            continue
        fields = {key: value for key, value in standard_fields(data).items() if key in known}
        standard, _ = PovertyStandard.objects.update_or_create(code=data["code"], defaults=fields)
        numbers = []
        for number, indicator in enumerate(data["indicators"], start=1):
            values = {key: value for key, value in indicator_fields(indicator).items() if key in known_indicator}
            StandardIndicator.objects.update_or_create(standard=standard, number=number, defaults=values)
            numbers.append(number)
        StandardIndicator.objects.filter(standard=standard).exclude(number__in=numbers).delete()
