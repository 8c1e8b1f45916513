"""Reads of targets: which target applies to a unit in a year.

A target without a unit is the city-wide default of Plan 51-KH/TU; the city's yearly decisions
(e.g. QĐ 337/QĐ-UBND of 12 Jan 2023) set targets for a district or commune and year, which
override it there. A commune inherits its district's target. The most specific one wins: the
unit's own over its district's over the city's, and, within one unit, the narrower year span.

Targets are resolved per (indicator, kind), not per indicator alone: poor households carry both
an annual reduction band (2022–2030) and a count by a deadline (zero by end 2025), and a
district's band must not hide the city's deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Q

from households.models import AdministrativeUnit
from targets.models import Plan, Target


def all_plans() -> list[Plan]:
    """Every plan, oldest baseline first (one query): the dashboards' plan picker."""
    return list(Plan.objects.order_by("baseline_year", "first_year", "pk"))


def default_plan(plans: Sequence[Plan], year: int | None) -> Plan | None:
    """The plan a year is judged against unless the reader chooses another: among the plans that
    cover the year (first year to closing year, `Plan.covers`), the one with the latest baseline;
    if none covers it, the latest plan. With Plan 51 closed at 2025, 2021–2025 go to Plan 51 and
    2026 on to the 2026–2030 plan."""
    if not plans:
        return None
    latest = max(plans, key=lambda plan: (plan.baseline_year, plan.first_year, plan.pk))
    if year is None:
        return latest
    covering = [plan for plan in plans if plan.covers(year)]
    if not covering:
        return latest
    return max(covering, key=lambda plan: (plan.baseline_year, plan.first_year, plan.pk))


def plan_by_code(plans: Sequence[Plan], code: str) -> Plan | None:
    return next((plan for plan in plans if plan.code == code), None)


def targets_for(unit: AdministrativeUnit | None, year: int, *, plan: Plan | None = None) -> list[Target]:
    """The targets that apply to `unit` in `year`, one per (indicator, kind).

    `unit` None means the city-wide defaults only. Ordered by indicator code, then kind.
    """
    if unit is None:
        return _resolve(_targets_in_force(year, plan, unit_ids=set()), chain=[])
    return targets_for_units([unit], year, plan=plan)[unit.pk]


def targets_for_units(
    units: Iterable[AdministrativeUnit], year: int, *, plan: Plan | None = None
) -> dict[int, list[Target]]:
    """`targets_for` of many units with a fixed number of queries (for the recompute).

    Returns {unit id: targets}. One query for the targets and at most one per level of
    ancestors not already loaded.
    """
    units = list(units)
    chains = _ancestor_chains(units)
    unit_ids = {unit_id for chain in chains.values() for unit_id in chain}
    candidates = _targets_in_force(year, plan, unit_ids)
    return {unit.pk: _resolve(candidates, chains[unit.pk]) for unit in units}


def _targets_in_force(year: int, plan: Plan | None, unit_ids: set[int]) -> list[Target]:
    queryset = Target.objects.filter(first_year__lte=year, last_year__gte=year).filter(
        Q(unit__isnull=True) | Q(unit_id__in=unit_ids)
    )
    if plan is not None:
        queryset = queryset.filter(indicator__plan=plan)
    return list(queryset.select_related("indicator", "unit"))


def _ancestor_chains(units: list[AdministrativeUnit]) -> dict[int, list[int]]:
    """{unit id: [unit id, parent id, grandparent id, ...]}, most specific first."""
    parent_of: dict[int, int | None] = {unit.pk: unit.parent_id for unit in units}
    asked: set[int] = set()
    while missing := {p for p in parent_of.values() if p is not None and p not in parent_of and p not in asked}:
        # one query per level: commune → district → city
        asked |= missing
        parent_of.update(AdministrativeUnit.objects.filter(pk__in=missing).values_list("pk", "parent_id"))
    chains = {}
    for unit in units:
        chain, current = [], unit.pk
        while current is not None and current not in chain:  # the guard stops a malformed cycle
            chain.append(current)
            current = parent_of.get(current)
        chains[unit.pk] = chain
    return chains


def _resolve(candidates: list[Target], chain: list[int]) -> list[Target]:
    depth = {unit_id: position for position, unit_id in enumerate(chain)}
    city_wide = len(chain)

    def specificity(target: Target) -> tuple[int, int, int, int]:
        # Lower sorts first: nearer unit, then narrower years, then the later start, then newest row.
        unit_rank = city_wide if target.unit_id is None else depth[target.unit_id]
        return (unit_rank, target.last_year - target.first_year, -target.first_year, -target.pk)

    chosen: dict[tuple[int, str], Target] = {}
    for target in candidates:
        if target.unit_id is not None and target.unit_id not in depth:
            continue
        key = (target.indicator_id, target.kind)
        if key not in chosen or specificity(target) < specificity(chosen[key]):
            chosen[key] = target
    return sorted(chosen.values(), key=lambda target: (target.indicator.code, target.kind, target.indicator_id))


def all_projection_years(plans: Sequence[Plan]) -> list[int]:
    """Every year-end progress/ can project to: each plan's last year and every target's deadline
    (reports.dashboard.projection_years for one plan), so progress/'s CSV has the same columns
    whatever the query (one query)."""
    deadlines = Target.objects.filter(indicator__plan__in=plans, deadline_year__isnull=False)
    years = {plan.last_year for plan in plans} | set(deadlines.values_list("deadline_year", flat=True))
    return sorted(years)
