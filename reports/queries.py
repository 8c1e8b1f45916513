"""Reads of the current snapshot, shared by export_indicators, the dashboards and the API."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Q, QuerySet

from households.models import Structure, UnitLevel, structure_for_year
from povertyplan.numbers import half_up
from reports.models import IndicatorValue, RecomputeRun

# The public contract of indicators/ and export_indicators (docs/api.md). A row names its unit
# beside the code (name, level, structure 2008 or 2025): codes are reused across the 2025 reform,
# so the code alone does not say which unit a figure counts. Counts, rates
# and movements are null where no review of the unit-year is approved; movements and reduction
# rates are null in the first year of a standard.
INDICATOR_FIELDS = [
    "unit",
    "unit_name",
    "unit_level",
    "unit_structure",
    "year",
    "total_households",
    "poor",
    "near_poor",
    "poverty_rate",
    "near_poverty_rate",
    "escaped",
    "newly_poor",
    "re_poor",
    "meritorious_poor",
    "poor_reduction_rate",
    "near_poor_reduction_rate",
    "reclassified",
    "reviewed_households",
    "communes_reviewed",
    "communes_total",
    "computed_at",
]
RATE_FIELDS = {"poverty_rate", "near_poverty_rate", "poor_reduction_rate", "near_poor_reduction_rate"}


def current_run() -> RecomputeRun | None:
    return RecomputeRun.objects.current()


def snapshot(
    *,
    unit: str | Sequence[str] | None = None,
    year: int | Sequence[int] | None = None,
    level: str | None = None,
    parent: str | None = None,
    structure: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> QuerySet[IndicatorValue]:
    """Rows of the current snapshot. A code means the unit in force in each row's year, unless
    `structure=2025` asks for history re-aggregated onto today's units. `unit` and `year` take one
    value or several (a row of any of them); every filter given must hold."""
    values = IndicatorValue.objects.filter(run__is_current=True).select_related("unit", "unit__parent")
    if structure == Structure.REFORM_2025:
        values = values.filter(Q(unit__structure=Structure.REFORM_2025) | Q(unit__level=UnitLevel.CITY))
    else:
        values = values.filter(reaggregated=False)
    if unit:
        values = values.filter(unit__code__in=[unit] if isinstance(unit, str) else unit)
    if year is not None:
        values = values.filter(year__in=[year] if isinstance(year, int) else year)
    if year_from is not None:
        values = values.filter(year__gte=year_from)
    if year_to is not None:
        values = values.filter(year__lte=year_to)
    if level:
        values = values.filter(unit__level=level)
    if parent:
        values = values.filter(unit__parent__code=parent)
    return values.order_by("year", "unit__level", "unit__code")


def rows_below(unit, year: int, *, structure: int | None = None) -> list[IndicatorValue]:
    """The rows of the units below `unit` in `year`, two levels deep (a city's districts and their
    communes), in one query: the summary table splits a district between its urban and rural
    communes. As reports.dashboard.children_rows for the structure and re-aggregated history."""
    rows = IndicatorValue.objects.filter(
        Q(unit__parent=unit) | Q(unit__parent__parent=unit), run__is_current=True, year=year
    ).select_related("unit")
    if structure == Structure.REFORM_2025 and structure_for_year(year) == Structure.LEGACY:
        rows = rows.filter(reaggregated=True, unit__structure=Structure.REFORM_2025)
    else:
        rows = rows.filter(reaggregated=False, unit__structure=structure_for_year(year))
    return list(rows.order_by("unit__code"))


def rate(value: Decimal | None) -> Decimal | None:
    """A percentage with two decimals, null where undefined."""
    return half_up(value)


def indicator_record(value: IndicatorValue) -> dict:
    """One snapshot row with exactly the public fields."""
    record = {}
    for name in INDICATOR_FIELDS:
        if name.startswith("unit"):
            record[name] = unit_columns(value.unit)[name]
        elif name in RATE_FIELDS:
            record[name] = rate(getattr(value, name))
        else:
            record[name] = getattr(value, name)
    return record


def unit_columns(unit) -> dict:
    """The unit's columns of every indicators/ and progress/ row: its code, name, level and
    structure (2008 or 2025), so two units sharing a code across the reform never read alike."""
    return {"unit": unit.code, "unit_name": unit.name, "unit_level": unit.level, "unit_structure": unit.structure}


def plain(record: dict) -> dict:
    """JSON-ready: rates as numbers with two decimals, times in ISO 8601."""
    out = {}
    for name, item in record.items():
        if isinstance(item, Decimal):
            out[name] = float(item)
        elif isinstance(item, datetime.datetime):
            out[name] = item.isoformat()
        else:
            out[name] = item
    return out
