"""Demo data of the portal: synthetic households, members and reviews of Hanoi, 2021–2026.

Everything about a household is invented: its name, village, members, income, deprivations,
which commune it lives in and how it moves between the lists. No row comes from a real review.

History, 2021–2024, on the 526 communes of the old structure. What the data reproduces, at the
default scale, is the published city series of docs/published-figures.md (QĐ 678/QĐ-UBND for the end-2021
baseline, QĐ 337/QĐ-UBND for end 2022, press for 2023–2024):

- poor households at the end of 2021..2024: 3,612 → 2,134 → 690 → 0, so the reduction rates
  computed by the portal are 40.92 %, 67.67 % and 100 %; the 690 of 2023 all live in rural
  communes (xã);
- near-poor at the end of 2021 and 2022: 30,176 → 22,263 (−26.2 %);
- at the end of 2022, the 16 districts without a poor household are 11 quận and the 5 huyện Đông
  Anh, Gia Lâm, Hoài Đức, Đan Phượng and Thanh Trì; the one quận that still has poor households
  is not named by the sources: the demo chooses Hà Đông;
- 2022: 1,582 households escaped poverty and 104 became poor (net −1,478, docs/published-figures.md);
- about 2.2 million resident households, chosen so that the published rates come out
  (0.16 % and 1.38 % at the end of 2021, 0.095 % and 0.99 % at the end of 2022).

Chosen, not published: near-poor 15,200 at the end of 2023 (no figure found) and 9,570 at the end
of 2024 (the published 9,570 counts rural Hanoi only, 0.77 % of rural households; no city-wide
figure was found); the movements in plan.FLOWS; about 1.5 % of the baseline poor have a member
with meritorious service and all of them escape in 2022 (none falls in later), so Plan 51's "no
poor household with meritorious service" is met from the end of 2022, while about 4 % of the
near-poor stay meritorious. The registry starts with the end-2021 review, so every 2021 review is
"newly" poor or near-poor, and no 2022 household can be re-poor.

The current cycle, 2025 and 2026, on the 126 units of 2025: SYNTHETIC, since no end-2025 or
end-2026 figure is published. Every household lives in its 2025 unit (Household.commune): the
primary successor of its old commune, except in a few split communes (plan.SPLIT_BY_VILLAGE) whose
last villages went to the other successors; its reviews up to 2024 stay in the old commune. The
end-2025 review (Decree 07/2021) is made by all 126 units, submitted and approved by the city
officer (ReviewTransition rows, dated December 2025 – January 2026): 0 poor, 8,100 near-poor. The
end-2026 review is the first under Decree 351/2025 (the standard whose periodic reviews start in
2026; lines 2.2M rural / 2.8M urban) and is half-way: of the 126 units 45 are approved, 30
submitted, 33 have only drafts and 18 have not started (plan.PROGRESS_2026). Resident totals of the
2025 units follow their old communes' villages.

Classes and movements are never set by hand: each review gets an income and deprivation flags
drawn for the class intended under its year's standard, the class stored is what
households.poverty.classify_household makes of them, and the movements are written by
households.importing.movements.refresh_movements (the rule of households.poverty, as after an
import), so the rules stay the single source.

Scale: `households` is the size of the registry. The series need 39,772 households (every poor
and near-poor household of every year); the default of 40,000 adds households that asked for a
review and were found above the near-poor line. Below the default every count of the plan
(published stocks, chosen movements, resident totals) is multiplied by households / 40,000 and
rounded half up; escaped and stayed are derived from the rounded figures, so end = start −
escaped + newly poor + re-poor still holds exactly and 2024 still ends at zero, but the rates are
only close to the published ones. Above the default the plan keeps its published size and the
extra households are more of the "found above the line" kind. The number of units in each state
of the end-2026 review does not scale (a unit left with no household to review counts as not
started).

Same seed, same data: one random.Random(seed), units taken in code order, no set iteration, so
two runs on empty databases write identical rows (apart from ids and Review.updated_at).

The package: `plan` (the figures to reproduce, scaled), `simulation` (where households live and
which list each is on each year), `rows` (households, members and reviews drawn for those
classes), `users` (the demo logins), `service` (seed_demo, writing it all or nothing).
"""

from demo.plan import (
    CURRENT_YEARS,
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    HISTORY_YEARS,
    IN_PROGRESS_YEAR,
    MIN_HOUSEHOLDS,
    NO_POOR_RURAL_2022,
    PUBLISHED_NEAR_POOR,
    PUBLISHED_POOR,
    STILL_POOR_2022,
    YEARS,
    DatabaseNotEmpty,
    DemoRefused,
    plan_for,
)
from demo.service import DemoSummary, seed_demo
from demo.users import DEMO_USERS, ensure_demo_users

__all__ = [
    "CURRENT_YEARS",
    "DEFAULT_HOUSEHOLDS",
    "DEFAULT_SEED",
    "DEMO_USERS",
    "HISTORY_YEARS",
    "IN_PROGRESS_YEAR",
    "MIN_HOUSEHOLDS",
    "NO_POOR_RURAL_2022",
    "PUBLISHED_NEAR_POOR",
    "PUBLISHED_POOR",
    "STILL_POOR_2022",
    "YEARS",
    "DatabaseNotEmpty",
    "DemoRefused",
    "DemoSummary",
    "ensure_demo_users",
    "plan_for",
    "seed_demo",
]
