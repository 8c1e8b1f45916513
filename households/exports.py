"""Review workbooks in the import template's layout: the empty template and pre-filled exports.

Cell values that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) are
prefixed with an apostrophe-like quote so that an export never carries live formulas (OWASP
"CSV injection").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from openpyxl import Workbook

from households.models import AdministrativeUnit, UnitLevel
from households.template import COLUMNS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value safe to open in a spreadsheet: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_template(stream: IO[bytes], rows: Iterable[list] = (), *, year: int | None = None) -> None:
    """Write the review template (Vietnamese headers), optionally pre-filled, and a sheet of instructions."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rà soát")
    sheet.append([column.label for column in COLUMNS])
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Khóa tiếng Anh (cũng được chấp nhận)", "Bắt buộc"])
    for column in COLUMNS:
        guide.append([column.label, column.key, "có" if column.required else "không"])
    guide.append([])
    guide.append(["Cờ (0/1): 1 là có, 0 là không. Giới tính: Nam/Nữ. Thu nhập: đồng/người/tháng."])
    guide.append(["Mã xã/phường: mã GSO 5 chữ số của đơn vị có hiệu lực trong năm rà soát (xem trang «Mã đơn vị»)."])
    units = workbook.create_sheet("Mã đơn vị")
    units.append(["Mã", "Tên", "Thuộc", "Hiệu lực từ", "Hiệu lực đến"])
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).select_related("parent")
    if year is not None:
        communes = communes.in_force(year)
    for unit in communes.order_by("structure", "code"):
        units.append([unit.code, unit.name, unit.parent.name if unit.parent else "", unit.valid_from, unit.valid_to])
    workbook.save(stream)
