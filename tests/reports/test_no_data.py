"""No data is not zero: a unit-year without an approved review has null counts, rates and
movements everywhere the snapshot is read; a standard's first year has no movement and no
reduction rate; households reclassified because the lines moved are counted on their own.

The last test has the shape of the check run after merge: 2025 and 2026 reviews of today's units
imported with `import_reviews`, recomputed, and `export_indicators --format json` compared value
by value with a computation straight from the reviews.
"""

from __future__ import annotations

import datetime
import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from households.models import (
    AdministrativeUnit,
    Area,
    Household,
    Movement,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    Structure,
    UnitKind,
    UnitLevel,
    UnitYear,
)
from reports.api import progress_records
from reports.queries import INDICATOR_FIELDS, snapshot
from reports.recompute import recompute_progress
from targets.progress import ProgressStatus
from tests.builders import csv_file, review_row

pytestmark = pytest.mark.django_db

REFORM_START = datetime.date(2025, 7, 1)
NULL_WHERE_NO_DATA = [
    "poor",
    "near_poor",
    "poverty_rate",
    "near_poverty_rate",
    "escaped",
    "newly_poor",
    "re_poor",
    "meritorious_poor",
    "poor_reduction_rate",
    "near_poor_reduction_rate",
    "reclassified",
]
MOVEMENTS = ["escaped", "newly_poor", "re_poor", "escaped_near_poor", "newly_near_poor", "re_near_poor"]


def _commune(code: str, name: str, city: AdministrativeUnit, kind=UnitKind.COMMUNE, area=Area.RURAL):
    return AdministrativeUnit.objects.create(
        code=code,
        name=name,
        level=UnitLevel.COMMUNE,
        kind=kind,
        area=area,
        parent=city,
        structure=Structure.REFORM_2025,
        valid_from=REFORM_START,
    )


@pytest.fixture
def today(db):
    """The city and two communes of the 2025 structure, with their resident households."""
    city = AdministrativeUnit.objects.create(
        code="01", name="Thành phố Hà Nội", level=UnitLevel.CITY, kind=UnitKind.CITY, structure=Structure.LEGACY
    )
    quang_oai = _commune("09619", "Xã Quảng Oai", city)
    ba_dinh = _commune("00004", "Phường Ba Đình", city, UnitKind.WARD, Area.URBAN)
    for unit, total in ((quang_oai, 9000), (ba_dinh, 12000)):
        for year in (2025, 2026):
            UnitYear.objects.create(unit=unit, year=year, total_households=total)
    return {"city": city, "quang_oai": quang_oai, "ba_dinh": ba_dinh}


def first_year_standard(year: int) -> PovertyStandard:
    """The standard whose first periodic review is `year` (Decree 351/2025 for 2026)."""
    return PovertyStandard.objects.get(first_year=year)


def _review(household, year, commune, poverty_class, state=ReviewState.APPROVED, movement=Movement.STAYED, **kw):
    standard = PovertyStandard.objects.get(first_year__lte=year, last_year__gte=year)
    return Review.objects.create(
        household=household,
        year=year,
        commune=commune,
        standard=standard,
        poverty_class=poverty_class,
        state=state,
        movement=movement,
        **kw,
    )


def _household(code, commune):
    return Household.objects.create(code=code, commune=commune, head_name="Nguyễn Văn An", head_sex="M")


def row(code: str, year: int):
    return snapshot(unit=code, year=year).get()


# --- the recompute ------------------------------------------------------------------------------


def test_a_commune_year_with_only_drafts_and_submitted_reviews_has_null_counts_not_zero(today):
    quang_oai, ba_dinh = today["quang_oai"], today["ba_dinh"]
    _review(_household("A1", quang_oai), 2025, quang_oai, PovertyClass.POOR, ReviewState.DRAFT)
    _review(_household("A2", quang_oai), 2025, quang_oai, PovertyClass.NEAR_POOR, ReviewState.SUBMITTED)
    _review(_household("B1", ba_dinh), 2025, ba_dinh, PovertyClass.POOR, movement=Movement.NEWLY_POOR)

    recompute_progress()

    drafts = row("09619", 2025)
    for name in [*NULL_WHERE_NO_DATA, *MOVEMENTS, "social_protection_poor", "female_head_poor"]:
        assert getattr(drafts, name) is None, name
    assert drafts.deprivations_poor is None
    assert (drafts.reviewed_households, drafts.pending) == (0, 2)
    assert (drafts.communes_reviewed, drafts.communes_total, drafts.communes_started) == (0, 1, 1)
    assert drafts.total_households == 9000  # the denominator is its own input, known anyway
    assert not drafts.has_data and not drafts.provisional  # no data, which is not "provisional"
    approved = row("00004", 2025)
    assert (approved.poor, approved.near_poor, approved.newly_poor, approved.reviewed_households) == (1, 0, 1, 1)
    # The city adds up what is approved and says how much of it that is.
    city = row("01", 2025)
    assert (city.poor, city.reviewed_households, city.pending) == (1, 1, 2)
    assert (city.communes_reviewed, city.communes_total, city.communes_started) == (1, 2, 2)
    assert city.partly_reviewed and city.provisional


