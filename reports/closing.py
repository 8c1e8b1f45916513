"""The closing report of a plan: for each target, the baseline, each year's value and judgement
over the plan's years (baseline to closing year), and whether it was met and by which method.

Each year is judged by the dashboards' own rule (reports.dashboard.assess_target) against the
target that applied that year (a yearly override included); the verdict is targets.closing's.
Reads the current snapshot only: the unit's rows and the plan's targets of each year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from households.models import AdministrativeUnit
from reports.dashboard import CARD_ORDER, CARD_TITLES, assess_target, assessment_inputs, trend_value, unit_series
from reports.models import IndicatorValue
from targets.closing import Verdict, close_at_deadline, close_every_year
from targets.models import Plan, Target, TargetKind
from targets.progress import Assessment
from targets.queries import targets_for


@dataclass(frozen=True)
class ClosingYear:
    year: int
    value: int | None
    assessment: Assessment | None  # None: the target did not apply that year (the baseline year)
    inputs: list[tuple[str, object, str]]
    provisional: bool


@dataclass(frozen=True)
class ClosingTarget:
    key: str
    title: str
    target: Target  # the target of the last year it applied: its wording, source and verification
    baseline_year: int
    baseline: int | None
    years: list[ClosingYear]
    verdict: Verdict

    @property
    def description(self):
        """The target in words, as the last judgement states it."""
        judged = [item.assessment for item in self.years if item.assessment is not None]
        return judged[-1].target if judged else ""


@dataclass(frozen=True)
class ClosingReport:
    plan: Plan
    unit: AdministrativeUnit
    first_year: int
    last_year: int
    targets: list[ClosingTarget]
    provisional: bool
    missing_years: list[int]


def build_closing(
    plan: Plan,
    unit: AdministrativeUnit,
    series: Mapping[int, IndicatorValue],
    targets_by_year: Mapping[int, list[Target]],
) -> ClosingReport:
    """Pure: the report from a unit's yearly rows and the targets that applied each year."""
    first, last = plan.baseline_year, plan.judged_last_year
    years = list(range(first, last + 1))
    keys: dict[tuple[str, str], Target] = {}
    for year in years:
        for target in targets_by_year.get(year, []):
            keys[(target.indicator.code, target.kind)] = target  # the latest year's target speaks for the key
    order = {key: i for i, key in enumerate(CARD_ORDER)}
    report_targets = []
    for (code, kind), latest in sorted(keys.items(), key=lambda item: (order.get(item[0], len(order)), item[0])):
        rows, judged = [], []
        for year in years:
            row = series.get(year)
            target = next(
                (t for t in targets_by_year.get(year, []) if (t.indicator.code, t.kind) == (code, kind)), None
            )
            assessment = assess_target(target, series, year, baseline_year=first) if target else None
            rows.append(
                ClosingYear(
                    year=year,
                    value=trend_value(row, code) if row is not None else None,
                    assessment=assessment,
                    inputs=assessment_inputs(assessment) if assessment else [],
                    provisional=bool(row and row.pending),
                )
            )
            if target is not None:
                judged.append((year, assessment.status))
        if kind == TargetKind.COUNT_BY_DEADLINE and latest.deadline_year is not None:
            verdict = close_at_deadline(judged, latest.deadline_year)
        else:
            verdict = close_every_year(judged)
        baseline_row = series.get(first)
        report_targets.append(
            ClosingTarget(
                key=f"{code}-{kind}",
                title=str(CARD_TITLES.get((code, kind), latest.indicator.name)),
                target=latest,
                baseline_year=first,
                baseline=getattr(baseline_row, code, None) if baseline_row is not None else None,
                years=rows,
                verdict=verdict,
            )
        )
    return ClosingReport(
        plan=plan,
        unit=unit,
        first_year=first,
        last_year=last,
        targets=report_targets,
        provisional=any(series[y].pending for y in years if y in series),
        missing_years=[y for y in years if y not in series],
    )


def closing_report(plan: Plan, unit: AdministrativeUnit) -> ClosingReport:
    """Read the unit's rows and the plan's targets of each year, and build the report."""
    series = unit_series(unit)
    years = range(plan.baseline_year, plan.judged_last_year + 1)
    targets_by_year = {year: targets_for(unit, year, plan=plan) for year in years}
    return build_closing(plan, unit, series, targets_by_year)
