"""View-models of the progress dashboards: the run shown, the snapshot's selectors, cards and the table of units.

Everything here reads the current snapshot, never the reviews (review completeness, which does,
lives in reports.completeness; the charts' and map's data in reports.charts). Each page therefore
runs a fixed number of queries whatever the data size (pinned in tests).

The judgements are those of targets/progress.py, which follows docs/progress-method.md "Judging
a target" (the Open SDG ratio method); the builders below only choose the inputs from the
snapshot rows and targets, and are pure functions of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from households import poverty
from households.models import (
    AdministrativeUnit,
    StandardIndicator,
    Structure,
    UnitLevel,
    structure_for_year,
)
from reports.models import IndicatorValue, RecomputeRun, RunStatus
from targets.models import Plan, Target, TargetKind
from targets.progress import (
    Assessment,
    Method,
    ProgressStatus,
    Text,
    achieved_pace,
    assess_count_by_deadline,
    assess_fewer_than_last_year,
    assess_must_be_zero,
    assess_reduction,
    band_text,
    needed_pace,
    project_at_pace,
    project_to_years,
)

#: Worst first: the order of the district table by default.
SEVERITY = {
    ProgressStatus.MISSED: 0,
    ProgressStatus.OFF_TRACK: 0,
    ProgressStatus.WORSENING: 1,
    ProgressStatus.LIMITED_PROGRESS: 2,
    ProgressStatus.NEEDS_ACCELERATION: 3,
    ProgressStatus.NO_DATA: 4,
    ProgressStatus.ON_TRACK: 5,
    ProgressStatus.ACHIEVED: 6,
    ProgressStatus.EXCEEDED: 7,
    ProgressStatus.MAINTAINED_AT_ZERO: 8,
}

INPUT_LABELS = {
    "previous": _("Số năm trước"),
    "current": _("Số năm nay"),
    "lower_bound": _("Cận dưới (%)"),
    "upper_bound": _("Cận trên (%)"),
    "reduction_rate": _("Tỷ lệ giảm (%)"),
    "ratio": _("Tỷ số"),
    "baseline": _("Số năm gốc"),
    "baseline_year": _("Năm gốc"),
    "year": _("Năm"),
    "deadline_year": _("Thời hạn (cuối năm)"),
    "target_count": _("Mục tiêu (hộ)"),
    "years_left": _("Số năm còn lại"),
    "average_annual_rate": _("Tốc độ giảm bình quân (%/năm)"),
    "required_annual_rate": _("Tốc độ cần đạt (%/năm)"),
    "years_elapsed": _("Số năm đã qua"),
    "achieved_pace": _("Tốc độ đạt được (hộ/năm)"),
    "needed_pace": _("Tốc độ cần đạt (hộ/năm)"),
}
YEAR_INPUTS = {"baseline_year", "year", "deadline_year"}
PACE_INPUTS = {"achieved_pace", "needed_pace"}

CARD_TITLES = {
    ("poor", TargetKind.REDUCTION_BAND): _("Giảm tỷ lệ hộ nghèo"),
    ("near_poor", TargetKind.REDUCTION_BAND): _("Giảm tỷ lệ hộ cận nghèo"),
    ("meritorious_poor", TargetKind.MUST_BE_ZERO): _("Hộ nghèo thuộc gia đình người có công"),
    ("re_poor", TargetKind.FEWER_THAN_LAST_YEAR): _("Hộ tái nghèo"),
    ("newly_poor", TargetKind.FEWER_THAN_LAST_YEAR): _("Hộ nghèo phát sinh"),
    ("poor", TargetKind.COUNT_BY_DEADLINE): _("Không còn hộ nghèo"),
    ("re_poor", TargetKind.MUST_BE_ZERO): _("Không để hộ tái nghèo"),
    ("meritorious_near_poor", TargetKind.COUNT_BY_DEADLINE): _("Hộ cận nghèo thuộc gia đình người có công"),
}
CARD_ORDER = list(CARD_TITLES)

SUBGROUPS = [
    ("meritorious_poor", _("Người có công")),
    ("social_protection_poor", _("Bảo trợ xã hội")),
    ("no_labour_poor", _("Không có khả năng lao động")),
    ("ethnic_minority_poor", _("Dân tộc thiểu số")),
    ("female_head_poor", _("Chủ hộ là nữ")),
]


# --- runs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """The run whose snapshot is served, and the latest run if it failed."""

    current: RecomputeRun | None
    failed: RecomputeRun | None


def run_info() -> RunInfo:
    """One query: the current run and the latest run."""
    latest = RecomputeRun.objects.order_by("-created_at", "-pk").values("pk")[:1]
    runs = list(RecomputeRun.objects.filter(Q(is_current=True) | Q(pk__in=Subquery(latest))).order_by("-created_at"))
    current = next((run for run in runs if run.is_current), None)
    newest = max(runs, key=lambda run: (run.created_at, run.pk), default=None)
    failed = newest if newest is not None and newest.status == RunStatus.FAILED else None
    return RunInfo(current, failed)


# --- selectors ---------------------------------------------------------------------------------


def current_values() -> Q:
    return Q(run__is_current=True)


def unit_series(unit: AdministrativeUnit, *, reaggregated_history: bool = False) -> dict[int, IndicatorValue]:
    """{year: row} of one unit; with `reaggregated_history`, a 2025 unit's years before the
    restructuring come from history re-aggregated onto it."""
    rows = IndicatorValue.objects.filter(current_values(), unit=unit)
    if not reaggregated_history:
        rows = rows.filter(reaggregated=False)
    series: dict[int, IndicatorValue] = {}
    for row in rows.order_by("year", "reaggregated"):
        series.setdefault(row.year, row)
    return series


def children_rows(unit: AdministrativeUnit, year: int, *, structure: int | None = None) -> list[IndicatorValue]:
    """The rows of the units directly below `unit` in `year`, in the structure of that year or,
    with structure=2025 for an earlier year, the history re-aggregated onto today's units."""
    rows = IndicatorValue.objects.filter(current_values(), year=year, unit__parent=unit).select_related("unit")
    if structure == Structure.REFORM_2025 and structure_for_year(year) == Structure.LEGACY:
        rows = rows.filter(reaggregated=True, unit__structure=Structure.REFORM_2025)
    else:
        rows = rows.filter(reaggregated=False, unit__structure=structure_for_year(year))
    return list(rows.order_by("unit__code"))