def test_a_commune_without_any_review_is_no_data_and_not_started(today):
    ba_dinh = today["ba_dinh"]
    _review(_household("B1", ba_dinh), 2025, ba_dinh, PovertyClass.AVERAGE)

    recompute_progress()

    nothing = row("09619", 2025)
    assert nothing.poor is None and nothing.reviewed_households == 0 and nothing.pending == 0
    assert (nothing.communes_started, nothing.communes_not_started) == (0, 1)
    # Approved with nobody poor is a real zero.
    assert (row("00004", 2025).poor, row("00004", 2025).poverty_rate) == (0, Decimal("0.0000"))


def test_no_data_gives_the_status_no_data_for_every_target_and_zero_gives_a_judgement(today):
    quang_oai, ba_dinh = today["quang_oai"], today["ba_dinh"]
    _review(_household("A1", quang_oai), 2025, quang_oai, PovertyClass.POOR, ReviewState.SUBMITTED)
    _review(_household("B1", ba_dinh), 2025, ba_dinh, PovertyClass.AVERAGE)
    recompute_progress()

    (no_data,) = progress_records([row("09619", 2025)])
    (judged,) = progress_records([row("00004", 2025)])

    assert no_data["targets"] and {t["status"] for t in no_data["targets"]} == {ProgressStatus.NO_DATA.value}
    statuses = {(t["indicator"], t["kind"]): t["status"] for t in judged["targets"]}
    assert statuses[("meritorious_poor", "must_be_zero")] == ProgressStatus.ACHIEVED.value  # a real zero


def test_the_first_year_of_a_standard_has_no_movement_no_start_and_no_reduction_rate(today):
    """End-2026 is Decree 351/2025's first periodic review: comparing it with end-2025 (Decree 07's
    lines) would count the change of lines as households escaping or falling into poverty."""
    quang_oai = today["quang_oai"]
    assert first_year_standard(2026).first_year == 2026  # decided by the data, not by the year
    for i in range(4):
        home = _household(f"A{i}", quang_oai)
        _review(home, 2025, quang_oai, PovertyClass.POOR)
        _review(
            home,
            2026,
            quang_oai,
            PovertyClass.POOR if i < 3 else PovertyClass.NEAR_POOR,
            movement=Movement.RECLASSIFIED if i == 0 else Movement.NEWLY_POOR,
        )

    recompute_progress()

    baseline = row("09619", 2026)
    assert baseline.first_year_of_standard
    assert (baseline.poor, baseline.near_poor, baseline.reclassified) == (3, 1, 1)
    for name in [*MOVEMENTS, "poor_start", "near_poor_start", "poor_reduction_rate", "near_poor_reduction_rate"]:
        assert getattr(baseline, name) is None, name
    before = row("09619", 2025)
    assert not before.first_year_of_standard and before.escaped == 0 and before.reclassified == 0
    # 2026 is the draft 2026–2030 plan's baseline: no reduction is judged against 2025 (Decree 07).
    (record,) = progress_records([baseline])
    bands = [t for t in record["targets"] if t["kind"] == "reduction_band"]
    assert all(t["status"] == ProgressStatus.NO_DATA.value for t in bands)


def test_the_year_after_a_standard_s_first_compares_again(today):
    quang_oai = today["quang_oai"]
    for i in range(4):
        home = _household(f"A{i}", quang_oai)
        _review(home, 2026, quang_oai, PovertyClass.POOR)
        _review(home, 2027, quang_oai, PovertyClass.POOR if i < 2 else PovertyClass.AVERAGE, movement=Movement.STAYED)

    recompute_progress()

    assert row("09619", 2026).first_year_of_standard
    after = row("09619", 2027)
    assert not after.first_year_of_standard
    assert (after.poor_start, after.poor, after.poor_reduction_rate) == (4, 2, Decimal("50.00"))
    assert after.escaped == 0  # counted again (stored movements say none escaped)


