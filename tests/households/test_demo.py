"""seed_demo: synthetic households whose city figures are Hanoi's published series (DOMAIN.md §5)."""

import datetime
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum

from households import poverty
from households.demo import (
    DEFAULT_HOUSEHOLDS,
    MIN_HOUSEHOLDS,
    STILL_POOR_2022,
    YEARS,
    DatabaseNotEmpty,
    DemoRefused,
    plan_for,
    seed_demo,
)
from households.models import (
    AdministrativeUnit,
    Household,
    Member,
    Movement,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    ReviewType,
    Structure,
    TotalSource,
    UnitKind,
    UnitLevel,
    UnitYear,
)
from targets.progress import reduction_rate, round_rate

PUBLISHED_POOR = {2021: 3612, 2022: 2134, 2023: 690, 2024: 0}
PUBLISHED_NEAR_POOR = {2021: 30176, 2022: 22263, 2024: 9570}


def city_counts(poverty_class: str) -> dict[int, int]:
    rows = Review.objects.approved().filter(poverty_class=poverty_class).values("year").annotate(n=Count("id"))
    counts = dict.fromkeys(YEARS, 0)
    counts.update({row["year"]: row["n"] for row in rows})
    return counts


def movements(year: int) -> Counter:
    return Counter(Review.objects.approved().filter(year=year).values_list("movement", flat=True))


def rounded_percent(numerator: int, denominator: int, places: int) -> Decimal:
    return (Decimal(numerator) * 100 / denominator).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# The plan, without a database.


def test_default_plan_is_the_published_series_with_1582_escaped_in_2022():
    plan = plan_for(DEFAULT_HOUSEHOLDS)
    assert plan.poor_end == PUBLISHED_POOR
    assert {year: plan.near_poor_end[year] for year in PUBLISHED_NEAR_POOR} == PUBLISHED_NEAR_POOR
    assert plan.escaped(2022) == 1582
    assert plan.poor_in(2022) == 104
    assert plan.listed_households() <= DEFAULT_HOUSEHOLDS


@pytest.mark.parametrize("households", [MIN_HOUSEHOLDS, 2000, 12_345, DEFAULT_HOUSEHOLDS, 55_000])
def test_every_scale_keeps_end_equal_start_minus_escaped_plus_fallen(households):
    plan = plan_for(households)
    for year in YEARS[1:]:
        assert plan.poor_end[year] == plan.poor_end[year - 1] - plan.escaped(year) + plan.poor_in(year)
        assert min(plan.escaped(year), plan.poor_stayed(year), plan.near_poor_stayed(year)) >= 0
    assert plan.poor_end[2024] == 0
    assert plan.listed_households() <= households


def test_smaller_registry_scales_the_series_proportionally():
    plan = plan_for(2000)  # 1/20 of the default
    assert plan.poor_end == {2021: 181, 2022: 107, 2023: 35, 2024: 0}
    assert plan.near_poor_end[2021] == 1509
    assert plan.resident[2021] == 109_600


def test_larger_registry_keeps_the_published_size():
    assert plan_for(55_000).poor_end == PUBLISHED_POOR


def test_registry_too_small_for_the_series_is_refused():
    with pytest.raises(DemoRefused):
        plan_for(MIN_HOUSEHOLDS - 1)


# The default scale.


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_admin_units", "--province", "01", verbosity=0)
        summary = seed_demo()
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def city(demo, db):
    return demo


