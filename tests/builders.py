"""The test suite's one review-row builder, the files made of its rows, and the same review as the
form and the API hand it to the review service (review_input).

A row is a dict keyed by the import template's column keys (households.template.COLUMN_KEYS): what
an officer types into one line of the review spreadsheet. Every test that imports or uploads
reviews builds its rows here, so a new column or a changed default is written once.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from households.template import COLUMN_KEYS, COLUMNS

RURAL = "09625"  # Xã Phú Cường, Ba Vì (legacy structure)
URBAN = "00001"  # Phường Phúc Xá, Ba Đình (legacy structure)
# Incomes per person per month (đồng) under Decree 07/2021's lines (1.5 M rural, 2 M urban).
POOR_URBAN = POOR_RURAL = 1_000_000
ABOVE = 5_000_000  # above every line


def review_row(code, commune=RURAL, year=2023, income=1_200_000, deprivations=3, **overrides) -> dict:
    """One household's review: `commune` is a code or a unit, `deprivations` the number of the first
    basic-service indicators lacking (d01…), any column overridden by keyword."""
    values = {
        "household_code": code,
        "commune_code": getattr(commune, "code", commune),
        "village": "Thôn 1",
        "head_name": "Nguyễn Văn An",
        "head_sex": "Nam",
        "ethnic_minority": 0,
        "members": 4,
        "meritorious": 0,
        "social_protection": 0,
        "no_labour_capacity": 0,
        "year": year,
        "income_per_capita": income,
        "b1_score": "",
        **{f"d{i:02d}": 1 if i <= deprivations else 0 for i in range(1, 13)},
        "review_date": f"15/11/{year}",  # within the year's review cycle
    }
    values.update(overrides)
    return values


def csv_line(values: dict, keys=COLUMN_KEYS) -> str:
    return ",".join(str(values.get(key, "")) for key in keys)


def csv_bytes(rows, keys=COLUMN_KEYS) -> bytes:
    """A UTF-8 CSV file: the header of column keys, then one line per row (dicts or csv_line strings)."""
    lines = [",".join(keys)]
    lines += [row if isinstance(row, str) else csv_line(row, keys) for row in rows]
    return "\n".join(lines).encode("utf-8")


def csv_file(rows, keys=COLUMN_KEYS, name="reviews.csv") -> io.BytesIO:
    stream = io.BytesIO(csv_bytes(rows, keys))
    stream.name = name
    return stream


def xlsx_bytes(rows, headers=None) -> bytes:
    """A workbook whose first sheet has the template's labels (or `headers`), then one line per row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or [column.label for column in COLUMNS])
    for values in rows:
        sheet.append([values.get(key) for key in COLUMN_KEYS])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def xlsx_file(rows, headers=None) -> io.BytesIO:
    return io.BytesIO(xlsx_bytes(rows, headers))


def review_input(income=1_200_000, deprivations=3, b1_score=None):
    """A households.services.ReviewInput: `income` (None for none), the first `deprivations` of the
    twelve indicators lacking."""
    from households.services import ReviewInput

    return ReviewInput(
        income_per_capita=None if income is None else Decimal(income),
        b1_score=b1_score,
        deprivations=(True,) * deprivations + (False,) * (12 - deprivations),
    )
