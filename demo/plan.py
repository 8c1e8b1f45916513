"""How many households the demo moves where, at a given scale: the published series (docs/published-figures.md)
and the movements chosen around them (demo explains which is which).

2021–2024 are the history, on the 526 communes of the old structure; 2025 and 2026 are the
current cycle, on the 126 units of 2025 (NQ 1656/NQ-UBTVQH15). Nothing of 2025 or 2026 is
published: those figures are synthetic, chosen here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from households import poverty

DEFAULT_HOUSEHOLDS = 40_000
DEFAULT_SEED = 51
MIN_HOUSEHOLDS = 500
HISTORY_YEARS = (2021, 2022, 2023, 2024)  # the published series, reviewed on the 526 old communes
CURRENT_YEARS = (2025, 2026)  # synthetic: reviewed on the 126 units of 2025
YEARS = HISTORY_YEARS + CURRENT_YEARS
NEW_STANDARD_YEAR = 2026  # the end-2026 review is the first (baseline) under Decree 351/2025
IN_PROGRESS_YEAR = 2026  # the review the demo shows under way
BATCH_SIZE = 2000

POOR = poverty.PovertyClass.POOR
NEAR_POOR = poverty.PovertyClass.NEAR_POOR
AVERAGE = poverty.PovertyClass.AVERAGE
ABOVE_AVERAGE = poverty.PovertyClass.ABOVE_AVERAGE
OFF_LISTS = (AVERAGE, ABOVE_AVERAGE)

# City stocks at the end of each year. Published (docs/published-figures.md): poor 2021–2024 (QĐ 678/QĐ-UBND,
# QĐ 337/QĐ-UBND, press) and near-poor 2021–2022. Chosen by the demo, not published: near-poor
# 2023 (no figure found) and 2024 (9,570 is the press figure for rural Hanoi only, 0.77 % of rural
# households; no city-wide figure was found), and everything of 2025 and 2026 (the end-2026 figures
# are those of the whole city once every commune has finished; the demo stops the review half-way).
POOR_END = {2021: 3612, 2022: 2134, 2023: 690, 2024: 0, 2025: 0, 2026: 1850}
NEAR_POOR_END = {2021: 30176, 2022: 22263, 2023: 15200, 2024: 9570, 2025: 8100, 2026: 14000}
PUBLISHED_POOR = {2021: 3612, 2022: 2134, 2023: 690, 2024: 0}
PUBLISHED_NEAR_POOR = {2021: 30176, 2022: 22263}
# Resident households: 3,612 / 2,192,000 = 0.165 % → 0.16 %, 30,176 / 2,192,000 → 1.38 %;
# 2,134 / 2,245,000 → 0.095 %, 22,263 / 2,245,000 → 0.99 %; then about 2 % growth a year.
RESIDENT_HOUSEHOLDS = {
    2021: 2_192_000, 2022: 2_245_000, 2023: 2_290_000, 2024: 2_330_000, 2025: 2_370_000, 2026: 2_410_000,
}  # fmt: skip


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
    # Households reviewed before and on no list, never poor (near-poor) before: the end-2026 lines
    # of Decree 351/2025 are higher, so some households above the old line are below the new one.
    newly_poor_from_off_lists: int = 0
    newly_near_poor_from_off_lists: int = 0


# Re-poor needs a poor year before the previous one, and the registry starts with the end-2021
# re-review, so 2022's 104 are all newly poor. 2023: 38 newly poor and 12 re-poor, hence 1,494
# escaped. 2024: all 690 escape, nobody falls in (the city reached zero). 2025 (synthetic): nobody
# falls into poverty, the near-poor list keeps shrinking. 2026 (synthetic, new lines): 1,850 poor,
# none "escaped" (there were none), most of the near-poor stay on a list whose line went up.
FLOWS = {
    2022: YearFlows(1060, 46, 58, 0, 0, 2150, 0),
    2023: YearFlows(1010, 22, 16, 7, 5, 1500, 300),
    2024: YearFlows(480, 0, 0, 0, 0, 1200, 250),
    2025: YearFlows(0, 0, 0, 0, 0, 300, 800),
    2026: YearFlows(
        0, 600, 60, 150, 240, 700, 5100, newly_poor_from_off_lists=800, newly_near_poor_from_off_lists=1000
    ),
}

# Relative poverty per resident household by district (GSO code). At the end of 2022, 16 districts
# had no poor household: 11 quận and 5 huyện, Đông Anh, Gia Lâm, Hoài Đức, Đan Phượng and Thanh Trì
# (press, Feb 2023: "11 urban and 5 rural"; "5 of the 18 huyện and thị xã"). So one quận still had
# some; the sources do not name it: the demo chooses Hà Đông, the quận with the most former rural
# land. The 14 with poor households are the 12 other huyện, thị xã Sơn Tây and Hà Đông.
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
    "268": 1.0,  # Hà Đông
    "273": 1.5,  # Đan Phượng
    "017": 1.2,  # Đông Anh
    "018": 1.0,  # Gia Lâm
    "274": 1.0,  # Hoài Đức
    "020": 0.8,  # Thanh Trì
    "004": 0.3,  # Long Biên
    "008": 0.3,  # Hoàng Mai
    "021": 0.25,  # Bắc Từ Liêm
    "019": 0.2,  # Nam Từ Liêm
}
INNER_DISTRICT_POVERTY = 0.15  # Ba Đình, Hoàn Kiếm, Tây Hồ, Cầu Giấy, Đống Đa, Hai Bà Trưng, Thanh Xuân
STILL_POOR_2022 = ("016", "250", "268", "269", "271", "272", "275", "276", "277", "278", "279", "280", "281", "282")
NO_POOR_RURAL_2022 = ("017", "018", "020", "273", "274")  # Đông Anh, Gia Lâm, Thanh Trì, Đan Phượng, Hoài Đức
# At the end-2021 re-review already 3 huyện had no poor household under the new standard: Đan
# Phượng, Gia Lâm and Hoài Đức (Kinh tế & Đô thị, 12 Mar 2025, citing QĐ 678/QĐ-UBND's results).
NO_POOR_2021 = ("018", "273", "274")
# Of the 2,134 poor at the end of 2022, 2,128 were rural (press): the other 6 are Hà Đông's, the
# only urban poor households that year; every other poor household lives in a xã.
URBAN_POOR_DISTRICT_2022 = "268"
URBAN_POOR_2022 = 6
# Mountain communes with Mường and Dao villages (Ba Vì, Thạch Thất, Quốc Oai, Mỹ Đức, Chương Mỹ).
MOUNTAIN_COMMUNES = (
    "09694", "09697", "09700", "09703", "09706", "09709", "09712",
    "04927", "04930", "04936", "04939", "09940", "10504", "10099",
)  # fmt: skip
MOUNTAIN_DISTRICTS = ("271", "275", "276", "277", "282")
# Split communes (docs/admin-units.md) whose households the demo places by village: the last villages of
# each went to the successors that are not the package's primary one, as the officers would place
# them. The other split communes' households all go to the primary successor. 00340 and 00658 are
# the predecessors of Phường Yên Sở (00340 of 2025), which is nobody's primary successor.
SPLIT_BY_VILLAGE = ("00148", "00340", "00409", "00658", "09619", "09673", "09685", "09700", "10444")
NON_PRIMARY_VILLAGE_SHARE = 0.4
# The demo's commune officer of today's structure: Xã Cổ Đô (09634 from 1 Jul 2025), the primary
# successor of Xã Phú Cường and five other Ba Vì communes.
DEMO_COMMUNE_2025 = "09634"
# How far the end-2026 review has got, in units of 2025 (of 126; chosen): approved by the city,
# submitted and waiting, only drafts entered, not started.
PROGRESS_2026 = {"approved": 45, "submitted": 30, "draft": 33, "not_started": 18}
FAST_GROWING = ("004", "008", "017", "018", "019", "020", "021", "268", "274")


class DemoRefused(Exception):
    """Nothing was written; the message says why, in Vietnamese."""


class DatabaseNotEmpty(DemoRefused):
    """The database already holds households, reviews or resident totals."""


@dataclass(frozen=True)
class Plan:
    scale: Fraction
    households: int
    poor_end: dict[int, int]
    near_poor_end: dict[int, int]
    flows: dict[int, YearFlows]
    resident: dict[int, int]
    urban_poor_2022: int  # at least 1, so that Hà Đông keeps a poor household at every scale

    def poor_in(self, year: int) -> int:
        f = self.flows[year]
        return (
            f.newly_poor_from_near_poor
            + f.newly_poor_from_outside
            + f.re_poor_from_near_poor
            + f.re_poor_from_off_lists
            + f.newly_poor_from_off_lists
        )

    def escaped(self, year: int) -> int:
        return self.poor_end[year - 1] + self.poor_in(year) - self.poor_end[year]

    def poor_stayed(self, year: int) -> int:
        return self.poor_end[year - 1] - self.escaped(year)

    def near_poor_stayed(self, year: int) -> int:
        f = self.flows[year]
        return (
            self.near_poor_end[year]
            - f.poor_to_near_poor
            - f.newly_near_poor
            - f.re_near_poor
            - f.newly_near_poor_from_off_lists
        )

    def near_poor_left(self, year: int) -> int:
        """Near-poor at the start of `year` who neither became poor nor stayed near-poor."""
        f = self.flows[year]
        fallen = f.newly_poor_from_near_poor + f.re_poor_from_near_poor
        return self.near_poor_end[year - 1] - fallen - self.near_poor_stayed(year)

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
        urban_poor_2022=max(1, scaled(URBAN_POOR_2022)),
    )
    for year in YEARS[1:]:
        if plan.poor_end[year - 1] == 0:  # nobody can escape: the end count is what fell in (rounding)
            plan.poor_end[year] = plan.poor_in(year)
    for year, f in plan.flows.items():
        escaped = plan.escaped(year)
        stayed = (plan.poor_stayed(year), plan.near_poor_stayed(year), plan.near_poor_left(year))
        if min(escaped - f.poor_to_near_poor, *stayed) < 0:
            raise DemoRefused(f"Không dựng được chuỗi số liệu năm {year} với {households} hộ.")
    if plan.listed_households() > households:
        raise DemoRefused(f"{households} hộ không đủ cho chuỗi số liệu.")
    return plan
