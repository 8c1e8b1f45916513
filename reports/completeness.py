"""Review completeness for a year: which communes have not started, are drafting, were returned,
wait for approval or are approved, and which are late.

A commune-year's state is households.workflow.year_state, the rule the workflow pages use. The
official results of the annual review are due before 20 December of the review year (docs/review-cycle.md,
Circular 07/2021/TT-BLĐTBXH).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Q

from households.models import AdministrativeUnit, Review, ReviewState, UnitLevel, structure_for_year
from households.workflow import YearState, year_state

REVIEW_DEADLINE = (12, 20)
# Worst first: nothing yet, sent back, still drafting, waiting, done.
ORDER = [YearState.NOT_STARTED, YearState.RETURNED, YearState.DRAFT, YearState.SUBMITTED, YearState.APPROVED]


@dataclass
class Completeness:
    unit: AdministrativeUnit
    counts: dict[str, int] = field(default_factory=dict)
    status: YearState = YearState.NOT_STARTED
    late: bool = False

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def review_deadline(year: int) -> datetime.date:
    return datetime.date(year, *REVIEW_DEADLINE)


def is_late(status: YearState, year: int, today: datetime.date) -> bool:
    """Not approved after the official results were due."""
    return status != YearState.APPROVED and today > review_deadline(year)


def build_completeness(
    communes: Iterable[AdministrativeUnit], counts: Mapping[int, Mapping[str, int]], year: int, today: datetime.date
) -> list[Completeness]:
    """One entry per commune, late ones first, then worst state first."""
    result = []
    for commune in communes:
        commune_counts = {state: counts.get(commune.pk, {}).get(state, 0) for state in ReviewState.values}
        status = year_state(commune_counts)
        result.append(Completeness(commune, commune_counts, status, is_late(status, year, today)))
    result.sort(key=lambda c: (not c.late, ORDER.index(c.status), c.unit.name))
    return result


def review_state_counts(commune_ids: Iterable[int], year: int) -> dict[int, dict[str, int]]:
    """{commune id: {state: count}} of one year, in one grouped query."""
    rows = (
        Review.objects.filter(year=year, commune_id__in=list(commune_ids))
        .values("commune_id", "year")
        .annotate(**{state: Count("id", filter=Q(state=state)) for state in ReviewState.values})
        .order_by()
    )
    return {row["commune_id"]: {state: row[state] for state in ReviewState.values} for row in rows}


def communes_in_force(scope: Q, year: int, parent: AdministrativeUnit | None = None) -> list[AdministrativeUnit]:
    """The communes of the year's structure within the user's scope, below `parent` if given."""
    units = AdministrativeUnit.objects.filter(
        scope, level=UnitLevel.COMMUNE, structure=structure_for_year(year)
    ).select_related("parent")
    if parent is not None and parent.level == UnitLevel.DISTRICT:
        units = units.filter(parent=parent)
    elif parent is not None and parent.level == UnitLevel.COMMUNE:
        units = units.filter(pk=parent.pk)
    return list(units.order_by("code"))
