"""How many households the demo moves where, at a given scale: the published series (DOMAIN.md §5)
and the movements chosen around them (households.demo explains which is which).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from households import poverty

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
