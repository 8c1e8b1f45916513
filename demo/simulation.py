"""Where the demo's households live and which list each is on in each year it is reviewed."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import count

from demo.plan import (
    ABOVE_AVERAGE,
    AVERAGE,
    CURRENT_YEARS,
    DEMO_COMMUNE_2025,
    DISTRICT_POVERTY,
    FAST_GROWING,
    IN_PROGRESS_YEAR,
    INNER_DISTRICT_POVERTY,
    MOUNTAIN_COMMUNES,
    MOUNTAIN_DISTRICTS,
    NEAR_POOR,
    NEW_STANDARD_YEAR,
    NO_POOR_2021,
    NON_PRIMARY_VILLAGE_SHARE,
    OFF_LISTS,
    POOR,
    PROGRESS_2026,
    SPLIT_BY_VILLAGE,
    STILL_POOR_2022,
    URBAN_POOR_DISTRICT_2022,
    YEARS,
    DemoRefused,
    Plan,
)
from households import poverty
from households.models import AdministrativeUnit, Sex, Structure, Succession, UnitKind, UnitLevel
from households.workflow import YearState


@dataclass(frozen=True)
class DemoUnits:
    city: AdministrativeUnit
    communes: list[AdministrativeUnit]  # legacy communes, by code
    district_code: dict[int, str]  # commune pk → its district's code
    units: list[AdministrativeUnit]  # the 126 units of 2025, by code
    successors: dict[int, list[AdministrativeUnit]]  # legacy commune pk → [primary, the others by code]

    def unit_for(self, commune: AdministrativeUnit, village: int, villages: int) -> AdministrativeUnit:
        """The 2025 unit a household of `commune`'s village number `village` (of `villages`) lives in.

        The primary successor, except in the SPLIT_BY_VILLAGE communes, whose last villages went to
        the other successors in turn.
        """
        primary, *others = self.successors[commune.pk]
        if commune.code not in SPLIT_BY_VILLAGE or not others:
            return primary
        block = max(len(others), round(villages * NON_PRIMARY_VILLAGE_SHARE))
        from_last = villages - village
        return others[from_last % len(others)] if from_last < block else primary

    def village_shares(self, commune: AdministrativeUnit, villages: int) -> dict[int, int]:
        """Number of the commune's villages in each 2025 unit (unit pk → villages)."""
        return dict(Counter(self.unit_for(commune, v, villages).pk for v in range(1, villages + 1)))


def load_units() -> DemoUnits:
    units = AdministrativeUnit.objects.select_related("parent").order_by("structure", "code")
    city = next((unit for unit in units if unit.level == UnitLevel.CITY and unit.code == "01"), None)
    communes = [u for u in units if u.level == UnitLevel.COMMUNE and u.structure == Structure.LEGACY]
    reform = [u for u in units if u.level == UnitLevel.COMMUNE and u.structure == Structure.REFORM_2025]
    if city is None or not communes or not reform:
        raise DemoRefused("Chưa có đơn vị hành chính của Hà Nội: chạy load_admin_units trước.")
    by_pk = {unit.pk: unit for unit in reform}
    successors: dict[int, list[AdministrativeUnit]] = {}
    rows = Succession.objects.filter(predecessor__in=[c.pk for c in communes]).values_list(
        "predecessor_id", "successor_id", "is_primary"
    )
    for predecessor, successor, _ in sorted(rows, key=lambda r: (r[0], not r[2], by_pk[r[1]].code)):
        successors.setdefault(predecessor, []).append(by_pk[successor])
    if len(successors) != len(communes):
        raise DemoRefused("Thiếu quan hệ kế thừa giữa xã cũ và xã mới: chạy load_admin_units trước.")
    return DemoUnits(city, communes, {u.pk: u.parent.code for u in communes if u.parent}, reform, successors)


def is_rural(commune: AdministrativeUnit) -> bool:
    return commune.kind == UnitKind.COMMUNE


