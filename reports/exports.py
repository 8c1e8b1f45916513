"""The official summary table of poor and near-poor households (docs/progress-method.md), from the snapshot.

One row per district (or per commune), in an urban block and a rural block with their subtotals,
then the unit's own total: total resident households | poor at the start of the year (of which
ethnic minority) | escaped (n, %) | re-poor (n, %) | newly poor (n, %) | poor at the end of the
year (n, rate %, ethnic minority n, %). Movement percentages are relative to the poor at the
start of the year; the end-of-year rate is relative to the total resident households; the
ethnic-minority share is relative to the poor at the end of the year. The same table exists for
near-poor households (without the ethnic-minority columns, which the snapshot does not hold).

Urban and rural follow the commune (docs/poverty-rules.md: phường and thị trấn urban, xã rural), not the
district: a huyện's thị trấn counts in the urban block and a thị xã's xã in the rural one, so a
district whose communes are of both kinds has a line in each block, summed from its communes. A
unit without an approved review shows no figure ("no data is not zero"). Cell values that look
like formulas are neutralised (povertyplan.cells.safe_cell).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from households.models import AdministrativeUnit, Area, UnitKind, UnitLevel
from povertyplan.cells import safe_cell
from povertyplan.numbers import half_up
from reports.models import IndicatorValue, RecomputeRun

URBAN_DISTRICT_KINDS = {UnitKind.URBAN_DISTRICT, UnitKind.TOWN}
URBAN_COMMUNE_KINDS = {UnitKind.WARD, UnitKind.TOWNSHIP}


def is_urban(unit: AdministrativeUnit) -> bool:
    """Communes by their area (phường, thị trấn urban; xã rural), by kind where no area is set;
    districts by kind, used only for a district whose communes have no rows in the snapshot."""
    if unit.level == UnitLevel.DISTRICT:
        return unit.kind in URBAN_DISTRICT_KINDS
    if unit.area:
        return unit.area == Area.URBAN
    return unit.kind in URBAN_COMMUNE_KINDS


@dataclass(frozen=True)
class Spec:
    """Which snapshot fields fill the columns of one variant of the table."""

    key: str
    title: str  # lazy: translated when the table is drawn
    start: str
    escaped: str
    re: str
    newly: str
    end: str
    rate: str
    ethnic_start: str | None = None
    ethnic_end: str | None = None


POOR = Spec(
    "poor",
    gettext_lazy("hộ nghèo"),
    "poor_start",
    "escaped",
    "re_poor",
    "newly_poor",
    "poor",
    "poverty_rate",
    "ethnic_minority_poor_start",
    "ethnic_minority_poor",
)
NEAR_POOR = Spec(
    "near_poor",
    gettext_lazy("hộ cận nghèo"),
    "near_poor_start",
    "escaped_near_poor",
    "re_near_poor",
    "newly_near_poor",
    "near_poor",
    "near_poverty_rate",
)

SUMMED = [
    "total_households",
    "poor_start",
    "ethnic_minority_poor_start",
    "escaped",
    "re_poor",
    "newly_poor",
    "poor",
    "ethnic_minority_poor",
    "near_poor_start",
    "escaped_near_poor",
    "re_near_poor",
    "newly_near_poor",
    "near_poor",
    "pending",
    "communes_reviewed",
    "communes_total",
]


def share(part: int | None, whole: int | None) -> Decimal | None:
    """part ÷ whole × 100 with two decimals, None when undefined."""
    if part is None or not whole:
        return None
    return half_up(Decimal(part) * 100 / Decimal(whole))


@dataclass
class Line:
    """One row of the table: a unit, a block subtotal or the total."""

    name: str
    values: dict[str, int | None]
    rate_override: dict[str, Decimal | None] = field(default_factory=dict)
    kind: str = "unit"  # unit, subtotal, total

    @property
    def provisional(self) -> bool:
        """Reviews wait for approval, or some communes have no approved review yet."""
        if self.no_data:
            return False
        reviewed, total = self.values.get("communes_reviewed") or 0, self.values.get("communes_total") or 0
        return bool(self.values.get("pending")) or reviewed < total

    @property
    def no_data(self) -> bool:
        """Nothing approved: every figure but the total households is missing."""
        return self.kind != "block" and self.values.get("poor") is None and self.values.get("near_poor") is None

    def cells(self, spec: Spec) -> list:
        """The numeric cells in column order for `spec`."""
        v = self.values
        start = v.get(spec.start)
        end = v.get(spec.end)
        rate = (
            self.rate_override.get(spec.rate)
            if spec.rate in self.rate_override
            else share(end, v.get("total_households"))
        )
        cells = [v.get("total_households"), start]
        if spec.ethnic_start:
            cells.append(v.get(spec.ethnic_start))
        for name in (spec.escaped, spec.re, spec.newly):
            cells += [v.get(name), share(v.get(name), start)]
        cells += [end, rate]
        if spec.ethnic_end:
            cells += [v.get(spec.ethnic_end), share(v.get(spec.ethnic_end), end)]
        return cells


@dataclass
class Block:
    title: str
    lines: list[Line]
    subtotal: Line


@dataclass
class SummaryTable:
    unit: AdministrativeUnit
    year: int
    blocks: list[Block]
    total: Line | None
    computed_at: object = None
    own: IndicatorValue | None = None

    def headers(self, spec: Spec) -> list[str]:
        headers = [_("Đơn vị"), _("Tổng số hộ dân cư"), _("Số %(t)s đầu năm") % {"t": spec.title}]
        if spec.ethnic_start:
            headers.append(_("Trong đó: DTTS đầu năm"))
        headers += [
            _("Thoát nghèo (hộ)") if spec.key == "poor" else _("Thoát cận nghèo (hộ)"),
            _("Thoát (% so với đầu năm)"),
            _("Tái nghèo (hộ)") if spec.key == "poor" else _("Tái cận nghèo (hộ)"),
            _("Tái (% so với đầu năm)"),
            _("Phát sinh mới (hộ)"),
            _("Phát sinh (% so với đầu năm)"),
            _("Số %(t)s cuối năm") % {"t": spec.title},
            _("Tỷ lệ cuối năm (% tổng số hộ)"),
        ]
        if spec.ethnic_end:
            headers += [_("DTTS cuối năm (hộ)"), _("DTTS (% số hộ nghèo cuối năm)")]
        return headers

    def title(self, spec: Spec) -> str:
        return _("Tổng hợp kết quả rà soát %(t)s năm %(year)s – %(unit)s") % {
            "t": spec.title,
            "year": self.year,
            "unit": self.unit.name,
        }

    def rows(self, spec: Spec) -> list[tuple[str, Line, list]]:
        """(kind, line, cells) in print order: each block's units and subtotal, then the total."""
        out = []
        for block in self.blocks:
            out.append(("block", Line(block.title, {}, kind="block"), []))
            out += [("unit", line, line.cells(spec)) for line in block.lines]
            out.append(("subtotal", block.subtotal, block.subtotal.cells(spec)))
        if self.total is not None:
            out.append(("total", self.total, self.total.cells(spec)))
        return out

    def sections(self) -> list[dict]:
        """The poor and near-poor tables for the HTML page: cells tagged as rate or count."""
        out = []
        for spec in (POOR, NEAR_POOR):
            rows = [
                (kind, line, [{"value": c, "rate": isinstance(c, Decimal)} for c in cells])
                for kind, line, cells in self.rows(spec)
            ]
            out.append({"title": self.title(spec), "headers": self.headers(spec), "rows": rows})
        return out

    @property
    def has_provisional(self) -> bool:
        return any(line.provisional for block in self.blocks for line in block.lines)

    @property
    def has_no_data(self) -> bool:
        return any(line.no_data for block in self.blocks for line in block.lines)