def deprivation_names(year: int) -> list[str]:
    """Names of the deprivation indicators of the standard of `year`'s periodic review (one query;
    the standard is chosen by households.poverty.select_standard among those the year falls in)."""
    rows = list(
        StandardIndicator.objects.filter(standard__first_year__lte=year, standard__last_year__gte=year)
        .order_by("number")
        .values_list("standard_id", "standard__first_year", "standard__last_year", "standard__priority", "name")
    )
    periods = {row[0]: poverty.Period(row[0], row[1], row[2], priority=row[3]) for row in rows}
    try:
        chosen = poverty.select_standard(periods.values(), year=year)
    except poverty.AmbiguousStandard:
        return []
    return [row[4] for row in rows if chosen is not None and row[0] == chosen.name]


# --- cards -------------------------------------------------------------------------------------


@dataclass
class Card:
    """One target of the plan for one unit and year, with the why panel's content."""

    key: str
    title: str
    indicator: str
    target: Target
    assessment: Assessment
    actual: Decimal | int | None
    actual_is_rate: bool
    trend: list[tuple[int, int]]
    sparkline: str
    needed_rate: Decimal | None
    needed_label: str
    needed_unit: str
    projections: dict[int, Decimal | None]
    inputs: list[tuple[str, object, str]]
    provisional: bool

    @property
    def status(self) -> ProgressStatus:
        return self.assessment.status


def _count(row: IndicatorValue | None, name: str) -> int | None:
    return None if row is None else getattr(row, name)


def start_of_year(series: Mapping[int, IndicatorValue], year: int, name: str) -> int | None:
    """The count at the start of `year`: the row's own *_start field, else last year's count."""
    row = series.get(year)
    if row is not None and row.first_year_of_standard:
        return None  # a standard's first year is a baseline: last year was counted on other lines
    own = getattr(row, f"{name}_start", None) if row is not None else None
    if own is not None:
        return own
    return _count(series.get(year - 1), name)


def assess_target(target: Target, series: Mapping[int, IndicatorValue], year: int, *, baseline_year: int) -> Assessment:
    """Judge one target from a unit's yearly rows, with the inputs docs/progress-method.md names; the
    baseline is the year of the plan judged against (Plan.baseline_year), the source the target's."""
    code = target.indicator.code
    row = series.get(year)
    current = _count(row, code)
    if target.kind == TargetKind.REDUCTION_BAND:
        assessment = assess_reduction(
            start_of_year(series, year, code), current, target.lower_bound, target.upper_bound
        )
    elif target.kind == TargetKind.COUNT_BY_DEADLINE:
        assessment = assess_count_by_deadline(
            _count(series.get(baseline_year), code),
            baseline_year,
            current,
            year,
            target.deadline_year,
            target.absolute_count or 0,
        )
    elif target.kind == TargetKind.MUST_BE_ZERO:
        assessment = assess_must_be_zero(current)
    else:
        assessment = assess_fewer_than_last_year(_count(series.get(year - 1), code), current)
    return replace(assessment, source=target.source)


