"""Reviews and progress snapshots built straight into the database, for the reports tests.

seed_reviews: a few hundred households of six legacy communes reviewed 2023–2025 (2025 in their
primary successor), every class and movement; values_of / reference_values: a run's rows and the
one-query snapshot, to compare. make_run / make_value / seed_city: snapshot rows without a
recompute, the city series being the published one of docs/published-figures.md.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from households.models import (
    AdministrativeUnit,
    Household,
    Movement,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    Structure,
    Succession,
    UnitLevel,
    UnitYear,
)
from reports import recompute
from reports.models import IndicatorValue, RecomputeRun, RunStatus
from reports.recompute.counting import MOVEMENTS

# Two legacy districts (Ba Đình, Ba Vì) with a few communes each; in 2025 the households are
# reviewed in their old commune's primary successor.
LEGACY_COMMUNES = ["00001", "00004", "00006", "09625", "09628", "09631"]
YEARS = [2023, 2024, 2025]
COMPARED = [f.name for f in IndicatorValue._meta.fields if f.name not in ("id", "run", "computed_at")]


def seed_reviews(households: int = 240, seed: int = 7) -> None:
    """Households in a few communes reviewed 2023–2025, mostly approved, every class and movement."""
    rng = random.Random(seed)
    standard = PovertyStandard.objects.get(code="national-2022-2025")
    legacy = list(AdministrativeUnit.objects.filter(structure=Structure.LEGACY, code__in=LEGACY_COMMUNES))
    successor = dict(
        Succession.objects.filter(is_primary=True, predecessor__in=legacy).values_list("predecessor_id", "successor")
    )
    successors = {unit.pk: unit for unit in AdministrativeUnit.objects.filter(pk__in=successor.values())}
    classes = [PovertyClass.POOR, PovertyClass.NEAR_POOR, PovertyClass.AVERAGE, PovertyClass.ABOVE_AVERAGE]
    movements = list(Movement)
    homes = Household.objects.bulk_create(
        Household(code=f"H{i:05d}", commune=legacy[i % len(legacy)], head_name="Nguyễn Văn An", head_sex="M")
        for i in range(households)
    )
    reviews = []
    for home in homes:
        for year in YEARS:
            commune = successors[successor[home.commune_id]] if year >= 2025 else home.commune
            reviews.append(
                Review(
                    household=home,
                    year=year,
                    commune=commune,
                    standard=standard,
                    poverty_class=rng.choices(classes, weights=[3, 3, 4, 4])[0],
                    movement=rng.choice(movements),
                    state=rng.choices([ReviewState.APPROVED, ReviewState.SUBMITTED], weights=[9, 1])[0],
                    deprivation_flags=rng.randrange(1 << 12),
                    meritorious=rng.random() < 0.2,
                    social_protection=rng.random() < 0.2,
                    no_labour_capacity=rng.random() < 0.2,
                    ethnic_minority=rng.random() < 0.2,
                    head_sex=rng.choice("MF"),
                )
            )
    Review.objects.bulk_create(reviews)
    UnitYear.objects.bulk_create(
        UnitYear(unit=unit, year=2023, total_households=1000 + i) for i, unit in enumerate(legacy)
    )


def values_of(run: RecomputeRun) -> dict:
    """A run's rows keyed by (unit, year, reaggregated), without ids and timestamps."""
    return {
        (v.unit_id, v.year, v.reaggregated): {name: getattr(v, name) for name in COMPARED}
        for v in IndicatorValue.objects.filter(run=run).order_by()
    }


def reference_values() -> dict:
    """The snapshot computed with one query over every commune, no shards."""
    rows = recompute.compute_values(YEARS, timezone.now())
    return {(v.unit_id, v.year, v.reaggregated): {name: getattr(v, name) for name in COMPARED} for v in rows}


CITY_SERIES = {
    # year: (poor, near-poor) at the end of the year, docs/published-figures.md
    2021: (3612, 30176),
    2022: (2134, 22263),
    2023: (690, 16000),
    2024: (0, 9570),
}
CITY_TOTAL = 2_250_000


def make_run(**fields) -> RecomputeRun:
    now = timezone.now()
    defaults = {"status": RunStatus.SUCCEEDED, "is_current": True, "started_at": now, "finished_at": now}
    return RecomputeRun.objects.create(**{**defaults, **fields})


def make_value(run: RecomputeRun, unit: AdministrativeUnit, year: int, **fields) -> IndicatorValue:
    poor = fields.get("poor", 0)
    near_poor = fields.get("near_poor", 0)
    total = fields.pop("total_households", 10_000)
    defaults = {
        "total_households": total,
        "reviewed_households": poor + near_poor,
        "poverty_rate": Decimal(poor) * 100 / total if total else None,
        "near_poverty_rate": Decimal(near_poor) * 100 / total if total else None,
        "deprivations_poor": [0] * 12,
        "computed_at": run.finished_at or timezone.now(),
        # A unit-year with approved reviews: its counts not given are zero, not unknown.
        **dict.fromkeys(["meritorious_poor", "meritorious_near_poor", *MOVEMENTS], 0),
    }
    start = fields.get("poor_start")
    if start:
        defaults["poor_reduction_rate"] = (Decimal(start - poor) * 100 / start).quantize(Decimal("0.01"))
    near_start = fields.get("near_poor_start")
    if near_start:
        defaults["near_poor_reduction_rate"] = (Decimal(near_start - near_poor) * 100 / near_start).quantize(
            Decimal("0.01")
        )
    return IndicatorValue.objects.create(run=run, unit=unit, year=year, **{**defaults, **fields})


def city_unit() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level=UnitLevel.CITY)


def legacy_districts() -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).order_by("code"))


def seed_city(run: RecomputeRun, *, pending_2022: int = 0) -> None:
    city = city_unit()
    previous = None
    for year, (poor, near_poor) in CITY_SERIES.items():
        make_value(
            run,
            city,
            year,
            total_households=CITY_TOTAL,
            poor=poor,
            near_poor=near_poor,
            poor_start=previous[0] if previous else None,
            near_poor_start=previous[1] if previous else None,
            escaped=1582 if year == 2022 else 0,
            newly_poor=80 if year == 2022 else 0,
            re_poor=24 if year == 2022 else 0,
            pending=pending_2022 if year == 2022 else 0,
        )
        previous = (poor, near_poor)