def _line(value: IndicatorValue) -> Line:
    return Line(
        value.unit.name,
        {name: getattr(value, name) for name in SUMMED},
        rate_override={
            "poverty_rate": _round(value.poverty_rate),
            "near_poverty_rate": _round(value.near_poverty_rate),
        },
    )


def _round(value: Decimal | None) -> Decimal | None:
    return half_up(value)


def _sum(name: str, lines: Iterable[Line], kind: str) -> Line:
    lines = list(lines)
    values: dict[str, int | None] = {}
    for field_name in SUMMED:
        parts = [line.values.get(field_name) for line in lines]
        known = [p for p in parts if p is not None]
        values[field_name] = sum(known) if known else None
    return Line(name, values, kind=kind)


def _district_lines(district: IndicatorValue, communes: list[IndicatorValue]) -> list[tuple[bool, Line]]:
    """(urban?, line) of a district: its own row where its communes are all of one kind, else one
    line per kind summed from its communes. Without commune rows, the district's kind decides."""
    kinds = {is_urban(commune.unit) for commune in communes}
    if len(kinds) <= 1:
        return [(kinds.pop() if kinds else is_urban(district.unit), _line(district))]
    lines = []
    for urban in (True, False):
        part = [_line(commune) for commune in communes if is_urban(commune.unit) == urban]
        line = _sum(district.unit.name, part, "unit")
        # A part's denominator is only known when every commune of it has one.
        if any(commune.values.get("total_households") is None for commune in part):
            line.values["total_households"] = None
        lines.append((urban, line))
    return lines