def projection_years(plan: Plan, targets: Iterable[Target]) -> tuple[int, ...]:
    """The year-ends a projection is shown for: the deadlines of the targets and the plan's last year."""
    return tuple(sorted({t.deadline_year for t in targets if t.deadline_year} | {plan.last_year}))


def target_projections(
    target: Target,
    baseline: int | None,
    baseline_year: int,
    current: int | None,
    year: int,
    to_years: Iterable[int],
) -> dict[int, Decimal | None]:
    """Projections beside a target: a deadline target continues its pace in households a year (the
    pace it is judged by), the others the compound average annual rate since the baseline
    (docs/progress-method.md, "Projections"). A year already past gets None."""
    if target.kind != TargetKind.COUNT_BY_DEADLINE:
        return project_to_years(baseline, baseline_year, current, year, to_years)
    pace = achieved_pace(baseline, baseline_year, current, year) if baseline is not None else None
    return {to_year: project_at_pace(current, year, pace, to_year) if to_year >= year else None for to_year in to_years}


def sparkline(values: Sequence[int | None], width: int = 120, height: int = 32, pad: int = 3) -> str:
    """SVG polyline points of a small trend line; missing years are skipped."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return ""
    top = max(v for _, v in known) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    return " ".join(f"{pad + i * step:.1f},{height - pad - (v / top) * (height - 2 * pad):.1f}" for i, v in known)


def assessment_inputs(assessment: Assessment) -> list[tuple[str, object, str]]:
    """(label, value, kind) with kind "year", "count" or "rate", for formatting in the template."""
    rows = []
    for name, value in assessment.inputs.items():
        if value is None:
            continue
        if name in YEAR_INPUTS:
            kind = "year"
        elif name in PACE_INPUTS:
            kind = "pace"
        else:
            kind = "rate" if isinstance(value, Decimal) else "count"
        rows.append((str(INPUT_LABELS.get(name, name)), value, kind))
    return rows


MOVEMENTS = {"escaped", "newly_poor", "re_poor"}


def trend_value(row: IndicatorValue, code: str) -> int | None:
    """A year's value; movements need the previous year, so the baseline year has none."""
    if code in MOVEMENTS and row.poor_start is None:
        return None
    return getattr(row, code)


def build_cards(series: Mapping[int, IndicatorValue], year: int, targets: Iterable[Target], plan: Plan) -> list[Card]:
    """One card per target in force: actual value, status, trend since the plan's baseline, what
    is still needed, projections to the deadlines and the plan's end, and the judgement's inputs."""
    targets = list(targets)
    baseline_year = plan.baseline_year
    to_years = projection_years(plan, targets)
    years = sorted(y for y in series if y >= baseline_year and y <= year)
    row = series.get(year)
    cards = []
    for target in targets:
        code, kind = target.indicator.code, target.kind
        assessment = assess_target(target, series, year, baseline_year=baseline_year)
        current = _count(row, code)
        trend = [(y, trend_value(series[y], code)) for y in years]
        trend = [(y, v) for y, v in trend if v is not None]
        baseline = _count(series.get(baseline_year), code)
        needed_unit = "%"
        if kind == TargetKind.REDUCTION_BAND:
            actual, is_rate = assessment.actual, True
            needed, needed_label = target.lower_bound, _("Tỷ lệ giảm tối thiểu mỗi năm")
        elif kind == TargetKind.COUNT_BY_DEADLINE:
            actual, is_rate = current, False
            left = (target.deadline_year or year) - year
            needed = needed_pace(current, left, target.absolute_count or 0) if current is not None else None
            needed_label, needed_unit = _("Số hộ cần giảm mỗi năm đến hạn"), str(_("hộ/năm"))
        else:
            actual, is_rate = current, False
            needed, needed_label = None, ""
        cards.append(
            Card(
                key=f"{code}-{kind}",
                title=str(CARD_TITLES.get((code, kind), target.indicator.name)),
                indicator=target.indicator.name,
                target=target,
                assessment=assessment,
                actual=actual,
                actual_is_rate=is_rate,
                trend=trend,
                sparkline=sparkline([v for _, v in trend]),
                needed_rate=needed,
                needed_label=str(needed_label),
                needed_unit=needed_unit,
                projections=target_projections(target, baseline, baseline_year, current, year, to_years),
                inputs=assessment_inputs(assessment),
                provisional=bool(row and row.provisional),
            )
        )
    order = {key: i for i, key in enumerate(CARD_ORDER)}
    cards.sort(key=lambda card: order.get((card.target.indicator.code, card.target.kind), len(order)))
    return cards