def test_a_previous_year_without_approved_reviews_is_no_start_rather_than_zero(today):
    quang_oai = today["quang_oai"]
    home = _household("A1", quang_oai)
    _review(home, 2024, quang_oai, PovertyClass.POOR, ReviewState.SUBMITTED)
    _review(home, 2025, quang_oai, PovertyClass.POOR)

    recompute_progress()

    value = row("09619", 2025)
    assert value.poor == 1 and value.poor_start is None and value.poor_reduction_rate is None


# --- the check run after merge, on a small fixture ---------------------------------------------


def _percent(part, whole, places):
    if part is None or not whole:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP))


def expected_rows(year: int, units: list[AdministrativeUnit], totals: dict[int, int]) -> dict[str, dict]:
    """indicators/ rows computed straight from the reviews, independently of reports.recompute."""
    return {unit.code: expected_row(unit, year, totals) for unit in units}


def expected_row(unit: AdministrativeUnit, year: int, totals: dict[int, int]) -> dict:
    communes = [unit] if unit.level == UnitLevel.COMMUNE else list(unit.children.filter(level=UnitLevel.COMMUNE))
    reviews = Review.objects.filter(year=year, commune__in=communes, state=ReviewState.APPROVED)
    first_year = reviews.filter(standard__first_year=year).exists()
    total = sum(totals[c.pk] for c in communes)
    counted = reviews.exists()

    def count(**where):
        return reviews.filter(**where).count() if counted else None

    def movement(value):
        return None if first_year else count(movement=value)

    previous = Review.objects.filter(year=year - 1, commune__in=communes, state=ReviewState.APPROVED)
    poor, near_poor = count(poverty_class=PovertyClass.POOR), count(poverty_class=PovertyClass.NEAR_POOR)
    comparable = counted and previous.exists() and not first_year
    poor_start = previous.filter(poverty_class=PovertyClass.POOR).count() if comparable else None
    near_start = previous.filter(poverty_class=PovertyClass.NEAR_POOR).count() if comparable else None
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "unit_level": unit.level,
        "unit_structure": unit.structure,
        "year": year,
        "total_households": total,
        "poor": poor,
        "near_poor": near_poor,
        "poverty_rate": _percent(poor, total, 2),
        "near_poverty_rate": _percent(near_poor, total, 2),
        "escaped": movement(Movement.ESCAPED_POVERTY),
        "newly_poor": movement(Movement.NEWLY_POOR),
        "re_poor": movement(Movement.RE_POOR),
        "meritorious_poor": count(poverty_class=PovertyClass.POOR, meritorious=True),
        "poor_reduction_rate": _percent(poor_start - poor, poor_start, 2) if poor_start else None,
        "near_poor_reduction_rate": _percent(near_start - near_poor, near_start, 2) if near_start else None,
        "reclassified": count(movement=Movement.RECLASSIFIED),
        "reviewed_households": reviews.count(),
        "communes_reviewed": sum(1 for c in communes if reviews.filter(commune=c).exists()),
        "communes_total": len(communes),
    }