class TestDefaultScale:
    """The published series, seeded once for the class and rolled back after it (20–40 s)."""

    def test_registry_holds_the_default_number_of_households(self, city):
        assert Household.objects.count() == DEFAULT_HOUSEHOLDS == city.households
        assert Review.objects.count() == city.reviews

    def test_city_counts_of_poor_and_near_poor_are_the_published_series(self, city):
        assert city_counts(PovertyClass.POOR) == PUBLISHED_POOR
        near_poor = city_counts(PovertyClass.NEAR_POOR)
        assert {year: near_poor[year] for year in PUBLISHED_NEAR_POOR} == PUBLISHED_NEAR_POOR
        assert 22_263 > near_poor[2023] > 9_570  # not published: a believable figure in between
        assert city.poor == PUBLISHED_POOR

    def test_reduction_rates_are_the_citys_real_ones(self, city):
        poor, near_poor = city_counts(PovertyClass.POOR), city_counts(PovertyClass.NEAR_POOR)
        rates = {year: round_rate(reduction_rate(poor[year - 1], poor[year])) for year in YEARS[1:]}
        assert rates == {2022: Decimal("40.92"), 2023: Decimal("67.67"), 2024: Decimal("100.00")}
        assert round_rate(reduction_rate(near_poor[2021], near_poor[2022])) == Decimal("26.22")

    def test_the_end_2021_review_is_decree_07s_baseline_so_no_household_is_newly_poor_in_2021(self, city):
        assert set(movements(2021)) == {Movement.BASELINE}
        assert Review.objects.filter(year=2021, poverty_class=PovertyClass.POOR).count() == 3612

    def test_2022_has_1582_escaped_and_104_newly_poor(self, city):
        assert movements(2022)[Movement.ESCAPED_POVERTY] == 1582
        assert movements(2022)[Movement.NEWLY_POOR] + movements(2022)[Movement.RE_POOR] == 104

    def test_poor_at_end_equals_start_minus_escaped_plus_newly_and_re_poor_every_year(self, city):
        poor = city_counts(PovertyClass.POOR)
        for year in YEARS[1:]:
            moved = movements(year)
            assert poor[year] == (
                poor[year - 1] - moved[Movement.ESCAPED_POVERTY] + moved[Movement.NEWLY_POOR] + moved[Movement.RE_POOR]
            )
        assert movements(2023)[Movement.RE_POOR] > 0
        assert movements(2024)[Movement.NEWLY_POOR] == movements(2024)[Movement.RE_POOR] == 0

    def test_near_poor_at_end_equals_start_plus_its_movements_every_year(self, city):
        near_poor = city_counts(PovertyClass.NEAR_POOR)
        for year in YEARS[1:]:
            came_down = Review.objects.filter(
                year=year, poverty_class=PovertyClass.NEAR_POOR, movement=Movement.ESCAPED_POVERTY
            ).count()
            went_poor = Review.objects.filter(
                year=year, poverty_class=PovertyClass.POOR, household__reviews__year=year - 1,
                household__reviews__poverty_class=PovertyClass.NEAR_POOR,
            ).count()  # fmt: skip
            moved = movements(year)
            assert near_poor[year] == (
                near_poor[year - 1]
                - moved[Movement.ESCAPED_NEAR_POVERTY]
                - went_poor
                + moved[Movement.NEWLY_NEAR_POOR]
                + moved[Movement.RE_NEAR_POOR]
                + came_down
            )

    def test_everyone_poor_or_near_poor_at_the_end_of_a_year_is_reviewed_the_next(self, city):
        listed = Q(poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR])
        for year in YEARS[1:]:
            before = set(Review.objects.filter(listed, year=year - 1).values_list("household_id", flat=True))
            reviewed = set(Review.objects.filter(year=year).values_list("household_id", flat=True))
            assert before <= reviewed

    def test_16_of_the_30_districts_have_no_poor_household_at_end_2022(self, city):
        districts = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT, structure=Structure.LEGACY)
        with_poor = set(
            Review.objects.filter(year=2022, poverty_class=PovertyClass.POOR).values_list(
                "commune__parent__code", flat=True
            )
        )
        assert districts.count() == 30
        assert len(with_poor) == 14 and with_poor == set(STILL_POOR_2022)
        urban_districts = set(districts.filter(kind=UnitKind.URBAN_DISTRICT).values_list("code", flat=True))
        assert not urban_districts & with_poor  # the 12 quận are among the 16

    def test_poor_of_2023_all_live_in_rural_communes(self, city):
        kinds = set(
            Review.objects.filter(year=2023, poverty_class=PovertyClass.POOR).values_list("commune__kind", flat=True)
        )
        assert kinds == {UnitKind.COMMUNE}

    def test_poverty_is_higher_in_rural_huyen(self, city):
        def rate(kinds):
            poor = Review.objects.filter(
                year=2021, poverty_class=PovertyClass.POOR, commune__parent__kind__in=kinds
            ).count()
            total = UnitYear.objects.filter(
                year=2021, unit__level=UnitLevel.COMMUNE, unit__parent__kind__in=kinds
            ).aggregate(n=Sum("total_households"))["n"]
            return poor / total

        assert rate([UnitKind.RURAL_DISTRICT]) > 5 * rate([UnitKind.URBAN_DISTRICT])

    def test_no_meritorious_household_is_poor_from_2022(self, city):
        poor_meritorious = Review.objects.filter(poverty_class=PovertyClass.POOR, meritorious=True)
        assert poor_meritorious.filter(year=2021).exists()
        assert not poor_meritorious.filter(year__gte=2022).exists()
        assert Review.objects.filter(poverty_class=PovertyClass.NEAR_POOR, meritorious=True, year=2024).exists()

    def test_resident_totals_sum_to_the_city_total_of_about_2_2_million(self, city):
        city_unit = AdministrativeUnit.objects.get(level=UnitLevel.CITY, code="01")
        communes = UnitYear.objects.filter(unit__level=UnitLevel.COMMUNE, unit__structure=Structure.LEGACY)
        for year in YEARS:
            total = communes.filter(year=year).aggregate(n=Sum("total_households"))["n"]
            assert communes.filter(year=year).count() == 526
            assert UnitYear.objects.get(unit=city_unit, year=year).total_households == total
            assert 2_150_000 <= total <= 2_400_000
        assert not UnitYear.objects.exclude(source=TotalSource.ESTIMATED).exists()
        # The published rates (DOMAIN.md §5) come out of these totals.
        total = {uy.year: uy.total_households for uy in UnitYear.objects.filter(unit=city_unit)}
        assert rounded_percent(3612, total[2021], 2) == Decimal("0.16")
        assert rounded_percent(30176, total[2021], 2) == Decimal("1.38")
        assert rounded_percent(2134, total[2022], 3) == Decimal("0.095")
        assert rounded_percent(22263, total[2022], 2) == Decimal("0.99")
        assert rounded_percent(690, total[2023], 2) == Decimal("0.03")

    def test_each_commune_has_more_residents_than_listed_households(self, city):
        totals = {(uy.unit_id, uy.year): uy.total_households for uy in UnitYear.objects.all()}
        listed = (
            Review.objects.filter(poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR])
            .values("commune_id", "year")
            .annotate(n=Count("id"))
        )
        for row in listed:
            assert row["n"] < totals[(row["commune_id"], row["year"])] / 2

    def test_stored_class_and_movement_are_what_the_rules_make_of_each_review(self, city):
        standard = PovertyStandard.objects.get(code="national-2022-2025")
        lines = {area: standard.lines(area) for area in ("urban", "rural")}
        years: dict[int, dict[int, poverty.ReviewedYear]] = defaultdict(dict)
        stored_movements = {}
        for review in (
            Review.objects.select_related("commune").order_by("household_id", "year").iterator(chunk_size=5000)
        ):
            expected = poverty.classify_household(
                lines[review.commune.area],
                income_per_capita=review.income_per_capita,
                deprivation_count=review.deprivation_count,
            )
            assert review.poverty_class == expected, review
            assert bin(review.deprivation_flags).count("1") == review.deprivation_count
            assert review.deprivation_flags < 1 << 12
            years[review.household_id][review.year] = poverty.ReviewedYear(
                poverty.PovertyClass(review.poverty_class), review.standard_id, review.year == standard.first_year
            )
            stored_movements[(review.household_id, review.year)] = review.movement
        for household_id, classes in years.items():
            for year, movement in poverty.derive_movements(classes).items():
                assert stored_movements[(household_id, year)] == movement

    def test_reviews_are_approved_periodic_reviews_of_the_2022_standard_in_the_legacy_commune(self, city):
        standard = PovertyStandard.objects.get(code="national-2022-2025")
        assert set(Review.objects.values_list("year", flat=True).distinct()) == set(YEARS)
        assert not Review.objects.exclude(
            standard=standard, state=ReviewState.APPROVED, review_type=ReviewType.PERIODIC
        ).exists()
        assert not Review.objects.exclude(commune__structure=Structure.LEGACY).exists()
        assert not Review.objects.exclude(commune=F("household__commune")).exists()
        dates = Review.objects.values("year").annotate(first=Min("review_date"), last=Max("review_date"))
        for row in dates:
            assert datetime.date(row["year"], 9, 1) <= row["first"] <= row["last"] <= datetime.date(row["year"], 12, 14)

    def test_causes_and_needs_are_recorded_for_poor_and_near_poor_only(self, city):
        listed = Review.objects.filter(poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR])
        assert not listed.filter(causes=[]).exists()
        assert not listed.filter(needs=[]).exists()
        assert not Review.objects.exclude(pk__in=listed).exclude(causes=[]).exists()

    def test_households_have_codes_members_and_flags_copied_onto_their_reviews(self, city):
        code = re.compile(r"^HN-\d{5}-\d{5}$")
        for household in Household.objects.select_related("commune").order_by("?")[:200]:
            assert code.match(household.code) and household.code[3:8] == household.commune.code
            prefix = "Thôn " if household.commune.kind == UnitKind.COMMUNE else "Tổ dân phố "
            assert household.village.startswith(prefix)
            assert len(household.head_name.split()) >= 3
            members = list(household.members.all())
            assert len(members) == household.members_count and 1 <= household.members_count <= 7
            assert members[0].relation == "Chủ hộ" and members[0].full_name == household.head_name
            assert not any(member.id_number for member in members)
            for review in household.reviews.all():
                assert (review.meritorious, review.social_protection, review.no_labour_capacity) == (
                    household.meritorious,
                    household.social_protection,
                    household.no_labour_capacity,
                )
                assert (review.ethnic_minority, review.head_sex) == (household.ethnic_minority, household.head_sex)
        ethnic_share = Household.objects.filter(ethnic_minority=True).count() / Household.objects.count()
        assert 0.01 < ethnic_share < 0.08
        ba_vi = Household.objects.filter(commune__parent__code="271")
        assert ba_vi.filter(ethnic_minority=True).count() / ba_vi.count() > 3 * ethnic_share


