"""Demo data of the portal: synthetic households, members and reviews of Hanoi, 2021–2024.

Everything about a household is invented: its name, village, members, income, deprivations,
which commune it lives in and how it moves between the lists. No row comes from a real review.
What the data reproduces, at the default scale, is the published city series of DOMAIN.md §5
(QĐ 678/QĐ-UBND for the end-2021 baseline, QĐ 337/QĐ-UBND for end 2022, press for 2023–2024):

- poor households at the end of 2021..2024: 3,612 → 2,134 → 690 → 0, so the reduction rates
  computed by the portal are 40.92 %, 67.67 % and 100 %; the 690 of 2023 all live in rural
  communes (xã), and 16 of the 30 districts have no poor household at the end of 2022;
- near-poor: 30,176 → 22,263 → 15,200 → 9,570 (15,200 for 2023 is not published: chosen here);
- 2022: 1,582 households escaped poverty and 104 became poor (net −1,478, DOMAIN.md §4);
- about 2.2 million resident households, chosen so that the published rates come out
  (0.16 % and 1.38 % at the end of 2021, 0.095 % and 0.99 % at the end of 2022).

Chosen, not published: the movements in FLOWS below; about 1.5 % of the baseline poor have a
member with meritorious service and all of them escape in 2022 (none falls in later), so Plan 51's
"no poor household with meritorious service" is met from the end of 2022, while about 4 % of the
near-poor stay meritorious. The registry starts with the end-2021 review, so every 2021 review is
"newly" poor or near-poor, and no 2022 household can be re-poor.

Classes and movements are never set by hand: each review gets an income and deprivation flags
drawn for the class intended, the class stored is what households.poverty.classify_household
makes of them, and the movement is what derive_movements makes of the household's years, so the
rules stay the single source.

Scale: `households` is the size of the registry. The published figures need 38,712 households
(every poor and near-poor household of every year); the default of 40,000 adds 1,288 households
that asked for a review and were found above the near-poor line. Below the default every count
of the plan (published stocks, chosen movements, resident totals) is multiplied by
households / 40,000 and rounded half up; escaped and stayed are derived from the rounded figures,
so end = start − escaped + newly poor + re-poor still holds exactly and 2024 still ends at zero,
but the rates are only close to the published ones. Above the default the plan keeps its
published size and the extra households are more of the "found above the line" kind.

Same seed, same data: one random.Random(seed), units taken in code order, no set iteration, so
two runs on empty databases write identical rows (apart from ids and Review.updated_at).
"""

from __future__ import annotations

import datetime
import math
import random
import time
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import accumulate, count

from django.db import transaction

from households import poverty
from households.models import (
    AdministrativeUnit,
    Area,
    Cause,
    Household,
    Member,
    Need,
    PovertyStandard,
    Review,
    ReviewState,
    ReviewType,
    Sex,
    Structure,
    TotalSource,
    UnitKind,
    UnitLevel,
    UnitYear,
)

DEFAULT_HOUSEHOLDS = 40_000
DEFAULT_SEED = 51
MIN_HOUSEHOLDS = 500
YEARS = (2021, 2022, 2023, 2024)
STANDARD_CODE = "national-2022-2025"
BATCH_SIZE = 2000

POOR = poverty.PovertyClass.POOR
NEAR_POOR = poverty.PovertyClass.NEAR_POOR
AVERAGE = poverty.PovertyClass.AVERAGE
ABOVE_AVERAGE = poverty.PovertyClass.ABOVE_AVERAGE
OFF_LISTS = (AVERAGE, ABOVE_AVERAGE)

# Published city stocks at the end of each year (DOMAIN.md §5); near-poor 2023 is chosen.
POOR_END = {2021: 3612, 2022: 2134, 2023: 690, 2024: 0}
NEAR_POOR_END = {2021: 30176, 2022: 22263, 2023: 15200, 2024: 9570}
# Resident households: 3,612 / 2,192,000 = 0.165 % → 0.16 %, 30,176 / 2,192,000 → 1.38 %;
# 2,134 / 2,245,000 → 0.095 %, 22,263 / 2,245,000 → 0.99 %; then about 2 % growth a year.
RESIDENT_HOUSEHOLDS = {2021: 2_192_000, 2022: 2_245_000, 2023: 2_290_000, 2024: 2_330_000}