def allocate(total: int, weights: Sequence[float]) -> list[int]:
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
        year: allocate(plan.resident[year], [s * g ** (year - YEARS[0]) for s, g in zip(sizes, growth, strict=True)])
        for year in YEARS
    }
    return Geography(resident, poor_weight, near_weight, villages)


def draw_progress(rng: random.Random, units: DemoUnits) -> dict[int, YearState]:
    """How far each 2025 unit has got with the end-2026 review (unit pk → state), PROGRESS_2026 of each.

    The demo commune is left with drafts (its officer has something to finish and submit). A unit
    that receives households of a split commune by village is never "not started", so a legacy
    commune's households are either all in started units or all in one that has not started.
    """
    by_village = {
        successor.pk
        for commune in units.communes
        if commune.code in SPLIT_BY_VILLAGE
        for successor in units.successors[commune.pk]
    }
    demo = next((u for u in units.units if u.code == DEMO_COMMUNE_2025), None)
    others = [u for u in units.units if u is not demo]
    rng.shuffle(others)
    may_wait = [u for u in others if u.pk not in by_village]
    waiting = may_wait[: PROGRESS_2026["not_started"]]
    rest = [u for u in others if u not in waiting]
    progress = {u.pk: YearState.NOT_STARTED for u in waiting}
    if demo is not None:
        progress[demo.pk] = YearState.DRAFT
    states = [YearState.APPROVED, YearState.SUBMITTED, YearState.DRAFT]
    quota = [PROGRESS_2026["approved"], PROGRESS_2026["submitted"], PROGRESS_2026["draft"] - (demo is not None)]
    for state, number in zip(states, quota, strict=True):
        for unit in rest[:number]:
            progress[unit.pk] = state
        rest = rest[number:]
    for unit in rest:  # a package with more units than PROGRESS_2026 counts: drafts
        progress[unit.pk] = YearState.DRAFT
    return progress


# --- the simulation: each household's class in each year it is reviewed ----------------------


@dataclass(eq=False)
class Draft:
    index: int
    commune: AdministrativeUnit  # the legacy commune, where it was reviewed until 2024
    commune_index: int
    district: str
    rural: bool
    village: int
    unit: AdministrativeUnit  # the 2025 unit it lives in, where it is reviewed from 2025
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
    """Where poverty may be at the end of `year`: anywhere at the baseline of a standard (2021 but
    in the 3 huyện of NO_POOR_2021, 2026), then only in the 14 districts of STILL_POOR_2022 (16 have none from 2022), in their
    rural communes but for Hà Đông's few urban poor of 2022, and only in rural communes from 2023.
    Nobody becomes poor in an urban commune in 2022 (_may_fall_poor)."""
    if year == YEARS[0]:
        return district not in NO_POOR_2021
    if year == NEW_STANDARD_YEAR:
        return True
    return district in STILL_POOR_2022 and (rural or (year == 2022 and district == URBAN_POOR_DISTRICT_2022))


def _may_be_poor(draft: Draft, year: int) -> bool:
    # Plan 51's target for families with meritorious service (none poor) is met from 2022 on.
    return _poverty_allowed(year, draft.district, draft.rural) and (year == YEARS[0] or not draft.meritorious)