def _file(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(csv_file(rows).getvalue())
    return str(path)


def test_import_recompute_export_matches_a_computation_straight_from_the_reviews(today, tmp_path):
    """Two communes of today's structure reviewed at the end of 2025 (Decree 07) and 2026 (Decree
    351's first year); Ba Đình's 2026 review is still only drafts."""
    rural, urban = 1_000_000, 1_900_000  # poor under both standards' lines (2,200,000 / 2,800,000 in 2026)
    above = 9_000_000
    rows_2025, rows_2026, drafts_2026 = [], [], []
    for i in range(10):  # Quảng Oai: 6 poor, 2 near-poor, 2 above in 2025
        income = rural if i < 8 else above
        rows_2025.append(review_row(f"QO{i:03d}", "09619", 2025, income, 3 if i < 6 else 1, meritorious=int(i == 0)))
        # 2026: 2 escape, the rest stay; 2 new households become poor.
        rows_2026.append(review_row(f"QO{i:03d}", "09619", 2026, above if i in (0, 1) else income, 3 if i < 6 else 1))
    for i in range(2):
        rows_2026.append(review_row(f"QN{i:03d}", "09619", 2026, rural, 4))
    for i in range(5):  # Ba Đình: 3 poor, 2 near-poor in 2025; 2026 drafted only
        rows_2025.append(review_row(f"BD{i:03d}", "00004", 2025, urban, 3 if i < 3 else 0))
        drafts_2026.append(review_row(f"BD{i:03d}", "00004", 2026, urban, 3 if i < 2 else 0))
    call_command("import_reviews", _file(tmp_path, "2025.csv", rows_2025), stdout=io.StringIO())
    call_command("import_reviews", _file(tmp_path, "2026.csv", rows_2026), stdout=io.StringIO())
    call_command("import_reviews", _file(tmp_path, "drafts.csv", drafts_2026), "--state", "draft", stdout=io.StringIO())
    call_command("recompute_progress", stdout=io.StringIO())

    units = [today["city"], today["quang_oai"], today["ba_dinh"]]
    totals = dict(UnitYear.objects.filter(year=2025).values_list("unit", "total_households"))  # same in 2026
    for year in (2025, 2026):
        out = io.StringIO()
        call_command("export_indicators", "--year", str(year), "--format", "json", stdout=out)
        exported = {record["unit"]: record for record in json.loads(out.getvalue())}
        expected = expected_rows(year, units, totals)
        assert set(exported) == set(expected)
        for code, record in exported.items():
            assert list(record) == INDICATOR_FIELDS
            assert {k: v for k, v in record.items() if k != "computed_at"} == expected[code], (year, code)

    # What the check looks for, spelled out.
    exported_2026 = {r["unit"]: r for r in json.loads(_export(2026))}
    for code in ("01", "09619"):
        for name in ("escaped", "newly_poor", "re_poor", "poor_reduction_rate", "near_poor_reduction_rate"):
            assert exported_2026[code][name] is None, (code, name)
    assert exported_2026["09619"]["poor"] == 6 and exported_2026["01"]["poor"] == 6
    draft_only = exported_2026["00004"]
    assert [draft_only[name] for name in NULL_WHERE_NO_DATA] == [None] * len(NULL_WHERE_NO_DATA)
    assert (draft_only["reviewed_households"], draft_only["communes_reviewed"], draft_only["communes_total"]) == (
        0,
        0,
        1,
    )
    assert (exported_2026["01"]["communes_reviewed"], exported_2026["01"]["communes_total"]) == (1, 2)
    exported_2025 = {r["unit"]: r for r in json.loads(_export(2025))}
    assert exported_2025["01"]["poor"] == 9 and exported_2025["01"]["meritorious_poor"] == 1


def test_export_indicators_csv_leaves_null_cells_empty(today):
    quang_oai = today["quang_oai"]
    _review(_household("A1", quang_oai), 2025, quang_oai, PovertyClass.POOR, ReviewState.DRAFT)
    recompute_progress()

    out = io.StringIO()
    call_command("export_indicators", "--unit", "09619", "--format", "csv", stdout=out)

    header, line = out.getvalue().splitlines()
    record = dict(zip(header.split(","), line.split(","), strict=True))
    assert list(record) == INDICATOR_FIELDS
    assert record["poor"] == "" and record["escaped"] == "" and record["poverty_rate"] == ""
    assert (record["reviewed_households"], record["communes_reviewed"], record["communes_total"]) == ("0", "0", "1")


def _export(year: int) -> str:
    out = io.StringIO()
    call_command("export_indicators", "--year", str(year), "--format", "json", stdout=out)
    return out.getvalue()


# --- history follows the household (the one rule for a household's commune in 2025) -------------


def test_the_history_of_a_split_communes_household_goes_to_the_successor_it_now_lives_in(admin_units):
    from django.db.models import Count

    from households.models import Succession

    splits = Succession.objects.values("predecessor_id").annotate(n=Count("successor_id")).filter(n__gt=1)
    split = splits.order_by("predecessor_id")[0]["predecessor_id"]
    old = AdministrativeUnit.objects.get(pk=split)
    primary = Succession.objects.get(predecessor=old, is_primary=True).successor
    other = Succession.objects.filter(predecessor=old, is_primary=False).first().successor
    moved, stayed = _household("TACH-1", other), _household("TACH-2", primary)
    for household, successor in ((moved, other), (stayed, primary)):
        _review(household, 2024, old, PovertyClass.POOR)
        _review(household, 2025, successor, PovertyClass.NEAR_POOR, movement=Movement.ESCAPED_POVERTY)

    recompute_progress()

    def start_of_2025(unit):
        return snapshot(unit=unit.code, year=2025, structure=Structure.REFORM_2025).get().poor_start

    assert start_of_2025(other) == 1 and start_of_2025(primary) == 1  # without the rule: 0 and 2
    history = {
        value.unit_id: value.poor
        for value in snapshot(year=2024, structure=Structure.REFORM_2025).filter(unit__in=[primary, other])
    }
    assert history == {primary.pk: 1, other.pk: 1}