@dataclass(frozen=True)
class YearFlows:
    """The chosen movements of one year, from which the published year-end counts follow."""

    poor_to_near_poor: int  # escaped poverty but still near-poor (the rest go above the line)
    newly_poor_from_near_poor: int
    newly_poor_from_outside: int  # on no list before: a household first reviewed this year
    re_poor_from_near_poor: int
    re_poor_from_off_lists: int  # escaped in an earlier year to above the near-poor line
    newly_near_poor: int  # first reviewed this year
    re_near_poor: int  # escaped near-poverty in an earlier year, back on the list


# Re-poor needs a poor year before the previous one, and the registry starts with the end-2021
# re-review, so 2022's 104 are all newly poor. 2023: 38 newly poor and 12 re-poor, hence 1,494
# escaped. 2024: all 690 escape, nobody falls in (the city reached zero).
FLOWS = {
    2022: YearFlows(1060, 46, 58, 0, 0, 2150, 0),
    2023: YearFlows(1010, 22, 16, 7, 5, 1500, 300),
    2024: YearFlows(480, 0, 0, 0, 0, 1200, 250),
}

# Relative poverty per resident household by district (GSO code). The 14 first keep poor
# households at the end of 2022; the 12 quận and 4 huyện next to the core (Đông Anh, Gia Lâm,
# Thanh Trì, Hoài Đức) are the 16 without.
DISTRICT_POVERTY = {
    "271": 9.0,  # Ba Vì (mountain)
    "282": 7.0,  # Mỹ Đức
    "281": 6.0,  # Ứng Hòa
    "280": 5.5,  # Phú Xuyên
    "277": 5.0,  # Chương Mỹ
    "016": 5.0,  # Sóc Sơn
    "276": 4.5,  # Thạch Thất
    "275": 4.5,  # Quốc Oai
    "278": 4.5,  # Thanh Oai
    "272": 4.0,  # Phúc Thọ
    "279": 3.5,  # Thường Tín
    "250": 3.0,  # Mê Linh
    "269": 2.5,  # Sơn Tây (thị xã)
    "273": 2.5,  # Đan Phượng
    "017": 1.2,  # Đông Anh
    "018": 1.0,  # Gia Lâm
    "274": 1.0,  # Hoài Đức
    "020": 0.8,  # Thanh Trì
    "268": 0.3,  # Hà Đông
    "004": 0.3,  # Long Biên
    "008": 0.3,  # Hoàng Mai
    "021": 0.25,  # Bắc Từ Liêm
    "019": 0.2,  # Nam Từ Liêm
}
INNER_DISTRICT_POVERTY = 0.15  # Ba Đình, Hoàn Kiếm, Tây Hồ, Cầu Giấy, Đống Đa, Hai Bà Trưng, Thanh Xuân
STILL_POOR_2022 = ("016", "250", "269", "271", "272", "273", "275", "276", "277", "278", "279", "280", "281", "282")
# Mountain communes with Mường and Dao villages (Ba Vì, Thạch Thất, Quốc Oai, Mỹ Đức, Chương Mỹ).
MOUNTAIN_COMMUNES = (
    "09694", "09697", "09700", "09703", "09706", "09709", "09712",
    "04927", "04930", "04936", "04939", "09940", "10504", "10099",
)  # fmt: skip
MOUNTAIN_DISTRICTS = ("271", "275", "276", "277", "282")
FAST_GROWING = ("004", "008", "017", "018", "019", "020", "021", "268", "274")


class DemoRefused(Exception):
    """Nothing was written; the message says why, in Vietnamese."""


class DatabaseNotEmpty(DemoRefused):
    """The database already holds households, reviews or resident totals."""


# --- the plan: how many households move where, at a given scale ---------------------------------


