"""seed_demo: the demo registry written into an empty database, all or nothing, a batch at a time."""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from demo.plan import (
    BATCH_SIZE,
    CURRENT_YEARS,
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    IN_PROGRESS_YEAR,
    YEARS,
    DatabaseNotEmpty,
    DemoRefused,
    plan_for,
)
from demo.rows import Rows, registry_commune
from demo.simulation import Simulation, draw_geography, draw_progress, load_units
from demo.users import demo_user, ensure_demo_users
from households.importing.movements import refresh_movements
from households.models import (
    Household,
    Member,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    ReviewTransition,
    Role,
    UnitYear,
)
from households.workflow import YearState, year_state


@dataclass
class DemoSummary:
    """What seed_demo wrote, counted back from the database."""

    seed: int
    households: int = 0
    members: int = 0
    reviews: int = 0
    unit_years: int = 0
    transitions: int = 0
    poor: dict[int, int] = field(default_factory=dict)  # reviews of every state
    near_poor: dict[int, int] = field(default_factory=dict)
    approved_poor: dict[int, int] = field(default_factory=dict)  # approved reviews only
    approved_near_poor: dict[int, int] = field(default_factory=dict)
    movements: dict[int, Counter] = field(default_factory=dict)
    communes: dict[int, int] = field(default_factory=dict)  # communes with reviews, by year
    approved_communes: dict[int, int] = field(default_factory=dict)  # communes whose year is approved
    standards: dict[int, str] = field(default_factory=dict)  # year → legal basis of its standard
    scale: Fraction = Fraction(1)  # of the published series (demo.plan)
    progress: dict[YearState, int] = field(default_factory=dict)  # units of 2025 by state of IN_PROGRESS_YEAR
    seconds: float = 0.0


def demo_blockers() -> list[str]:
    """What makes the database not empty for demo data (names of tables with rows)."""
    tables = {"hộ gia đình": Household, "kết quả rà soát": Review, "tổng số hộ theo năm": UnitYear}
    return [name for name, model in tables.items() if model.objects.exists()]


def periodic_standards() -> dict[int, PovertyStandard]:
    """The standard of each demo year's periodic review, by the one rule (PovertyStandard.objects.for_review)."""
    chosen = {year: PovertyStandard.objects.for_review(year) for year in YEARS}
    missing = [str(year) for year, standard in chosen.items() if standard is None]
    if missing:
        raise DemoRefused(f"Chưa có chuẩn nghèo cho năm {', '.join(missing)} (chạy migrate).")
    return chosen


