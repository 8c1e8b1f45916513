"""The review import template (docs/import.md): its columns, keys and Vietnamese labels.

One row per household review. A header may be the English key or the Vietnamese label; both are
matched after folding case, accents and punctuation, so "Mã hộ", "ma ho" and "household_code"
all name the same column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unidecode import unidecode

DEPRIVATION_COLUMNS = [f"d{number:02d}" for number in range(1, 13)]

DEPRIVATION_LABELS = [
    "Việc làm",
    "Người phụ thuộc",
    "Dinh dưỡng",
    "Bảo hiểm y tế",
    "Trình độ giáo dục người lớn",
    "Tình trạng đi học trẻ em",
    "Chất lượng nhà ở",
    "Diện tích nhà ở bình quân",
    "Nguồn nước sinh hoạt",
    "Nhà tiêu hợp vệ sinh",
    # d11 and d12 differ by standard: Decree 07/2021 first, then Decree 351/2025 (from the end-2026 review).
    "Sử dụng dịch vụ viễn thông / dịch vụ số",
    "Phương tiện tiếp cận thông tin / Rác thải sinh hoạt",
]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = True


COLUMNS: list[Column] = [
    Column("household_code", "Mã hộ"),
    Column("commune_code", "Mã xã/phường"),
    Column("village", "Thôn/Tổ dân phố", required=False),
    Column("head_name", "Họ tên chủ hộ"),
    Column("head_sex", "Giới tính chủ hộ (Nam/Nữ)"),
    Column("ethnic_minority", "Dân tộc thiểu số (0/1)"),
    Column("members", "Số nhân khẩu"),
    Column("meritorious", "Hộ có người có công (0/1)"),
    Column("social_protection", "Hộ có đối tượng bảo trợ xã hội (0/1)"),
    Column("no_labour_capacity", "Hộ không có khả năng lao động (0/1)"),
    Column("year", "Năm rà soát"),
    Column("income_per_capita", "Thu nhập bình quân (đồng/người/tháng)"),
    Column("b1_score", "Điểm B1", required=False),
    *[
        Column(key, f"{key.upper()} {label} (0/1)")
        for key, label in zip(DEPRIVATION_COLUMNS, DEPRIVATION_LABELS, strict=True)
    ],
    Column("review_date", "Ngày rà soát (dd/mm/yyyy)", required=False),
    # Decides the standard with the year and date (households.poverty.select_standard); blank: periodic.
    Column("review_type", "Loại rà soát (định kỳ/thường xuyên)", required=False),
    # The year the row's values were copied from (the pre-filled template): a row copied from an
    # earlier year and left as it was is a household not yet reviewed this year, and is skipped.
    Column("source_year", "Số liệu của năm", required=False),
]

# The words the template writes for a review type; the importer also accepts the English keys.
REVIEW_TYPE_WORDS = {"periodic": "định kỳ", "regular": "thường xuyên"}

COLUMN_KEYS = [column.key for column in COLUMNS]
REQUIRED_KEYS = [column.key for column in COLUMNS if column.required]
LABELS = {column.key: column.label for column in COLUMNS}


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a header."""
    return re.sub(r"[^a-z0-9]+", "", unidecode(str(text)).lower())


_HEADER_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    _HEADER_ALIASES[fold(_column.key)] = _column.key
    _HEADER_ALIASES[fold(_column.label)] = _column.key
    # The label without its "(0/1)"-style hint is accepted too.
    _HEADER_ALIASES[fold(re.sub(r"\s*\(.*\)\s*$", "", _column.label))] = _column.key


def header_key(header: object) -> str | None:
    """The column key a header names, or None when it names no column of the template."""
    if header is None:
        return None
    folded = fold(str(header))
    if folded in _HEADER_ALIASES:
        return _HEADER_ALIASES[folded]
    # "D01", "d1", "D01 – anything": the deprivation number decides.
    match = re.fullmatch(r"d0?(\d{1,2})[a-z0-9]*", folded)
    if match and 1 <= int(match.group(1)) <= 12:
        return f"d{int(match.group(1)):02d}"
    return None
