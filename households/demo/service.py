"""seed_demo: the demo registry written into an empty database, all or nothing, a batch at a time."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from households.demo.plan import (
    BATCH_SIZE,
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    NEAR_POOR,
    POOR,
    STANDARD_CODE,
    YEARS,
    DatabaseNotEmpty,
    DemoRefused,
    plan_for,
)
from households.demo.rows import Rows
from households.demo.simulation import Simulation, draw_geography, load_units
from households.models import Household, Member, PovertyStandard, Review, UnitYear


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
    units = load_units()
    standard = PovertyStandard.objects.filter(code=STANDARD_CODE).first()
    if standard is None:
        raise DemoRefused(f"Chưa có chuẩn nghèo «{STANDARD_CODE}» (chạy migrate).")
    rng = random.Random(seed)
    geography = draw_geography(rng, units, plan)
    drafts = Simulation(rng, units, geography, plan).run()
    drafts.sort(key=lambda d: (d.commune.code, d.index))

    rows = Rows(rng, units, geography, standard)
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