@dataclass(frozen=True)
class Plan:
    scale: Fraction
    households: int
    poor_end: dict[int, int]
    near_poor_end: dict[int, int]
    flows: dict[int, YearFlows]
    resident: dict[int, int]

    def poor_in(self, year: int) -> int:
        f = self.flows[year]
        return (
            f.newly_poor_from_near_poor
            + f.newly_poor_from_outside
            + f.re_poor_from_near_poor
            + f.re_poor_from_off_lists
        )

    def escaped(self, year: int) -> int:
        return self.poor_end[year - 1] + self.poor_in(year) - self.poor_end[year]

    def poor_stayed(self, year: int) -> int:
        return self.poor_end[year - 1] - self.escaped(year)

    def near_poor_stayed(self, year: int) -> int:
        f = self.flows[year]
        return self.near_poor_end[year] - f.poor_to_near_poor - f.newly_near_poor - f.re_near_poor

    def listed_households(self) -> int:
        """Households that are poor or near-poor in at least one year."""
        first = self.poor_end[YEARS[0]] + self.near_poor_end[YEARS[0]]
        return first + sum(f.newly_poor_from_outside + f.newly_near_poor for f in self.flows.values())


def plan_for(households: int) -> Plan:
    """The plan for a registry of `households`: the published one, or it scaled down (module doc)."""
    if households < MIN_HOUSEHOLDS:
        raise DemoRefused(f"Cần ít nhất {MIN_HOUSEHOLDS} hộ để dựng được chuỗi số liệu.")
    scale = Fraction(min(households, DEFAULT_HOUSEHOLDS), DEFAULT_HOUSEHOLDS)

    def scaled(value: int) -> int:
        return math.floor(value * scale + Fraction(1, 2))

    plan = Plan(
        scale=scale,
        households=households,
        poor_end={year: scaled(value) for year, value in POOR_END.items()},
        near_poor_end={year: scaled(value) for year, value in NEAR_POOR_END.items()},
        flows={
            year: YearFlows(*(scaled(getattr(f, name)) for name in f.__dataclass_fields__)) for year, f in FLOWS.items()
        },
        resident={year: scaled(value) for year, value in RESIDENT_HOUSEHOLDS.items()},
    )
    for year, f in plan.flows.items():
        escaped = plan.escaped(year)
        if min(escaped - f.poor_to_near_poor, plan.poor_stayed(year), plan.near_poor_stayed(year)) < 0:
            raise DemoRefused(f"Không dựng được chuỗi số liệu năm {year} với {households} hộ.")
    if plan.listed_households() > households:
        raise DemoRefused(f"{households} hộ không đủ cho chuỗi số liệu.")
    return plan


# --- units, resident totals and where poverty lives -----------------------------------------


@dataclass(frozen=True)
class _Units:
    city: AdministrativeUnit
    communes: list[AdministrativeUnit]  # legacy communes, by code
    district_code: dict[int, str]  # commune pk → its district's code


def _load_units() -> _Units:
    units = AdministrativeUnit.objects.filter(structure=Structure.LEGACY).select_related("parent").order_by("code")
    city = next((unit for unit in units if unit.level == UnitLevel.CITY and unit.code == "01"), None)
    communes = [unit for unit in units if unit.level == UnitLevel.COMMUNE]
    if city is None or not communes:
        raise DemoRefused("Chưa có đơn vị hành chính của Hà Nội: chạy load_admin_units trước.")
    return _Units(city, communes, {unit.pk: unit.parent.code for unit in communes if unit.parent})


def _is_rural(commune: AdministrativeUnit) -> bool:
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
class _Geography:
    resident: dict[int, list[int]]  # year → total resident households of each commune, in code order
    poor_weight: list[float]
    near_poor_weight: list[float]
    villages: list[int]


def _geography(rng: random.Random, units: _Units, plan: Plan) -> _Geography:
    sizes, growth, poor_weight, near_weight, villages = [], [], [], [], []
    for commune in units.communes:
        district = units.district_code.get(commune.pk, "")
        rural = _is_rural(commune)
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
    return _Geography(resident, poor_weight, near_weight, villages)


# --- the simulation: each household's class in each year it is reviewed ----------------------


@dataclass(eq=False)
class _Draft:
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