def summary_table(
    unit: AdministrativeUnit, year: int, own: IndicatorValue | None, below: Iterable[IndicatorValue]
) -> SummaryTable:
    """The table of the units directly below `unit` in `year`, in urban and rural blocks by the
    communes' kind. `below` holds the units directly below and may hold their communes too
    (reports.queries.rows_below), which a district needs to be split between the blocks."""
    below = sorted(below, key=lambda v: v.unit.code)
    communes_of: dict[int, list[IndicatorValue]] = {}
    for value in below:
        if value.unit.parent_id != unit.pk:
            communes_of.setdefault(value.unit.parent_id, []).append(value)
    urban, rural = [], []
    for value in below:
        if value.unit.parent_id != unit.pk:
            continue
        if value.unit.level == UnitLevel.DISTRICT:
            parts = _district_lines(value, communes_of.get(value.unit_id, []))
        else:
            parts = [(is_urban(value.unit), _line(value))]
        for is_urban_part, line in parts:
            (urban if is_urban_part else rural).append(line)
    blocks = []
    for title, lines in ((_("Khu vực thành thị"), urban), (_("Khu vực nông thôn"), rural)):
        if lines:
            blocks.append(Block(title, lines, _sum(_("Cộng %(block)s") % {"block": title.lower()}, lines, "subtotal")))
    total = None
    if own is not None:
        total = _line(own)
        total.name = _("Tổng cộng: %(unit)s") % {"unit": unit.name}
        total.kind = "total"
    elif urban or rural:
        total = _sum(_("Tổng cộng"), urban + rural, "total")
    return SummaryTable(unit, year, blocks, total, own.computed_at if own is not None else None, own)


INT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00"
THIN = Side(style="thin", color="999999")


def _write_sheet(sheet, table: SummaryTable, spec: Spec, run: RecomputeRun | None) -> None:
    headers = table.headers(spec)
    sheet.append([safe_cell(table.title(spec))])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    computed = ""
    if table.computed_at is not None:
        computed = formats.date_format(timezone.localtime(table.computed_at), "DATETIME_FORMAT")
    note = _("Số liệu tính lúc %(at)s, lượt tính #%(run)s. Tỷ lệ thoát, tái, phát sinh tính trên số hộ đầu năm.") % {
        "at": computed or "–",
        "run": run.pk if run else "–",
    }
    sheet.append([note])
    sheet.append(headers)
    for column in range(1, len(headers) + 1):
        cell = sheet.cell(row=3, column=column)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    percent_columns = {i + 2 for i, header in enumerate(headers[1:]) if "%" in header}
    for kind, line, cells in table.rows(spec):
        name = line.name + (" (*)" if line.provisional else "") + (" (**)" if line.no_data else "")
        sheet.append([safe_cell(name), *[float(c) if isinstance(c, Decimal) else c for c in cells]])
        row = sheet.max_row
        if kind != "unit":
            for column in range(1, len(headers) + 1):
                sheet.cell(row=row, column=column).font = Font(bold=True, italic=kind == "block")
        for column in range(2, len(headers) + 1):
            sheet.cell(row=row, column=column).number_format = (
                PERCENT_FORMAT if column in percent_columns else INT_FORMAT
            )
    if any(entry[1].no_data for entry in table.rows(spec)):
        sheet.append([_("(**) Chưa có số liệu: chưa có kết quả rà soát nào được phê duyệt.")])
    if any(entry[1].provisional for entry in table.rows(spec)):
        sheet.append([_("(*) Số liệu tạm thời: còn phiếu rà soát chưa được phê duyệt.")])
    sheet.column_dimensions["A"].width = 34
    for column in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    sheet.row_dimensions[3].height = 60
    sheet.freeze_panes = "B4"


def write_summary(stream: IO[bytes], table: SummaryTable, *, run: RecomputeRun | None = None) -> None:
    """The workbook: one sheet for poor and one for near-poor households."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Hộ nghèo")
    _write_sheet(sheet, table, POOR, run)
    _write_sheet(workbook.create_sheet(_("Hộ cận nghèo")), table, NEAR_POOR, run)
    workbook.save(stream)