# --- the table of units below --------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: AdministrativeUnit
    value: IndicatorValue
    assessment: Assessment

    @property
    def status(self) -> ProgressStatus:
        return self.assessment.status

    @property
    def severity(self) -> int:
        return SEVERITY[self.assessment.status]

    @property
    def provisional(self) -> bool:
        return self.value.provisional


SORT_KEYS = {
    "name": lambda r: r.unit.name,
    "poor": lambda r: r.value.poor,
    "poverty_rate": lambda r: r.value.poverty_rate,
    "near_poor": lambda r: r.value.near_poor,
    "near_poverty_rate": lambda r: r.value.near_poverty_rate,
    "escaped": lambda r: r.value.escaped,
    "newly_poor": lambda r: r.value.newly_poor,
    "re_poor": lambda r: r.value.re_poor,
    "poor_reduction_rate": lambda r: r.value.poor_reduction_rate,
    "status": lambda r: r.severity,
}
DEFAULT_SORT = "status"
TABLE_COLUMNS = [
    ("name", _("Đơn vị")),
    ("poor", _("Hộ nghèo")),
    ("poverty_rate", _("Tỷ lệ nghèo (%)")),
    ("near_poor", _("Hộ cận nghèo")),
    ("near_poverty_rate", _("Tỷ lệ cận nghèo (%)")),
    ("escaped", _("Thoát nghèo")),
    ("newly_poor", _("Nghèo phát sinh")),
    ("re_poor", _("Tái nghèo")),
    ("poor_reduction_rate", _("Giảm hộ nghèo so với chỉ tiêu")),
    ("status", _("Đánh giá")),
]


def band_target(targets: Iterable[Target], code: str = "poor") -> Target | None:
    return next((t for t in targets if t.indicator.code == code and t.kind == TargetKind.REDUCTION_BAND), None)


NO_BAND_NOTE = _("Kế hoạch không có chỉ tiêu giảm hộ nghèo theo khoảng cho năm này.")


def build_unit_rows(values: Iterable[IndicatorValue], targets_by_unit: Mapping[int, list[Target]]) -> list[UnitRow]:
    """Each unit's poor-household reduction judged against its own band (district overrides win).
    Where the plan sets no band for the year, nothing is judged: no band is made up."""
    rows = []
    for value in values:
        band = band_target(targets_by_unit.get(value.unit_id, []))
        if band is None:
            assessment = Assessment(
                ProgressStatus.NO_DATA, Method.RATIO, "", "", inputs={"current": value.poor}, note=str(NO_BAND_NOTE)
            )
        else:
            assessment = replace(
                assess_reduction(value.poor_start, value.poor, band.lower_bound, band.upper_bound), source=band.source
            )
        rows.append(UnitRow(value.unit, value, assessment))
    return rows


def band_label(target: Target | None) -> Text | str:
    """The band in words from the target itself ("Giảm 25–30 %/năm"), "" without one."""
    if target is None or target.lower_bound is None:
        return ""
    return band_text(target.lower_bound, target.upper_bound)


def sort_rows(rows: list[UnitRow], sort: str | None) -> tuple[list[UnitRow], str]:
    """Sort by a whitelisted key ("-key" descending); unknown keys fall back to worst first.
    Missing values always go last."""
    sort = sort or DEFAULT_SORT
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in SORT_KEYS:
        name, descending, sort = DEFAULT_SORT, False, DEFAULT_SORT
    key = SORT_KEYS[name]
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    # Ties: more poor households first, then by name, so the order is stable.
    present.sort(key=lambda r: (-(r.value.poor or 0), r.unit.name))
    present.sort(key=key, reverse=descending)
    return present + missing, sort


# --- coverage of a partly reviewed year -----------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """What the figures of a unit-year rest on, for the banner at the top of a page."""

    year: int
    has_data: bool
    communes_reviewed: int
    communes_total: int
    communes_not_started: int
    households_reviewed: int
    pending: int
    not_started: list[AdministrativeUnit]  # named where the units below are communes


def coverage(row: IndicatorValue | None, rows_below: Iterable[UnitRow] = ()) -> Coverage | None:
    """The banner's content when the unit-year has no approved review or only part of its communes
    have one; None when every commune in force is approved (pending reviews say so elsewhere)."""
    if row is None or (row.has_data and not row.partly_reviewed):
        return None
    not_started = sorted(
        (r.unit for r in rows_below if r.unit.level == UnitLevel.COMMUNE and r.value.communes_not_started),
        key=lambda unit: unit.name,
    )
    return Coverage(
        year=row.year,
        has_data=row.has_data,
        communes_reviewed=row.communes_reviewed,
        communes_total=row.communes_total,
        communes_not_started=row.communes_not_started,
        households_reviewed=row.reviewed_households,
        pending=row.pending,
        not_started=not_started,
    )