def _may_be_poor(draft: _Draft, year: int) -> bool:
    # Plan 51's target for families with meritorious service (none poor) is met from 2022 on.
    return _poverty_allowed(year, draft.district, draft.rural) and (year == YEARS[0] or not draft.meritorious)


def _pick(
    rng: random.Random,
    pool: Sequence[_Draft],
    k: int,
    weight: Callable[[_Draft], float] | None = None,
    spread: Callable[[_Draft], str] | None = None,
) -> list[_Draft]:
    """k drafts drawn without replacement in proportion to `weight` (Efraimidis–Spirakis);
    with `spread`, first one per group (groups in sorted order), then the rest."""
    if k <= 0 or not pool:
        return []
    keyed = sorted(
        ((rng.random() ** (1.0 / (weight(d) if weight else 1.0)), d.index, d) for d in pool),
        key=lambda item: (-item[0], item[1]),
    )
    chosen: list[_Draft] = []
    if spread is not None:
        best: dict[str, _Draft] = {}
        for _, _, draft in keyed:
            best.setdefault(spread(draft), draft)
        chosen = [best[group] for group in sorted(best)][:k]
    taken = {draft.index for draft in chosen}
    chosen += [draft for _, _, draft in keyed if draft.index not in taken][: k - len(chosen)]
    return chosen


def _stay_poor_weight(draft: _Draft) -> float:
    # The households that stay poor longest are those with no one able to work.
    weight = 3.0 if draft.no_labour_capacity else 1.0
    weight *= 1.5 if draft.social_protection else 1.0
    weight *= 1.5 if draft.ethnic_minority else 1.0
    return weight * (1.5 if draft.rural else 1.0)


def _stay_near_poor_weight(draft: _Draft) -> float:
    return (2.0 if draft.no_labour_capacity else 1.0) * (1.3 if draft.rural else 1.0)