# Small registries, determinism and the command.


def snapshot() -> dict[str, list]:
    """Every demo row without its id or save time, keyed on codes."""

    def fields(model, skip=()):
        return [f.attname for f in model._meta.concrete_fields if f.name not in {"id", "updated_at", *skip}]

    return {
        "households": list(Household.objects.order_by("code").values_list("commune__code", *fields(Household))),
        "members": list(
            Member.objects.order_by("household__code", "id").values_list(
                "household__code", *fields(Member, ["household"])
            )
        ),
        "reviews": list(
            Review.objects.order_by("household__code", "year").values_list(
                "household__code", "commune__code", *fields(Review, ["household", "commune"])
            )
        ),
        "totals": list(
            UnitYear.objects.order_by("unit__code", "year").values_list("unit__code", "year", "total_households")
        ),
    }


def seeded(households: int, seed: int) -> dict[str, list]:
    with transaction.atomic():
        seed_demo(households=households, seed=seed)
        rows = snapshot()
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_same_seed_gives_identical_rows_and_another_seed_different_ones(admin_units):
    first = seeded(1000, 7)
    assert first == seeded(1000, 7)
    other = seeded(1000, 8)
    assert other["households"] != first["households"]
    assert other["reviews"] != first["reviews"]


@pytest.mark.django_db
def test_small_registry_holds_the_scaled_series_with_the_same_shape(admin_units):
    summary = seed_demo(households=2000)
    plan = plan_for(2000)
    assert Household.objects.count() == summary.households == 2000
    assert city_counts(PovertyClass.POOR) == plan.poor_end
    assert city_counts(PovertyClass.NEAR_POOR) == plan.near_poor_end
    with_poor = set(
        Review.objects.filter(year=2022, poverty_class=PovertyClass.POOR).values_list(
            "commune__parent__code", flat=True
        )
    )
    assert with_poor == set(STILL_POOR_2022)
    assert set(
        Review.objects.filter(year=2023, poverty_class=PovertyClass.POOR).values_list("commune__kind", flat=True)
    ) == {UnitKind.COMMUNE}
    city_total = UnitYear.objects.get(unit__level=UnitLevel.CITY, year=2021).total_households
    assert city_total == plan.resident[2021]


@pytest.mark.django_db
def test_command_seeds_an_empty_database_and_refuses_a_second_time(admin_units, capsys):
    call_command("seed_demo", "--households", "600", "--seed", "3")
    assert "600 hộ" in capsys.readouterr().out
    with pytest.raises(CommandError, match="cơ sở dữ liệu trống"):
        call_command("seed_demo", "--households", "600")
    assert Household.objects.count() == 600


@pytest.mark.django_db
def test_command_if_empty_leaves_a_database_with_reviews_alone(admin_units, capsys):
    seed_demo(households=600)
    before = Review.objects.count()
    call_command("seed_demo", "--if-empty")
    assert "Bỏ qua" in capsys.readouterr().out
    assert Review.objects.count() == before
    with pytest.raises(DatabaseNotEmpty):
        seed_demo(households=600)


@pytest.mark.django_db
def test_command_without_units_says_to_load_them():
    with pytest.raises(CommandError, match="load_admin_units"):
        call_command("seed_demo", "--households", "600")
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_registry_too_small(admin_units):
    with pytest.raises(CommandError, match=str(MIN_HOUSEHOLDS)):
        call_command("seed_demo", "--households", "10")
