"""Total resident households per unit and year (the rate denominator): `unit_code, year, total_households`.

All or nothing with row-numbered errors, like the review import; a few thousand rows at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from households.importing.errors import ImportRefused, RowError
from households.importing.reading import read_rows
from households.importing.rows import _integer, _text
from households.models import AdministrativeUnit, UnitLevel, structure_for_year

BATCH_SIZE = 2000


def units_by_code() -> dict:
    """Every unit by (GSO code, structure), read once for a file; the city also by its code alone."""
    units = {(u.code, u.structure): u for u in AdministrativeUnit.objects.all()}
    units.update({u.code: u for u in units.values() if u.level == UnitLevel.CITY})
    return units


def unit_of_year(units: dict, code: str, year: int) -> AdministrativeUnit | None:
    """The unit a file's row names by its GSO code for `year`: the city whatever the year, else the
    unit of that code in the year's structure (codes were reused by the 2025 reform)."""
    return units.get(code) or units.get((code, structure_for_year(year)))


UNIT_TOTAL_KEYS = ["unit_code", "year", "total_households"]


@dataclass
class UnitTotalsResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_unit_totals(source: str | Path | IO[bytes], *, filename: str | None = None) -> UnitTotalsResult:
    """Import `unit_code, year, total_households` rows; all or nothing, row-numbered errors."""
    from households.models import TotalSource, UnitYear

    rows = read_rows(source, filename)
    errors: list[RowError] = []
    header: list[str] | None = None
    wanted: dict[tuple[int, int], tuple[int, int]] = {}
    units = units_by_code()
    for number, cells in rows:
        texts = [_text(cell) for cell in cells]
        if not any(texts):
            continue
        if header is None:
            header = [text.lower() for text in texts]
            missing = [key for key in UNIT_TOTAL_KEYS if key not in header]
            if missing:
                message = _("Thiếu cột bắt buộc: %(columns)s.") % {"columns": ", ".join(missing)}
                raise ImportRefused([RowError(number, "", message)])
            continue
        values = dict(zip(header, texts, strict=False))
        try:
            year = _integer(values.get("year"))
        except ValueError as exc:
            errors.append(RowError(number, "year", f"«{values.get('year')}» {exc}"))
            continue
        try:
            total = _integer(values.get("total_households"))
        except ValueError as exc:
            errors.append(RowError(number, "total_households", f"«{values.get('total_households')}» {exc}"))
            continue
        code = values.get("unit_code", "")
        unit = unit_of_year(units, code, year)
        if unit is None:
            message = _("mã đơn vị «%(code)s» không tồn tại trong năm %(year)s") % {"code": code, "year": year}
            errors.append(RowError(number, "unit_code", message))
            continue
        key = (unit.pk, year)
        if key in wanted:
            errors.append(
                RowError(number, "unit_code", _("đơn vị «%(code)s» năm %(year)s bị lặp") % {"code": code, "year": year})
            )
            continue
        wanted[key] = (number, total)
    if header is None:
        errors.append(RowError(0, "", _("Tệp không có dữ liệu.")))
    if errors:
        raise ImportRefused(errors)
    result = UnitTotalsResult(rows=len(wanted))
    existing = {(u.unit_id, u.year): u for u in UnitYear.objects.filter(unit_id__in={k[0] for k in wanted})}
    new, changed = [], []
    for (unit_id, year), (_row, total) in wanted.items():
        current = existing.get((unit_id, year))
        if current is None:
            new.append(UnitYear(unit_id=unit_id, year=year, total_households=total, source=TotalSource.IMPORTED))
        elif current.total_households != total:
            current.total_households, current.source = total, TotalSource.IMPORTED
            changed.append(current)
        else:
            result.unchanged += 1
    with transaction.atomic():
        UnitYear.objects.bulk_create(new, batch_size=BATCH_SIZE)
        UnitYear.objects.bulk_update(changed, ["total_households", "source"], batch_size=BATCH_SIZE)
    result.created, result.updated = len(new), len(changed)
    return result
