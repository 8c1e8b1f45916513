"""Which commune a household belongs to in a review year: the one rule, across the 2025 reform.

From 1 Jul 2025 (NQ 1656/NQ-UBTVQH15, docs/admin-units.md) Hanoi's 526 communes became 126, and 199 old
communes were split between several new ones. A household whose commune is not in force in year Y
is reviewed in Y by:

1. its own commune, when that is in force at the end of Y;
2. else the commune of a review of the household in a unit of Y's structure (the officers placed
   it there: a split commune's households go to the successor their village fell in);
3. else the commune a file or form names, when it is a successor of the household's commune;
4. else the primary successor (`Succession.is_primary`, the package's default for a split
   commune), or for a year before the reform the old commune the new one primarily succeeds.

The form, the API (households.services), the importer, the pre-filled template
(households.exports) and the visibility rule (households.visibility: a 2025 commune sees the old
communes it is the primary successor of) all answer with this rule. The write paths then move the
household to the commune of its latest review, so step 1 answers for every later year.

`choose_commune` is the rule itself, over successions given to it; `commune_for_year` reads them
for one household; `CommuneMap` reads every succession once, for a whole file or download.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from households.models import (
    AdministrativeUnit,
    Household,
    Review,
    Structure,
    Succession,
    UnitLevel,
    structure_for_year,
)


def choose_commune(
    commune: AdministrativeUnit,
    year: int,
    *,
    successors: Iterable[tuple[AdministrativeUnit, bool]],
    predecessors: Iterable[tuple[AdministrativeUnit, bool]],
    reviewed: AdministrativeUnit | None = None,
    named: AdministrativeUnit | None = None,
) -> AdministrativeUnit | None:
    """The commune a review of `year` of a household of `commune` is recorded in (the rule above).

    `successors` and `predecessors` are (unit, is_primary) pairs of the commune's successions;
    `reviewed` the commune of a review of the household in Y's structure, `named` the commune a
    file or form names. None when no commune in force in `year` relates to it.
    """
    if commune.is_in_force_in(year):
        return commune
    if reviewed is not None and reviewed.is_in_force_in(year):
        return reviewed
    related = list(successors) if commune.structure == Structure.LEGACY else list(predecessors)
    in_force = [(unit, primary) for unit, primary in related if unit.is_in_force_in(year)]
    if named is not None and any(unit.pk == named.pk for unit, _primary in in_force):
        return named
    # Primary first, then by code, so that the answer never depends on the database's order.
    in_force.sort(key=lambda pair: (not pair[1], pair[0].code))
    return in_force[0][0] if in_force else None


def commune_for_year(household: Household, year: int, *, named: AdministrativeUnit | None = None) -> AdministrativeUnit:
    """The commune of `household` in `year`; raises ValidationError when there is none."""
    commune = household.commune
    if commune.is_in_force_in(year):
        return commune
    if household.pk is not None:
        structure = structure_for_year(year)
        review = (
            Review.objects.filter(household=household, commune__structure=structure)
            .select_related("commune")
            .order_by("-year")
            .first()
        )
        reviewed = review.commune if review is not None else None
    else:
        reviewed = None
    successions_out = Succession.objects.filter(predecessor=commune).select_related("successor")
    successions_in = Succession.objects.filter(successor=commune).select_related("predecessor")
    found = choose_commune(
        commune,
        year,
        successors=[(s.successor, s.is_primary) for s in successions_out],
        predecessors=[(s.predecessor, s.is_primary) for s in successions_in],
        reviewed=reviewed,
        named=named,
    )
    if found is None:
        raise ValidationError(
            {"year": _("%(commune)s không có hiệu lực trong năm %(year)s.") % {"commune": commune.name, "year": year}}
        )
    return found


class CommuneMap:
    """Every commune and succession, read once (a few hundred rows): the rule for many households."""

    def __init__(self) -> None:
        self.units: dict[int, AdministrativeUnit] = {
            unit.pk: unit for unit in AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
        }
        self.successors: dict[int, list[tuple[AdministrativeUnit, bool]]] = defaultdict(list)
        self.predecessors: dict[int, list[tuple[AdministrativeUnit, bool]]] = defaultdict(list)
        for old, new, primary in Succession.objects.values_list("predecessor_id", "successor_id", "is_primary"):
            if old in self.units and new in self.units:
                self.successors[old].append((self.units[new], primary))
                self.predecessors[new].append((self.units[old], primary))
        self._cache: dict[tuple, AdministrativeUnit | None] = {}

    def for_year(
        self, commune_id: int, year: int, *, reviewed_id: int | None = None, named_id: int | None = None
    ) -> AdministrativeUnit | None:
        key = (commune_id, year, reviewed_id, named_id)
        if key not in self._cache:
            commune = self.units.get(commune_id)
            self._cache[key] = (
                None
                if commune is None
                else choose_commune(
                    commune,
                    year,
                    successors=self.successors.get(commune_id, ()),
                    predecessors=self.predecessors.get(commune_id, ()),
                    reviewed=self.units.get(reviewed_id) if reviewed_id else None,
                    named=self.units.get(named_id) if named_id else None,
                )
            )
        return self._cache[key]

    def is_successor(self, old_id: int, new_id: int) -> bool:
        return any(unit.pk == new_id for unit, _primary in self.successors.get(old_id, ()))

    def primary_successor(self, old_id: int) -> AdministrativeUnit | None:
        return next((unit for unit, primary in self.successors.get(old_id, ()) if primary), None)
