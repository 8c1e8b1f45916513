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

Chosen, not published: the movements in plan.FLOWS; about 1.5 % of the baseline poor have a
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

The package: `plan` (the figures to reproduce, scaled), `simulation` (where households live and
which list each is on each year), `rows` (households, members and reviews drawn for those
classes), `service` (seed_demo, writing it all or nothing).
"""

from households.demo.plan import (
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    MIN_HOUSEHOLDS,
    STILL_POOR_2022,
    YEARS,
    DatabaseNotEmpty,
    DemoRefused,
    plan_for,
)
from households.demo.service import DemoSummary, seed_demo

__all__ = [
    "DEFAULT_HOUSEHOLDS",
    "DEFAULT_SEED",
    "MIN_HOUSEHOLDS",
    "STILL_POOR_2022",
    "YEARS",
    "DatabaseNotEmpty",
    "DemoRefused",
    "DemoSummary",
    "plan_for",
    "seed_demo",
]