def seed_demo(*, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Write the synthetic registry of `households` households into an empty database, all or nothing.

    Also creates the demo users that do not exist yet: the 2025 reviews are approved, and the
    end-2026 ones partly approved, by the demo's city officer. Raises DatabaseNotEmpty when
    households, reviews or resident totals exist, DemoRefused when Hanoi's units or a standard are
    missing or `households` is too small.
    """
    started = time.perf_counter()
    blockers = demo_blockers()
    if blockers:
        raise DatabaseNotEmpty(
            f"Cơ sở dữ liệu đã có {', '.join(blockers)}; dữ liệu mẫu chỉ tạo trên cơ sở dữ liệu trống."
        )
    plan = plan_for(households)
    units = load_units()
    standards = periodic_standards()
    rng = random.Random(seed)
    geography = draw_geography(rng, units, plan)
    progress = draw_progress(rng, units)
    drafts = Simulation(rng, units, geography, plan, progress).run()
    drafts.sort(key=lambda d: (registry_commune(d).code, d.index))

    rows = Rows(rng, units, geography, standards, progress)
    numbers: Counter = Counter()
    household_ids: list[int] = []
    with transaction.atomic():
        logins = ensure_demo_users()
        # Built and written a batch at a time, so memory stays flat whatever the size.
        for start in range(0, len(drafts), BATCH_SIZE):
            built = []
            for draft in drafts[start : start + BATCH_SIZE]:
                code = registry_commune(draft).code  # one numbering per code, whatever its structure
                numbers[code] += 1
                built.append(rows.household(draft, numbers[code]))
            batch = [household for household, _, _ in built]
            _create(Household, batch)
            if batch[0].pk is None:  # a backend that does not return ids from a bulk insert
                ids = dict(Household.objects.filter(code__in=[h.code for h in batch]).values_list("code", "pk"))
                for household in batch:
                    household.pk = ids[household.code]
            members, reviews = [], []
            for household, household_members, household_reviews in built:
                for row in household_members:
                    row.household_id = household.pk
                for row in household_reviews:
                    row.household_id = household.pk
                members += household_members
                reviews += household_reviews
            _create(Member, members)
            _create(Review, reviews)
            household_ids += [household.pk for household in batch]
        # The movements are the project's one rule applied to each household's reviews, as after
        # an import: never set here.
        refresh_movements(household_ids)
        _record_transitions(rng, units.units, logins)
        unit_years = rows.totals()
        UnitYear.objects.bulk_create(unit_years, batch_size=BATCH_SIZE)
        summary = _summarise(seed)
    summary.standards = {year: standard.legal_basis for year, standard in standards.items()}
    summary.scale = plan.scale
    summary.seconds = time.perf_counter() - started
    return summary


def _create(model, objects: list) -> None:
    # Plain inserts: no django-simple-history "created" record for demo rows (nothing needs one; a
    # later edit is still recorded). bulk_create_with_history made the seeding ~3.5× slower.
    if connection.vendor == "sqlite" and model is not Household:  # households: their ids are needed
        _insert_many(model, objects)
    else:
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)


def _insert_many(model, objects: list) -> None:
    """One executemany of the rows, each value prepared by its field as bulk_create would.

    SQLite (`make run`): bulk_create spent most of its time assembling statements of at most 999
    parameters (and, with DEBUG on, quoting each for the query log).
    """
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A time in office hours of `day`, in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59))))


def _record_transitions(rng: random.Random, units, logins) -> None:
    """The workflow of the 2025 and 2026 reviews as the officers would have moved it: each commune
    submits its year (by its demo officer where there is one), the city officer approves. The
    2025 years were approved in January 2026; the end-2026 review stops on IN_PROGRESS_LAST_DAY."""
    by_unit = {unit.pk: unit for unit in units}
    counts = (
        Review.objects.filter(year__in=CURRENT_YEARS, commune__in=list(by_unit))
        .values("commune", "year", "state")
        .annotate(n=Count("pk"))
        .order_by("year", "commune")
    )
    states: dict[tuple[int, int], Counter] = {}
    for row in counts:
        states.setdefault((row["year"], row["commune"]), Counter())[row["state"]] = row["n"]
    city_officer = next((x.user for x in logins if x.user.role == Role.CITY_OFFICER), None)
    transitions, moments = [], []
    for (year, pk), counter in states.items():
        state = year_state(counter)
        if state not in (YearState.SUBMITTED, YearState.APPROVED):
            continue
        unit = by_unit[pk]
        if year == IN_PROGRESS_YEAR:
            submitted_on = datetime.date(2026, 11, 21) + datetime.timedelta(days=rng.randint(0, 5))
            approved_on = submitted_on + datetime.timedelta(days=rng.randint(1, 3))
        else:
            submitted_on = datetime.date(year, 12, 15) + datetime.timedelta(days=rng.randint(0, 5))
            approved_on = datetime.date(year + 1, 1, 5) + datetime.timedelta(days=rng.randint(0, 20))
        reviews = sum(counter.values())
        officer = demo_user(logins, Role.COMMUNE_OFFICER, unit)
        transitions.append(
            ReviewTransition(
                commune=unit, year=year, from_state=ReviewState.DRAFT, to_state=ReviewState.SUBMITTED,
                reviews=reviews, user=officer,
            )
        )  # fmt: skip
        moments.append(_moment(submitted_on, rng))
        if state == YearState.APPROVED:
            transitions.append(
                ReviewTransition(
                    commune=unit, year=year, from_state=ReviewState.SUBMITTED, to_state=ReviewState.APPROVED,
                    reviews=reviews, user=city_officer, comment="Dữ liệu mẫu: đã kiểm tra, phê duyệt.",
                )
            )  # fmt: skip
            moments.append(_moment(approved_on, rng))
    ReviewTransition.objects.bulk_create(transitions, batch_size=BATCH_SIZE)
    if transitions and transitions[0].pk is None:
        transitions = list(ReviewTransition.objects.order_by("pk"))
    # `at` is set on creation (auto_now_add); the demo dates them as they happened.
    for transition, moment in zip(transitions, moments, strict=True):
        transition.at = moment
    ReviewTransition.objects.bulk_update(transitions, ["at"], batch_size=BATCH_SIZE)


def _summarise(seed: int) -> DemoSummary:
    summary = DemoSummary(seed=seed)
    summary.households = Household.objects.count()
    summary.members = Member.objects.count()
    summary.unit_years = UnitYear.objects.count()
    summary.transitions = ReviewTransition.objects.count()
    for name in ("poor", "near_poor", "approved_poor", "approved_near_poor", "communes"):
        getattr(summary, name).update(dict.fromkeys(YEARS, 0))
    rows = Review.objects.values("year", "poverty_class", "state", "movement").annotate(n=Count("pk")).order_by()
    for row in rows:
        year, n = row["year"], row["n"]
        summary.reviews += n
        summary.movements.setdefault(year, Counter())[row["movement"]] += n
        approved = row["state"] == ReviewState.APPROVED
        if row["poverty_class"] == PovertyClass.POOR:
            summary.poor[year] += n
            summary.approved_poor[year] += n if approved else 0
        elif row["poverty_class"] == PovertyClass.NEAR_POOR:
            summary.near_poor[year] += n
            summary.approved_near_poor[year] += n if approved else 0
    by_commune = Review.objects.values("year").annotate(n=Count("commune", distinct=True)).order_by()
    summary.communes.update({row["year"]: row["n"] for row in by_commune})
    approved = ReviewTransition.objects.filter(to_state=ReviewState.APPROVED).values("year").annotate(n=Count("pk"))
    summary.approved_communes = dict.fromkeys(YEARS, 0) | {row["year"]: row["n"] for row in approved.order_by()}
    summary.progress = progress_of(IN_PROGRESS_YEAR)
    return summary


def progress_of(year: int) -> dict[YearState, int]:
    """How many units of the structure in force in `year` are in each state of its review."""
    from households.models import AdministrativeUnit

    units = AdministrativeUnit.objects.communes().in_force(year).values_list("pk", flat=True)
    counts: dict[int, Counter] = {pk: Counter() for pk in units}
    rows = Review.objects.filter(year=year, commune__in=list(counts)).values("commune", "state").annotate(n=Count("pk"))
    for row in rows.order_by():
        counts[row["commune"]][row["state"]] = row["n"]
    result = Counter(year_state(counter) for counter in counts.values())
    return {state: result.get(state, 0) for state in YearState}
