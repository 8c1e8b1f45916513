"""Where the demo's households live and which list each is on in each year it is reviewed."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import count

from households import poverty
from households.demo.plan import (
    ABOVE_AVERAGE,
    AVERAGE,
    DISTRICT_POVERTY,
    FAST_GROWING,
    INNER_DISTRICT_POVERTY,
    MOUNTAIN_COMMUNES,
    MOUNTAIN_DISTRICTS,
    NEAR_POOR,
    OFF_LISTS,
    POOR,
    STILL_POOR_2022,
    YEARS,
    DemoRefused,
    Plan,
)
from households.models import AdministrativeUnit, Sex, Structure, UnitKind, UnitLevel


@dataclass(frozen=True)
class DemoUnits:
    city: AdministrativeUnit
    communes: list[AdministrativeUnit]  # legacy communes, by code
    district_code: dict[int, str]  # commune pk → its district's code


def load_units() -> DemoUnits:
    units = AdministrativeUnit.objects.filter(structure=Structure.LEGACY).select_related("parent").order_by("code")
    city = next((unit for unit in units if unit.level == UnitLevel.CITY and unit.code == "01"), None)
    communes = [unit for unit in units if unit.level == UnitLevel.COMMUNE]
    if city is None or not communes:
        raise DemoRefused("Chưa có đơn vị hành chính của Hà Nội: chạy load_admin_units trước.")
    return DemoUnits(city, communes, {unit.pk: unit.parent.code for unit in communes if unit.parent})


def is_rural(commune: AdministrativeUnit) -> bool:
    return commune.kind == UnitKind.COMMUNE


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights`, largest remainder first (ties by position)."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    parts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class Geography:
    resident: dict[int, list[int]]  # year → total resident households of each commune, in code order
    poor_weight: list[float]
    near_poor_weight: list[float]
    villages: list[int]


def draw_geography(rng: random.Random, units: DemoUnits, plan: Plan) -> Geography:
    sizes, growth, poor_weight, near_weight, villages = [], [], [], [], []
    for commune in units.communes:
        district = units.district_code.get(commune.pk, "")
        rural = is_rural(commune)
        # Urban wards are larger than rural communes; the outskirts grow fastest.
        size = (
            rng.uniform(1800, 4500) if rural else rng.uniform(3500, 7000 if commune.kind == UnitKind.TOWNSHIP else 9500)
        )
        sizes.append(size)
        growth.append(rng.uniform(1.02, 1.04) if district in FAST_GROWING else rng.uniform(1.005, 1.025))
        intensity = DISTRICT_POVERTY.get(district, INNER_DISTRICT_POVERTY)
        mountain = 2.5 if commune.code in MOUNTAIN_COMMUNES else 1.0
        poor_weight.append(size * intensity * (1.0 if rural else 0.45) * mountain * rng.uniform(0.5, 1.5))
        near_weight.append(size * math.sqrt(intensity) * (1.0 if rural else 0.7) * rng.uniform(0.6, 1.4))
        villages.append(rng.randint(5, 18) if rural else rng.randint(10, 40))
    resident = {
        year: _allocate(plan.resident[year], [s * g ** (year - YEARS[0]) for s, g in zip(sizes, growth, strict=True)])
        for year in YEARS
    }
    return Geography(resident, poor_weight, near_weight, villages)


# --- the simulation: each household's class in each year it is reviewed ----------------------


@dataclass(eq=False)
class Draft:
    index: int
    commune: AdministrativeUnit
    commune_index: int
    district: str
    rural: bool
    meritorious: bool
    social_protection: bool
    no_labour_capacity: bool
    ethnic_minority: bool
    head_sex: str
    classes: dict[int, poverty.PovertyClass] = field(default_factory=dict)  # year → class, in year order

    def latest(self) -> poverty.PovertyClass | None:
        return next(reversed(self.classes.values()), None)

    def was(self, poverty_class: poverty.PovertyClass) -> bool:
        return poverty_class in self.classes.values()


# Share of households with each flag, by the list they first appear on.
PROFILES = {
    POOR: {"meritorious": 0.015, "social_protection": 0.40, "no_labour_capacity": 0.30, "female_head": 0.38},
    NEAR_POOR: {"meritorious": 0.04, "social_protection": 0.18, "no_labour_capacity": 0.08, "female_head": 0.30},
    AVERAGE: {"meritorious": 0.03, "social_protection": 0.06, "no_labour_capacity": 0.02, "female_head": 0.22},
}


def _poverty_allowed(year: int, district: str, rural: bool) -> bool:
    """Where poverty may be at the end of `year`: anywhere at the baseline, then only in the 14
    districts (16 have none from 2022), and only in rural communes from 2023."""
    return year == YEARS[0] or (district in STILL_POOR_2022 and (year < 2023 or rural))


def _may_be_poor(draft: Draft, year: int) -> bool:
    # Plan 51's target for families with meritorious service (none poor) is met from 2022 on.
    return _poverty_allowed(year, draft.district, draft.rural) and (year == YEARS[0] or not draft.meritorious)


def _pick(
    rng: random.Random,
    pool: Sequence[Draft],
    k: int,
    weight: Callable[[Draft], float] | None = None,
    spread: Callable[[Draft], str] | None = None,
) -> list[Draft]:
    """k drafts drawn without replacement in proportion to `weight` (Efraimidis–Spirakis);
    with `spread`, first one per group (groups in sorted order), then the rest."""
    if k <= 0 or not pool:
        return []
    keyed = sorted(
        ((rng.random() ** (1.0 / (weight(d) if weight else 1.0)), d.index, d) for d in pool),
        key=lambda item: (-item[0], item[1]),
    )
    chosen: list[Draft] = []
    if spread is not None:
        best: dict[str, Draft] = {}
        for _, _, draft in keyed:
            best.setdefault(spread(draft), draft)
        chosen = [best[group] for group in sorted(best)][:k]
    taken = {draft.index for draft in chosen}
    chosen += [draft for _, _, draft in keyed if draft.index not in taken][: k - len(chosen)]
    return chosen


def _stay_poor_weight(draft: Draft) -> float:
    # The households that stay poor longest are those with no one able to work.
    weight = 3.0 if draft.no_labour_capacity else 1.0
    weight *= 1.5 if draft.social_protection else 1.0
    weight *= 1.5 if draft.ethnic_minority else 1.0
    return weight * (1.5 if draft.rural else 1.0)


def _stay_near_poor_weight(draft: Draft) -> float:
    return (2.0 if draft.no_labour_capacity else 1.0) * (1.3 if draft.rural else 1.0)


class Simulation:
    def __init__(self, rng: random.Random, units: DemoUnits, geography: Geography, plan: Plan) -> None:
        self.rng, self.units, self.geography, self.plan = rng, units, geography, plan
        self.drafts: list[Draft] = []
        self.numbers = count()

    def run(self) -> list[Draft]:
        first = YEARS[0]
        poor_communes = self._place(self.geography.poor_weight, self.plan.poor_end[first], spread=STILL_POOR_2022)
        for i in poor_communes:
            self._create(i, first, POOR)
        for i in self._place(self.geography.near_poor_weight, self.plan.near_poor_end[first]):
            self._create(i, first, NEAR_POOR)
        for year in YEARS[1:]:
            self._advance(year)
        # Households that asked for a review and were found above the near-poor line.
        sizes = self.geography.resident[first]
        for i in self._place([float(size) for size in sizes], self.plan.households - len(self.drafts)):
            year = self.rng.choice(YEARS)
            self._create(i, year, AVERAGE if self.rng.random() < 0.6 else ABOVE_AVERAGE, profile=AVERAGE)
        return self.drafts

    def _place(self, weights: list[float], k: int, spread: Sequence[str] = (), only=None) -> list[int]:
        """Commune indexes for k new households, drawn by weight; with `spread`, one in a rural
        commune of each of those districts first."""
        if k <= 0:
            return []
        communes = self.units.communes
        eligible = [only(c) if only else True for c in communes]
        chosen = []
        for district in spread[:k]:
            options = [
                i
                for i, c in enumerate(communes)
                if eligible[i] and is_rural(c) and self.units.district_code.get(c.pk) == district
            ]
            if options:
                chosen += self.rng.choices(options, weights=[weights[i] for i in options])
        masked = [w if eligible[i] else 0.0 for i, w in enumerate(weights)]
        return chosen + self.rng.choices(range(len(communes)), weights=masked, k=k - len(chosen))

    def _create(self, commune_index: int, year: int, poverty_class, profile=None) -> Draft:
        rng = self.rng
        commune = self.units.communes[commune_index]
        district = self.units.district_code.get(commune.pk, "")
        shares = PROFILES[profile or poverty_class]
        # Mường and Dao villages: a few % of the city, most in the mountain communes.
        ethnic = 0.45 if commune.code in MOUNTAIN_COMMUNES else 0.02 if district in MOUNTAIN_DISTRICTS else 0.004
        draft = Draft(
            index=next(self.numbers),
            commune=commune,
            commune_index=commune_index,
            district=district,
            rural=is_rural(commune),
            meritorious=rng.random() < shares["meritorious"],
            social_protection=rng.random() < shares["social_protection"],
            no_labour_capacity=rng.random() < shares["no_labour_capacity"],
            ethnic_minority=rng.random() < ethnic,
            head_sex=Sex.FEMALE if rng.random() < shares["female_head"] else Sex.MALE,
        )
        if poverty_class is POOR and year > YEARS[0]:
            draft.meritorious = False  # no meritorious family falls into poverty after the baseline
        draft.classes[year] = poverty_class
        self.drafts.append(draft)
        return draft

    def _off_lists(self) -> poverty.PovertyClass:
        return AVERAGE if self.rng.random() < 0.8 else ABOVE_AVERAGE

    def _advance(self, year: int) -> None:
        rng, plan, f = self.rng, self.plan, self.plan.flows[year]
        poor = [d for d in self.drafts if d.classes.get(year - 1) is POOR]
        near = [d for d in self.drafts if d.classes.get(year - 1) is NEAR_POOR]
        off = [d for d in self.drafts if d.latest() in OFF_LISTS]  # on no list at the start of the year

        # The poor at the start: some stay, the rest escape to the near-poor list or above it.
        allowed = [d for d in poor if _may_be_poor(d, year)]
        spread = (lambda d: d.district) if year == 2022 else None
        stay = _pick(rng, allowed, plan.poor_stayed(year), _stay_poor_weight, spread)
        if len(stay) < plan.poor_stayed(year):
            raise DemoRefused(f"Không đủ hộ để dựng chuỗi số liệu năm {year}; hãy tăng --households.")
        staying = {d.index for d in stay}
        escapers = [d for d in poor if d.index not in staying]
        to_near = {d.index for d in _pick(rng, escapers, f.poor_to_near_poor)}
        for d in poor:
            d.classes[year] = POOR if d.index in staying else NEAR_POOR if d.index in to_near else self._off_lists()

        # Households that fall (back) into poverty: from the near-poor list, or from above it.
        candidates = [d for d in near if _may_be_poor(d, year)]
        re_from_near = _pick(rng, [d for d in candidates if d.was(POOR)], f.re_poor_from_near_poor)
        newly_from_near = _pick(rng, [d for d in candidates if not d.was(POOR)], f.newly_poor_from_near_poor)
        re_from_off = _pick(rng, [d for d in off if d.was(POOR) and _may_be_poor(d, year)], f.re_poor_from_off_lists)
        fallen = [*re_from_near, *newly_from_near, *re_from_off]
        # Where a pool is too small (tiny registries), the household comes from outside instead.
        shortfall = self.plan.poor_in(year) - f.newly_poor_from_outside - len(fallen)
        for d in fallen:
            d.classes[year] = POOR

        # The near-poor at the start: some stay, the rest escape above the line.
        rest = [d for d in near if year not in d.classes]
        stay_near = {d.index for d in _pick(rng, rest, plan.near_poor_stayed(year), _stay_near_poor_weight)}
        for d in rest:
            d.classes[year] = NEAR_POOR if d.index in stay_near else self._off_lists()
        back_near = _pick(rng, [d for d in off if year not in d.classes and d.was(NEAR_POOR)], f.re_near_poor)
        for d in back_near:
            d.classes[year] = NEAR_POOR

        # Households reviewed for the first time.
        def allowed(commune: AdministrativeUnit) -> bool:
            return _poverty_allowed(year, self.units.district_code.get(commune.pk, ""), is_rural(commune))

        for i in self._place(self.geography.poor_weight, f.newly_poor_from_outside + shortfall, only=allowed):
            self._create(i, year, POOR)
        for i in self._place(self.geography.near_poor_weight, f.newly_near_poor + f.re_near_poor - len(back_near)):
            self._create(i, year, NEAR_POOR)