class _Simulation:
    def __init__(self, rng: random.Random, units: _Units, geography: _Geography, plan: Plan) -> None:
        self.rng, self.units, self.geography, self.plan = rng, units, geography, plan
        self.drafts: list[_Draft] = []
        self.numbers = count()

    def run(self) -> list[_Draft]:
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
                if eligible[i] and _is_rural(c) and self.units.district_code.get(c.pk) == district
            ]
            if options:
                chosen += self.rng.choices(options, weights=[weights[i] for i in options])
        masked = [w if eligible[i] else 0.0 for i, w in enumerate(weights)]
        return chosen + self.rng.choices(range(len(communes)), weights=masked, k=k - len(chosen))

    def _create(self, commune_index: int, year: int, poverty_class, profile=None) -> _Draft:
        rng = self.rng
        commune = self.units.communes[commune_index]
        district = self.units.district_code.get(commune.pk, "")
        shares = PROFILES[profile or poverty_class]
        # Mường and Dao villages: a few % of the city, most in the mountain communes.
        ethnic = 0.45 if commune.code in MOUNTAIN_COMMUNES else 0.02 if district in MOUNTAIN_DISTRICTS else 0.004
        draft = _Draft(
            index=next(self.numbers),
            commune=commune,
            commune_index=commune_index,
            district=district,
            rural=_is_rural(commune),
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
            return _poverty_allowed(year, self.units.district_code.get(commune.pk, ""), _is_rural(commune))

        for i in self._place(self.geography.poor_weight, f.newly_poor_from_outside + shortfall, only=allowed):
            self._create(i, year, POOR)
        for i in self._place(self.geography.near_poor_weight, f.newly_near_poor + f.re_near_poor - len(back_near)):
            self._create(i, year, NEAR_POOR)


# --- turning drafts into rows ------------------------------------------------------------------

FAMILY_NAMES = {
    "Nguyễn": 31, "Trần": 9, "Lê": 8, "Phạm": 7, "Hoàng": 4, "Vũ": 4, "Đỗ": 4, "Bùi": 3, "Đặng": 3,
    "Ngô": 2, "Dương": 2, "Đinh": 2, "Đào": 2, "Trịnh": 1.5, "Phan": 1.5, "Lương": 1, "Tạ": 1,
    "Kiều": 1, "Khuất": 1, "Hà": 1, "Lưu": 1, "Chu": 1, "Cao": 1, "Mai": 1, "Nghiêm": 0.5,
    "Lại": 0.5, "Quách": 0.5, "Tô": 0.5, "Hồ": 0.5, "Lý": 0.5, "Phùng": 0.7, "Đàm": 0.3,
}  # fmt: skip
ETHNIC_FAMILY_NAMES = {"Đinh": 4, "Bạch": 2, "Quách": 2, "Hà": 2, "Bùi": 3, "Đặng": 1, "Bàn": 2, "Triệu": 2, "Lý": 1}
MIDDLE_NAMES = {
    Sex.MALE: ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Ngọc", "Tiến", "Mạnh", "Duy"],
    Sex.FEMALE: ["Thị", "Thu", "Thanh", "Ngọc", "Minh", "Phương", "Hồng", "Bích", "Kim", "Thùy"],
}
GIVEN_NAMES = {
    Sex.MALE: [
        "An", "Bình", "Cường", "Dũng", "Đạt", "Hùng", "Hải", "Hiếu", "Hòa", "Huy", "Khánh", "Lâm", "Long",
        "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành",
        "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Khôi", "Đăng", "Hưng", "Tiến", "Thịnh", "Kiên",
        "Lợi", "Chiến",
    ],
    Sex.FEMALE: [
        "Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Hồng", "Hương", "Huyền", "Lan", "Liên",
        "Linh", "Loan", "Lý", "Mai", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo",
        "Thơm", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Hiền", "Nhàn", "Xuân", "Thu", "Bích", "Đào",
    ],
}  # fmt: skip
# Indicators 1–12 of Decree 07 (DOMAIN.md §2): how often each one is the deprivation found.
INDICATOR_WEIGHTS = [1.3, 1.6, 0.5, 0.6, 1.1, 0.3, 0.9, 1.0, 0.5, 0.6, 1.4, 0.5]
CAUSE_WEIGHTS = {
    Cause.NO_CAPITAL: 30, Cause.NO_LAND: 8, Cause.NO_TOOLS: 6, Cause.NO_SKILLS: 18,
    Cause.NO_KNOWLEDGE: 10, Cause.NO_LABOUR: 6, Cause.ILLNESS: 20, Cause.OTHER: 4,
}  # fmt: skip
NEED_WEIGHTS = {Need.CREDIT: 35, Need.LAND: 4, Need.TOOLS: 6, Need.TRAINING: 20, Need.HOUSING: 8, Need.OTHER: 12}
DEPRIVATION_COUNTS = {
    POOR: {3: 36, 4: 30, 5: 18, 6: 11, 7: 5},
    NEAR_POOR: {0: 22, 1: 40, 2: 38},
    AVERAGE: {0: 40, 1: 28, 2: 18, 3: 10, 4: 4},
    ABOVE_AVERAGE: {0: 80, 1: 20},
}
HOUSEHOLD_SIZES = {1: 8, 2: 16, 3: 20, 4: 24, 5: 16, 6: 10, 7: 6}
ELDERLY_HOUSEHOLD_SIZES = {1: 45, 2: 35, 3: 20}  # households with no one able to work
STEP = 10_000  # incomes are estimated to the nearest 10,000 VND


class _Weighted:
    """A fixed discrete distribution; draw() is random.choices(k=1) with its sums computed once."""

    def __init__(self, weights: dict) -> None:
        self.items = list(weights)
        self.sums = list(accumulate(weights.values()))

    def draw(self, rng: random.Random):
        return self.items[bisect(self.sums, rng.random() * self.sums[-1], 0, len(self.sums) - 1)]


_DRAW = {
    "family": _Weighted(FAMILY_NAMES),
    "ethnic_family": _Weighted(ETHNIC_FAMILY_NAMES),
    "size": _Weighted(HOUSEHOLD_SIZES),
    "elderly_size": _Weighted(ELDERLY_HOUSEHOLD_SIZES),
    "causes": _Weighted({1: 40, 2: 40, 3: 20}),  # how many causes a review sheet records
    "needs": _Weighted({1: 55, 2: 45}),
    **{poverty_class: _Weighted(counts) for poverty_class, counts in DEPRIVATION_COUNTS.items()},
}


def _weighted_sample(rng: random.Random, weights: dict, k: int) -> list:
    keyed = sorted(weights, key=lambda item: -(rng.random() ** (1.0 / weights[item])))
    return keyed[:k]


def _name(rng: random.Random, sex: str, birth_year: int, family: str) -> str:
    old = birth_year < 1980
    middles = MIDDLE_NAMES[sex]
    middle = middles[0] if old and rng.random() < 0.8 else rng.choice(middles)
    return f"{family} {middle} {rng.choice(GIVEN_NAMES[sex])}"


def _family(rng: random.Random, ethnic: bool) -> str:
    return (_DRAW["ethnic_family"] if ethnic else _DRAW["family"]).draw(rng)


def _members(rng: random.Random, draft: _Draft) -> list[Member]:
    """The head first, then spouse, a parent, children and grandchildren, up to 1–7 people."""
    if draft.no_labour_capacity:
        size = _DRAW["elderly_size"].draw(rng)
        head_birth = rng.randint(1932, 1960)
    else:
        size = _DRAW["size"].draw(rng)
        head_birth = rng.randint(1950, 1992)
    family = _family(rng, draft.ethnic_minority)
    male_line = family
    people = [(_name(rng, draft.head_sex, head_birth, family), "Chủ hộ", draft.head_sex, head_birth)]
    if size > 1 and rng.random() < 0.75:
        sex = Sex.FEMALE if draft.head_sex == Sex.MALE else Sex.MALE
        birth = head_birth + rng.randint(-6, 4)
        spouse_family = _family(rng, draft.ethnic_minority)
        if sex == Sex.MALE:
            male_line = spouse_family
        people.append((_name(rng, sex, birth, spouse_family), "Vợ" if sex == Sex.FEMALE else "Chồng", sex, birth))
    if len(people) < size and head_birth >= 1975 and rng.random() < 0.3:
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        birth = head_birth - rng.randint(22, 32)
        people.append((_name(rng, sex, birth, family), "Bố" if sex == Sex.MALE else "Mẹ", sex, birth))
    while len(people) < size:
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        grandchild = head_birth < 1965 and len(people) >= 3 and rng.random() < 0.5
        birth = min(2020, head_birth + (rng.randint(44, 60) if grandchild else rng.randint(20, 38)))
        people.append((_name(rng, sex, birth, male_line), "Cháu" if grandchild else "Con", sex, birth))
    disabled_head = draft.no_labour_capacity and rng.random() < 0.4
    return [
        Member(full_name=name, relation=relation, sex=sex, birth_year=birth, disability=disabled_head and i == 0)
        for i, (name, relation, sex, birth) in enumerate(people)
    ]


def _income(rng: random.Random, poverty_class, lines: poverty.Lines) -> Decimal:
    line, ceiling = int(lines.poverty_line), int(lines.average_ceiling)
    if poverty_class is POOR:
        low, high = int(line * 0.40), line
    elif poverty_class is NEAR_POOR:
        low, high = int(line * 0.62), line
    elif poverty_class is AVERAGE:
        low, high = line + STEP, ceiling
    else:
        low, high = ceiling + STEP, int(ceiling * 1.7)
    steps = rng.randint(-(-low // STEP), high // STEP)
    return Decimal(steps * STEP)


def _b1_score(income: Decimal, lines: poverty.Lines) -> Decimal | None:
    # A proxy score on the same side of its cut-off as the income is of the line.
    if lines.b1_cutoff is None:
        return None
    return (lines.b1_cutoff * income / lines.poverty_line).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class _Rows:
    """Households, members, reviews and totals of the drafts, built in commune-code order."""

    def __init__(self, rng: random.Random, units: _Units, geography: _Geography, standard: PovertyStandard) -> None:
        self.rng, self.units, self.geography, self.standard = rng, units, geography, standard
        self.lines = {area: standard.lines(area) for area in (Area.URBAN, Area.RURAL)}
        self.review_start: dict[tuple[int, int], datetime.date] = {}

    def household(self, draft: _Draft, number: int) -> tuple[Household, list[Member], list[Review]]:
        rng, commune = self.rng, draft.commune
        members = _members(rng, draft)
        village_number = rng.randint(1, self.geography.villages[draft.commune_index])
        village = f"Thôn {village_number}" if draft.rural else f"Tổ dân phố {village_number}"
        household = Household(
            code=f"HN-{commune.code}-{number:05d}",
            commune=commune,
            village=village,
            address=", ".join([village, commune.name, *([commune.parent.name] if commune.parent else [])]),
            head_name=members[0].full_name,
            head_sex=draft.head_sex,
            ethnic_minority=draft.ethnic_minority,
            members_count=len(members),
            meritorious=draft.meritorious,
            social_protection=draft.social_protection,
            no_labour_capacity=draft.no_labour_capacity,
        )
        order = _weighted_sample(rng, dict(enumerate(INDICATOR_WEIGHTS)), len(INDICATOR_WEIGHTS))
        causes = _weighted_sample(rng, CAUSE_WEIGHTS, _DRAW["causes"].draw(rng))
        if draft.no_labour_capacity and Cause.NO_LABOUR not in causes:
            causes = [Cause.NO_LABOUR, *causes[:2]]
        needs = _weighted_sample(rng, NEED_WEIGHTS, _DRAW["needs"].draw(rng))
        reviews = {
            year: self.review(draft, year, wanted, order, causes, needs) for year, wanted in draft.classes.items()
        }
        movements = poverty.derive_movements(
            {year: poverty.PovertyClass(r.poverty_class) for year, r in reviews.items()}
        )
        for year, review in reviews.items():
            review.movement = movements[year].value
        first_year, first = next(iter(reviews.items()))
        if first.deprivation_flags & 1 << 3:  # indicator 4: a member aged 6 or more without health insurance
            uninsured = [m for m in members if m.birth_year <= first_year - 6]
            uninsured[-1].health_insurance = False
        return household, members, list(reviews.values())

    def review(self, draft: _Draft, year: int, wanted, order, causes, needs) -> Review:
        rng = self.rng
        lines = self.lines[Area.RURAL if draft.rural else Area.URBAN]
        income = _income(rng, wanted, lines)
        deprivations = _DRAW[wanted].draw(rng)
        flags = sum(1 << i for i in order[:deprivations])
        poverty_class = poverty.classify_household(lines, income_per_capita=income, deprivation_count=deprivations)
        if poverty_class is not wanted:  # the draws above are meant to make this impossible
            raise AssertionError(f"{wanted} drawn but {poverty_class} classified")
        listed = poverty_class in (POOR, NEAR_POOR)
        key = (draft.commune_index, year)
        if key not in self.review_start:  # each commune reviews within a few weeks, 1 Sep – 14 Dec
            self.review_start[key] = datetime.date(year, 9, 1) + datetime.timedelta(days=rng.randint(0, 80))
        date = min(self.review_start[key] + datetime.timedelta(days=rng.randint(0, 24)), datetime.date(year, 12, 14))
        return Review(
            year=year,
            commune=draft.commune,
            standard=self.standard,
            income_per_capita=income,
            b1_score=_b1_score(income, lines),
            deprivation_flags=flags,
            deprivation_count=deprivations,
            causes=[c.value for c in Cause if c in causes] if listed else [],
            needs=[n.value for n in Need if n in needs] if listed else [],
            poverty_class=poverty_class.value,
            review_type=ReviewType.PERIODIC,
            review_date=date,
            state=ReviewState.APPROVED,
            meritorious=draft.meritorious,
            social_protection=draft.social_protection,
            no_labour_capacity=draft.no_labour_capacity,
            ethnic_minority=draft.ethnic_minority,
            head_sex=draft.head_sex,
        )

    def totals(self) -> list[UnitYear]:
        rows = []
        for year, parts in self.geography.resident.items():
            rows.append(
                UnitYear(unit=self.units.city, year=year, total_households=sum(parts), source=TotalSource.ESTIMATED)
            )
            rows += [
                UnitYear(unit=commune, year=year, total_households=total, source=TotalSource.ESTIMATED)
                for commune, total in zip(self.units.communes, parts, strict=True)
            ]
        return rows


# --- the service -----------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    seed: int
    households: int = 0
    members: int = 0
    reviews: int = 0
    unit_years: int = 0
    poor: dict[int, int] = field(default_factory=dict)
    near_poor: dict[int, int] = field(default_factory=dict)
    movements: dict[int, Counter] = field(default_factory=dict)
    seconds: float = 0.0

    def count(self, households: list[Household], members: list[Member], reviews: list[Review]) -> None:
        self.households += len(households)
        self.members += len(members)
        self.reviews += len(reviews)
        for review in reviews:
            if review.poverty_class == POOR:
                self.poor[review.year] += 1
            elif review.poverty_class == NEAR_POOR:
                self.near_poor[review.year] += 1
            self.movements.setdefault(review.year, Counter())[review.movement] += 1


def demo_blockers() -> list[str]:
    """What makes the database not empty for demo data (names of tables with rows)."""
    tables = {"hộ gia đình": Household, "kết quả rà soát": Review, "tổng số hộ theo năm": UnitYear}
    return [name for name, model in tables.items() if model.objects.exists()]


def seed_demo(*, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Write the synthetic registry of `households` households into an empty database, all or nothing.

    Raises DatabaseNotEmpty when households, reviews or resident totals exist, DemoRefused when
    Hanoi's units or the 2022–2025 standard are missing or `households` is too small.
    """
    started = time.perf_counter()
    blockers = demo_blockers()
    if blockers:
        raise DatabaseNotEmpty(
            f"Cơ sở dữ liệu đã có {', '.join(blockers)}; dữ liệu mẫu chỉ tạo trên cơ sở dữ liệu trống."
        )
    plan = plan_for(households)
    units = _load_units()
    standard = PovertyStandard.objects.filter(code=STANDARD_CODE).first()
    if standard is None:
        raise DemoRefused(f"Chưa có chuẩn nghèo «{STANDARD_CODE}» (chạy migrate).")
    rng = random.Random(seed)
    geography = _geography(rng, units, plan)
    drafts = _Simulation(rng, units, geography, plan).run()
    drafts.sort(key=lambda d: (d.commune.code, d.index))

    rows = _Rows(rng, units, geography, standard)
    summary = DemoSummary(seed=seed, poor=dict.fromkeys(YEARS, 0), near_poor=dict.fromkeys(YEARS, 0))
    numbers: Counter = Counter()
    with transaction.atomic():
        # Built and written a batch at a time, so memory stays flat whatever the size.
        for start in range(0, len(drafts), BATCH_SIZE):
            built = []
            for draft in drafts[start : start + BATCH_SIZE]:
                numbers[draft.commune.code] += 1
                built.append(rows.household(draft, numbers[draft.commune.code]))
            households = [household for household, _, _ in built]
            _create(Household, households)
            if households[0].pk is None:  # a backend that does not return ids from a bulk insert
                ids = dict(Household.objects.filter(code__in=[h.code for h in households]).values_list("code", "pk"))
                for household in households:
                    household.pk = ids[household.code]
            members, reviews = [], []
            for household, household_members, household_reviews in built:
                for row in [*household_members, *household_reviews]:
                    row.household = household
                members += household_members
                reviews += household_reviews
            _create(Member, members)
            _create(Review, reviews)
            summary.count(households, members, reviews)
        unit_years = rows.totals()
        UnitYear.objects.bulk_create(unit_years, batch_size=BATCH_SIZE)
    summary.unit_years = len(unit_years)
    summary.seconds = time.perf_counter() - started
    return summary


def _create(model, objects: list) -> None:
    # Plain bulk_create: no django-simple-history "created" record for demo rows (nothing needs
    # one; a later edit is still recorded). bulk_create_with_history made the seeding ~3.5× slower.
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
