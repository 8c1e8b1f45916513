"""The demo's drafts turned into rows: households with names, members, incomes and deprivations
drawn for the class intended under the standard of each review's year, classified by
households.poverty. Movements are left to households.importing.movements (the service calls it).
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect
from decimal import Decimal
from itertools import accumulate

from demo.plan import ABOVE_AVERAGE, AVERAGE, CURRENT_YEARS, HISTORY_YEARS, IN_PROGRESS_YEAR, NEAR_POOR, POOR
from demo.simulation import DemoUnits, Draft, Geography, allocate
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
    TotalSource,
    UnitKind,
    UnitYear,
)
from households.workflow import YearState
from povertyplan.numbers import half_up

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
# Indicators 1–12 of Decree 07 (docs/poverty-rules.md): how often each one is the deprivation found (the same
# weights serve the 12 of Decree 351 in 2026; its last two, digital services and waste, are new).
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
# Plain strings for the enums read once per row (an enum member's .value is a slow descriptor).
MALE, FEMALE = Sex.MALE.value, Sex.FEMALE.value
CAUSES = [(cause, cause.value) for cause in Cause]
NEEDS = [(need, need.value) for need in Need]
CLASS_VALUES = {poverty_class: poverty_class.value for poverty_class in poverty.PovertyClass}
PERIODIC = ReviewType.PERIODIC.value
STATE_OF_YEAR = {YearState.APPROVED: ReviewState.APPROVED.value, YearState.SUBMITTED: ReviewState.SUBMITTED.value}
APPROVED, DRAFT = ReviewState.APPROVED.value, ReviewState.DRAFT.value
# The demo's end-2026 review stops here: nothing is dated after the last transition it records.
IN_PROGRESS_LAST_DAY = datetime.date(2026, 11, 20)


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


def _members(rng: random.Random, draft: Draft) -> list[Member]:
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
        sex = FEMALE if draft.head_sex == MALE else MALE
        birth = head_birth + rng.randint(-6, 4)
        spouse_family = _family(rng, draft.ethnic_minority)
        if sex == MALE:
            male_line = spouse_family
        people.append((_name(rng, sex, birth, spouse_family), "Vợ" if sex == FEMALE else "Chồng", sex, birth))
    if len(people) < size and head_birth >= 1975 and rng.random() < 0.3:
        sex = rng.choice([MALE, FEMALE])
        birth = head_birth - rng.randint(22, 32)
        people.append((_name(rng, sex, birth, family), "Bố" if sex == MALE else "Mẹ", sex, birth))
    while len(people) < size:
        sex = rng.choice([MALE, FEMALE])
        grandchild = head_birth < 1965 and len(people) >= 3 and rng.random() < 0.5
        birth = min(2020, head_birth + (rng.randint(44, 60) if grandchild else rng.randint(20, 38)))
        people.append((_name(rng, sex, birth, male_line), "Cháu" if grandchild else "Con", sex, birth))
    disabled_head = draft.no_labour_capacity and rng.random() < 0.4
    return [
        Member(
            household_id=None,
            full_name=name,
            relation=relation,
            sex=sex,
            birth_year=birth,
            disability=disabled_head and i == 0,
        )
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
    return half_up(lines.b1_cutoff * income / lines.poverty_line, 1)


def registry_commune(draft: Draft) -> AdministrativeUnit:
    """The commune that first reviewed the household: its old commune, or its 2025 unit when it
    was first reviewed from 2025. Its code starts the household's code."""
    return draft.commune if min(draft.classes) in HISTORY_YEARS else draft.unit


