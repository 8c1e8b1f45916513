"""The poverty standards the portal ships (../shared/DOMAIN.md §2), as plain data.

Used by the data migration that installs them; afterwards they are rows an administrator edits.
Items DOMAIN.md marks "(verify)" are shipped with needs_verification and a note saying what.
"""

EMPLOYMENT, HEALTH, EDUCATION = "employment", "health", "education"
HOUSING, WATER, INFORMATION, ENVIRONMENT = "housing", "water_sanitation", "information", "environment"

NATIONAL_2022_INDICATORS = [
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

NATIONAL_2026_INDICATORS = NATIONAL_2022_INDICATORS[:10] + [
    (
        INFORMATION,
        "Sử dụng dịch vụ số",
        "Digital service use",
        "Không có thành viên nào sử dụng dịch vụ số cơ bản (cần kiểm chứng).",
    ),
    (
        ENVIRONMENT,
        "Thu gom, xử lý rác thải sinh hoạt",
        "Household waste handling",
        "Rác thải sinh hoạt của hộ không được thu gom, xử lý (cần kiểm chứng).",
    ),
]

STANDARDS = [
    {
        "code": "hanoi-2016-2020",
        "name": "Chuẩn nghèo Hà Nội giai đoạn 2016–2020",
        "legal_basis": "QĐ 12/2016/QĐ-UBND",
        "first_year": 2016,
        "last_year": 2020,
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
        "first_year": 2021,
        "last_year": 2025,
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
        "code": "national-2026-2030",
        "name": "Chuẩn nghèo đa chiều quốc gia giai đoạn 2026–2030",
        "legal_basis": "Nghị định 351/2025/NĐ-CP",
        "first_year": 2026,
        "last_year": 2030,
        "needs_verification": True,
        "poverty_line_rural": 2_200_000,
        "poverty_line_urban": 2_800_000,
        "average_ceiling_rural": 3_300_000,
        "average_ceiling_urban": 4_200_000,
        "notes": "CẦN KIỂM CHỨNG: mức chuẩn và bộ chỉ số theo nguồn thứ cấp; mức sống trung bình tạm tính bằng 1,5 lần "
        "chuẩn nghèo như giai đoạn 2022–2025; có dự thảo quy định thu nhập hai bậc.",
        "indicators": NATIONAL_2026_INDICATORS,
    },
]