def _may_fall_poor(draft: Draft, year: int) -> bool:
    """May become poor this year: where poverty may be, and in 2022 only in a rural commune."""
    return _may_be_poor(draft, year) and (year != 2022 or draft.rural)


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
    """Each household's class in each year, by the plan's flows.

    The end-2026 review is simulated for the whole city, then the households of the units that
    have not started it lose their 2026 class (they are not reviewed yet); no household is first
    reviewed in 2026 in such a unit.
    """

    def __init__(
        self, rng: random.Random, units: DemoUnits, geography: Geography, plan: Plan, progress: dict[int, YearState]
    ) -> None:
        self.rng, self.units, self.geography, self.plan = rng, units, geography, plan
        self.progress = progress
        self.drafts: list[Draft] = []
        self.numbers = count()

    def started(self, unit: AdministrativeUnit) -> bool:
        return self.progress.get(unit.pk) != YearState.NOT_STARTED

    def run(self) -> list[Draft]:
        first = YEARS[0]
        poor_communes = self._place(
            self.geography.poor_weight,
            self.plan.poor_end[first],
            spread=STILL_POOR_2022,
            only=lambda c: self.units.district_code.get(c.pk) not in NO_POOR_2021,
        )
        for i in poor_communes:
            self._create(i, first, POOR)
        for i in self._place(self.geography.near_poor_weight, self.plan.near_poor_end[first]):
            self._create(i, first, NEAR_POOR)
        for year in YEARS[1:]:
            self._advance(year)
        # Households that asked for a review and were found above the near-poor line (not in 2026,
        # which some units have not started).
        sizes = self.geography.resident[first]
        asked_in = [year for year in YEARS if year != IN_PROGRESS_YEAR]
        for i in self._place([float(size) for size in sizes], self.plan.households - len(self.drafts)):
            year = self.rng.choice(asked_in)
            self._create(i, year, AVERAGE if self.rng.random() < 0.6 else ABOVE_AVERAGE, profile=AVERAGE)
        for year in CURRENT_YEARS:
            self._cover(year)
        for draft in self.drafts:
            if IN_PROGRESS_YEAR in draft.classes and not self.started(draft.unit):
                del draft.classes[IN_PROGRESS_YEAR]
        return self.drafts

    def _place(self, weights: list[float], k: int, spread: Sequence[str] = (), only=None) -> list[int]:
        """Commune indexes for k new households, drawn by weight; with `spread`, one in a commune
        of each of those districts first (a rural one where the district has any)."""
        if k <= 0:
            return []
        communes = self.units.communes
        eligible = [only(c) if only else True for c in communes]
        chosen = []
        for district in spread[:k]:
            in_district = [
                i for i, c in enumerate(communes) if eligible[i] and self.units.district_code.get(c.pk) == district
            ]
            options = [i for i in in_district if is_rural(communes[i])] or in_district
            if options:
                chosen += self.rng.choices(options, weights=[weights[i] for i in options])
        masked = [w if eligible[i] else 0.0 for i, w in enumerate(weights)]
        return chosen + self.rng.choices(range(len(communes)), weights=masked, k=k - len(chosen))

    def _create(self, commune_index: int, year: int, poverty_class, profile=None) -> Draft:
        rng = self.rng
        commune = self.units.communes[commune_index]
        district = self.units.district_code.get(commune.pk, "")
        shares = PROFILES[profile or poverty_class]
        villages = self.geography.villages[commune_index]
        village = rng.randint(1, villages)
        # Mường and Dao villages: a few % of the city, most in the mountain communes.
        ethnic = 0.45 if commune.code in MOUNTAIN_COMMUNES else 0.02 if district in MOUNTAIN_DISTRICTS else 0.004
        draft = Draft(
            index=next(self.numbers),
            commune=commune,
            commune_index=commune_index,
            district=district,
            rural=is_rural(commune),
            village=village,
            unit=self.units.unit_for(commune, village, villages),
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

    def _cover(self, year: int) -> None:
        """Every unit reviewing `year` reviews at least one household: where the simulation left
        one with none, a household of it that is on no list asks for a review."""
        reviewed = {d.unit.pk for d in self.drafts if year in d.classes}
        idle: dict[int, list[Draft]] = {}
        for d in self.drafts:
            if d.unit.pk not in reviewed and year not in d.classes and max(d.classes) < year:
                idle.setdefault(d.unit.pk, []).append(d)
        for unit in self.units.units:
            if unit.pk in reviewed or not (year != IN_PROGRESS_YEAR or self.started(unit)):
                continue
            if unit.pk in idle:
                self.rng.choice(idle[unit.pk]).classes[year] = self._off_lists()

    def _advance(self, year: int) -> None:
        rng, plan, f = self.rng, self.plan, self.plan.flows[year]
        poor = [d for d in self.drafts if d.classes.get(year - 1) is POOR]
        near = [d for d in self.drafts if d.classes.get(year - 1) is NEAR_POOR]
        off = [d for d in self.drafts if d.latest() in OFF_LISTS]  # on no list at the start of the year

        # The poor at the start: some stay, the rest escape to the near-poor list or above it.
        allowed = [d for d in poor if _may_be_poor(d, year)]
        if year == 2022:  # exactly urban_poor_2022 urban (Hà Đông), one poor in each other district first
            urban = _pick(rng, [d for d in allowed if not d.rural], plan.urban_poor_2022, _stay_poor_weight)
            if len(urban) < plan.urban_poor_2022:
                raise DemoRefused(f"Không đủ hộ để dựng chuỗi số liệu năm {year}; hãy tăng --households.")
            rural = [d for d in allowed if d.rural]
            spread = lambda d: d.district  # noqa: E731
            stay = urban + _pick(rng, rural, plan.poor_stayed(year) - len(urban), _stay_poor_weight, spread)
        else:
            stay = _pick(rng, allowed, plan.poor_stayed(year), _stay_poor_weight)
        if len(stay) < plan.poor_stayed(year):
            raise DemoRefused(f"Không đủ hộ để dựng chuỗi số liệu năm {year}; hãy tăng --households.")
        staying = {d.index for d in stay}
        escapers = [d for d in poor if d.index not in staying]
        to_near = {d.index for d in _pick(rng, escapers, f.poor_to_near_poor)}
        for d in poor:
            d.classes[year] = POOR if d.index in staying else NEAR_POOR if d.index in to_near else self._off_lists()

        # Households that fall (back) into poverty: from the near-poor list, or from above it.
        candidates = [d for d in near if _may_fall_poor(d, year)]
        re_from_near = _pick(rng, [d for d in candidates if d.was(POOR)], f.re_poor_from_near_poor)
        newly_from_near = _pick(rng, [d for d in candidates if not d.was(POOR)], f.newly_poor_from_near_poor)
        off_candidates = [d for d in off if _may_fall_poor(d, year)]
        re_from_off = _pick(rng, [d for d in off_candidates if d.was(POOR)], f.re_poor_from_off_lists)
        newly_from_off = _pick(rng, [d for d in off_candidates if not d.was(POOR)], f.newly_poor_from_off_lists)
        fallen = [*re_from_near, *newly_from_near, *re_from_off, *newly_from_off]
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
        first_near = [d for d in off if year not in d.classes and not d.was(NEAR_POOR)]
        newly_near_from_off = _pick(rng, first_near, f.newly_near_poor_from_off_lists)
        for d in newly_near_from_off:
            d.classes[year] = NEAR_POOR
        near_shortfall = f.re_near_poor + f.newly_near_poor_from_off_lists - len(back_near) - len(newly_near_from_off)

        # Households reviewed for the first time (in 2026 only where the review has started).
        def allowed_poor(commune: AdministrativeUnit) -> bool:
            district, rural = self.units.district_code.get(commune.pk, ""), is_rural(commune)
            return _poverty_allowed(year, district, rural) and (year != 2022 or rural) and may_start(commune)

        def may_start(commune: AdministrativeUnit) -> bool:
            return year != IN_PROGRESS_YEAR or self.started(self.units.successors[commune.pk][0])

        for i in self._place(self.geography.poor_weight, f.newly_poor_from_outside + shortfall, only=allowed_poor):
            self._create(i, year, POOR)
        for i in self._place(self.geography.near_poor_weight, f.newly_near_poor + near_shortfall, only=may_start):
            self._create(i, year, NEAR_POOR)