class Rows:
    """Households, members, reviews and totals of the drafts, built in commune-code order.

    `standards` maps each review year to the standard of its periodic review; `progress` the units
    of 2025 to how far their end-2026 review has got (the state its reviews are in).
    """

    def __init__(
        self,
        rng: random.Random,
        units: DemoUnits,
        geography: Geography,
        standards: dict[int, PovertyStandard],
        progress: dict[int, YearState],
    ) -> None:
        self.rng, self.units, self.geography, self.standards = rng, units, geography, standards
        self.progress = progress
        self.lines = {
            (year, area): standard.lines(area)
            for year, standard in standards.items()
            for area in (Area.URBAN, Area.RURAL)
        }
        self.review_start: dict[tuple[int, int], datetime.date] = {}
        self.units_by_pk = {unit.pk: unit for unit in units.units}

    def household(self, draft: Draft, number: int) -> tuple[Household, list[Member], list[Review]]:
        rng, commune, unit = self.rng, draft.commune, draft.unit
        members = _members(rng, draft)
        first = registry_commune(draft)  # the commune that first reviewed it, whose code it carries
        village = f"Thôn {draft.village}" if first.kind == UnitKind.COMMUNE else f"Tổ dân phố {draft.village}"
        household = Household(
            code=f"HN-{first.code}-{number:05d}",
            commune_id=unit.pk,  # where it lives today; its reviews up to 2024 stay in the old commune
            village=village,
            address=f"{village} ({commune.name} cũ), {unit.name}",
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
        reviews = [self.review(draft, year, wanted, order, causes, needs) for year, wanted in draft.classes.items()]
        first = reviews[0]
        if first.deprivation_flags & 1 << 3:  # indicator 4: a member aged 6 or more without health insurance
            uninsured = [m for m in members if m.birth_year <= first.year - 6]
            uninsured[-1].health_insurance = False
        return household, members, reviews

    def review(self, draft: Draft, year: int, wanted, order, causes, needs) -> Review:
        rng = self.rng
        commune = draft.commune if year in HISTORY_YEARS else draft.unit
        lines = self.lines[(year, commune.area)]  # the reviewing commune's area (a split may change it)
        income = _income(rng, wanted, lines)
        deprivations = _DRAW[wanted].draw(rng)
        flags = sum(1 << i for i in order[:deprivations])
        poverty_class = poverty.classify_household(lines, income_per_capita=income, deprivation_count=deprivations)
        if poverty_class is not wanted:  # the draws above are meant to make this impossible
            raise AssertionError(f"{wanted} drawn but {poverty_class} classified")
        listed = poverty_class in (POOR, NEAR_POOR)
        key = (commune.pk, year)
        if key not in self.review_start:  # each commune reviews within a few weeks, 1 Sep – 14 Dec
            self.review_start[key] = datetime.date(year, 9, 1) + datetime.timedelta(days=rng.randint(0, 80))
        date = min(self.review_start[key] + datetime.timedelta(days=rng.randint(0, 24)), datetime.date(year, 12, 14))
        if year == IN_PROGRESS_YEAR:
            state = STATE_OF_YEAR.get(self.progress[commune.pk], DRAFT)
            date = min(date, IN_PROGRESS_LAST_DAY)
        else:
            state = APPROVED
        return Review(
            household_id=None,  # set once the household is written
            year=year,
            commune_id=commune.pk,
            standard_id=self.standards[year].pk,
            income_per_capita=income,
            b1_score=_b1_score(income, lines),
            deprivation_flags=flags,
            deprivation_count=deprivations,
            causes=[value for cause, value in CAUSES if cause in causes] if listed else [],
            needs=[value for need, value in NEEDS if need in needs] if listed else [],
            poverty_class=CLASS_VALUES[poverty_class],
            review_type=PERIODIC,
            review_date=date,
            state=state,
            meritorious=draft.meritorious,
            social_protection=draft.social_protection,
            no_labour_capacity=draft.no_labour_capacity,
            ethnic_minority=draft.ethnic_minority,
            head_sex=draft.head_sex,
        )

    def totals(self) -> list[UnitYear]:
        """Resident households of every commune in force each year, and of the city. From 2025 a
        legacy commune's residents go to its 2025 units as its villages do (all to the primary
        successor unless it is split by village)."""
        rows = []
        for year, parts in self.geography.resident.items():
            rows.append(
                UnitYear(unit=self.units.city, year=year, total_households=sum(parts), source=TotalSource.ESTIMATED)
            )
            by_unit: dict[AdministrativeUnit, int] = {}
            for i, (commune, total) in enumerate(zip(self.units.communes, parts, strict=True)):
                if year not in CURRENT_YEARS:
                    by_unit[commune] = total
                    continue
                shares = self.units.village_shares(commune, self.geography.villages[i])
                for pk, share in zip(shares, allocate(total, list(shares.values())), strict=True):
                    unit = self.units_by_pk[pk]
                    by_unit[unit] = by_unit.get(unit, 0) + share
            rows += [
                UnitYear(unit=unit, year=year, total_households=total, source=TotalSource.ESTIMATED)
                for unit, total in by_unit.items()
            ]
        return rows
